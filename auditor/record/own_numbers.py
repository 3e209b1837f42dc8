"""Each gate verdict of an audit that other gate code judged, checked against its own numbers.

An audit records which gate code judged it (``gates.judged_by``: :mod:`auditor.gates.stamp`).
Where that is not this auditor's code (a file written before a default bound changed, or
before the stamp was written), judging it again would give today's verdicts, not the ones
its code gave: every older file was refused by the card, the diff, the gate and as a
baseline. Such a file is checked against what it holds instead: each status follows its
outcome (pass: pass; any other: warn or fail); a pass or fail has a value, a count at
least its minimum, and is what its own value, interval, bound and mode give
(:func:`auditor.gates.judge`); any other outcome is where the node gives no verdict (a
count below the minimum, no value, a rate its counts cannot resolve, a node that says it
lacks data, a bound no outcome can fail): a number with its count at least the minimum is
judged, never made insufficient data; its value, count and interval ends are the ones its metric
path reads in the audit (an interval derived from counts: today's or the plain Wilson
interval an older 2.0 auditor wrote), never a value where that node holds none; a
feature's gap whose gate's minimum count is above the audit's minimum group size is not
compared (the gate takes it again over the larger groups). Numbers are compared by
:func:`auditor.record.baseline_verdicts.differs` (a boolean is not the number 1). The
baseline comparisons, their findings and the tally are checked by the caller.
:func:`auditor.record.verdicts.check_gate_verdicts` calls it.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import EllipsisType
from typing import Any

from auditor.audit_tree import (
    Evidence,
    Match,
    Step,
    count,
    evidence_of,
    num,
    parse_path,
    resolve,
    step_text,
)
from auditor.audit_tree.read import wilson_bounds
from auditor.errors import AuditorInputError
from auditor.gates import bound_decides, bound_phrase, judge
from auditor.record.baseline_verdicts import differs

OUTCOME_NOT_BOUND = "{outcome!r} is not what the gate's value {value!r} and bound give ({right!r})"
VALUE_NOT_AUDIT = "{value!r} is not what {metric!r} holds in this audit ({found!r})"
NUMBER_NOT_AUDIT = "{value!r} is not the {field} {metric!r} holds in this audit ({found!r})"
BELOW_MIN_N = "{outcome!r} over n={n} below its minimum count {min_n} (insufficient data)"
NO_VALUE = "{outcome!r} without a value (insufficient data)"
FEW_GROUPS = (
    "{outcome!r} where {k} of the feature's {n} groups reach its minimum count {min_n}: a gap"
    " between groups needs two (insufficient data)"
)
NODE_SAYS_NONE = "{outcome!r} where the node it reads gives no verdict ({why}: insufficient data)"
NOT_A_COMPARISON = (
    "a gate on this audit's numbers has no tolerance and no mode 'no-worse' (a baseline"
    " comparison's, source 'baseline')"
)
JUDGEABLE = (
    "{outcome!r} where the node it reads gives a verdict ({value!r}{n}, resolved): pass or fail"
)


BOUND_UNDECIDED = (
    "{outcome!r} on {said}, only a bound of its metric (bound_only: one of its "
    "two rates undefined), where a value beyond the bound gives another verdict: insufficient "
    "data"
)


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


def _value(match: Match | None, metric: str) -> Evidence | None | EllipsisType:
    """What ``match`` holds for ``metric`` (None where it was not run or its group lacks
    data); ``...`` where it cannot be compared."""
    if match is None or match.path != metric:
        return ...  # a path written otherwise ([10] for group "10", before 3398015)
    if match.not_run or match.insufficient:
        return None  # no value to judge: the node or its group lacks data
    try:
        return evidence_of(match)
    except (ValueError, TypeError):
        return ...


def _read(data: dict[str, Any], metric: str) -> Any:
    """What ``metric`` reads in ``data`` (one node); ``...`` where it cannot be read."""
    try:
        [match] = resolve(data, metric)
    except (ValueError, TypeError):  # a path of another version, or more than one node
        return ...
    return _value(match, metric)


def _shape(metric: Any) -> str | None:
    """``metric`` with each item it picks made ``[*]`` (the paths of one shape are resolved
    in one walk); None for a path that is not concrete or does not parse."""
    try:
        steps = parse_path(metric)
    except (ValueError, TypeError, AttributeError):
        return None
    if any(s.kind == "any" or s.key for s in steps if s.kind != "key"):
        return None
    return "".join(step_text(Step("any") if s.kind != "key" else s) for s in steps)[1:]


def _readings(data: dict[str, Any], metrics: Iterable[Any]) -> dict[str, Any]:
    """What each concrete metric path reads in ``data`` (``...`` where nothing can be
    read), the paths of one shape read in one walk (640 gates on the groups of a 1,000-group
    feature, resolved one by one, walked its groups 640 times)."""
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


FIELDS = {"value": "value", "n": "count", "ci_low": "interval's low end",
          "ci_high": "interval's high end"}  # fmt: skip


def plain_wilson(
    r: dict[str, Any], value: Any, n: Any, tolerance: float
) -> tuple[float, float] | None:  # fmt: skip
    """The plain Wilson interval (an older 2.0 auditor's, before 30fc014) of the counts a
    rate ``value`` of ``n`` rows derives today's from, where ``r``'s interval is it; else
    None."""
    value = num(value)
    if not n or value is None:
        return None
    lo, hi = wilson_bounds(float(round(value * n)), float(n))
    lo, hi = max(0.0, lo), min(1.0, hi)
    same = not (differs(r.get("ci_low"), lo, tolerance) or differs(r.get("ci_high"), hi, tolerance))
    return (lo, hi) if same else None


def _off(r: dict[str, Any], ev: Evidence | None, tolerance: float) -> str | None:
    """The first of the value, count and interval ends of ``r`` that the node it reads
    (``ev``; None: a node without a value) does not hold; None where it holds them all."""
    if ev is None:
        return "value" if r.get("value") is not None else None
    off = [f for f in FIELDS if differs(r.get(f), getattr(ev, f), tolerance)]
    older = ev.interval == "wilson" and plain_wilson(r, ev.value, ev.n, tolerance) is not None
    if off and set(off) <= {"ci_low", "ci_high"} and older:
        return None
    return off[0] if off else None


def _ok_groups(data: dict[str, Any], metric: str, min_n: int) -> tuple[int, int] | None:
    """(groups with status ok, those of them reaching ``min_n``) of the feature whose gap
    ``metric`` is; None where its groups cannot be read."""
    try:
        name = parse_path(metric)[2].key
    except (ValueError, TypeError, IndexError):
        return None
    features = data["fairness"].get("features")  # a dict: _retaken's condition
    feature = features.get(name) if isinstance(features, dict) else None
    groups = feature.get("groups") if isinstance(feature, dict) else None
    if not isinstance(groups, list):
        return None
    ok = [g for g in groups if isinstance(g, dict) and g.get("status") == "ok"]
    return len(ok), sum((count(g.get("n")) or 0) >= min_n for g in ok)


def _retaken(data: dict[str, Any], r: dict[str, Any]) -> bool:
    """True for a feature's gap whose gate's minimum count is above the audit's
    ``fairness.min_group_size`` and leaves out one of its groups: the gate takes it again over
    the groups that reach its own (:func:`auditor.gates.gap_groups.over_large_groups`, on the
    same condition), so its numbers need not be the ones the path reads. Any other gap is
    the one its path reads."""
    metric, min_n = r.get("metric"), count(r.get("min_n"))
    fairness = data.get("fairness")
    taken_with = fairness.get("min_group_size") if isinstance(fairness, dict) else None
    if not (isinstance(metric, str) and metric.startswith("fairness.features.")
            and ".disparities." in metric and min_n is not None
            and count(taken_with) is not None and min_n > taken_with):  # fmt: skip
        return False
    groups = _ok_groups(data, metric, min_n)
    return groups is None or groups[1] < groups[0]


def _too_few(data: dict[str, Any], r: dict[str, Any]) -> str | None:
    """Why the pass or fail ``r``, a gap its gate takes again over the groups reaching its
    minimum count, has no verdict: fewer than two of them do; None where two do."""
    if not _retaken(data, r):
        return None
    groups = _ok_groups(data, r["metric"], count(r.get("min_n")) or 0)
    if groups is None or groups[1] >= 2:
        return None
    return FEW_GROUPS.format(outcome=r.get("outcome"), k=groups[1], n=groups[0],
                             min_n=r.get("min_n"))  # fmt: skip


def _node_says_none(ev: Evidence) -> str | None:
    """Why the node ``ev`` gives no verdict whatever the rule (it says it lacks data, was not
    run, cannot resolve its rate, or holds no value); None where it may give one."""
    if ev.status in ("insufficient_data", "not_run", "not_applicable"):
        return f"the node says {ev.status}"
    if ev.resolvable is False:
        return "the counts cannot resolve this rate (resolvable = false)"
    return "no value" if ev.value is None else None


def _unjudged(r: dict[str, Any], read: Evidence | None | EllipsisType) -> str | None:
    """Why the outcome of ``r`` (neither pass nor fail) is not what the node it reads gives:
    a number with its count at least the minimum and a node that resolves is judged (pass
    or fail); None where it may be (``read``: ``...`` or None, nothing to say)."""
    min_n, bound = count(r.get("min_n")), r.get("bound") or {}
    if not isinstance(read, Evidence) or min_n is None or not isinstance(bound, dict):
        return None
    if _node_says_none(read) is not None or (read.n is not None and read.n < min_n):
        return None
    allowed = bound.get("allowed") is not None
    if (num(read.value) is None) if not allowed else not isinstance(read.value, str):
        return None  # a value this rule cannot judge: today's gate code refuses the rule
    if read.bound_only is not None and not _bound_decides(r, read):
        return None  # only a bound of its metric, and the far end could undo the verdict
    ceiling, top = num(read.ceiling), num(bound.get("max"))
    if ceiling is not None and top is not None and bound.get("min") is None and top >= ceiling:
        return None  # a bound no outcome can fail (an epsilon's ceiling): insufficient data
    n = f", n={read.n} at least its minimum count {min_n}" if read.n is not None else ""
    return JUDGEABLE.format(outcome=r.get("outcome"), value=read.value, n=n)


def _bound_decides(r: dict[str, Any], read: Evidence) -> bool:
    """Whether the rule of ``r`` gives a verdict on ``read``, only a bound of its metric
    (:func:`auditor.gates.bound_decides`); True where that cannot be said."""
    bound = r.get("bound") if isinstance(r.get("bound"), dict) else {}
    if num(read.value) is None or read.bound_only is None:
        return True
    try:
        return bound_decides(read.bound_only, float(read.value), num(read.ci_low),
                             num(read.ci_high), mode=r.get("mode"), max=num(bound.get("max")),
                             min=num(bound.get("min")))  # fmt: skip
    except ValueError:  # a mode this auditor does not know
        return True


def _bound_undecided(outcome: Any, r: dict[str, Any], read: Evidence) -> str:
    bound = r.get("bound") if isinstance(r.get("bound"), dict) else {}
    said = bound_phrase(read.bound_only, float(read.value), num(read.ci_low), num(read.ci_high),
                        max=num(bound.get("max")), min=num(bound.get("min")))  # fmt: skip
    return BOUND_UNDECIDED.format(outcome=outcome, said=said)


def _why_not(
    r: dict[str, Any], read: Evidence | None | EllipsisType = ...
) -> tuple[str, str] | None:  # fmt: skip
    """(field, why) where the pass or fail ``r`` (a gate on this audit's numbers) is not
    what its own numbers, or the node it reads (``read``), give; None where it is."""
    outcome, n, min_n = r.get("outcome"), count(r.get("n")), count(r.get("min_n"))
    if r.get("value") is None:
        return "outcome", NO_VALUE.format(outcome=outcome)
    if n is not None and min_n is not None and n < min_n:
        return "outcome", BELOW_MIN_N.format(outcome=outcome, n=n, min_n=min_n)
    if read is None:
        why = "it was not run, or its group lacks data"
        return "outcome", NODE_SAYS_NONE.format(outcome=outcome, why=why)
    said = _node_says_none(read) if isinstance(read, Evidence) else None
    if said is not None and read.value is not None:  # no value: the value's own message
        return "outcome", NODE_SAYS_NONE.format(outcome=outcome, why=said)
    if isinstance(read, Evidence) and not _bound_decides(r, read):
        return "outcome", _bound_undecided(outcome, r, read)
    right = _judged(r)
    if right is not None and right != outcome:
        return "outcome", OUTCOME_NOT_BOUND.format(outcome=outcome, value=r.get("value"),
                                                   right=right)  # fmt: skip
    return None


def check_own_numbers(
    data: dict[str, Any], results: list[Any], *, source: str, tolerance: float
) -> None:
    """Raise :class:`AuditorInputError` naming the first of ``results`` (the gate results of
    ``data``, each status already checked to follow its outcome) that its own numbers
    contradict (see the module)."""
    own = [(i, r) for i, r in enumerate(results) if r.get("source") != "baseline"]
    reads = {i: not _retaken(data, r) and isinstance(r.get("metric"), str) for i, r in own}
    found = _readings(data, (r.get("metric") for i, r in own if reads[i]))
    for i, r in own:
        bound = r.get("bound")
        if (isinstance(bound, dict) and bound.get("tolerance") is not None) or (
            r.get("mode") == "no-worse"
        ):  # its outcome would be taken for a baseline comparison's and not judged
            field = "mode" if r.get("mode") == "no-worse" else "bound"
            raise AuditorInputError(NOT_A_COMPARISON, source=source,
                                    field=f"gates/results/{i}/{field}")  # fmt: skip
        read = found.get(r["metric"], ...) if reads[i] else ...
        if r.get("outcome") not in ("pass", "fail"):
            wrong = _unjudged(r, read)
            if wrong is not None:
                raise AuditorInputError(wrong, source=source, field=f"gates/results/{i}/outcome")
            continue
        wrong = _why_not(r, read) or (("outcome", why) if (why := _too_few(data, r)) else None)
        if wrong is not None:
            raise AuditorInputError(wrong[1], source=source, field=f"gates/results/{i}/{wrong[0]}")
        field = None if read is ... else _off(r, read, tolerance)
        if field is not None:
            metric, value, right = r.get("metric"), r.get(field), getattr(read, field, None)
            why = (VALUE_NOT_AUDIT.format(value=value, metric=metric, found=right)
                   if field == "value" else NUMBER_NOT_AUDIT.format(
                       value=value, field=FIELDS[field], metric=metric, found=right))  # fmt: skip
            raise AuditorInputError(why, source=source, field=f"gates/results/{i}/{field}")
