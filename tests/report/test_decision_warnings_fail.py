"""Warnings that fail the gates (fail_on = "warning"): one rule, gates.evaluate's, decides the
exit code, the terminal's FAIL, which warnings it lists, and the words of the cards and
summary.md. The Markdown card said 'Release gates: ⚠ warning ... (warnings fail)' where the
HTML card said 'Release gates failed (warnings fail)' and summary.md 'FAILED (warnings fail)';
report.decision and report.terminal each wrote the rule again beside exit_code's (r13 #1, #2)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import auditor
from auditor.config import GatesConfig
from auditor.gates import evaluate_gates, exit_code
from auditor.report import decision
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from auditor.report.summary import render_summary
from auditor.report.terminal import MAX_OTHER_LINES, gate_lines
from tests.report.test_terminal import _flagged

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def strict_audit() -> dict:
    """A predictions audit whose gates warn (every group below min_count) under fail_on =
    "warning"."""
    rng = np.random.default_rng(3)
    rows = pd.DataFrame({"sex": np.repeat(["F", "M"], [150, 90])})
    rows["y_true"] = rng.integers(0, 2, len(rows))
    rows["y_pred"] = np.where(rng.random(len(rows)) < 0.2, 1 - rows.y_true, rows.y_true)
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred",
                                      sensitive="sex").data  # fmt: skip
    cfg = GatesConfig(min_count=100000, fail_on="warning")
    audit["gates"] = evaluate_gates(audit, cfg)
    assert audit["gates"]["verdict"] == "warn" and exit_code(audit["gates"]) == 1
    return audit


def test_the_markdown_card_says_the_gates_failed(strict_audit):
    (line,) = [s for s in render_markdown(strict_audit).splitlines() if "Release gates" in s]
    assert line.startswith("**Release gates failed (warnings fail): "), line
    assert "Release gates failed (warnings fail)" in render_html(strict_audit)
    # summary.md's heading: the failed job's icon, as its ::error annotations (R17 #4)
    assert "## ❌ auditor gates FAILED (warnings fail)" in render_summary(strict_audit)


def test_summary_verdict_line_agrees_with_its_failed_heading(strict_audit):
    """summary.md said '**Verdict: WARN**' under '❌ auditor gates FAILED (warnings fail)': the
    job's verdict is FAIL, and the gates' own (WARN) is said as the reason."""
    lines = render_summary(strict_audit).splitlines()
    c = strict_audit["gates"]["counts"]
    assert lines[0].startswith("## ❌ auditor gates FAILED (warnings fail)")
    assert lines[2].startswith("**Verdict: FAIL**"), lines[2]
    said = "**Verdict: FAIL** (the gates' verdict is WARN, and warnings fail)"
    assert lines[2].startswith(f"{said} · 0 failed · {c['warn']} warnings"), lines[2]
    audit = {**strict_audit, "gates": {**strict_audit["gates"], "fail_on": "failure"}}
    lines = render_summary(audit).splitlines()
    assert lines[0].startswith("## ⚠️ auditor gates passed with warnings")
    assert lines[2].startswith(f"**Verdict: WARN** · 0 failed · {c['warn']} warnings")


def test_summary_verdict_line_is_built_from_the_one_wording(strict_audit, monkeypatch):
    """summary.md wrote its own '(the gates' verdict is WARN, and warnings fail)' beside
    decision.warnings_fail, 'the one wording' (R4 #2): a change of those words reached its
    heading, not its verdict line. Both now come from report/decision.py."""
    monkeypatch.setattr(decision, "_warnings_fail_words", lambda set_by: "warnings (CI) fail")
    lines = render_summary(strict_audit).splitlines()
    assert lines[0].startswith("## ❌ auditor gates FAILED (warnings (CI) fail)"), lines[0]
    assert lines[2].startswith("**Verdict: FAIL** (the gates' verdict is WARN, and warnings (CI) "
                               "fail) · 0 failed"), lines[2]  # fmt: skip
    written = [p.name for p in sorted((ROOT / "auditor" / "report").glob("*.py"))
               if "the gates' verdict is" in p.read_text(encoding="utf-8")]  # fmt: skip
    assert written == ["decision.py"]


def test_the_verdicts_why_keeps_a_set_by_ending_in_a_parenthesis(strict_audit):
    """R8 #5: failed_by_warnings unwrapped warnings_fail's string with strip('()'), so a set_by
    ending in ')' lost both closing parentheses; both are built from the same inner words."""
    gates = {**strict_audit["gates"], "fail_on": "warning"}
    set_by = "fail_on = warning (ci.toml)"
    assert decision.warnings_fail(gates, set_by=set_by) == f"(warnings fail: {set_by})"
    why = f"(the gates' verdict is WARN, and warnings fail: {set_by})"
    assert decision.failed_by_warnings(set_by=set_by) == ("FAIL", why)


def test_the_markdown_gates_section_says_warnings_fail(strict_audit):
    """The Markdown card's gate section said '**Verdict: warn**' alone under 'Release gates
    failed (warnings fail)' (the HTML section says 'warnings fail the gate'); it now carries the
    same words as the card's decision line, and none where warnings do not fail."""
    (line,) = [s for s in render_markdown(strict_audit).splitlines() if s.startswith("**Verdict:")]
    assert line.startswith("**Verdict: warn** (warnings fail) · 0 failed"), line
    audit = {**strict_audit, "gates": {**strict_audit["gates"], "fail_on": "failure"}}
    (line,) = [s for s in render_markdown(audit).splitlines() if s.startswith("**Verdict:")]
    assert line.startswith("**Verdict: warn** · 0 failed"), line


def test_warnings_that_pass_are_not_called_failed(strict_audit):
    audit = {**strict_audit, "gates": {**strict_audit["gates"], "fail_on": "failure"}}
    (line,) = [s for s in render_markdown(audit).splitlines() if "Release gates" in s]
    assert line.startswith("**Release gates: ") and "fail)" not in line, line


def _gates(verdict: str, fail_on: str | None, n_warn: int) -> dict:
    results = [_flagged("warn", "fail", i) for i in range(n_warn)]
    gates = {"status": "ok", "verdict": verdict, "results": results,
             "counts": {"pass": 0, "warn": n_warn, "fail": 0}}  # fmt: skip
    if fail_on is not None:
        gates["fail_on"] = fail_on
    return gates


@pytest.mark.parametrize(
    ("verdict", "recorded", "given"),
    list(itertools.product(("pass", "warn"), (None, "failure", "warning"),
                           (None, "failure", "warning"))),  # fmt: skip
)
def test_the_printed_verdict_is_the_exit_code(verdict, recorded, given):
    gates = _gates(verdict, recorded, MAX_OTHER_LINES + 4)
    code = exit_code(gates, fail_on=given)
    words = decision.warnings_fail(gates, fail_on=given)
    assert bool(words) == (code == 1)
    lines = gate_lines(gates, fail_on=given)
    assert lines[0].startswith("Gates: FAIL") == (code == 1), lines[0]
    every = (given or recorded) == "warning"  # each warning may fail the gate: all listed
    assert len(lines) == 1 + (MAX_OTHER_LINES + 4 if every else MAX_OTHER_LINES + 1)


def test_the_rule_is_written_once():
    """Only gates/evaluate.py compares a fail_on with "warning"; each rendering asks for the
    words once (it asked twice: test, then render)."""
    rule = re.compile(r"""==\s*["']warning["']|["']warning["']\s*==""")
    report = sorted((ROOT / "auditor" / "report").glob("*.py"))
    assert [p.name for p in report if rule.search(p.read_text(encoding="utf-8"))] == []
    for path in (ROOT / "auditor/report/summary.py", ROOT / "auditor/report/terminal.py",
                 *sorted((ROOT / "templates/sections").glob("_decision.*.j2"))):  # fmt: skip
        assert path.read_text(encoding="utf-8").count("warnings_fail(") == 1, path.name
