"""Each gate verdict of an audit read back, checked against its own evidence: a verdict
edited by hand (``"status": "pass"`` over a failing number, with the counts and the verdict
edited to match) was shown as passing by the card and the diff, while ``auditor gate``
judged the same numbers a failure.

Checked, for each gate: its status follows its outcome (pass -> pass; fail, insufficient
data, not run -> warn or fail); for each that reached a verdict (pass or fail), its outcome
is what its own value, interval, bound and mode give (:func:`auditor.gates.judge`); and, for
a gate on this audit's numbers (not a baseline comparison), its value is the one its metric
path reads in the audit. No check reaches what cannot be known again from the file (a
baseline's numbers). :func:`auditor.record.check_gates_read_back` calls it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.audit_tree import Match, Step, evidence_of, num, parse_path, resolve, step_text
from auditor.errors import AuditorInputError
from auditor.gates import judge

STATUS_NOT_OUTCOME = (
    "{status!r} does not follow the outcome {outcome!r} (pass: pass; any other: warn or fail)"
)
OUTCOME_NOT_BOUND = "{outcome!r} is not what the gate's value {value!r} and bound give ({right!r})"
VALUE_NOT_AUDIT = "{value!r} is not what {metric!r} holds in this audit ({found!r})"


def _judged(r: dict[str, Any]) -> str | None:
    """The outcome the result's own value and bound give; None where that cannot be said."""
    bound, value = r.get("bound") or {}, r.get("value")
    if not isinstance(bound, dict) or bound.get("tolerance") is not None:
        return None  # against a baseline: its numbers are not in this file
    if bound.get("allowed") is not None:
        return None if not isinstance(value, str) else (
            "pass" if value in bound["allowed"] else "fail")
    if num(value) is None:
        return None
    try:
        ok = judge(float(value), num(r.get("ci_low")), num(r.get("ci_high")), mode=r.get("mode"),
                   max=num(bound.get("max")), min=num(bound.get("min")))  # fmt: skip
    except ValueError:  # a mode this auditor does not know
        return None
    return "pass" if ok else "fail"


def _value(match: Match | None, metric: str) -> Any:
    """The value ``match`` holds for ``metric``; ``...`` where it holds none to compare."""
    if match is None or match.not_run or match.insufficient or match.path != metric:
        return ...  # a path written otherwise ([10] for group "10", before 2026-11-30)
    try:
        return evidence_of(match).value
    except (ValueError, TypeError):
        return ...


def _read(data: dict[str, Any], metric: str) -> Any:
    """The value ``metric`` reads in ``data`` (one node); ``...`` where it cannot be read."""
    try:
        [match] = resolve(data, metric)
    except (ValueError, TypeError):  # a path of another version, or more than one node
        return ...
    return _value(match, metric)


def _shape(metric: Any) -> str | None:
    """``metric`` with each item it picks (``[z00042]``, ``[3]``) made ``[*]``: the paths of
    one shape are resolved in one walk. None for a path that is not concrete (a wildcard or
    a field match: never a path auditor writes) or does not parse."""
    try:
        steps = parse_path(metric)
    except (ValueError, TypeError, AttributeError):
        return None
    if any(s.kind == "any" or s.key for s in steps if s.kind != "key"):
        return None
    return "".join(step_text(Step("any") if s.kind != "key" else s) for s in steps)[1:]


def _readings(data: dict[str, Any], metrics: Iterable[Any]) -> dict[str, Any]:
    """The value each concrete metric path reads in ``data`` (``...`` where none can be
    read), the paths of one shape read in one walk: resolved one by one, 640 gates on the
    groups of a 1,000-group feature walked its groups 640 times (1.6 s)."""
    shapes: dict[str, list[str]] = {}
    for metric in {m for m in metrics if isinstance(m, str)}:
        if (shape := _shape(metric)) is not None:
            shapes.setdefault(shape, []).append(metric)
    found: dict[str, Any] = {}
    for shape, paths in shapes.items():
        try:
            matches = resolve(data, shape) if len(paths) > 1 else None
        except (ValueError, TypeError):  # an item of that shape lacks the key: one by one
            matches = None
        if matches is None:
            found.update((path, _read(data, path)) for path in paths)
            continue
        by_path: dict[str, Match | None] = {}
        for m in matches:
            by_path[m.path] = None if m.path in by_path else m  # two items of one label
        found.update((path, _value(by_path.get(path), path)) for path in paths)
    return found


def _differs(value: Any, found: Any, tolerance: float) -> bool:
    if found is ...:
        return False
    a, b = num(value), num(found)
    if a is not None and b is not None:
        return abs(a - b) > tolerance * max(1.0, abs(a))
    return value != found


def check_gate_verdicts(
    data: dict[str, Any], results: list[Any], *, source: str, tolerance: float
) -> None:
    """Raise :class:`AuditorInputError` naming the first of ``results`` (the gate results of
    ``data``) whose verdict its own evidence contradicts (see the module); ``tolerance``:
    relative, for a value beside the one its path reads."""
    judged = [r for r in results if r.get("outcome") in ("pass", "fail")]
    found = _readings(data, (r.get("metric") for r in judged if r.get("source") != "baseline"))
    for i, r in enumerate(results):
        outcome, status, where = r.get("outcome"), r.get("status"), f"gates/results/{i}"
        if status not in (("pass",) if outcome == "pass" else ("warn", "fail")):
            why = STATUS_NOT_OUTCOME.format(status=status, outcome=outcome)
            raise AuditorInputError(why, source=source, field=f"{where}/status")
        if outcome not in ("pass", "fail"):
            continue
        right = _judged(r)
        if right is not None and right != outcome:
            why = OUTCOME_NOT_BOUND.format(outcome=outcome, value=r.get("value"), right=right)
            raise AuditorInputError(why, source=source, field=f"{where}/outcome")
        metric = r.get("metric")
        read = found.get(metric, ...) if isinstance(metric, str) else ...
        if r.get("source") != "baseline" and _differs(r.get("value"), read, tolerance):
            why = VALUE_NOT_AUDIT.format(value=r.get("value"), metric=metric, found=read)
            raise AuditorInputError(why, source=source, field=f"{where}/value")
