"""An equalized-odds gap that is only a lower bound of itself (``bound_only``) was written as
the gap itself outside the cards' per-feature tables (R7, R9): the headline in both cards and
summary.md ('0.234 ... largest over features', where another feature's gap could be larger),
summary.md's fairness and intervals tables, the gate tables' value cells and the gate line
of junit.xml. Each now says '≥' or 'at least'; an older record (no ``bound_only``) reads as
before."""

from __future__ import annotations

import copy
import re

import numpy as np
import pandas as pd
import pytest

import auditor
from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from auditor.numbers import fmt_interval
from auditor.report.decision import headlines
from auditor.report.junit import render_junit
from auditor.report.markdown import render_markdown
from auditor.report.summary import render_summary

EOD = "fairness.features.{}.disparities.equalized_odds_difference.between_groups"


def _rows(sex_gap: float) -> pd.DataFrame:
    """Site B has no positives (site's gap: its FPR gap alone, a lower bound); sex's gap is
    a gap of both rates, ``sex_gap`` apart in recall."""
    rng = np.random.default_rng(3)
    y = np.r_[rng.integers(0, 2, 1200), np.zeros(400, int)]
    sex = rng.choice(["f", "m"], 1600)
    fp = np.r_[rng.random(1200) < 0.05, rng.random(400) < 0.25]
    recall = np.where(sex == "f", 0.9, 0.9 - sex_gap)
    p = np.where(y == 1, rng.random(1600) < recall, fp).astype(int)
    return pd.DataFrame({"y": y, "p": p, "site": ["A"] * 1200 + ["B"] * 400, "sex": sex})


def _audit(sex_gap: float, *rules: GateRule) -> dict:
    rows = _rows(sex_gap)
    audit = auditor.audit_predictions(rows, y_true="y", y_pred="p", sensitive=["site", "sex"]).data
    audit["fairness"]["features"].pop("site & sex", None)  # the two features alone
    cfg = GatesConfig(use_defaults=False, rules=list(rules))
    audit["gates"] = evaluate_gates(audit, cfg, config_file="g.toml")
    return audit


def _gap(audit: dict, feature: str) -> dict:
    return audit["fairness"]["features"][feature]["disparities"]["equalized_odds_difference"][
        "between_groups"
    ]


def test_the_headline_writes_a_bound_with_its_sign():
    audit = _audit(0.0, GateRule(metric=EOD.format("site"), max=1.0, mode="point"))
    site = _gap(audit, "site")
    assert site["bound_only"] == "lower" and site["value"] > _gap(audit, "sex")["value"]
    [tile] = [h for h in headlines(audit) if h.key == "fairness"]
    assert tile.bound_only == "lower"
    shown = f"≥ {site['value']:.3f} ["
    for text in (render_summary(audit), render_markdown(audit)):
        [line] = [x for x in text.splitlines() if "Worst equalized-odds gap" in x]
        assert shown in line, line
        assert "largest over features" in line  # a bound above every known gap: the largest


def test_no_largest_over_features_while_another_feature_holds_only_a_bound():
    audit = _audit(0.6)
    site, sex = _gap(audit, "site"), _gap(audit, "sex")
    assert site["bound_only"] == "lower" and sex.get("bound_only") is None
    assert sex["value"] > site["value"]  # shown: sex's, but site's may be larger
    [tile] = [h for h in headlines(audit) if h.key == "fairness"]
    assert tile.value == sex["value"] and tile.bound_only is None
    assert "largest over features" not in tile.note, tile.note
    # it gave the other feature's bound with no interval nor count, as no other gap is given
    low, high = fmt_interval(site["value"], site["ci_low"], site["ci_high"]).split(" ", 1)
    assert low == f"{site['value']:.3f}" and high.startswith("[")
    n = {g["group"]: g["n"] for g in audit["fairness"]["features"]["site"]["groups"]}
    pair = " vs ".join(f"{g}" for g in site["pair"])
    sizes = " vs ".join(f"{n[g]:,}" for g in site["pair"])
    said = f"known only as a bound: site at least {low} {high}, {pair}, n={sizes})"
    assert said in tile.note, tile.note
    line = next(x for x in render_summary(audit).splitlines() if "Worst equalized" in x)
    assert "largest of the known gaps \\(known only as a bound: site at least" in line, line


def test_summary_tables_and_gate_cells_sign_a_bound():
    audit = _audit(0.0, GateRule(metric=EOD.format("site"), max=1.0, mode="point"))
    value = f"≥ {_gap(audit, 'site')['value']:.3f} ["
    summary = render_summary(audit)
    [fair] = [x for x in summary.splitlines() if x.startswith("| site |")]
    assert fair.split(" | ")[1].startswith(value), fair
    [row] = [x for x in summary.splitlines() if f"`{EOD.format('site')}` |" in x]
    assert f"| {value}" in row, row
    [gate] = [x for x in summary.splitlines() if x.startswith("| ✅ pass |")]
    assert f"| {value}" in gate, gate
    card = render_markdown(audit)
    [cell] = [x for x in card.splitlines() if x.startswith("| pass |")]
    assert f"| ≥ {_gap(audit, 'site')['value']:.4f} [" in cell, cell


def test_the_gate_line_says_at_least_on_a_pass():
    audit = _audit(0.0, GateRule(metric=EOD.format("site"), max=1.0, mode="point"))
    [case] = [x for x in render_junit(audit).splitlines() if "passed: " in x]
    assert re.search(r"gap &lt;= 1: at least 0\.\d+ \[", case), case
    assert "only known to be at least this" in case


def test_an_older_record_without_bound_only_reads_as_before():
    audit = _audit(0.0, GateRule(metric=EOD.format("site"), max=1.0, mode="point"))
    old = copy.deepcopy(audit)
    for feat in old["fairness"]["features"].values():
        for metric in feat["disparities"].values():
            for node in metric.values():
                if isinstance(node, dict):
                    node.pop("bound_only", None)
    text = render_summary(old) + render_markdown(old) + render_junit(old)
    assert "≥" not in text.replace("P\\(1\\) ≥ t", "") and "at least 0." not in text
    assert "largest over features" in text


@pytest.mark.parametrize(("top", "outcome"), [(0.2, "fail"), (0.5, "insufficient_data")])
def test_a_decided_bound_says_so_and_an_undecided_one_keeps_its_message(top, outcome):
    audit = _audit(0.0, GateRule(metric=EOD.format("site"), max=top, mode="point"))
    [r] = audit["gates"]["results"]
    assert r["outcome"] == outcome
    [case] = [x for x in render_junit(audit).splitlines() if "<system-out>" in x]
    decided = "only known to be at least this" in case
    assert decided == (outcome == "fail"), case
    assert ("so it is at least" in case) == (outcome == "insufficient_data"), case
