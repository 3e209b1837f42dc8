"""What the CLI prints about gates: the verdict line, then each failing and warning gate,
one line each. :func:`failure_text` is the one text of a gate that is not passing: the
terminal line, the JUnit message and the CI annotation all use it. Also what ``auditor audit``
prints about the file it read (:func:`predictions_lines`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.gates.evaluate import warnings_may_fail
from auditor.gates.names import shorten
from auditor.numbers import fmt_interval
from auditor.report.decision import gate_message, level_text, pair_sizes, warnings_fail
from auditor.report.escape import terminal_text

NOTE_MAX = 160  # a gap's note (groups level, or tied as the worst off) on its terminal line
STATUS_WORD = {"pass": "passed", "warn": "warning", "fail": "failed"}


def failure_text(result: Mapping[str, Any], audit: Mapping[str, Any] | None = None) -> str:
    """``<gate name>: <evidence and why>``: the value [interval] (n), the bound it meets or
    breaks, and the group concerned. The status (failed / warning) is the caller's prefix.
    A fairness gap's n is the rows of the two groups it compares (``n=84 vs 260``, as the
    cards show it), where ``audit`` (the gate's audit) is given."""
    message = str(result["message"]) if audit is None else gate_message(audit, result)
    text = f"{result['name']}: {message}"
    group = str(result["group"])  # the message names a long label cut (gates.names.shorten)
    named = group in result["metric"] or shorten(group) in result["message"]
    if group != "all" and not named:
        text += f"; group {shorten(group)}"
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
        lines.append(f"Positive class: {terminal_text(positive, isolate=True)} ({side})")
    for name, feature in fair["features"].items():
        line = _feature_line(name, feature, level_text(fair.get("ci_level")))
        lines.append(terminal_text(line, isolate=True))  # labels are the data's text
    return lines


def gap_counts(feature: Mapping[str, Any], gap: Mapping[str, Any]) -> str:
    """' n=172 vs 150': the rows of the two groups a fairness gap compares (its ``pair``, a
    group's ``n``); '' when the gap compares no pair of listed groups (undefined)."""
    sizes = pair_sizes(feature, gap)
    return "" if sizes is None else f" n={sizes[0]:,} vs {sizes[1]:,}"


def _largest_dp(disparities: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    """The demographic parity difference between groups a feature's line shows, and its key:
    binary, the one; multi-class, the largest of the classes' (``...@<class>``; the first
    class's alone read as the feature's), else the first disparity."""
    dps = [(k, d["between_groups"]) for k, d in disparities.items()
           if k.partition("@")[0] == "demographic_parity_difference"]  # fmt: skip
    ok = [(k, b) for k, b in dps if b["status"] == "ok"]
    if ok:
        return max(ok, key=lambda kb: kb[1]["value"])
    if dps:
        return dps[0]
    key, d = next(iter(disparities.items()))
    return key, d["between_groups"]


def _feature_line(name: str, feature: Mapping[str, Any], level: str) -> str:
    """``level``: the intervals' confidence level ('95%'; '' where the record has none)."""
    key, b = _largest_dp(feature["disparities"])
    if b["status"] != "ok":
        return f"  {shorten(name)}: {b['status']} ({b['reason']})"
    cls = key.partition("@")[2]  # multi-class: the class whose gap is the largest, named
    of = f" of class {shorten(cls)}" if cls else ""
    words = [f"{level} interval" if level else "", gap_counts(feature, b).strip()]
    said = ", ".join(w for w in words if w)
    interval = of + " " + fmt_interval(b["value"], b["ci_low"], b["ci_high"])
    interval += f" ({said})" if said else ""
    worst = b["worst_group"]  # None: the groups are level (the reason says so)
    who = "" if worst is None else f", worst-off {shorten(str(worst))}"
    reason = shorten(str(b["reason"]), NOTE_MAX) if b.get("reason") else ""
    note = "" if not reason else f", {reason}" if worst is None else f" ({reason})"
    return (
        f"  {shorten(name)}: DP difference{interval}{who}{note}; "
        f"{feature['n_insufficient']} of {feature['n_groups']} groups insufficient"
    )


# A terminal shows every failing gate and at most this many others (990 group gates printed
# 990 lines); a count of the rest says where every gate is.
MAX_OTHER_LINES = 20
MSG_MORE_LINES = (
    "  ... and {n} more warnings not listed: every gate is in summary.md and junit.xml "
    "of the run folder"
)
# Which warnings are listed first: insufficient data, then not run, then warning-level rules.
_ORDER = {"insufficient_data": 1, "not_run": 2}


def _rank(result: Mapping[str, Any]) -> int:
    """0 for a failing gate, then insufficient data, not run, warning-level rules."""
    return 0 if result["status"] == "fail" else _ORDER.get(result["outcome"], 3)


def flagged_gates(gates: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The gates that do not pass, failures first, then insufficient data, not run and
    warning-level rules (the terminal's lines and the CI annotations list them so)."""
    return sorted((r for r in gates["results"] if r["status"] != "pass"), key=_rank)


def gate_lines(
    gates: Mapping[str, Any],
    *,
    fail_on: str | None = None,
    audit: Mapping[str, Any] | None = None,
    set_by: str | None = None,
) -> list[str]:
    """Terminal lines: the verdict (as the exit code has it: warnings under
    ``fail_on = "warning"`` print FAIL, naming ``set_by`` where the command's user set it:
    :func:`~auditor.report.decision.warnings_fail`), then every failing gate by name, then at most
    :data:`MAX_OTHER_LINES` warnings (all of them where warnings fail) and a count of the rest.
    Every user string is shown as text (no escape sequence reaches the terminal). ``audit``:
    the audit ``gates`` judged, for a fairness gap's pair counts (:func:`failure_text`)."""
    if gates.get("status") != "ok":
        return [f"Gates: not run ({terminal_text(gates.get('reason'))})"]
    c = gates["counts"]
    verdict = gates["verdict"].upper()
    words = warnings_fail(gates, fail_on=fail_on, set_by=set_by)
    if words:
        verdict = f"FAIL {words}"
    lines = [f"Gates: {verdict} ({c['pass']} pass, {c['warn']} warn, {c['fail']} fail)"]
    flagged = flagged_gates(gates)
    n_fail = sum(r["status"] == "fail" for r in flagged)
    all_shown = warnings_may_fail(gates, fail_on=fail_on)  # each may fail the gate
    n_shown = len(flagged) if all_shown else n_fail + MAX_OTHER_LINES
    for r in flagged[:n_shown]:
        text = terminal_text(failure_text(r, audit), isolate=True)
        lines.append(f"  {r['status'].upper():4}  {text}")
    if len(flagged) > n_shown:
        lines.append(MSG_MORE_LINES.format(n=len(flagged) - n_shown))
    return lines + baseline_lines(gates)


MSG_BASELINE = "Baseline {file}: {new} new, {unchanged} unchanged, {worse} worse, {fixed} fixed"


def baseline_lines(gates: Mapping[str, Any]) -> list[str]:
    """What the gates found against a baseline, in one line; and where no gate could be
    compared with it, the one reason every baseline gate gives (a baseline of another
    scenario or task passes every gate as "new": that is said, not left to a pass)."""
    summary = gates.get("baseline")
    if not isinstance(summary, Mapping):
        return []
    found = summary["findings"]
    where = summary.get("file") or summary.get("run_name")
    lines = [terminal_text(MSG_BASELINE.format(file=where, **found))]
    news = {r["message"] for r in gates["results"] if r["source"] == "baseline"}
    if len(news) == 1 and found["new"] and found["new"] == sum(found.values()):
        lines.append(f"  {terminal_text(news.pop())}")
    return lines
