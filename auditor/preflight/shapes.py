"""What a gate rule's path may reach in an audit's fairness section, known before the audit
runs (the target's classes, the audited features): a rule whose path cannot exist is refused
before any work, with the message the gate would give after the run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from auditor.audit_tree import ID_KEYS, Step, fmt_key, parse_path, spellings, step_text
from auditor.audit_tree.paths import MSG_NO_ITEM, MSG_UNKNOWN_KEY
from auditor.config import GatesConfig
from auditor.errors import AuditorInputError

# After "has no 'fnr_difference' (it has: fnr_difference@a, ...)": what to write.
PER_CLASS = (
    "; a target of more than two classes has one per class against the rest: write {path!r}, "
    "a rule for each class"
)


@dataclass(frozen=True)
class Shape:
    """What a node of audit.json is known to hold before the audit runs: ``children`` by
    key (a child: another Shape, or a leaf's text, which ``[key=value]`` compares); a closed
    Shape holds exactly those keys, an open one at least those (the rest: unknown here).
    ``each``: the shape of every item of a list whose labels are the data's (the groups)."""

    children: dict[str, Any]
    closed: bool = True
    each: Any = None


OPEN = Shape({}, closed=False)


def fairness_shape(features: Sequence[str], classes: Sequence[str] | None) -> Shape:
    """The fairness section's features, their gaps and every group's metrics, as the fairness
    check writes them: a binary target (``classes`` None or two) has one of each gap and
    rate; more classes have each class's against the rest (``fnr_difference@<class>``,
    ``recall@<class>``; accuracy's once). Other keys are left open (a section may add some)."""
    from auditor.fairness.engine import DisparityResult, FeatureResult, GroupResult
    from auditor.fairness.metrics import BINARY_METRICS, DISPARITIES, GLOBAL_METRICS, METHODS

    multi = classes is not None and len(classes) > 2
    suffixes = [f"@{c}" for c in classes] if multi and classes is not None else [""]
    gaps = [name + ("" if comps == ("accuracy",) else sfx)
            for sfx in suffixes for name, (comps, _) in DISPARITIES.items()]  # fmt: skip
    gap = Shape({f.name: OPEN for f in fields(DisparityResult)}, closed=False)
    disparities = Shape({name: Shape({m: gap for m in METHODS}) for name in dict.fromkeys(gaps)})
    rates = [*GLOBAL_METRICS, *(name + sfx for sfx in suffixes for name in BINARY_METRICS)]
    metrics = Shape({name: OPEN for name in rates})
    group = Shape({**{f.name: OPEN for f in fields(GroupResult)}, "metrics": metrics}, False)
    feature = {f.name: OPEN for f in fields(FeatureResult)}
    shapes = {
        name: Shape({**feature, "name": name, "disparities": disparities,
                     "groups": Shape({}, closed=False, each=group),
                     "kind": "intersection" if " & " in name else "feature"}, closed=False)
        for name in features
    }  # fmt: skip
    section = Shape({"features": Shape(shapes), "overall": metrics}, closed=False)
    return Shape({"fairness": section}, closed=False)


def check_rule_shapes(
    gates: GatesConfig, features: Sequence[str], classes: Sequence[str] | None,
    *, source: str | None,
) -> None:  # fmt: skip
    """Refuse a rule whose path cannot exist in this audit's fairness section (a binary-only
    gap or rate such as ``fnr_difference`` on a multi-class target, ``fnr_difference@x`` on a
    binary one, a ``[kind=intersection]`` without intersections), with the message the gate
    would give after the run. ``classes``: the target's class names (None: binary). Fairness off:
    nothing to check (its rules report "not run")."""
    if not features:
        return
    shape = fairness_shape(features, classes)
    for i, rule in enumerate(gates.rules):
        try:
            _walk_shape(shape, parse_path(rule.metric), "", rule.metric)
        except ValueError as exc:
            field = f"gates.rules[{i}].metric"
            raise AuditorInputError(str(exc), source=source, field=field) from None


def _walk_shape(shape: Any, steps: list[Step], done: str, path: str) -> None:
    """:func:`auditor.audit_tree.resolve` over a :class:`Shape`: ValueError where the path
    leaves a closed node; an open node, a leaf or an index step ends the check."""
    if not steps or not isinstance(shape, Shape) or steps[0].kind == "index":
        return
    step, rest = steps[0], steps[1:]
    if shape.each is not None and step.kind in ("any", "match"):
        _walk_shape(shape.each, rest, f"{done}{step_text(step)}", path)  # labels: the data's
        return
    named = [k for k in spellings(step) if k in shape.children] if step.kind == "key" else []
    if named:  # the key as typed, else its \\u read (the resolver refuses both)
        where = (done + "." if done else "") + fmt_key(named[0])
        _walk_shape(shape.children[named[0]], rest, where, path)
        return
    if not shape.closed:
        return
    if step.kind == "key":
        key = str(step.key)
        alike, have = _alike(shape, key)
        message = MSG_UNKNOWN_KEY.format(path=path, at=done, key=key, have=have)
        raise ValueError(message + _per_class(path, len(steps), key, alike))
    hits = [(k, v) for k, v in shape.children.items() if step.kind == "any" or _picks(step, k, v)]
    if not hits:  # ['fnr_difference'] as .fnr_difference: the classes' keys, and the way on
        value = "" if step.key else str(step.value)
        alike, have = _alike(shape, value)
        message = MSG_NO_ITEM.format(path=path, value=step.value, at=done, have=have)
        raise ValueError(message + _per_class(path, len(steps), value, alike))
    for key, child in hits:
        _walk_shape(child, rest, f"{done}.{fmt_key(key)}", path)


def _alike(shape: Shape, key: str) -> tuple[list[str], str]:
    """The keys of ``shape`` that ``key`` names but for a class (``fnr_difference@<class>``
    for ``fnr_difference``; none for no key), and what a message lists it has: those, else
    its keys, the first 12."""
    alike = [k for k in shape.children if key and k.split("@")[0] == key.split("@")[0]]
    return alike, ", ".join((alike or list(shape.children))[:12])


def _per_class(path: str, left: int, key: str, alike: list[str]) -> str:
    """The way on where a rule names a binary target's gap or rate (``fnr_difference``, the
    example config's) and the target has more classes (``fnr_difference@<class>`` each):
    ``path`` with the first class's key in place of the step ``left`` steps from its end."""
    if "@" in key or not alike or not all("@" in k for k in alike):
        return ""
    steps = parse_path(path)
    at = len(steps) - left
    text = "".join("." + fmt_key(alike[0]) if i == at else step_text(s)
                   for i, s in enumerate(steps))  # fmt: skip
    return PER_CLASS.format(path=text.removeprefix("."))


def _picks(step: Step, key: str, child: Any) -> bool:
    """Whether ``[key=value]`` / ``[value]`` picks ``child`` (as the resolver's selector);
    a field the shape leaves open may hold the value."""
    if not step.key and key in spellings(step):
        return True
    if not isinstance(child, Shape):
        return False
    fields_ = (step.key,) if step.key else ID_KEYS
    values = [child.children.get(f) for f in fields_ if f in child.children]
    return any(v is OPEN or v in spellings(step) for v in values)
