"""The caveats count the groups of each intersection too small for a verdict: they named
only single features' small groups, so Adult's card (8 of race & age_band's 20 groups under
30 rows) said nothing of them."""

from __future__ import annotations

import numpy as np
import pandas as pd

import auditor
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown


def test_small_intersection_groups_are_counted_in_the_caveats():
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"sex": np.repeat(["F", "M"], [200, 200]),
                         "band": np.tile(np.repeat(["young", "old"], [190, 10]), 2)})  # fmt: skip
    rows["y_true"] = rng.integers(0, 2, len(rows))
    rows["y_pred"] = np.where(rng.random(len(rows)) < 0.8, rows.y_true, 1 - rows.y_true)
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred",
                                      sensitive=["sex", "band"]).data  # fmt: skip
    cross = audit["fairness"]["features"]["sex & band"]
    assert (cross["n_insufficient"], cross["n_groups"]) == (2, 4)
    md = render_markdown(audit).split("## Caveats", 1)[1].split("\n## ", 1)[0]
    assert "Intersections with groups of fewer than 30 rows" in md and "2 of 4 groups" in md
    html = render_html(audit).split('id="caveats"', 1)[1]
    assert "sex &amp; band: 2 of 4 groups" in html.split("</ul>", 1)[0]
