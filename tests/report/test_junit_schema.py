"""junit.xml against the shape of Jenkins' JUnit schema (the xUnit plugin's junit-10.xsd, which
refuses a file with an attribute or element it does not declare: 'The result file ... is not
valid. The result file has been skipped.'), checked by hand: the elements and attributes it
declares, counts that agree with the testcases, on hostile labels and many gates. A
testcase's <properties> (pytest's record_property) are outside it: the file was skipped
whole by the xUnit plugin; the evidence is in <system-out>. Checked against the schema with
lxml as well (the real junit-10.xsd, outside the repository): the rules here agree."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from auditor.report.junit import render_junit
from tests.gates.builders import make_audit

# junit-10.xsd (jenkinsci/xunit-plugin): the attributes each element may carry
ATTRIBUTES = {
    "testsuites": {"name", "time", "tests", "failures", "errors"},
    "testsuite": {"name", "tests", "failures", "errors", "group", "time", "skipped",
                  "timestamp", "hostname", "id", "package", "file", "log", "url"},
    "testcase": {"name", "time", "classname", "group"},
    "failure": {"type", "message"}, "error": {"type", "message"}, "skipped": {"type", "message"},
    "properties": set(), "property": {"name", "value"}, "system-out": set(), "system-err": set(),
}  # fmt: skip
REQUIRED = {"testsuite": {"name", "tests", "failures", "errors"}, "testcase": {"name"},
            "property": {"name", "value"}}  # fmt: skip
CHILDREN = {
    "testsuites": {"testsuite"},
    "testsuite": {"testsuite", "properties", "testcase", "system-out", "system-err"},
    "testcase": {"skipped", "error", "failure", "system-out", "system-err"},
    "properties": {"property"},
}  # fmt: skip
SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")
HOSTILE = ["]]>", "a\x01\x1bb", "L" * 10_000, "50%,c:d\r\ne", "<b>&amp;", "::error::x", "\u202eZ"]


def check_shape(text: str) -> ET.Element:
    """Parse ``text`` and assert the junit-10 shape; return the root."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    for el in root.iter():
        assert el.tag in ATTRIBUTES, el.tag
        assert set(el.attrib) <= ATTRIBUTES[el.tag], (el.tag, set(el.attrib) - ATTRIBUTES[el.tag])
        assert REQUIRED.get(el.tag, set()) <= set(el.attrib), el.tag
        assert {c.tag for c in el} <= CHILDREN.get(el.tag, set()), el.tag
        if "time" in el.attrib:
            assert SUREFIRE_TIME.fullmatch(el.get("time")), el.get("time")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        counts = {"tests": len(cases), **{k: sum(c.find(k[:-1] if k != "skipped" else k)
                                              is not None for c in cases)
                                       for k in ("failures", "errors", "skipped")}}  # fmt: skip
        for key, n in counts.items():
            assert int(suite.get(key, "0")) == n, key
            totals[key] += n
        names = [(c.get("classname"), c.get("name")) for c in cases]
        assert len(set(names)) == len(names)  # GitLab keys a testcase by its names
    for key in ("tests", "failures", "errors"):
        assert int(root.get(key)) == totals[key], key
    return root


def _audit(labels: list[str]):
    audit = make_audit()
    audit["tool"], audit["run"]["seed"] = {"version": "0.1.0"}, 0
    audit["run"]["name"] = "run ]]> \x07"
    audit["fairness"]["features"]["sex"]["groups"] = [
        {"group": g, "n": 100, "status": "ok",
         "metrics": {"tpr": {"value": 0.3 + i / 1e5, "ci_low": 0.2, "ci_high": 0.4, "n": 100}}}
        for i, g in enumerate(labels)
    ]  # fmt: skip
    rules = [GateRule(metric="fairness.features.sex.groups[*].metrics.tpr", min=0.5),
             GateRule(metric="fairness.features.sex.groups[*].metrics.tpr", max=0.35,
                      severity="warning")]  # fmt: skip
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules))
    return audit


def test_hostile_labels_keep_the_junit_10_shape():
    root = check_shape(render_junit(_audit(HOSTILE)))
    assert int(root.get("tests")) == 2 * len(HOSTILE) and int(root.get("failures")) > 0
    names = [c.get("name") for c in root.iter("testcase")]
    assert all(len(n) < 400 and "\n" not in n and "\r" not in n for n in names)


def test_two_thousand_gates_keep_the_junit_10_shape():
    root = check_shape(render_junit(_audit([f"g{i}" for i in range(1000)])))
    assert root.get("tests") == "2000"


def test_hostile_labels_keep_each_evidence_line_one_line():
    """Every testcase's <system-out>: its message, then one 'key: value' line per field; a
    label's CR/LF, control characters and ']]>' cannot add a line or break the file."""
    root = check_shape(render_junit(_audit(HOSTILE)))
    counts = {len(c.find("system-out").text.split("\n")) for c in root.iter("testcase")}
    assert len(counts) == 1  # the same number of lines in each
    for case in root.iter("testcase"):
        lines = case.find("system-out").text.split("\n")
        assert all(": " in line for line in lines[1:]), lines
        assert not any(c in "".join(lines) for c in "\x01\x1b\r\u202e")


def test_a_list_value_is_xml_safe_too():
    """A list was joined without the XML clean-up (a lone surrogate in one could not be
    encoded); no gate field is a list today."""
    from auditor.report.junit import _text

    assert _text(["a\ud800", "b\x01"]) == "a\\ud800,b\\x01"


def test_unicode_line_separators_cannot_forge_an_evidence_line():
    """A label's U+2028 / U+2029 (a line end to Python's splitlines, editors and log viewers)
    stayed raw in <system-out>: 'x\\u2028status: pass' read as a forged 'status:' line.
    They are shown as text (\\u2028), as the terminal shows them."""
    root = check_shape(render_junit(_audit(["x\u2028status: pass", "y\u2029n: 9", "z\x85w"])))
    for case in root.iter("testcase"):
        out = case.find("system-out").text
        assert out.splitlines() == out.split("\n"), out
        assert "\\u2028status: pass" in out or "\\u2029n: 9" in out or "\\x85w" in out
    names = [case.get("name") for case in root.iter("testcase")]
    assert all(len(n.splitlines()) == 1 for n in names), names
