"""Gates: thresholds over numbers in ``audit.json`` -> pass / fail / warn, each with its
evidence (value, interval, count), so a CI job can stop a model and say why.

Paths and reading are :mod:`auditor.audit_tree`'s; here: :mod:`~auditor.gates.rules` (the
built-in gates), :mod:`~auditor.gates.judge` (one rule -> results),
:mod:`~auditor.gates.baseline` (against a previous audit), :mod:`~auditor.gates.section`
(the typed section) and :mod:`~auditor.gates.evaluate` (the entry point).
"""

from __future__ import annotations

from auditor.gates.baseline import load_baseline
from auditor.gates.evaluate import evaluate_gates, exit_code, judge_audit, tally
from auditor.gates.judge import (
    bound_decides,
    bound_phrase,
    evaluate_rule,
    interval_relation,
    judge,
)
from auditor.gates.rules import default_rules, rule_problems, validate_rules
from auditor.gates.section import GateResult, GatesSection, bound_text, identity

__all__ = [
    "GateResult",
    "GatesSection",
    "bound_decides",
    "bound_phrase",
    "bound_text",
    "default_rules",
    "evaluate_gates",
    "evaluate_rule",
    "exit_code",
    "identity",
    "interval_relation",
    "judge",
    "judge_audit",
    "load_baseline",
    "rule_problems",
    "tally",
    "validate_rules",
]
