"""Where the numbers of two audits may be set against each other for a diff: the parts
with insufficient data (no verdict on their numbers), the confidence levels their intervals
were computed at, and how many intervals fall apart by chance alone."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from statistics import NormalDist
from typing import Any

from auditor.audit_tree import fmt_key
from auditor.audit_tree.paths import item_step
from auditor.report.decision import level_text

# Where each section records the confidence level of its intervals.
_LEVELS = (("fairness", "ci_level"), ("privacy", "confidence"))
MSG_OTHER_LEVEL = (
    "{section} intervals are at {a} in A and at {b} in B: an interval is wider or narrower "
    "for that alone, so 'within noise' and 'beyond noise' mix the two levels"
)


def levels(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[str, ...]:
    """One sentence per section that ran in both with intervals at other confidence levels."""
    out = []
    for section, key in _LEVELS:
        la, lb = ((x.get(section) or {}) for x in (a, b))
        if la.get("status") == lb.get("status") == "ok":
            ta, tb = level_text(la.get(key)), level_text(lb.get(key))
            if ta and tb and ta != tb:
                out.append(MSG_OTHER_LEVEL.format(section=section, a=ta, b=tb))
    return tuple(out)


def thin_parts(tree: Any, path: str) -> Iterator[str]:
    """The paths of the parts under ``tree`` marked insufficient data (a group below the
    minimum size, an estimate without rows enough) or a rate its counts cannot resolve
    (``resolvable: false``, a TPR at an FPR below 1 / non-members): no verdict on them."""
    if isinstance(tree, dict):
        if tree.get("status") == "insufficient_data" or tree.get("resolvable") is False:
            yield path
            return
        for key, child in tree.items():
            if isinstance(child, (dict, list)):
                yield from thin_parts(child, f"{path}.{fmt_key(str(key))}")
    elif isinstance(tree, list):
        for i, child in enumerate(tree):
            if isinstance(child, (dict, list)):
                yield from thin_parts(child, path + item_step(child, i))


def under(key: str, prefixes: set[str]) -> bool:
    """Whether metric path ``key`` is one of ``prefixes`` or inside one."""
    return any(key == p or key.startswith((p + ".", p + "[")) for p in prefixes)


# Changes told by whether the two intervals overlap (the others are facts or not compared).
BY_INTERVALS = ("better", "worse", "changed", "within noise")


def apart_by_chance(level_a: float, level_b: float) -> float:
    """How often two intervals of one unchanged quantity, measured on two independent samples
    (at ``level_a`` in A and ``level_b`` in B), do not overlap: both estimates normal with one
    standard error, |a - b| > (z_a + z_b) se while a - b has sd sqrt(2) se (0.56% at 95% on
    both sides, 0.0003% at 99.9%, 0.02% at 95% and 99.9%)."""
    z_a, z_b = (NormalDist().inv_cdf((1 + level) / 2) for level in (level_a, level_b))
    return 2 * (1 - NormalDist().cdf((z_a + z_b) / math.sqrt(2)))


def _section_levels(audit: Mapping[str, Any]) -> dict[str, float]:
    """Each section's confidence level in ``audit`` (:data:`_LEVELS`; 95% elsewhere: a Wilson
    accuracy, and where the record gives none)."""
    at = dict.fromkeys(("performance", "explanations"), 0.95)
    for section, key in _LEVELS:
        level = (audit.get(section) or {}).get(key)
        ok = isinstance(level, float) and 0 < level < 1
        at[section] = level if ok else 0.95
    return at


def chance(
    rows: Iterable[tuple[str, str]], a: Mapping[str, Any], b: Mapping[str, Any]
) -> tuple[int, float]:
    """(how many numbers were told by their intervals, how many of them would fall apart by
    chance alone were A's and B's test data independent samples) over ``rows`` of (metric
    path, change); each at its section's level in A and in B."""
    at_a, at_b = _section_levels(a), _section_levels(b)
    sections = [path.split(".", 1)[0] for path, change in rows if change in BY_INTERVALS]
    expected = sum(apart_by_chance(at_a.get(s, 0.95), at_b.get(s, 0.95)) for s in sections)
    return len(sections), expected
