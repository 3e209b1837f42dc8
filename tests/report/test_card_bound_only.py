"""An equalized-odds gap that is only a bound of itself (``bound_only``: one of its two rates
undefined in all but one compared group) was shown in both cards as the gap itself, the
same number as a gap of both rates; it now reads '≥ 0.206 [...]' (a ratio '≤')."""

from __future__ import annotations

import numpy as np
import pandas as pd

import auditor
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown


def test_a_bound_is_shown_as_a_bound_in_both_cards():
    rng = np.random.default_rng(0)
    y = np.r_[rng.integers(0, 2, 600), np.zeros(300, int)]  # site B: no positives
    fp = np.r_[rng.random(600) < 0.05, rng.random(300) < 0.3]
    p = np.where(y == 1, rng.random(900) < 0.8, fp).astype(int)
    rows = pd.DataFrame({"y": y, "p": p, "site": ["A"] * 600 + ["B"] * 300})
    audit = auditor.audit_predictions(rows, y_true="y", y_pred="p", sensitive="site").data
    gaps = audit["fairness"]["features"]["site"]["disparities"]
    gap = gaps["equalized_odds_difference"]["between_groups"]
    assert gap["bound_only"] == "lower"
    md, html = render_markdown(audit), render_html(audit)
    [row] = [x for x in md.splitlines() if x.startswith("| equalized\\_odds\\_difference |")]
    assert f"| ≥ {gap['value']:.3f} [" in row, row
    assert f"≥ {gap['value']:.3f}" in html
    ratio = gaps["equalized_odds_ratio"]["between_groups"]["value"]
    assert f"≤ {ratio:.3f}" in md and f"≤ {ratio:.3f}" in html
    dp = gaps["demographic_parity_difference"]["between_groups"]["value"]
    assert f"≥ {dp:.3f}" not in md  # a gap of one defined rate is the gap itself
