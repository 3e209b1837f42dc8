"""What the CLI prints about gates: the verdict line, then each failing and warning gate,
one line each. :func:`failure_text` is the one text of a gate that is not passing: the
terminal line, the JUnit message and the CI annotation all use it. Also what ``auditor audit``
prints about the file it read (:func:`predictions_lines`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.gates import exit_code
from auditor.gates.names import shorten
from auditor.report.escape import terminal_text

STATUS_WORD = {"pass": "passed", "warn": "warning", "fail": "failed"}


def failure_text(result: Mapping[str, Any]) -> str:
    """``<gate name>: <evidence and why>``: the value [interval] (n), the bound it meets or
    breaks, and the group concerned. The status (failed / warning) is the caller's prefix."""
    text = f"{result['name']}: {result['message']}"
    group = result["group"]
    if group != "all" and str(group) not in result["message"] + result["metric"]:
        text += f"; group {shorten(str(group))}"
    return text


def predictions_lines(audit: Mapping[str, Any]) -> list[str]:
    """Rows and read time, the positive class, then each feature's demographic parity
    difference with its interval and worst-off group (labels shown as text)."""
    fair = audit["fairness"]
    read_s = audit["run"]["timings_s"]["read_counts"]
    lines = [f"Rows: {fair['n']:,}; read in {read_s:.2f} s"]
    if fair["positive_class"] is not None:
        side = "favourable" if fair["positive_favourable"] else "unfavourable"
        positive = shorten(str(fair["positive_class"]))
        lines.append(f"Positive class: {terminal_text(positive)} ({side})")
    for name, feature in fair["features"].items():
        lines.append(terminal_text(_feature_line(name, feature)))  # labels are the data's text
    return lines


def _feature_line(name: str, feature: Mapping[str, Any]) -> str:
    disparities = feature["disparities"]
    d = disparities.get("demographic_parity_difference") or next(iter(disparities.values()))
    b = d["between_groups"]
    if b["status"] != "ok":
        return f"  {shorten(name)}: {b['status']} ({b['reason']})"
    interval = f"{b['value']:.3f} [{b['ci_low']:.3f}, {b['ci_high']:.3f}]"
    return (
        f"  {shorten(name)}: DP difference {interval}, worst-off {shorten(str(b['worst_group']))}; "
        f"{feature['n_insufficient']} of {feature['n_groups']} groups insufficient"
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
            lines.append(f"  {r['status'].upper():4}  {terminal_text(failure_text(r))}")
    return lines
