"""The fairness audit over a :class:`~auditor.fairness.counts.CountsTable`.

Per group (each sensitive feature and each intersection): the metrics of
:mod:`auditor.fairness.metrics` with score intervals; per feature: fairlearn's disparities
between groups and to the overall value (:mod:`auditor.fairness.disparities`).

A combination of values that no row has (an empty cell of an intersection, an unused
category) is not a group: it is not listed, as the per-group scores do not list it (the card
names an intersection's empty cells). A group with fewer rows than ``min_group_size`` is
reported (its metrics and intervals) but left out of the disparities; it never takes the
verdict away from the groups that have data.
A compared group with few positives (or negatives, or predicted positives) stays in: its
rate's interval is wide, and the gap's interval carries that uncertainty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from auditor.fairness.counts import CountsTable
from auditor.fairness.disparities import Compared, DisparityResult, feature_disparities
from auditor.fairness.intervals import (
    DEFAULT_RATE_METHOD,
    Bounds,
    ci_method,
    metric_bounds,
)
from auditor.fairness.metrics import (
    BINARY_METRICS,
    UNDEFINED_REASON,
    MetricArrays,
    all_metrics,
    class_views,
)
from auditor.results import plain

CI_METHOD = ci_method()
BELOW_MIN = "n = {n} is below the minimum group size {min}"


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
        return plain(self)  # asdict without its deep copy of every number


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


def _denominator_kind(metric: str) -> str:
    """What a metric's denominator counts (a key of UNDEFINED_REASON)."""
    base = metric.split("@")[0]
    return BINARY_METRICS[base][2] if base in BINARY_METRICS else "n"


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
    n = counts.sum(axis=(1, 2))
    have = np.flatnonzero(n)  # a combination no row has is no group
    labels, counts, n = [labels[i] for i in have], counts[have], n[have]
    label_str = [spec_name(x) for x in labels]
    point = all_metrics(counts, views)
    bounds = metric_bounds(point, counts, level=level, method=method)
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
    cmp = Compared(
        point, overall, idx, [label_str[i] for i in idx],
        [label_str[i] for i in np.flatnonzero(~eligible)], len(labels), level, method,
        positive_favourable, min_group_size,
    )  # fmt: skip
    return FeatureResult(
        name=spec_name(spec),
        components=list(spec),
        kind="feature" if len(spec) == 1 else "intersection",
        n_groups=len(labels),
        n_insufficient=int((~eligible).sum()),
        groups=groups,
        disparities=feature_disparities(cmp, views),
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
