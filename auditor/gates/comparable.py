"""Whether two audits' numbers can be set against each other (a baseline gate, a diff).

Not at all when the audits answer different questions: another scenario, task, class list
or positive class. A feature's gaps are not comparable when they are taken over other
groups (the groups that enter them, status ok, differ: a group added, removed or now below
the minimum size); its groups' own rates still are. :func:`not_comparable` returns each
such part as (metric path prefix, reason): the prefix ``""`` is the whole audit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.audit_tree.paths import fmt_key, item_label

MSG_OTHER_QUESTION = "{a} and {b} audit different things ({what}): no number is compared"
MSG_OTHER_GROUPS = "{feature}: its gaps are taken over other groups ({groups}): not compared"
# Names listed in a reason before "and N more" (a feature of 990 zip codes, a class list):
# the reason is one line of a diff, a baseline gate's message and the terminal.
LISTED = 8


def _question(audit: Mapping[str, Any]) -> dict[str, Any]:
    """What an audit's numbers answer: its scenario, task, classes and positive class."""
    task = (audit.get("data") or {}).get("finetune_task") or {}
    fair = audit.get("fairness") or {}
    return {
        "scenario": (audit.get("run") or {}).get("scenario"),
        "task": task.get("name"),
        "classes": task.get("class_names"),
        "positive class": fair.get("positive_class") if fair.get("status") == "ok" else None,
    }


def _group_sets(audit: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Each fairness feature's groups that enter its gaps (status ok), by feature name."""
    fair = audit.get("fairness") or {}
    if fair.get("status") != "ok":
        return {}
    out = {}
    for name, feature in (fair.get("features") or {}).items():
        groups = feature.get("groups") or []
        items = groups.values() if isinstance(groups, dict) else groups
        out[name] = frozenset(
            item_label(g, i) for i, g in enumerate(items) if g.get("status") == "ok"
        )
    return out


def listed(names: Any) -> str:
    """``a, b, c`` for at most :data:`LISTED` names, else the first ones and ``and N more``."""
    names = [str(n) for n in names]
    more = len(names) - LISTED
    return ", ".join(names[:LISTED]) + (f" and {more} more" if more > 0 else "")


def _text(value: Any) -> str:
    return listed(value) if isinstance(value, list) else str(value)


def not_comparable(
    a: Mapping[str, Any], b: Mapping[str, Any], *, names: tuple[str, str] = ("A", "B")
) -> list[tuple[str, str]]:
    """(metric path prefix, reason) of each part of audits ``a`` and ``b`` (called ``names``
    in the reasons) whose numbers are not comparable: ``[("", reason)]`` for the whole audit,
    else one per feature whose gaps are taken over other groups (prefix
    ``fairness.features.<name>.disparities.``)."""
    qa, qb = _question(a), _question(b)
    differ = [k for k in qa if qa[k] is not None and qb[k] is not None and qa[k] != qb[k]]
    if differ:
        what = "; ".join(f"{k} {_text(qa[k])} vs {_text(qb[k])}" for k in differ)
        return [("", MSG_OTHER_QUESTION.format(a=names[0], b=names[1], what=what))]
    out = []
    sa, sb = _group_sets(a), _group_sets(b)
    for name in (n for n in sa if n in sb and sa[n] != sb[n]):
        sides = ((names[0], sa[name] - sb[name]), (names[1], sb[name] - sa[name]))
        only = [f"{side} only: {listed(sorted(g))}" for side, g in sides if g]
        reason = MSG_OTHER_GROUPS.format(feature=name, groups="; ".join(only))
        out.append((f"fairness.features.{fmt_key(name)}.disparities.", reason))
    return out
