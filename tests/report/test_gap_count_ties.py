"""Groups that tie as the worst off: the gate's message (the card's decision, the terminal,
junit.xml, the annotations) and summary.md's fairness headline named only the first of them
('worst-off group a'), while the gap's note in audit.json names each; now they name each
too, from that note (no new audit.json field: see gap_count.tied_groups)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd

import auditor
from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from auditor.report.decision import gate_message
from auditor.report.junit import render_junit
from auditor.report.summary import render_summary
from auditor.report.terminal import gate_lines

DP = "fairness.features.g.disparities.demographic_parity_difference.between_groups"


def _audit(rates: dict[str, float]) -> dict:
    """200 rows a group, selected at ``rates``; a gate on the demographic-parity gap."""
    groups = np.repeat(list(rates), 200)
    y_pred = np.concatenate([np.arange(200) < 200 * r for r in rates.values()]).astype(int)
    y_true = np.random.default_rng(0).integers(0, 2, len(groups))
    rows = pd.DataFrame({"g": groups, "y_true": y_true, "y_pred": y_pred})
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred", sensitive="g").data
    rules = [GateRule(metric=DP, max=0.2)]
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules))
    return audit


def test_every_output_of_a_gate_names_each_tied_group():
    audit = _audit({"a": 0.25, "b": 0.25, "c": 0.6})
    [r] = audit["gates"]["results"]
    assert r["status"] == "fail" and "worst-off group a" in r["message"]  # as recorded
    message = gate_message(audit, r)
    assert "worst-off groups a and b (tied)" in message and "worst-off group a;" not in message
    assert any("worst-off groups a and b (tied)" in line
               for line in gate_lines(audit["gates"], audit=audit))  # fmt: skip
    [failure] = ET.fromstring(render_junit(audit)).iter("failure")
    assert "worst-off groups a and b (tied)" in failure.get("message")
    summary = render_summary(audit)
    assert "(a and b, tied)" in summary


def test_a_single_worst_off_group_reads_as_before():
    audit = _audit({"a": 0.25, "b": 0.3, "c": 0.6})
    [r] = audit["gates"]["results"]
    assert "worst-off group a" in gate_message(audit, r)
    assert "tied" not in gate_message(audit, r) and "tied" not in render_summary(audit)
