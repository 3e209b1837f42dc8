"""junit.xml: one testcase per gate, for CI systems that read JUnit (GitLab, Jenkins, Azure,
GitHub test reporters).

classname is the area (performance, fairness, ...); name is the gate's stable id (the
concrete metric path, its bound and mode: never the worst-off group, so a CI system sees the
same test under every seed; unique within the file). The group, value, interval and count
are in the failure message and in ``<properties>``. ``time`` is the seconds the gate took to
evaluate, never a metric value. A warning (insufficient data, a section that did not run, a
warning-severity rule) is ``<skipped>`` unless the gates fail on warnings, where it is a
``<failure>`` like the exit code says. Every text is XML-1.0-safe (a control character in a
group label cannot make the file ill-formed).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from auditor.gates.section import bound_text
from auditor.report.escape import xml_text
from auditor.report.terminal import failure_text


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    return xml_text(v)


def _sub(parent: ET.Element, tag: str, **attrs: Any) -> ET.Element:
    return ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})


def _counts(gates: Mapping[str, Any]) -> dict[str, str]:
    results = gates["results"]
    warn_fails = gates["fail_on"] == "warning"
    n_fail = sum(r["status"] == "fail" or (warn_fails and r["status"] == "warn") for r in results)
    n_skip = sum(r["status"] == "warn" and not warn_fails for r in results)
    total = sum(r["seconds"] for r in results)
    return {
        "tests": str(len(results)),
        "failures": str(n_fail),
        "errors": "0",
        "skipped": str(n_skip),
        "time": f"{total:.6f}",
    }


def _case_properties(r: Mapping[str, Any]) -> dict[str, Any]:
    fields = {
        "id": r["id"], "gate": r["name"], "metric": r["metric"], "group": r["group"],
        "source": r["source"], "rule": r["rule"], "mode": r["mode"],
        "bound": bound_text(r["bound"]), "value": r["value"], "ci_low": r["ci_low"],
        "ci_high": r["ci_high"], "interval": r["interval"], "n": r["n"], "min_n": r["min_n"],
        "outcome": r["outcome"], "status": r["status"],
    }  # fmt: skip
    if r["baseline"] is not None:
        fields.update({f"baseline_{k}": v for k, v in r["baseline"].items()})
    return fields


def _testcase(suite: ET.Element, r: Mapping[str, Any], *, warn_fails: bool) -> None:
    case = _sub(suite, "testcase", classname=r["area"], name=r["id"], time=f"{r['seconds']:.6f}")
    props = ET.SubElement(case, "properties")
    for key, value in _case_properties(r).items():
        _sub(props, "property", name=key, value=value)
    message = xml_text(failure_text(r))
    if r["status"] == "fail" or (warn_fails and r["status"] == "warn"):
        el = _sub(case, "failure", message=message, type=r["outcome"])
        el.text = message
    elif r["status"] == "warn":
        _sub(case, "skipped", message="warning: " + message)


def render_junit(audit: Mapping[str, Any]) -> str | None:
    """The JUnit XML text of the gates section; None when gates did not run."""
    gates = audit.get("gates") or {}
    if gates.get("status") != "ok":
        return None
    counts = _counts(gates)
    suites = ET.Element("testsuites", {"name": "auditor", **counts})
    run = audit["run"]
    suite = _sub(
        suites, "testsuite", name=f"auditor gates: {run['name']}", **counts,
        timestamp=str(run["created_at"]),
    )  # fmt: skip
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("verdict", gates["verdict"]),
        ("fail_on", gates["fail_on"]),
        ("config_file", gates["config_file"]),
        ("scenario", run["scenario"]),
        ("seed", run["seed"]),
    ):
        _sub(props, "property", name=key, value=value)
    for r in gates["results"]:
        _testcase(suite, r, warn_fails=gates["fail_on"] == "warning")
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
