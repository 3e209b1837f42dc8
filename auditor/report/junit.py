"""junit.xml: one testcase per gate, for CI systems that read JUnit (GitLab, Jenkins, Azure,
GitHub test reporters).

classname is the area (performance, fairness, ...); name is the gate's human name ("sex:
equalized-odds gap <= 0.20"), unique within the file (GitLab keys testcases by suite,
classname and name: a tab is shown ``\\x09``, a backslash written before 'x09' doubled, and
a name still shown like an earlier gate's is numbered " #2") and stable across seeds (made
from the rule and the concrete metric path, never the worst-off group). ``time`` is the
seconds the gate took to evaluate, never a metric value.

Evidence: every testcase's ``<system-out>`` holds its one-line message ("passed: NAME: 0.12
[0.05, 0.20] (95% interval, n=84 vs 260) ..."), then one ``key: value`` line each for the
stable ``id``, the gate's name, metric, group, one ``tied_group`` line per group tied with it
as the worst off (none where it is alone), source, rule, mode, bound, value, interval ends,
count (a fairness gap's: its pair of counts, ``84 vs 260``), min_n, outcome, status and
``severity`` (a long label cut to an ellipsis, a line break a space: whole in audit.json),
so Jenkins' test page and the GitLab and GitHub reporters show the numbers of a passing gate
too.

Severity: a failing gate is a ``<failure type="fail">``. A warning (insufficient data, a
section that did not run, a warning-level rule) is a *passing* testcase (JUnit has no
warning state, and ``<skipped>`` reads as "not run") with ``severity: warning`` and its text
as the first line of ``<system-out>`` ("warning: ..."); under ``fail_on = "warning"`` it is a
``<failure type="warning">``, as the exit code says. The message is
:func:`auditor.report.terminal.failure_text`, the same line the terminal and the annotations
show. Every text is XML-1.0-safe.

Shape: Jenkins' JUnit schema (the xUnit plugin's junit-10.xsd, which pytest's default
``xunit2`` output follows): the xUnit plugin skips a whole file that it does not validate, and
testcase ``<properties>`` are outside it (earlier versions put the evidence there); the
suite's ``<properties>`` are in it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from auditor.gates.evaluate import warnings_may_fail
from auditor.gates.names import shorten
from auditor.gates.section import bound_text
from auditor.report.display import gate_cut
from auditor.report.escape import xml_exact, xml_text
from auditor.report.gap_count import gap_counts, gate_tied_labels
from auditor.report.terminal import STATUS_WORD, failure_text


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return xml_text(",".join(str(x) for x in v))
    return xml_text(v)


# The lines that hold a path a reader copies (the stable key baselines and auditor diff match
# on, a metric path): shown exact (:func:`xml_exact`), as audit.json and the Markdown writers
# hold them, never a name's doubled backslash over the path's own quoting.
_PATHS = ("id", "metric")


def _sub(parent: ET.Element, tag: str, **attrs: Any) -> ET.Element:
    """A child element whose attributes are :func:`_text`: a testcase or suite name on one
    line, its breaks and tabs shown (``\\x0a``, ``\\x09``) as in the ``gate`` property: 'se x'
    and 'se\\tx' are two names (and 'se\\x09x' a third: :func:`_case_names`)."""
    return ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})


def _counts(gates: Mapping[str, Any]) -> dict[str, str]:
    results = gates["results"]
    warn_fails = warnings_may_fail(gates)
    n_fail = sum(r["status"] == "fail" or (warn_fails and r["status"] == "warn") for r in results)
    total = sum(r["seconds"] for r in results)
    return {
        "tests": str(len(results)),
        "failures": str(n_fail),
        "errors": "0",
        "skipped": "0",
        "time": f"{total:.6f}",
    }


def _case_evidence(r: Mapping[str, Any], audit: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The ``key: value`` lines of a testcase's ``<system-out>``, in this order; a fairness
    gap's ``n`` is its count ('84 vs 260', :func:`gap_counts`), and each group that ties as
    the worst off has a ``tied_group`` line of its own after ``group`` (every one, the worst
    off first; none where one group is worst off): a label may hold ', ' or ' and '."""
    shown = gate_cut(r)  # id, metric and group as the cards show them
    head = [("id", shown["id"]), ("gate", r["name"]), ("metric", shown["metric"]),
            ("group", shown["group"])]  # fmt: skip
    head += [("tied_group", shorten(label)) for label in gate_tied_labels(audit, r)]
    fields = {
        "source": r["source"], "rule": r["rule"], "mode": r["mode"],
        "bound": bound_text(r["bound"]), "value": r["value"], "ci_low": r["ci_low"],
        "ci_high": r["ci_high"], "interval": r["interval"],
        "n": r["n"] if r["n"] is not None else gap_counts(audit, r), "min_n": r["min_n"],
        "outcome": r["outcome"], "status": r["status"],
        "severity": {"fail": "error", "warn": "warning"}.get(r["status"], "none"),
    }  # fmt: skip
    if r["baseline"] is not None:
        fields.update({f"baseline_{k}": v for k, v in r["baseline"].items()})
    return head + list(fields.items())


def _case_names(results: list[Mapping[str, Any]]) -> list[str]:
    """Each gate's testcase name: its name shown (:func:`_text`); where an earlier gate's is
    shown alike, numbered ``#k`` from 2, past every name the file shows. The gates' names are
    unique (gates.evaluate numbers them alike), and 'se\\tx' and 'se\\x09x' (a backslash
    written) show apart ('se\\x09x', 'se\\\\x09x'); a name shown once is written as it is."""
    shown = [_text(r["name"]) for r in results]
    taken = set(shown)
    low: dict[str, int] = {}  # per name shown alike: where the search for a free number starts
    names: list[str] = []
    for text in shown:
        if text not in low:  # the first gate shown so
            low[text] = 1
            names.append(text)
            continue
        k = low[text] + 1
        while f"{text} #{k}" in taken:
            k += 1
        low[text] = k
        taken.add(f"{text} #{k}")
        names.append(f"{text} #{k}")
    return names


def _testcase(
    suite: ET.Element, r: Mapping[str, Any], audit: Mapping[str, Any], *, name: str,
    warn_fails: bool,
) -> None:  # fmt: skip
    case = _sub(suite, "testcase", classname=r["area"], time=f"{r['seconds']:.6f}")
    case.set("name", name)  # shown already (_case_names): once, a name's own '\\x09' doubled
    message = xml_text(f"{STATUS_WORD[r['status']]}: {failure_text(r, audit)}")
    if r["status"] == "fail" or (r["status"] == "warn" and warn_fails):
        kind = "fail" if r["status"] == "fail" else "warning"
        el = _sub(case, "failure", type=kind)
        el.set("message", message)  # shown already, as the name
        el.text = message
    # the message (a gap's counts are 'n=84 vs 260' there), then one 'key: value' a line
    lines = [message]  # each xml_text: no line break left in it
    lines += [f"{k}: {xml_exact(v) if k in _PATHS else _text(v)}"
              for k, v in _case_evidence(r, audit)]  # fmt: skip
    ET.SubElement(case, "system-out").text = "\n".join(lines)


def render_junit(audit: Mapping[str, Any]) -> str | None:
    """The JUnit XML text of the gates section; None when gates did not run."""
    gates = audit.get("gates") or {}
    if gates.get("status") != "ok":
        return None
    counts = _counts(gates)
    # junit-10.xsd declares no "skipped" on <testsuites> (its <testsuite> has it)
    top = {k: v for k, v in counts.items() if k != "skipped"}
    suites = ET.Element("testsuites", {"name": "auditor", **top})
    run = audit["run"]
    suite = _sub(
        suites, "testsuite", name=f"auditor gates: {run['name']}", **counts,
        timestamp=str(run["created_at"]),
    )  # fmt: skip
    props = ET.SubElement(suite, "properties")
    config = gates["config_file"]  # a file a reader copies (_PATHS): exact
    for key, value in (
        ("verdict", _text(gates["verdict"])),
        ("fail_on", _text(gates["fail_on"])),
        ("config_file", "" if config is None else xml_exact(config)),
        ("scenario", _text(run["scenario"])),
        ("seed", _text(run["seed"])),
    ):
        ET.SubElement(props, "property", name=key, value=value)
    for r, name in zip(gates["results"], _case_names(gates["results"]), strict=True):
        _testcase(suite, r, audit, name=name, warn_fails=warnings_may_fail(gates))
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
