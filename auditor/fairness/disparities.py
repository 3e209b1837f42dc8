"""A feature's disparities: fairlearn's gaps and ratios between its groups with enough data
and to the overall value, each with a simultaneous interval (:mod:`auditor.fairness.intervals`),
the pair of groups that sets it and the worst-off group. :mod:`auditor.fairness.engine` builds
the :class:`Compared` groups of each feature."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from auditor.config.labels import shorten
from auditor.fairness.intervals import gap_interval, ratio_interval, to_overall_interval
from auditor.fairness.metrics import (
    DISPARITIES,
    METHODS,
    MetricArrays,
    disparity,
    worse_off_direction,
)

TOO_FEW_GROUPS = "{n} of the {total} groups {verb} enough data (at least {min} rows); a gap needs 2"
# every row in one group (a constant column): no gap, whatever the group's size
ONE_GROUP = "every row is in one group, '{group}': a gap needs 2"
ALL_UNDEFINED = "the metric is undefined in every compared group"
# fairlearn's ratio of rates that are all 0 (a class no row is predicted as) is 0 / 0: NaN
ZERO_RATES = (
    "{rates} {verb} 0 in every compared group: their ratio (0 / 0) is undefined, so no verdict; "
    "the difference compares them"
)
ONE_DEFINED = "fewer than 2 compared groups have a defined {rates}"
# Equalized odds with one of its rates undefined (no positives, or no negatives, in all but
# one compared group): fairlearn's value is the other rate's gap, only a bound of this one
PART_DEFINED = (
    "fewer than 2 compared groups have a defined {rates}: the value is the {other} {kind} "
    "alone, {side} bound of this {kind} (a gate's verdict stands only where no value of "
    "{rates} could change it)"
)
OVERALL = "overall"
# A gap of 0: the compared groups are level, so none is worse off (the first was named)
LEVEL = "every compared group has the same {rates}: the groups are level, none is worse off"
# the same, where some compared groups have no value of the rate (no predicted positives)
LEVEL_DEFINED = (
    "every compared group with a defined {rates} has the same: the groups are level, none is "
    "worse off"
)
# To overall: the compared groups level with each other but not with the overall value, which
# also counts the rows of the groups left out (too few rows): a gap, and no one group worse off
LEVEL_OFF_OVERALL = (
    "every compared group has the same {rates}, and it differs from the overall value, which "
    "also counts the rows of the groups left out: the compared groups are level with each "
    "other, none is worse off than another"
)
# Groups that share the worst rate: each is named, not only the first in sorted order
TIED = "{groups} tie as the worst off: {rate} {value:.4g} in each"
TIED_SHOWN = 4  # tied groups the note names; the rest are counted


def tie_text(labels: Sequence[str]) -> str:
    """'a and b', 'a, b and c', 'a, b, c, d and 2 more': tied groups as the note and every
    output's gate line name them (each label cut as the outputs cut it)."""
    cut = [shorten(x) for x in labels[:TIED_SHOWN]]
    if len(labels) <= TIED_SHOWN:
        return ", ".join(cut[:-1]) + " and " + cut[-1]
    return ", ".join(cut) + f" and {len(labels) - TIED_SHOWN} more"


@dataclass(frozen=True)
class DisparityResult:
    """One disparity of one feature. ``pair``: the two groups whose rates set the value
    (between groups: lowest then highest of the deciding rate; to overall: the group and
    "overall"); ``decided_by``: that rate (equalized odds: recall or fpr)."""

    value: float | None  # NaN in memory, null in audit.json (as the bounds)
    ci_low: float | None
    ci_high: float | None
    status: Literal["ok", "insufficient_data", "undefined"]
    method: Literal["between_groups", "to_overall"]
    worst_group: str | None
    attained_by: list[str]
    n_groups_compared: int
    excluded_groups: list[str]
    reason: str | None = None
    pair: list[str] = field(default_factory=list)
    decided_by: str | None = None
    # "lower" / "upper": the value is a bound of the disparity, not the disparity (one of its
    # two rates undefined); a gate's verdict on it stands only where the other side agrees
    bound_only: Literal["lower", "upper"] | None = None


def _worst(
    values: np.ndarray, names: list[str], higher_better: bool, rate: str
) -> tuple[str | None, str | None]:
    """The worst-off group by ``rate`` (``values``, one per group of ``names``) and, where
    more than one group has that worst value, the note naming them all."""
    if np.all(np.isnan(values)):
        return None, None
    worst = np.nanmin(values) if higher_better else np.nanmax(values)
    tied = [names[int(i)] for i in np.flatnonzero(values == worst)]  # a share k/n: exact ties
    if len(tied) == 1:
        return tied[0], None
    return tied[0], TIED.format(groups=tie_text(tied), rate=rate, value=float(worst))


def _level(group_pt: dict[str, np.ndarray], comps: list[str]) -> bool:
    """Whether every compared group has the same value of each of ``comps`` (NaN skipped)."""
    finite = [v[np.isfinite(v)] for v in (group_pt[c] for c in comps)]
    return all(len(v) == 0 or (v == v[0]).all() for v in finite)


def _level_with(group_pt: dict[str, np.ndarray], over_pt: dict, comps: list[str]) -> bool:
    """Whether every compared group's value of each of ``comps`` (NaN skipped) is the overall's
    (rates of counts: equal shares are equal floats)."""
    return all((v[np.isfinite(v)] == over_pt[c]).all() for c, v in
               ((c, group_pt[c]) for c in comps))  # fmt: skip


@dataclass(frozen=True)
class Compared:
    """The groups a feature's disparities compare, with their counts and the overall's."""

    point: MetricArrays  # every group of the feature
    overall: MetricArrays  # all rows, one group
    idx: np.ndarray  # indices of the compared (large enough) groups
    names: list[str]  # their labels
    excluded: list[str]
    n_labels: int
    level: float
    method: str
    positive_favourable: bool
    min_group_size: int  # the fewest rows a compared group has (fairness.min_group_size)

    def families(self, components: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        p = self.point
        return [(p.numerators[c][self.idx], p.denominators[c][self.idx]) for c in components]

    def totals(self, components: Sequence[str]) -> list[tuple[float, float]]:
        o = self.overall
        return [(float(o.numerators[c][0]), float(o.denominators[c][0])) for c in components]


def _interval(cmp: Compared, kind: str, method: str, comps: list[str]) -> tuple[float, float]:
    fam = cmp.families(comps)
    kw = {"level": cmp.level, "method": cmp.method}
    if kind == "ratio":
        totals = cmp.totals(comps) if method == "to_overall" else None
        return ratio_interval(fam, totals, **kw)
    if method == "to_overall":
        return to_overall_interval(fam, cmp.totals(comps), **kw)
    return gap_interval(fam, **kw)


def _insufficient(cmp: Compared, method: str, reason: str) -> DisparityResult:
    nan = float("nan")
    return DisparityResult(nan, nan, nan, "insufficient_data", method, None, [], len(cmp.idx),
                           cmp.excluded, reason)  # fmt: skip


def _disparity(cmp: Compared, dname: str, method: str, sfx: str) -> DisparityResult:
    components, kind = DISPARITIES[dname]
    comps = [c + sfx for c in components]
    n_cmp = len(cmp.idx)
    if cmp.n_labels == 1:
        return _insufficient(cmp, method, ONE_GROUP.format(group=[*cmp.names, *cmp.excluded][0]))
    if n_cmp < 2:
        verb = "has" if n_cmp == 1 else "have"
        return _insufficient(cmp, method, TOO_FEW_GROUPS.format(
            n=n_cmp, total=cmp.n_labels, verb=verb, min=cmp.min_group_size))  # fmt: skip
    group_pt = {c: cmp.point.values[c][cmp.idx] for c in comps}
    over_pt = {c: cmp.overall.values[c][0] for c in comps}
    value = float(disparity(dname, group_pt, over_pt, method, sfx))
    if np.isnan(value):  # no value: no pair sets it and no group is worse off by it
        nan = float("nan")
        return DisparityResult(nan, nan, nan, "undefined", method, None, [], n_cmp,
                               cmp.excluded, _undefined_why(kind, group_pt))  # fmt: skip
    alone = [c for c in comps if np.isfinite(group_pt[c]).sum() < 2]  # e.g. no negatives
    # e.g. TPR defined in one group only: nothing is compared, so no value (fairlearn's gap 0
    # or ratio 1 of one group would read as no disparity) and no pair
    one_defined = ONE_DEFINED.format(rates=" or ".join(comps))
    if len(alone) == len(comps):
        return _insufficient(cmp, method, one_defined)
    lo, hi = _interval(cmp, kind, method, comps)
    if np.isnan(lo):
        return _insufficient(cmp, method, one_defined)
    lo, hi = min(lo, value), max(hi, value)  # only undoes floating-point rounding
    worst, attained, decider, note = _attribution(
        dname, group_pt, over_pt, cmp.names, method, sfx, cmp.positive_favourable
    )
    notes = [PART_DEFINED.format(
        rates=" or ".join(alone), other=" and ".join(c for c in comps if c not in alone),
        kind="gap" if kind != "ratio" else "ratio",
        side="a lower" if kind != "ratio" else "an upper")] if alone else []  # fmt: skip
    status, reason = "ok", "; ".join([*notes, note] if note else notes) or None
    pair = attained if method == "between_groups" else [*attained, OVERALL]
    return DisparityResult(
        value, float(lo), float(hi), status, method, worst, attained, n_cmp, cmp.excluded, reason,
        pair if attained else [], decider + sfx if attained else None,
        ("upper" if kind == "ratio" else "lower") if alone else None,
    )  # fmt: skip


def _undefined_why(kind: str, group_pt: dict[str, np.ndarray]) -> str:
    """Why a disparity has no value: a ratio of rates that are 0 in every compared group
    (defined, and equal: only their ratio is not), else a rate undefined in every group."""
    finite = [v[np.isfinite(v)] for v in group_pt.values()]
    if kind == "ratio" and any(len(v) for v in finite) and all((v == 0).all() for v in finite):
        verb = "is" if len(group_pt) == 1 else "are"
        return ZERO_RATES.format(rates=" and ".join(group_pt), verb=verb)
    return ALL_UNDEFINED


def disparity_of(cmp: Compared, key: str, method: str) -> DisparityResult:
    """The disparity ``key`` (a name in DISPARITIES with its class view's ``@<class>``
    suffix, as :func:`feature_disparities` keys it) by ``method`` over ``cmp``'s groups.
    Raises ``KeyError`` for a name or method it does not know."""
    name, at, view = key.partition("@")
    if name not in DISPARITIES or method not in METHODS:
        raise KeyError(key)
    return _disparity(cmp, name, method, at + view)


def feature_disparities(
    cmp: Compared, views: list[tuple[int, str]]
) -> dict[str, dict[str, DisparityResult]]:
    out: dict[str, dict[str, DisparityResult]] = {}
    for view_index, (_, suffix) in enumerate(views):
        for dname, (components, _kind) in DISPARITIES.items():
            class_free = components == ("accuracy",)
            if class_free and view_index > 0:
                continue  # accuracy does not depend on the class view: once
            sfx = "" if class_free else suffix
            out[dname + sfx] = {m: _disparity(cmp, dname, m, sfx) for m in METHODS}
    return out


def _attribution(
    dname: str, group_pt: dict, over_pt: dict, names: list[str], method: str, sfx: str,
    positive_favourable: bool,
) -> tuple[str | None, list[str], str, str | None]:  # fmt: skip
    """worst-off group (by the metric's direction for the person, see
    :func:`~auditor.fairness.metrics.worse_off_direction`; None where the groups are level),
    the group(s) the value comes from, the component rate that decides it (equalized odds:
    TPR or FPR, whichever gap is larger), and a note: the groups are level, or which tie as
    the worst off."""
    components, kind = DISPARITIES[dname]
    best_c, best_gap = components[0], -np.inf
    for c in components:
        m = group_pt[c + sfx]
        if np.all(np.isnan(m)):
            continue
        gap = (
            (np.nanmax(m) - np.nanmin(m))
            if method == "between_groups"
            else np.nanmax(np.abs(m - over_pt[c + sfx]))
        )
        if gap > best_gap:
            best_c, best_gap = c, gap
    m = group_pt[best_c + sfx]
    if np.all(np.isnan(m)):
        return None, [], best_c, None
    rates = [c + sfx for c in components]
    if _level(group_pt, rates):
        some_undefined = any(np.isnan(group_pt[c]).any() for c in rates)
        worst = None
        said = LEVEL_DEFINED if some_undefined else LEVEL
        if method == "to_overall" and not _level_with(group_pt, over_pt, rates):
            said = LEVEL_OFF_OVERALL
        note = said.format(rates=" and ".join(rates))
    else:
        direction = worse_off_direction(best_c, positive_favourable=positive_favourable)
        worst, note = _worst(m, names, direction, best_c + sfx)
    if method == "between_groups":
        lo, hi = int(np.nanargmin(m)), int(np.nanargmax(m))
        if lo == hi:  # every group ties (a gap of 0): name two of them, not one twice
            hi = next((int(i) for i in np.flatnonzero(~np.isnan(m)) if i != lo), hi)
        attained = [names[lo], names[hi]]
    else:
        attained = [names[int(np.nanargmax(np.abs(m - over_pt[best_c + sfx])))]]
    return worst, attained, best_c, note
