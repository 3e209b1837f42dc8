"""``auditor diff`` set an equalized-odds gap that is only a lower bound of itself
(``bound_only``: one of its two rates undefined) against a gap of both rates and called the
change 'worse' beyond noise or 'within noise' (R7, R9). Either side a bound, the change is
'not comparable (a bound)', no delta, and the bound is written '≥' ('≤' for a ratio); an
older record without ``bound_only`` compares as before."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

import auditor
from auditor.diff.compare import BOUND, diff_audits
from auditor.diff.render import render_markdown, render_text

EOD = "fairness.features.site.disparities.equalized_odds_difference.between_groups"
RATIO = "fairness.features.site.disparities.equalized_odds_ratio.between_groups"


def _audit(b_positives: float) -> dict:
    """Site B with ``b_positives`` of its rows positive (0: its recall undefined)."""
    rng = np.random.default_rng(5)
    y = np.r_[rng.integers(0, 2, 900), (rng.random(300) < b_positives).astype(int)]
    fp = np.r_[rng.random(900) < 0.05, rng.random(300) < 0.5]
    p = np.where(y == 1, np.r_[rng.random(900) < 0.9, rng.random(300) < 0.2], fp).astype(int)
    rows = pd.DataFrame({"y": y, "p": p, "site": ["A"] * 900 + ["B"] * 300})
    return auditor.audit_predictions(rows, y_true="y", y_pred="p", sensitive="site").data


def _rows(d, *keys):
    return [c for c in d.metrics if c.key in keys]


def test_a_bound_on_either_side_is_not_comparable():
    a, b = _audit(0.0), _audit(0.3)
    gap = a["fairness"]["features"]["site"]["disparities"]["equalized_odds_difference"]
    assert gap["between_groups"]["bound_only"] == "lower"
    for d in (diff_audits(a, b), diff_audits(b, a)):
        rows = _rows(d, EOD, RATIO)
        assert [c.change for c in rows] == [BOUND, BOUND]
        assert not {c.key for c in d.beyond_noise} & {EOD, RATIO}
    text, md = render_text(diff_audits(a, b)), render_markdown(diff_audits(a, b))
    [line] = [x for x in text.splitlines() if EOD in x]
    assert f"≥ {gap['between_groups']['value']:.3f} [" in line and "worse" not in line, line
    [row] = [x for x in md.splitlines() if EOD in x and x.startswith("|")]
    assert "⊘ not comparable (a bound)" in row and "| — |" in row, row


def test_an_older_record_without_bound_only_compares_as_before():
    a, b = _audit(0.0), _audit(0.3)
    old = copy.deepcopy(a)
    for metric in old["fairness"]["features"]["site"]["disparities"].values():
        for node in metric.values():
            if isinstance(node, dict):
                node.pop("bound_only", None)
    [c] = _rows(diff_audits(old, b), EOD)
    assert c.change in ("better", "worse", "within noise"), c.change
    assert "≥" not in render_text(diff_audits(old, b))


def test_the_same_numbers_one_side_knows_only_as_a_bound_are_not_unchanged():
    """An audit written before bound_only against the same audit after it: the same numbers,
    but one side a bound, were counted 'unchanged' (R11)."""
    a = _audit(0.0)
    old = copy.deepcopy(a)
    for metric in old["fairness"]["features"]["site"]["disparities"].values():
        for node in metric.values():
            if isinstance(node, dict):
                node.pop("bound_only", None)
    assert [c.change for c in _rows(diff_audits(old, a), EOD, RATIO)] == [BOUND, BOUND]
