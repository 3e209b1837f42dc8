"""A fairness gap judged over the groups that reach the gate's minimum count.

audit.json takes a feature's gaps over its groups with at least ``fairness.min_group_size``
rows. A gate whose minimum count is higher gives the smaller groups no verdict, so they may
not set its gap either (``min_count = 3000`` passed a race gap set by a group of 84 rows):
the gap, its interval, its pair and its worst-off group are taken again over the groups
that reach the gate's count, from each group's recorded rates (``value`` = k / n beside its
``n``) and the overall ones, by the code that took the recorded gap
(:func:`auditor.fairness.disparities.disparity_of`). Fewer than two such groups, or records
the gap cannot be taken again from (a rate that is not a count over its n, a field an
older audit lacks), give insufficient data: never a verdict the groups do not support.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from auditor.audit_tree import Match, count, num, resolve
from auditor.config.gates import GateRule
from auditor.fairness.disparities import Compared, disparity_of
from auditor.fairness.intervals import RATE_METHODS, ci_method
from auditor.fairness.metrics import DISPARITIES, MetricArrays
from auditor.gates.names import labels, shorten
from auditor.results._base import dump

MSG_FEW_GROUPS = (
    "{k} of the {n} groups of {feature} reach the minimum count {min_n}; a gap between groups "
    "needs two"
)
MSG_CANNOT = (
    "the gap over the {k} groups of {feature} that reach the minimum count {min_n} cannot be "
    "taken again from this audit: {why}"
)
MSG_OVER = (
    "; taken over the {k} of the {n} groups of {feature} that reach the minimum count {min_n}"
    " (set by {pair}; left out: {left})"
)
LEFT_SHOWN = 5  # groups left out that the message names; the rest are counted
TOLERANCE = 1e-6  # how far value * n may sit from a whole count (float rounding only)
MAX_COUNT = 2**53  # above it a float rate no longer tells its count


class _Unreadable(Exception):
    """The records do not give the counts the gap is taken from."""


@dataclass(frozen=True)
class _Gap:
    """Where a rule's match is: feature F's disparity ``key`` by ``method``, then ``rest``."""

    feature: str
    key: str | None
    method: str | None
    rest: tuple[str, ...]


def _gap_of(rule: GateRule, match: Match) -> _Gap | None:
    keys = labels(rule.metric, match.picked)  # F as picked: a label may hold any character
    if keys[:2] != ["fairness", "features"] or len(keys) < 4 or keys[3] != "disparities":
        return None
    key = keys[4] if len(keys) > 4 else None
    return _Gap(keys[2], key, keys[5] if len(keys) > 5 else None, tuple(keys[6:]))


def _share(node: Any, name: str, who: str) -> tuple[int, int]:
    """(k, n) of a recorded rate ``{value: k / n, n}``; (0, 0) where n is 0."""
    if not isinstance(node, dict):
        raise _Unreadable(f"{who} records no {name}")
    n, value = count(node.get("n")), num(node.get("value"))
    if n is None or not 0 <= n <= MAX_COUNT:
        raise _Unreadable(f"the {name} of {who} has no count n")
    if n == 0:
        return 0, 0
    k = round(value * n) if value is not None else -1
    if value is None or abs(value * n - k) > TOLERANCE or not 0 <= k <= n:
        raise _Unreadable(f"the {name} of {who} ({node.get('value')!r}) is not a count over n={n}")
    return k, n


def recorded_share(node: Any) -> tuple[int, int]:
    """(k, n) of a recorded rate ``{value: k / n, n}``, as a gap is taken again from it;
    ``ValueError`` where the node is not one (a rate that is not a count over its n)."""
    try:
        return _share(node, "rate", "the node")
    except _Unreadable as exc:
        raise ValueError(str(exc)) from None


def _arrays(metrics: list[Any], names: list[str], who: list[str]) -> MetricArrays:
    """The rates ``names`` of each recorded metrics mapping, as the engine holds them."""
    values, dens, nums = {}, {}, {}
    for name in names:
        kn = [_share(m.get(name) if isinstance(m, dict) else None, name, w)
              for m, w in zip(metrics, who, strict=True)]  # fmt: skip
        k, n = (np.array(a, dtype=np.int64) for a in zip(*kn, strict=True))
        with np.errstate(invalid="ignore", divide="ignore"):
            values[name] = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        dens[name], nums[name] = n, k
    return MetricArrays(values, dens, nums)


def _rate_method(audit: dict[str, Any], fairness: dict[str, Any]) -> str:
    """The per-group interval the recorded gaps were taken with."""
    text = fairness.get("ci_method")
    for method in RATE_METHODS:
        if text == ci_method(method):
            return method
    # another text: written by other interval code (the config's name alone would re-take the
    # gap with today's interval, not the recorded one's)
    raise _Unreadable("its rates' interval (fairness.ci_method) is not one this version takes")


def _retaken(audit: dict[str, Any], large: list[dict], left_out: list[dict], groups: list,
             gap: _Gap, min_n: int) -> dict[str, Any]:  # fmt: skip
    """The disparity node over the ``large`` groups (as audit.json records one)."""
    fairness = audit["fairness"]
    name, at, view = str(gap.key).partition("@")
    if name not in DISPARITIES:
        raise _Unreadable(f"it does not know the disparity {gap.key!r}")
    components = [c + at + view for c in DISPARITIES[name][0]]
    level = num(fairness.get("ci_level"))
    if level is None or not 0 < level < 1:
        raise _Unreadable("it records no ci_level")
    names = [str(g.get("group")) for g in large]
    point = _arrays([g.get("metrics") for g in large], components, [f"group {n}" for n in names])
    overall = _arrays([fairness.get("overall")], components, ["the overall"])
    favourable = fairness.get("positive_favourable")
    cmp = Compared(
        point, overall, np.arange(len(large)), names,
        excluded=[str(g.get("group")) for g in left_out],
        n_labels=len(groups), level=level, method=_rate_method(audit, fairness),
        positive_favourable=favourable if isinstance(favourable, bool) else True,
        min_group_size=min_n,
    )  # fmt: skip
    try:
        return dump(disparity_of(cmp, str(gap.key), str(gap.method)))
    except KeyError:
        raise _Unreadable(f"it does not know the method {gap.method!r}") from None


def _note(node: dict[str, Any], large: list[dict], out: list[dict], groups: list,
          gap: _Gap, min_n: int, rows: Any) -> str:  # fmt: skip
    """Which groups the gap was taken over, with the counts beside them."""
    size = {str(g.get("group")): g.get("n") for g in large}
    size["overall"] = rows
    pair = " and ".join(f"{shorten(p)} (n={size.get(p)})" for p in node.get("pair") or [])
    left = ", ".join(f"{shorten(str(g.get('group')))} (n={g.get('n')})" for g in out[:LEFT_SHOWN])
    if len(out) > LEFT_SHOWN:
        left += f" and {len(out) - LEFT_SHOWN} more"
    return MSG_OVER.format(k=len(large), n=len(groups), feature=shorten(gap.feature),
                           min_n=min_n, pair=pair or "no pair", left=left)  # fmt: skip


def over_large_groups(
    audit: dict[str, Any], rule: GateRule, match: Match, min_n: int
) -> tuple[Match, str]:
    """``match`` as the gate judges it, and a note for its message: a feature's gap where
    the gate's minimum count ``min_n`` is above ``fairness.min_group_size`` is taken over the
    groups (status ok) that reach ``min_n``; fewer than two is insufficient data."""
    gap = None if match.not_run or match.insufficient else _gap_of(rule, match)
    fairness = audit.get("fairness") if gap is not None else None
    taken_with = fairness.get("min_group_size") if isinstance(fairness, dict) else None
    if gap is None or not isinstance(taken_with, int) or min_n <= taken_with:
        return match, ""  # the gap's groups all reach min_n (or the audit does not say)
    features = fairness.get("features")
    feature = features.get(gap.feature) if isinstance(features, dict) else None
    groups = feature.get("groups") if isinstance(feature, dict) else None
    if not isinstance(groups, list):
        return match, ""
    ok = [g for g in groups if isinstance(g, dict) and g.get("status") == "ok"]
    large = [g for g in ok if (count(g.get("n")) or 0) >= min_n]
    kept = {id(g) for g in large}
    name = shorten(gap.feature)
    if len(large) < 2:
        why = MSG_FEW_GROUPS.format(k=len(large), n=len(groups), feature=name, min_n=min_n)
        return replace(match, insufficient=why), ""
    if len(large) == len(ok) or gap.key is None or gap.method is None:
        return match, ""  # the same groups (or no gap node: the path itself is wrong)
    try:
        if len(gap.rest) > 1:
            raise _Unreadable("the path goes below the gap's own fields")
        node = _retaken(audit, large, [g for g in groups if id(g) not in kept], groups, gap,
                        min_n)  # fmt: skip
    except _Unreadable as exc:
        why = MSG_CANNOT.format(k=len(large), feature=name, min_n=min_n, why=exc)
        return replace(match, insufficient=why), ""
    note = _note(node, large, [g for g in ok if id(g) not in kept], groups, gap, min_n,
                 fairness.get("n"))  # fmt: skip
    if gap.rest:
        leaf = gap.rest[0]
        return replace(match, node=node.get(leaf), parent=node, leaf=leaf), note
    return replace(match, node=node), note


def judged_gap(audit: dict[str, Any], metric: str, min_n: Any) -> dict[str, Any] | None:
    """The gap node a fairness gate on the concrete path ``metric`` with minimum count
    ``min_n`` judged: the recorded one, or the one :func:`over_large_groups` takes again over
    the groups that reach ``min_n`` (its ``pair``, ``worst_group``, tie note and
    ``excluded_groups`` are the re-taken gap's); None where the path reaches no single gap
    node, or the gate gave it insufficient data. What every output reads a gate's counts and
    tied groups from."""
    try:
        matches = resolve(audit, metric)
    except ValueError:  # a malformed path
        return None
    rule = GateRule.model_construct(metric=metric)  # its path alone is read here
    if len(matches) != 1:
        return None
    match = matches[0]
    if isinstance(min_n, int) and not isinstance(min_n, bool):
        match = over_large_groups(audit, rule, match, min_n)[0]
    if match.not_run or match.insufficient or not isinstance(match.node, dict):
        return None
    return match.node
