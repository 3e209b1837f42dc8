"""The gate lines the CLI prints: verdict as the exit code has it, failures first, as text."""

from __future__ import annotations

from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates, exit_code
from auditor.report.terminal import failure_text, gate_lines
from tests.gates.builders import make_audit

RULES = [
    GateRule(metric="performance.finetuned.test.accuracy", min=0.95, name="accuracy"),
    GateRule(metric="fairness.features.sex.groups[*].metrics.tpr", min=0.1),
]


def test_failures_first_then_warnings_one_line_each():
    audit = make_audit()
    audit["fairness"]["features"]["sex"]["groups"][1]["group"] = "M\x1b[2J\nX"
    gates = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=RULES))
    lines = gate_lines(gates)
    assert lines[0] == "Gates: FAIL (1 pass, 1 warn, 1 fail)"
    assert lines[1].startswith("  FAIL  accuracy: 0.9 [")
    assert lines[2].startswith("  WARN  sex = M\\x1b[2J\\x0aX: TPR >= 0.10: insufficient data")
    assert all("\x1b" not in line and "\n" not in line for line in lines)


def test_printed_verdict_agrees_with_the_exit_code():
    cfg = GatesConfig(use_defaults=False, rules=RULES[1:])
    gates = evaluate_gates(make_audit(), cfg)
    assert gates["verdict"] == "warn"
    assert gate_lines(gates)[0].startswith("Gates: WARN ") and exit_code(gates) == 0
    strict = gate_lines(gates, fail_on="warning")[0]
    assert strict.startswith("Gates: FAIL") and exit_code(gates, fail_on="warning") == 1
    gates = evaluate_gates(make_audit(), cfg.model_copy(update={"fail_on": "warning"}))
    assert gate_lines(gates)[0].startswith("Gates: FAIL") and exit_code(gates) == 1


def test_not_run_and_failure_text():
    assert gate_lines({"status": "not_run", "reason": "off"}) == ["Gates: not run (off)"]
    gates = evaluate_gates(make_audit(), GatesConfig(use_defaults=False, rules=RULES[:1]))
    text = failure_text(gates["results"][0])
    assert text.startswith("accuracy: 0.9 [0.8667, 0.9257] (n=400) breaks >= 0.95")
