"""A disparity one of whose two rates is undefined (equalized odds where a site has no
positives: its recall is defined in one compared group) holds fairlearn's value, the other
rate's gap, which is only a bound of it (``bound_only``). It was judged as the gap: a class
no evaluation row has passed 'equalized-odds gap <= 0.2' at 0.000 [0.000, 0.018]. A verdict
now stands only where no value of the undefined rate could change it; else insufficient
data. Making it insufficient data everywhere lost a certain failure (R3): a lower bound
already above a max fails whatever the other rate is."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import auditor
from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates

EOD = "fairness.features.site.disparities.equalized_odds_difference.between_groups"
EOR = "fairness.features.site.disparities.equalized_odds_ratio.between_groups"


@pytest.fixture(scope="module")
def audit():
    """Site B has no positives; its FPR is 0.25 against A's 0.05 (a gap of about 0.2)."""
    rng = np.random.default_rng(0)
    a, b = 1000, 400
    y = np.r_[(rng.random(a) < 0.5).astype(int), np.zeros(b, int)]
    fp = np.r_[rng.random(a) < 0.05, rng.random(b) < 0.25]
    pred = np.where(y == 1, rng.random(a + b) < 0.8, fp).astype(int)
    rows = pd.DataFrame({"y": y, "p": pred, "site": ["A"] * a + ["B"] * b})
    return auditor.audit_predictions(rows, y_true="y", y_pred="p", sensitive="site").data


def _judged(audit, **rule):
    cfg = GatesConfig(use_defaults=False, rules=[GateRule(**rule)])
    [result] = evaluate_gates(audit, cfg)["results"]
    return result


def test_the_node_holds_the_defined_rate_as_a_bound(audit):
    node = audit["fairness"]["features"]["site"]["disparities"]["equalized_odds_difference"]
    gap = node["between_groups"]
    assert gap["status"] == "ok" and gap["bound_only"] == "lower" and gap["decided_by"] == "fpr"
    assert 0.15 < gap["value"] < 0.25 and gap["ci_low"] <= gap["value"] <= gap["ci_high"]
    assert "a lower bound of this gap" in gap["reason"]
    ratio = audit["fairness"]["features"]["site"]["disparities"]["equalized_odds_ratio"]
    assert ratio["between_groups"]["bound_only"] == "upper"


@pytest.mark.parametrize("mode", ["point", "confident-fail", "confident-pass"])
def test_a_max_the_bound_already_breaks_fails(audit, mode):
    result = _judged(audit, metric=EOD, max=0.05, mode=mode)
    assert result["outcome"] == "fail" and result["status"] == "fail"


@pytest.mark.parametrize("metric", [EOD, EOD + ".value"])
def test_a_max_above_the_bound_is_insufficient_data_not_a_pass(audit, metric):
    result = _judged(audit, metric=metric, max=0.5, mode="point")
    assert result["outcome"] == "insufficient_data" and result["status"] == "warn"
    assert "so it is at least 0." in result["message"] and "<= 0.5" in result["message"]


def test_a_ratio_is_an_upper_bound(audit):
    assert _judged(audit, metric=EOR, min=0.8)["outcome"] == "fail"  # at most ~0.2: fails
    assert _judged(audit, metric=EOR, max=0.9)["outcome"] == "pass"  # and so <= 0.9
    assert _judged(audit, metric=EOR, min=0.1)["outcome"] == "insufficient_data"


def test_a_band_fails_only_on_the_side_the_bound_cannot_leave(audit):
    assert _judged(audit, metric=EOD, min=0.01, max=0.1)["outcome"] == "fail"
    assert _judged(audit, metric=EOD, min=0.01, max=0.6)["outcome"] == "insufficient_data"


def test_a_gap_of_both_rates_is_judged_as_before():
    rng = np.random.default_rng(1)
    n = 1200
    rows = pd.DataFrame({"y": rng.integers(0, 2, n), "site": rng.choice(["A", "B"], n)})
    rows["p"] = np.where(rng.random(n) < 0.9, rows.y, 1 - rows.y)
    audit = auditor.audit_predictions(rows, y_true="y", y_pred="p", sensitive="site").data
    assert audit["fairness"]["features"]["site"]["disparities"][
        "equalized_odds_difference"]["between_groups"]["bound_only"] is None  # fmt: skip
    assert _judged(audit, metric=EOD, max=0.5)["outcome"] == "pass"


def test_an_audit_other_gate_code_judged_reads_with_its_bound_verdict(tmp_path):
    """A file whose stamp is not this code's is checked against its own numbers: its
    insufficient-data verdict on a bound whose pass the far side could undo is read."""
    import json

    from auditor.api import AuditResult
    from auditor.config import AuditConfig

    rng = np.random.default_rng(0)
    y = np.r_[rng.integers(0, 2, 600), np.zeros(300, int)]
    rows = pd.DataFrame({"y": y, "p": rng.integers(0, 2, 900), "site": ["A"] * 600 + ["B"] * 300})
    cfg = AuditConfig(gates=GatesConfig(use_defaults=False, rules=[GateRule(metric=EOD, max=0.5)]))
    auditor.audit_predictions(rows, y_true="y", y_pred="p", sensitive="site", config=cfg,
                              out_dir=tmp_path / "run")  # fmt: skip
    path = tmp_path / "run" / "audit.json"
    data = json.loads(path.read_text())
    assert data["gates"]["results"][0]["outcome"] == "insufficient_data"
    del data["gates"]["judged_by"]
    path.write_text(json.dumps(data))
    assert AuditResult.load(tmp_path / "run").data["gates"]["results"][0]["status"] == "warn"


@pytest.mark.parametrize("leaf", ["ci_high", "ci_low"])
def test_a_bound_nodes_interval_ends_are_bounds_too(audit, leaf):
    """A rule on the bound's interval end passed where the same rule on its value was
    insufficient data (R7)."""
    assert _judged(audit, metric=f"{EOD}.{leaf}", max=0.5)["outcome"] == "insufficient_data"


def test_a_two_sided_rule_passes_where_the_far_end_passes_too(audit):
    assert _judged(audit, metric=EOD, min=0.01, max=1.0)["outcome"] == "pass"
    assert _judged(audit, metric=EOR, min=0.0, max=0.9)["outcome"] == "pass"


@pytest.mark.parametrize(("bound", "forged"), [(0.1, "insufficient_data"), (0.5, "pass")])
def test_a_verdict_on_a_bound_edited_by_hand_is_refused_without_the_stamp(
    tmp_path, bound, forged
):
    """The own-numbers check (a file without this code's stamp) took any verdict on a bound
    node: a certain failure made insufficient data, a pass the far end could undo (R7)."""
    import json

    from auditor.api import AuditResult
    from auditor.config import AuditConfig
    from auditor.errors import AuditorInputError

    rng = np.random.default_rng(0)
    y = np.r_[rng.integers(0, 2, 600), np.zeros(300, int)]
    fp = np.r_[rng.random(600) < 0.05, rng.random(300) < 0.4]
    p = np.where(y == 1, rng.random(900) < 0.8, fp).astype(int)
    rows = pd.DataFrame({"y": y, "p": p, "site": ["A"] * 600 + ["B"] * 300})
    rule = GateRule(metric=EOD, max=bound, mode="point")
    cfg = AuditConfig(gates=GatesConfig(use_defaults=False, rules=[rule]))
    auditor.audit_predictions(rows, y_true="y", y_pred="p", sensitive="site", config=cfg,
                              out_dir=tmp_path / "run")  # fmt: skip
    path = tmp_path / "run" / "audit.json"
    data = json.loads(path.read_text())
    del data["gates"]["judged_by"]
    [result] = data["gates"]["results"]
    assert result["outcome"] != forged
    status = {"pass": "pass", "insufficient_data": "warn"}[forged]
    result["outcome"], result["status"] = forged, status  # the counts edited to match
    data["gates"]["counts"] = {k: int(k == status) for k in ("pass", "warn", "fail")}
    data["gates"]["verdict"] = status
    path.write_text(json.dumps(data))
    with pytest.raises(AuditorInputError, match="gates/results/0/outcome") as refused:
        AuditResult.load(tmp_path / "run")
    if forged == "pass":  # the bound written as the gate lines write it, not a full float
        assert re.search(r"'pass' on at least 0\.\d{1,4} \[0\.\d+, 0\.\d+\], only a bound",
                         str(refused.value)), refused.value
