"""junit.xml: one testcase per gate, for CI systems that read JUnit (GitLab, Jenkins, Azure,
GitHub test reporters).

classname is the area (performance, fairness, ...), name is ``metric@group``; the bound,
value, interval and count are in the failure message and in ``<properties>``. ``time`` is
the seconds the gate took to evaluate, never a metric value. A warning (insufficient data,
a section that did not run, a warning-severity rule) is ``<skipped>`` unless the gates fail
on warnings, where it is a ``<failure>`` like the exit code says.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list):
        return ",".join(str(x) for x in v)
    return str(v)


def _bound(result: dict[str, Any]) -> str:
    b = result["bound"]
    parts = []
    if b.get("min") is not None:
        parts.append(f">= {b['min']:g}")
    if b.get("max") is not None:
        parts.append(f"<= {b['max']:g}")
    if b.get("allowed"):
        parts.append("in {" + ", ".join(b["allowed"]) + "}")
    if b.get("tolerance") is not None:
        parts.append(f"no worse than baseline by more than {b['tolerance']:g}")
    return " and ".join(parts)


def failure_text(result: dict[str, Any]) -> str:
    """One line a CI log shows: what, bound, value [interval], n, why."""
    ci = (
        f" [{result['ci_low']:.4g}, {result['ci_high']:.4g}]"
        if result["ci_low"] is not None and result["ci_high"] is not None
        else ""
    )
    value = result["value"]
    shown = f"{value:.4g}" if isinstance(value, float) else ("—" if value is None else str(value))
    n = "—" if result["n"] is None else str(result["n"])
    return (
        f"{result['metric']}@{result['group']}: {result['outcome']} — value {shown}{ci}, n={n}, "
        f"bound {_bound(result)} ({result['mode']}). {result['message']}"
    )


def render_junit(audit: dict[str, Any]) -> str | None:
    """The JUnit XML text of the gates section; None when gates did not run."""
    gates = audit.get("gates") or {}
    if gates.get("status") != "ok":
        return None
    results = gates["results"]
    warn_fails = gates["fail_on"] == "warning"
    n_fail = sum(r["status"] == "fail" or (warn_fails and r["status"] == "warn") for r in results)
    n_skip = sum(r["status"] == "warn" and not warn_fails for r in results)
    total_time = sum(r["seconds"] for r in results)
    suites = ET.Element(
        "testsuites",
        name="auditor",
        tests=str(len(results)),
        failures=str(n_fail),
        errors="0",
        skipped=str(n_skip),
        time=f"{total_time:.6f}",
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"auditor gates: {audit['run']['name']}",
        tests=str(len(results)),
        failures=str(n_fail),
        errors="0",
        skipped=str(n_skip),
        time=f"{total_time:.6f}",
        timestamp=str(audit["run"]["created_at"]),
    )
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("verdict", gates["verdict"]),
        ("fail_on", gates["fail_on"]),
        ("config_file", gates["config_file"]),
        ("scenario", audit["run"]["scenario"]),
        ("seed", audit["run"]["seed"]),
    ):
        ET.SubElement(props, "property", name=key, value=_text(value))
    for r in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=r["area"],
            name=f"{r['metric']}@{r['group']}"
            + (" vs baseline" if r["source"] == "baseline" else ""),
            time=f"{r['seconds']:.6f}",
        )
        cprops = ET.SubElement(case, "properties")
        fields = {
            "gate": r["name"],
            "metric": r["metric"],
            "group": r["group"],
            "source": r["source"],
            "rule": r["rule"],
            "mode": r["mode"],
            "bound": _bound(r),
            "value": r["value"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "interval": r["interval"],
            "n": r["n"],
            "min_n": r["min_n"],
            "outcome": r["outcome"],
            "status": r["status"],
        }
        if r["baseline"] is not None:
            fields.update({f"baseline_{k}": v for k, v in r["baseline"].items()})
        for key, value in fields.items():
            ET.SubElement(cprops, "property", name=key, value=_text(value))
        if r["status"] == "fail" or (warn_fails and r["status"] == "warn"):
            el = ET.SubElement(case, "failure", message=failure_text(r), type=r["outcome"])
            el.text = failure_text(r)
        elif r["status"] == "warn":
            ET.SubElement(case, "skipped", message="warning: " + failure_text(r))
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
