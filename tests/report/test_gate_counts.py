"""A fairness gate's row in the card shows the counts of the two groups its gap compares:
its n was '—' (a gap has no n of its own), while the terminal printed 'n=84 vs 260'."""

from __future__ import annotations

import numpy as np
import pandas as pd

import auditor
from auditor.report.decision import gap_counts
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from auditor.report.summary import render_summary


def _three_groups() -> dict:
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"group": np.repeat(["a", "b", "c"], [300, 120, 80])})
    rows["y_true"] = rng.integers(0, 2, len(rows))
    rows["y_pred"] = np.where(rng.random(len(rows)) < 0.8, rows.y_true, 1 - rows.y_true)
    return auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred",
                                     sensitive="group").data  # fmt: skip


def test_a_gap_gate_shows_its_pair_counts():
    audit = _three_groups()
    (gate,) = [r for r in audit["gates"]["results"] if r["metric"].endswith(".between_groups")]
    feature = audit["fairness"]["features"]["group"]
    pair = feature["disparities"]["equalized_odds_difference"]["between_groups"]["pair"]
    sizes = {g["group"]: g["n"] for g in feature["groups"]}
    expected = f"{sizes[pair[0]]:,} vs {sizes[pair[1]]:,}"
    assert gate["n"] is None and gap_counts(audit, gate) == expected
    (row,) = [line for line in render_markdown(audit).splitlines()
              if line.startswith("| pass | group: equalized-odds gap")]  # fmt: skip
    assert f"| {expected} |" in row
    assert f'<td class="num">{expected}</td>' in render_html(audit)
    other = {**gate, "value": 0.5}  # a gap the gate took again over fewer groups: not this pair
    assert gap_counts(audit, other) is None
    assert gap_counts(audit, audit["gates"]["results"][0]) is None  # accuracy has its own n


def test_summary_gives_a_gap_gate_its_pair_counts():
    audit = _three_groups()
    (gate,) = [r for r in audit["gates"]["results"] if r["metric"].endswith(".between_groups")]
    (row,) = [line for line in render_summary(audit).splitlines()
              if "group: equalized-odds gap" in line and line.startswith("| ✅")]  # fmt: skip
    assert f", n={gap_counts(audit, gate)} |" in row
