"""Every gate text that prints an interval names its level: the terminal and junit.xml gave
'0.67 [0.5662, 0.7544] (n=100 vs 100) breaks <= 0.01', summary.md's gate table
'0.708 [0.681, 0.734], n=1,200' under 'Value [interval]', with no level anywhere."""

from __future__ import annotations

import numpy as np
import pandas as pd

import auditor
from auditor.report.decision import gap_counts, gate_message, interval_words
from auditor.report.markdown import render_markdown
from auditor.report.summary import render_summary
from auditor.report.terminal import failure_text


def _audit(ci_level: float = 0.95) -> dict:
    rng = np.random.default_rng(2)
    rows = pd.DataFrame({"g": np.repeat(["a", "b"], [300, 200])})
    rows["y_true"] = rng.integers(0, 2, len(rows))
    rows["y_pred"] = np.where(rng.random(len(rows)) < 0.8, rows.y_true, 1 - rows.y_true)
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred", sensitive="g").data
    audit["fairness"]["ci_level"] = ci_level  # as a record computed at that level says
    return audit


def _gate(audit: dict, tail: str) -> dict:
    (gate,) = [r for r in audit["gates"]["results"] if r["metric"].endswith(tail)]
    return gate


def test_each_gate_text_names_its_intervals_level():
    audit = _audit(0.999)
    acc, gap = _gate(audit, ".accuracy"), _gate(audit, ".between_groups")
    assert interval_words(audit, acc) == "95% Wilson interval"
    assert interval_words(audit, gap) == "99.9% interval"
    assert "] (95% Wilson interval, n=500) " in gate_message(audit, acc)
    pair = gap_counts(audit, gap)
    assert f"] (99.9% interval, n={pair}) " in failure_text(gap, audit)
    summary = render_summary(audit)
    assert "] (95% Wilson interval), n=500 |" in summary
    assert f"] (99.9% interval), n={pair} |" in summary
    assert f"] (99.9% interval) | {pair} |" in render_markdown(audit)


def test_a_gate_without_an_interval_names_no_level():
    audit = _audit()
    gate = {**_gate(audit, ".accuracy"), "ci_low": None, "ci_high": None}
    assert interval_words(audit, gate) == ""
    assert gate_message(audit, gate) == gate["message"]
