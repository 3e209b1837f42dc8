"""The fairness audit over a :class:`~auditor.fairness.counts.CountsTable`.

Per group (each sensitive feature and each intersection): the metrics of
:mod:`auditor.fairness.metrics` with score intervals; per feature: fairlearn's disparities
between groups and to the overall value, each with a simultaneous interval, the pair of
groups that sets it and the worst-off group (intervals: :mod:`auditor.fairness.intervals`).

A group with fewer rows than ``min_group_size`` is reported (its metrics and intervals) but
left out of the disparities; it never takes the verdict away from the groups that have data.
A compared group with few positives (or negatives, or predicted positives) stays in: its
rate's interval is wide, and the gap's interval carries that uncertainty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from auditor.fairness.counts import CountsTable
from auditor.fairness.intervals import (
    DEFAULT_RATE_METHOD,
    Bounds,
    ci_method,
    gap_interval,
    metric_bounds,
    ratio_interval,
    to_overall_interval,
)
from auditor.fairness.metrics import (
    BINARY_METRICS,
    DISPARITIES,
    METHODS,
    UNDEFINED_REASON,
    MetricArrays,
    all_metrics,
    class_views,
    disparity,
    worse_off_direction,
)

CI_METHOD = ci_method()
TOO_FEW_GROUPS = "{n} of the {total} groups {verb} enough data (min_group_size rows); a gap needs 2"
ALL_UNDEFINED = "the metric is undefined in every compared group"
ONE_DEFINED = "fewer than 2 compared groups have a defined {rates}"
PART_DEFINED = "fewer than 2 compared groups have a defined {rates}: the gap is the other rate's"
BELOW_MIN = "n = {n} is below the minimum group size {min}"
OVERALL = "overall"


@dataclass(frozen=True)
class Estimate:
    """A number with its interval and the count it is a share of. Undefined values and
    intervals are NaN in memory and null in audit.json (``reason`` says why)."""

    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    reason: str | None = None


@dataclass(frozen=True)
class GroupResult:
    group: str
    values: dict[str, str]
    n: int
    status: Literal["ok", "insufficient_data"]
    metrics: dict[str, Estimate]
    reason: str | None = None


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


@dataclass(frozen=True)
class FeatureResult:
    name: str
    components: list[str]
    kind: Literal["feature", "intersection"]
    n_groups: int
    n_insufficient: int
    groups: list[GroupResult]
    disparities: dict[str, dict[str, DisparityResult]]


@dataclass(frozen=True)
class FairnessResult:
    """``positive_class``: the class the binary rates are of; ``favourable_class``: the class
    a person wants, when declared (None: the positive one); ``positive_favourable``: whether
    the positive prediction is the favourable outcome (it decides who is worst off)."""

    n: int
    classes: list[str]
    positive_class: str | None
    min_group_size: int
    ci_level: float
    seed: int
    overall: dict[str, Estimate]
    features: dict[str, FeatureResult]
    metric_definitions: dict[str, str] = field(default_factory=dict)
    ci_method: str = CI_METHOD
    favourable_class: str | None = None
    positive_favourable: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def spec_name(spec: Sequence[str]) -> str:
    return " & ".join(spec)


def _estimates(point: MetricArrays, bounds: Bounds, index: int) -> dict[str, Estimate]:
    out = {}
    for name, values in point.values.items():
        v = float(values[index])
        den = int(point.denominators[name][index])
        lo, hi = (float(b[index]) for b in bounds[name])
        reason = None
        if np.isnan(v):
            lo = hi = float("nan")
            reason = UNDEFINED_REASON[_denominator_kind(name)]
        out[name] = Estimate(v, lo, hi, den, reason)
    return out


def _worst(values: np.ndarray, names: list[str], higher_better: bool) -> str | None:
    if np.all(np.isnan(values)):
        return None
    i = int(np.nanargmin(values) if higher_better else np.nanargmax(values))
    return names[i]


@dataclass(frozen=True)
class _Compared:
    """The groups a feature's disparities compare, with their counts and the overall's."""

    point: MetricArrays  # every group of the feature
    overall: MetricArrays  # all rows, one group
    idx: np.ndarray  # indices of the compared (large enough) groups
    names: list[str]  # their labels
    excluded: list[str]
    n_labels: int
    level: float
    method: str
    positive_favourable: bool = True

    def families(self, components: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        p = self.point
        return [(p.numerators[c][self.idx], p.denominators[c][self.idx]) for c in components]

    def totals(self, components: Sequence[str]) -> list[tuple[float, float]]:
        o = self.overall
        return [(float(o.numerators[c][0]), float(o.denominators[c][0])) for c in components]


def _interval(cmp: _Compared, kind: str, method: str, comps: list[str]) -> tuple[float, float]:
    fam = cmp.families(comps)
    kw = {"level": cmp.level, "method": cmp.method}
    if kind == "ratio":
        totals = cmp.totals(comps) if method == "to_overall" else None
        return ratio_interval(fam, totals, **kw)
    if method == "to_overall":
        return to_overall_interval(fam, cmp.totals(comps), **kw)
    return gap_interval(fam, **kw)


def _disparity(cmp: _Compared, dname: str, method: str, sfx: str) -> DisparityResult:
    components, kind = DISPARITIES[dname]
    comps = [c + sfx for c in components]
    n_cmp = len(cmp.idx)
    if n_cmp < 2:
        verb = "has" if n_cmp == 1 else "have"
        reason = TOO_FEW_GROUPS.format(n=n_cmp, total=cmp.n_labels, verb=verb)
        nan = float("nan")
        return DisparityResult(nan, nan, nan, "insufficient_data", method, None, [], n_cmp,
                               cmp.excluded, reason)  # fmt: skip
    group_pt = {c: cmp.point.values[c][cmp.idx] for c in comps}
    over_pt = {c: cmp.overall.values[c][0] for c in comps}
    value = float(disparity(dname, group_pt, over_pt, method, sfx))
    lo = hi = float("nan")
    status, reason = "ok", None
    if np.isnan(value):
        status, reason = "undefined", ALL_UNDEFINED
    else:
        lo, hi = _interval(cmp, kind, method, comps)
        if np.isnan(lo):  # e.g. TPR defined in one group only: nothing is compared
            status, reason = "insufficient_data", ONE_DEFINED.format(rates=" or ".join(comps))
        else:  # the bounds contain the value; this only undoes floating-point rounding
            lo, hi = min(lo, value), max(hi, value)
            alone = [c for c in comps if np.isfinite(group_pt[c]).sum() < 2]  # e.g. no negatives
            reason = PART_DEFINED.format(rates=" or ".join(alone)) if alone else None
    worst, attained, decider = _attribution(
        dname, group_pt, over_pt, cmp.names, method, sfx, cmp.positive_favourable
    )
    pair = attained if method == "between_groups" else [*attained, OVERALL]
    return DisparityResult(
        value, float(lo), float(hi), status, method, worst, attained, n_cmp, cmp.excluded, reason,
        pair if attained else [], decider + sfx if attained else None,
    )  # fmt: skip


def _feature_disparities(
    cmp: _Compared, views: list[tuple[int, str]]
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


def _denominator_kind(metric: str) -> str:
    """What a metric's denominator counts (a key of UNDEFINED_REASON)."""
    base = metric.split("@")[0]
    return BINARY_METRICS[base][2] if base in BINARY_METRICS else "n"


def _attribution(
    dname: str, group_pt: dict, over_pt: dict, names: list[str], method: str, sfx: str,
    positive_favourable: bool,
) -> tuple[str | None, list[str], str]:  # fmt: skip
    """worst-off group (by the metric's direction for the person, see
    :func:`~auditor.fairness.metrics.worse_off_direction`), the group(s) the value comes
    from, and the component rate that decides it (equalized odds: TPR or FPR, whichever gap
    is larger)."""
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
        return None, [], best_c
    worst = _worst(m, names, worse_off_direction(best_c, positive_favourable=positive_favourable))
    if method == "between_groups":
        lo, hi = int(np.nanargmin(m)), int(np.nanargmax(m))
        if lo == hi:  # every group ties (a gap of 0): name two of them, not one twice
            hi = next((int(i) for i in np.flatnonzero(~np.isnan(m)) if i != lo), hi)
        attained = [names[lo], names[hi]]
    else:
        attained = [names[int(np.nanargmax(np.abs(m - over_pt[best_c + sfx])))]]
    return worst, attained, best_c


def _feature(
    table: CountsTable,
    spec: Sequence[str],
    overall: MetricArrays,
    views: list[tuple[int, str]],
    *,
    min_group_size: int,
    level: float,
    method: str,
    positive_favourable: bool,
) -> FeatureResult:
    labels, counts = table.marginal(spec)
    label_str = [spec_name(x) for x in labels]
    point = all_metrics(counts, views)
    bounds = metric_bounds(point, counts, level=level, method=method)
    n = counts.sum(axis=(1, 2))
    eligible = n >= min_group_size
    groups = []
    for i, values in enumerate(labels):
        ok = bool(eligible[i])
        groups.append(
            GroupResult(
                group=label_str[i],
                values=dict(zip(spec, values, strict=True)),
                n=int(n[i]),
                status="ok" if ok else "insufficient_data",
                metrics=_estimates(point, bounds, i),
                reason=None if ok else BELOW_MIN.format(n=int(n[i]), min=min_group_size),
            )
        )
    idx = np.flatnonzero(eligible)
    cmp = _Compared(
        point, overall, idx, [label_str[i] for i in idx],
        [label_str[i] for i in np.flatnonzero(~eligible)], len(labels), level, method,
        positive_favourable,
    )  # fmt: skip
    return FeatureResult(
        name=spec_name(spec),
        components=list(spec),
        kind="feature" if len(spec) == 1 else "intersection",
        n_groups=len(labels),
        n_insufficient=int((~eligible).sum()),
        groups=groups,
        disparities=_feature_disparities(cmp, views),
    )


def audit_counts(
    table: CountsTable,
    *,
    specs: Sequence[Sequence[str]],
    positive: int | None,
    min_group_size: int = 30,
    ci_level: float = 0.95,
    seed: int = 0,
    rate_method: str = DEFAULT_RATE_METHOD,
    favourable: int | None = None,
) -> FairnessResult:
    """Per-group metrics and disparities, with intervals, for every spec (a feature or an
    intersection of features). ``positive``: index of the positive class (binary), or None.

    ``rate_method``: "wilson" (default), "jeffreys" or "clopper-pearson" for the per-group
    rates (the gaps' pairwise intervals build on it); every interval is analytic, and
    ``seed`` is recorded, no draw is made. ``favourable``: index of the class a person wants
    (None: the positive one); when it is not the positive class, the worst-off group of a
    flagged rate (selection rate, TPR, FNR) is the one flagged most often.
    """
    binary = positive is not None and len(table.class_names) == 2
    positive_favourable = favourable is None or not binary or favourable == positive
    views = class_views(table.class_names, positive)
    full = table.confusion()[None]
    overall_pt = all_metrics(full, views)
    overall_bounds = metric_bounds(overall_pt, full, level=ci_level, method=rate_method)
    features = {
        spec_name(spec): _feature(
            table,
            spec,
            overall_pt,
            views,
            min_group_size=min_group_size,
            level=ci_level,
            method=rate_method,
            positive_favourable=positive_favourable,
        )
        for spec in specs
    }
    definitions = {k: v[0] for k, v in BINARY_METRICS.items()}
    definitions.update(
        {
            "count": "rows in the group",
            "accuracy": "share of rows predicted correctly",
            "balanced_accuracy": "mean recall over the classes present in the group",
        }
    )
    return FairnessResult(
        n=table.n,
        classes=list(table.class_names),
        positive_class=table.class_names[positive] if binary else None,
        min_group_size=min_group_size,
        ci_level=ci_level,
        seed=seed,
        overall=_estimates(overall_pt, overall_bounds, 0),
        features=features,
        metric_definitions=definitions,
        ci_method=ci_method(rate_method),
        favourable_class=table.class_names[favourable] if favourable is not None else None,
        positive_favourable=positive_favourable,
    )


def resolve_specs(
    features: Sequence[str], intersections: str | Sequence[Sequence[str]]
) -> list[tuple[str, ...]]:
    """Single features, then intersections: "pairs" (all pairs), "none", or explicit lists."""
    specs: list[tuple[str, ...]] = [(f,) for f in features]
    if intersections == "pairs":
        specs += [(a, b) for i, a in enumerate(features) for b in features[i + 1 :]]
    elif intersections != "none":
        for combo in intersections:
            t = tuple(combo)
            if t not in specs:
                specs.append(t)
    return specs
