"""Each gate verdict of an audit read back, checked against its own evidence: a verdict
edited by hand (``"status": "pass"`` over a failing number, with the counts and the verdict
edited to match) was shown as passing by the card and the diff, while ``auditor gate``
judged the same numbers a failure.

Checked, for each gate: its status follows its outcome (pass -> pass; fail, insufficient
data, not run -> warn or fail); for each that reached a verdict (pass or fail), its outcome
is what its own value, interval, bound and mode give (:func:`auditor.gates.judge`); and, for
a gate on this audit's numbers (not a baseline comparison), its value is the one its metric
path reads in the audit. No check reaches what cannot be known again from the file (a
baseline's numbers).
"""

from __future__ import annotations

from typing import Any

from auditor.audit_tree import evidence_of, num, parse_path, resolve
from auditor.errors import AuditorInputError
from auditor.gates import judge

STATUS_NOT_OUTCOME = (
    "{status!r} does not follow the outcome {outcome!r} (pass: pass; any other: warn or fail)"
)
OUTCOME_NOT_BOUND = "{outcome!r} is not what the gate's value {value!r} and bound give ({right!r})"
VALUE_NOT_AUDIT = "{value!r} is not what {metric!r} holds in this audit ({found!r})"
_CLOSE = 1e-9


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


def _read(data: dict[str, Any], metric: Any) -> Any:
    """The value ``metric`` reads in ``data`` (one node); ``...`` where it cannot be read."""
    try:
        if any(s.kind == "any" or s.key for s in parse_path(metric) if s.kind != "key"):
            return ...  # a concrete path has no wildcard nor field match: not auditor's
        [match] = resolve(data, metric)
        if match.not_run or match.insufficient or match.path != metric:
            return ...  # a path written otherwise ([10] for group "10", before 2026-11-30)
        return evidence_of(match).value
    except (ValueError, TypeError):  # a path of another version, or more than one node
        return ...


def _differs(value: Any, found: Any) -> bool:
    if found is ...:
        return False
    a, b = num(value), num(found)
    if a is not None and b is not None:
        return abs(a - b) > _CLOSE * max(1.0, abs(a))
    return value != found


def check_gate_verdicts_read_back(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first gate result of an audit read back
    whose verdict its own evidence contradicts (see the module)."""
    gates = data.get("gates")
    if not isinstance(gates, dict) or gates.get("status") != "ok":
        return
    for i, r in enumerate(gates.get("results") or ()):
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
        if r.get("source") != "baseline" and (found := _read(data, r.get("metric"))) is not ...:
            if _differs(r.get("value"), found):
                why = VALUE_NOT_AUDIT.format(value=r.get("value"), metric=r.get("metric"),
                                             found=found)  # fmt: skip
                raise AuditorInputError(why, source=source, field=f"{where}/value")
