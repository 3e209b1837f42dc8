"""Comparing each gate with the same gate of a previous audit (matched by the gate's stable
id): new, unchanged, worse (beyond the tolerance, in the direction of the bound) or fixed."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditor.audit_tree.jsonfile import read_json_file
from auditor.config.gates import GateRule
from auditor.errors import AuditorInputError, regular_file
from auditor.gates.judge import fmt
from auditor.gates.section import BaselineInfo, BaselineSummary, Bound, Finding, GateResult
from auditor.numbers import DOWN, UP

MSG_NO_BASELINE = "no audit.json at this baseline path"
MSG_BAD_BASELINE = "the baseline is not an audit.json ({why})"
MSG_NOT_A_FILE = "the baseline is not a regular file (a run folder or its audit.json)"


def load_baseline(path: str | Path, *, base: Path | None = None) -> dict[str, Any]:
    """Read a baseline ``audit.json`` (or its run folder; a relative path is looked up beside
    ``base`` first). Raises :class:`AuditorInputError` for a missing or unreadable file or
    one that is not an audit. Full validation against the audit schema is the caller's."""
    path = Path(path)
    if not path.is_absolute() and base is not None and (base / path).exists():
        path = base / path
    file = path / "audit.json" if path.is_dir() else path
    # a link loop says so (is_file said "no such file"); /dev/zero is never read
    regular_file(file, is_a_folder=MSG_NO_BASELINE, not_a_file=MSG_NOT_A_FILE,
                 missing=MSG_NO_BASELINE)  # fmt: skip
    try:  # bounded: size, depth, duplicate keys, numbers beyond a float or 64 bits
        data, _ = read_json_file(file)
    except AuditorInputError as exc:
        why = MSG_BAD_BASELINE.format(why=exc.message)
        raise AuditorInputError(why, source=str(file)) from None
    run = data.get("run") if isinstance(data, dict) else None
    if not isinstance(run, dict) or not {"name", "created_at"} <= set(run):
        raise AuditorInputError(MSG_BAD_BASELINE.format(why="no run.name"), source=str(file))
    return data


def _margin(value: float, rule: GateRule) -> float:
    """Distance to the nearest bound; positive inside. A drop in margin is a worsening."""
    parts = []
    if rule.max is not None:
        parts.append(rule.max - value)
    if rule.min is not None:
        parts.append(value - rule.min)
    return min(parts)


def _finding(
    cur: GateResult, old: GateResult | None, rule: GateRule, tol: float, apart: str | None
) -> tuple[Finding, str]:
    """(finding, message) of the current result against the baseline's; ``apart``: why
    the two are not comparable (another task, a gap over other groups), if they are not."""
    if apart is not None:
        return "new", f"new: not comparable with the baseline: {apart}"
    if old is None or old.outcome not in ("pass", "fail"):
        why = (
            "no comparable value in the baseline"
            if old is None
            else f"the baseline has no verdict ({old.outcome})"
        )
        return "new", f"new: {why}"
    numeric = isinstance(cur.value, float) and isinstance(old.value, float)
    if rule.allowed is None and not numeric:
        return "new", "new: no comparable value in the baseline"
    if numeric:
        cur_margin = _margin(cur.value, rule)
        if rule.mode == "confident-fail" and cur.ci_low is not None and cur.ci_high is not None:
            # as the rule itself: worse only when the whole interval is worse than before
            cur_margin = max(_margin(cur.ci_low, rule), _margin(cur.ci_high, rule))
        worse = _margin(old.value, rule) - cur_margin > tol + 1e-12
    else:
        worse = old.outcome == "pass" and cur.outcome == "fail"
    finding: Finding
    if old.outcome == "fail" and cur.outcome == "pass":
        finding = "fixed"
    else:
        finding = "worse" if worse else "unchanged"
    delta = f" ({cur.value - old.value:+.4g})" if numeric else ""
    msg = f"{finding}: {fmt(old.value)} -> {fmt(cur.value)}{delta}, tolerance {tol:g}"
    if numeric and rule.mode == "confident-fail" and cur.ci_low is not None:
        ends = f"[{fmt(cur.ci_low, toward=DOWN)}, {fmt(cur.ci_high, toward=UP)}]"  # outward
        msg += f" (whole interval {ends} compared)"
    return finding, msg


def baseline_result(
    cur: GateResult, old: GateResult | None, rule: GateRule, tol: float, apart: str | None = None
) -> GateResult:
    """The "no worse than the baseline" gate beside ``cur`` (fails only when worse; "new"
    when ``apart`` says why the baseline's value is not comparable)."""
    start = time.perf_counter()
    finding, msg = _finding(cur, old, rule, tol, apart)
    delta = None
    if old is not None and isinstance(cur.value, float) and isinstance(old.value, float):
        delta = cur.value - old.value
    info = BaselineInfo(
        value=old.value if old else None,
        ci_low=old.ci_low if old else None,
        ci_high=old.ci_high if old else None,
        n=old.n if old else None,
        status=old.status if old else None,
        delta=delta,
        tolerance=tol,
        finding=finding,
    )
    status = "fail" if finding == "worse" else "pass"
    return cur.model_copy(
        update={
            "id": cur.id + " vs baseline",
            "name": f"{cur.name} (vs baseline)",
            "source": "baseline",
            "mode": "no-worse",
            "bound": Bound(tolerance=tol),
            "outcome": status,
            "status": status,
            "relation": None,
            "message": msg,
            "seconds": round(time.perf_counter() - start, 6),
            "baseline": info,
        }
    )


def compare(
    results: list[GateResult],
    old_results: list[GateResult],
    rules: dict[str, GateRule],
    *,
    tolerance: float,
    apart: Sequence[tuple[str, str]] = (),
) -> list[GateResult]:
    """A baseline gate for every current gate that has a verdict (one without a verdict
    already warns or fails on its own). ``rules``: the rule of each result, by id;
    ``apart``: (metric path prefix, reason) of what is not comparable with the baseline
    (:func:`auditor.gates.comparable.not_comparable`): a gate there is "new", never worse."""
    old_by_id = {r.id: r for r in old_results}
    out = []
    for cur in results:
        if cur.outcome in ("pass", "fail"):
            rule = rules[cur.id]
            tol = rule.tolerance if rule.tolerance is not None else tolerance
            why = next((r for prefix, r in apart if cur.metric.startswith(prefix)), None)
            out.append(baseline_result(cur, old_by_id.get(cur.id), rule, tol, why))
    return out


def summary(
    extra: list[GateResult], baseline: dict[str, Any], *, file: str | None, tolerance: float
) -> BaselineSummary:
    findings: dict[Finding, int] = {"new": 0, "unchanged": 0, "worse": 0, "fixed": 0}
    for r in extra:
        if r.baseline is not None:
            findings[r.baseline.finding] += 1
    return BaselineSummary(
        file=file,
        run_name=str(baseline["run"]["name"]),
        created_at=str(baseline["run"]["created_at"]),
        tolerance=tolerance,
        findings=findings,
    )
