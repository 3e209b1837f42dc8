"""What the CLI prints about gates: the verdict line, then each failing and warning gate,
one line each (:func:`failure_text` is also the JUnit failure message and the annotation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.gates import exit_code
from auditor.gates.judge import fmt
from auditor.gates.section import bound_text
from auditor.report.escape import terminal_text


def failure_text(result: Mapping[str, Any]) -> str:
    """One line a CI log shows: what, outcome, value [interval], n, group, bound, why."""
    ci = (
        f" [{fmt(result['ci_low'])}, {fmt(result['ci_high'])}]"
        if result["ci_low"] is not None and result["ci_high"] is not None
        else ""
    )
    return (
        f"{result['metric']}: {result['outcome']} — value {fmt(result['value'])}{ci}, "
        f"n={fmt(result['n'])}, "
        f"group {result['group']}, bound {bound_text(result['bound'])} ({result['mode']}). "
        f"{result['message']}"
    )


def gate_lines(gates: Mapping[str, Any], *, fail_on: str | None = None) -> list[str]:
    """Terminal lines: the verdict (as the exit code has it: warnings under
    ``fail_on = "warning"`` print FAIL), then each failing and warning gate by name, failures
    first. Every user string is shown as text (no escape sequence reaches the terminal)."""
    if gates.get("status") != "ok":
        return [f"Gates: not run ({terminal_text(gates.get('reason'))})"]
    c = gates["counts"]
    verdict = gates["verdict"].upper()
    if gates["verdict"] == "warn" and exit_code(gates, fail_on=fail_on):
        verdict = "FAIL (warnings fail: fail_on = warning)"
    lines = [f"Gates: {verdict} ({c['pass']} pass, {c['warn']} warn, {c['fail']} fail)"]
    for r in sorted(gates["results"], key=lambda r: r["status"] != "fail"):
        if r["status"] != "pass":
            text = terminal_text(f"{r['name']}: {r['message']}")
            lines.append(f"  {r['status'].upper():4}  {text}")
    return lines
