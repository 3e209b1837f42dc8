"""A disparity that is only a bound of itself (its record's ``bound_only``: one of its two
rates is undefined in all but one compared group): a gap is at least its value ("lower"), a
ratio at most it ("upper"). The one table of its sign, and of its words (the gates', whose
messages say them too), every output writes it with: the cards, summary.md, junit.xml, the
terminal and ``auditor diff``. A record without ``bound_only`` (older audit.json files too)
is a value, written as before."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.audit_tree import Evidence, evidence_of, resolve
from auditor.gates.gap_groups import judged_gap  # the gap a gate judged, re-taken or not
from auditor.gates.judge import BOUND_WORDS  # the gate messages' own words

BOUND_SIGN = {"lower": "≥ ", "upper": "≤ "}


def bound_sign(side: Any) -> str:
    """'≥ ' for a lower bound, '≤ ' for an upper one, '' for a value."""
    return BOUND_SIGN.get(side, "") if isinstance(side, str) else ""


def side_words(side: Any) -> str:
    """'at least ' for a lower bound, 'at most ' for an upper one, '' for a value."""
    return BOUND_WORDS.get(side, "") if isinstance(side, str) else ""


def gate_side(audit: Mapping[str, Any], r: Mapping[str, Any]) -> str | None:
    """The ``bound_only`` of the number a gate result ``r`` judged (its gap node, re-taken
    over its ``min_n`` groups where it has one, or that node's leaf): None where it is a
    value, or where the record does not reach one number."""
    metric = str(r.get("metric", ""))
    if r.get("source") == "baseline" or ".disparities." not in metric:
        return None
    value = r.get("value")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    node = judged_gap(dict(audit), metric, r.get("min_n"))
    if isinstance(node, dict):
        side = node.get("bound_only") if node.get("value") == value else None
        return side if side in BOUND_SIGN else None
    try:
        ev = one_evidence(audit, metric)
    except ValueError:  # a node the record does not let one number be read from
        return None
    return ev.bound_only if ev is not None and ev.value == value else None


def one_evidence(audit: Mapping[str, Any], path: str) -> Evidence | None:
    """The evidence at ``path`` where it resolves to one node of a part that ran, else None
    (a path no node matches, or several); raises what :func:`evidence_of` raises."""
    try:
        matches = resolve(dict(audit), path)
    except ValueError:
        return None
    if len(matches) != 1 or matches[0].not_run:
        return None
    return evidence_of(matches[0])


def gate_sign(audit: Mapping[str, Any], r: Mapping[str, Any]) -> str:
    """:func:`bound_sign` of the number a gate judged (a card's gate table prefixes it)."""
    return bound_sign(gate_side(audit, r))
