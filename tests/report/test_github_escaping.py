"""Workflow-command escaping, read back as GitHub's runner reads a command (actions/runner
ActionCommand): properties split on ',' and the first '=', each unescaped %0D %0A %3A %2C
then %25; the message unescaped %0D %0A then %25. A config path and a gate name holding %,
CR, LF, ':' and ',' come back whole (controls as the terminal shows them), one line each."""

from __future__ import annotations

from auditor.config import GateRule
from auditor.report.escape import terminal_text
from auditor.report.github import github_annotations
from tests.report.test_junit import audit_with_gates

NAME = "50% of a,b: c\r\nd::error::x"
CONFIG = "ci/a,b:c%d.toml"


def _unescape(text: str, *, prop: bool) -> str:
    steps = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
    for old, new in [*steps, ("%25", "%")]:
        text = text.replace(old, new)
    return text


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    """(command, properties, message) of a ``::name k=v,k=v::message`` line."""
    assert line.startswith("::") and "\n" not in line and "\r" not in line
    head, message = line[2:].split("::", 1)
    command, _, props = head.partition(" ")
    pairs = (p.split("=", 1) for p in props.split(",") if p)
    return command, {k: _unescape(v, prop=True) for k, v in pairs}, _unescape(message, prop=False)


def test_properties_and_message_read_back_whole():
    rule = GateRule(metric="performance.finetuned.test.accuracy", min=0.95, name=NAME)
    audit = audit_with_gates(rules=[rule])
    [line] = github_annotations(audit["gates"], config_file=CONFIG, audit=audit)
    command, props, message = _parse(line)
    assert command == "error" and set(props) == {"file", "title"}
    assert props["file"] == CONFIG
    assert props["title"] == terminal_text(f"auditor gate fail: {NAME}")
    assert message.startswith(terminal_text(NAME)) and "%" not in message.replace("% ", "")
