"""The fairness audit over a :class:`~auditor.fairness.counts.CountsTable`.

Per group (each sensitive feature and each intersection): the metrics of
:mod:`auditor.fairness.metrics` with percentile bootstrap intervals; per feature: fairlearn's
disparities between groups and to the overall value, with intervals and the worst-off group.

The bootstrap is stratified by group and resamples each group's confusion counts
(multinomial with the group's n and observed cell shares), which is the row bootstrap
within each group, done in O(B x groups x classes^2) whatever the number of rows.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from auditor.fairness.counts import CountsTable
from auditor.fairness.metrics import (
    BINARY_METRICS,
    DISPARITIES,
    METHODS,
    UNDEFINED_REASON,
    MetricArrays,
    all_metrics,
    class_views,
    disparity,
    metric_direction,
)

CI_METHOD = (
    "percentile bootstrap, stratified by group: multinomial resampling of each group's "
    "confusion counts (equivalent to resampling the group's rows)"
)


@dataclass(frozen=True)
class Estimate:
    """A number with its interval and the count it is a share of (NaN -> null + reason)."""

    value: float
    ci_low: float
    ci_high: float
    n: int
    reason: str | None = None


@dataclass(frozen=True)
class GroupResult:
    group: str
    values: dict[str, str]
    n: int
    status: str  # "ok" | "insufficient_data"
    metrics: dict[str, Estimate]
    reason: str | None = None


@dataclass(frozen=True)
class DisparityResult:
    value: float
    ci_low: float
    ci_high: float
    status: str  # "ok" | "insufficient_data" | "undefined"
    method: str
    worst_group: str | None
    attained_by: list[str]
    n_groups_compared: int
    excluded_groups: list[str]
    reason: str | None = None
    # The smallest count behind the value: the denominator of the deciding rate (e.g. a
    # group's positives for a true positive rate) in the group(s) the value is attained by.
    # A gate gives no verdict below its minimum count.
    n: int | None = None
    n_source: str | None = None


@dataclass(frozen=True)
class FeatureResult:
    name: str
    components: list[str]
    kind: str  # "feature" | "intersection"
    n_groups: int
    n_insufficient: int
    groups: list[GroupResult]
    disparities: dict[str, dict[str, DisparityResult]]


@dataclass(frozen=True)
class FairnessResult:
    n: int
    classes: list[str]
    positive_class: str | None
    min_group_size: int
    n_boot: int
    ci_level: float
    seed: int
    overall: dict[str, Estimate]
    features: dict[str, FeatureResult]
    metric_definitions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def spec_name(spec: Sequence[str]) -> str:
    return " & ".join(spec)


def bootstrap_counts(counts: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(G, K, K) counts -> (B, G, K, K): each group's cells redrawn multinomially, n fixed."""
    g, k, _ = counts.shape
    n = counts.sum(axis=(1, 2))
    flat = counts.reshape(g, k * k).astype(float)
    p = np.where(n[:, None] > 0, flat / np.maximum(n, 1)[:, None], 1.0 / (k * k))
    p = p / p.sum(axis=1, keepdims=True)  # exact sums for numpy's check
    return rng.multinomial(n, p, size=(n_boot, g)).reshape(n_boot, g, k, k)


def _quantiles(boot: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0 (NaN replicates skipped; all-NaN -> NaN)."""
    if boot.shape[0] == 0:
        nan = np.full(boot.shape[1:], np.nan)
        return nan, nan
    a = (1 - level) / 2
    with warnings.catch_warnings():  # all-NaN columns give NaN, quietly
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanquantile(boot, [a, 1 - a], axis=0)
    return lo, hi


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _estimates(
    point: MetricArrays, boot: MetricArrays | None, level: float, index
) -> dict[str, Estimate]:
    out = {}
    for name, values in point.values.items():
        v = float(values[index])
        den = int(point.denominators[name][index])
        if boot is not None:
            lo, hi = _quantiles(boot.values[name][:, index][:, None], level)
            lo, hi = float(lo[0]), float(hi[0])
        else:
            lo = hi = float("nan")
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


def _feature_disparities(
    point: MetricArrays,
    overall: MetricArrays,
    boot: MetricArrays | None,
    boot_overall: MetricArrays | None,
    labels: list[str],
    eligible: np.ndarray,
    views,
    level: float,
) -> dict[str, dict[str, DisparityResult]]:
    idx = np.flatnonzero(eligible)
    names = [labels[i] for i in idx]
    excluded = [labels[i] for i in np.flatnonzero(~eligible)]
    out: dict[str, dict[str, DisparityResult]] = {}
    for view_index, (_, suffix) in enumerate(views):
        for dname, (components, _kind) in DISPARITIES.items():
            class_free = components == ("accuracy",)
            if class_free and view_index > 0:
                continue  # accuracy does not depend on the class view: once
            sfx = "" if class_free else suffix
            key = dname + sfx
            group_pt = {c + sfx: point.values[c + sfx][idx] for c in components}
            over_pt = {c + sfx: overall.values[c + sfx][0] for c in components}
            per_method = {}
            for method in METHODS:
                if len(idx) < 2:
                    per_method[method] = DisparityResult(
                        float("nan"),
                        float("nan"),
                        float("nan"),
                        "insufficient_data",
                        method,
                        None,
                        [],
                        len(idx),
                        excluded,
                        f"fewer than 2 groups with enough data ({len(idx)} of {len(labels)})",
                    )
                    continue
                value = float(disparity(dname, group_pt, over_pt, method, sfx))
                lo = hi = float("nan")
                if boot is not None and not np.isnan(value):
                    gb = {c + sfx: boot.values[c + sfx][:, idx] for c in components}
                    ob = {c + sfx: boot_overall.values[c + sfx][:, 0] for c in components}
                    b = disparity(dname, gb, ob, method, sfx)
                    lo_a, hi_a = _quantiles(b[:, None], level)
                    lo, hi = float(lo_a[0]), float(hi_a[0])
                worst, attained, decider = _attribution(
                    dname, group_pt, over_pt, names, method, sfx
                )
                status, reason = "ok", None
                if np.isnan(value):
                    status, reason = "undefined", "the metric is undefined in every compared group"
                n_min, n_source = _smallest_count(point, decider + sfx, idx, names, attained)
                per_method[method] = DisparityResult(
                    value, lo, hi, status, method, worst, attained, len(idx), excluded, reason,
                    n_min, n_source,
                )  # fmt: skip
            out[key] = per_method
    return out


# What the denominator of each rate counts, for the words beside a disparity's count.
_DENOMINATOR_WORDS = {
    "n": "rows",
    "predicted_positive": "predicted positives",
    "positive": "positives",
    "negative": "negatives",
    "f1_support": "rows that are positive or predicted positive",
}


def _smallest_count(
    point: MetricArrays, metric: str, idx: np.ndarray, names: list[str], attained: list[str]
) -> tuple[int | None, str | None]:
    """The smallest denominator of ``metric`` among the groups a disparity is attained by,
    and which group and rate it is."""
    if not attained:
        return None, None
    dens = point.denominators[metric][idx]
    n, group = min((int(dens[names.index(g)]), g) for g in attained)
    words = _DENOMINATOR_WORDS[_denominator_kind(metric)]
    words = words[:-1] if n == 1 and words.endswith("s") else words
    return n, f"{group}: {metric.split('@')[0]} on {n:,} {words}"


def _denominator_kind(metric: str) -> str:
    """What a metric's denominator counts (a key of _DENOMINATOR_WORDS)."""
    base = metric.split("@")[0]
    return BINARY_METRICS[base][2] if base in BINARY_METRICS else "n"


def _attribution(
    dname: str, group_pt: dict, over_pt: dict, names: list[str], method: str, sfx: str
) -> tuple[str | None, list[str], str]:
    """worst-off group (by the metric's direction), the group(s) the value comes from, and
    the component rate that decides it (equalized odds: TPR or FPR)."""
    components, kind = DISPARITIES[dname]
    # The component that decides the value (equalized odds: TPR or FPR, whichever is worse).
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
    worst = _worst(m, names, metric_direction(best_c))
    if method == "between_groups":
        attained = [names[int(np.nanargmin(m))], names[int(np.nanargmax(m))]]
    else:
        attained = [names[int(np.nanargmax(np.abs(m - over_pt[best_c + sfx])))]]
    return worst, attained, best_c


def audit_counts(
    table: CountsTable,
    *,
    specs: Sequence[Sequence[str]],
    positive: int | None,
    min_group_size: int = 30,
    n_boot: int = 1000,
    ci_level: float = 0.95,
    seed: int = 0,
) -> FairnessResult:
    """Per-group metrics and disparities, with intervals, for every spec (a feature or an
    intersection of features). ``positive``: index of the positive class (binary), or None."""
    views = class_views(table.class_names, positive)
    full = table.counts.reshape(-1, *table.counts.shape[-2:]).sum(axis=0)[None]
    overall_pt = all_metrics(full, views)
    overall_boot = (
        all_metrics(bootstrap_counts(full, n_boot, _rng(seed, "overall")), views)
        if n_boot
        else None
    )
    overall = _estimates(overall_pt, overall_boot, ci_level, 0)
    features = {}
    for spec in specs:
        name = spec_name(spec)
        labels, counts = table.marginal(spec)
        label_str = [spec_name(x) for x in labels]
        point = all_metrics(counts, views)
        n = counts.sum(axis=(1, 2))
        eligible = n >= min_group_size
        boot = boot_over = None
        if n_boot:
            cb = bootstrap_counts(counts, n_boot, _rng(seed, name))
            boot = all_metrics(cb, views)
            boot_over = all_metrics(cb.sum(axis=1)[:, None], views)
        groups = []
        for i, values in enumerate(labels):
            ok = bool(eligible[i])
            reason = (
                None if ok else f"n = {int(n[i])} is below the minimum group size {min_group_size}"
            )
            groups.append(
                GroupResult(
                    group=label_str[i],
                    values=dict(zip(spec, values, strict=True)),
                    n=int(n[i]),
                    status="ok" if ok else "insufficient_data",
                    metrics=_estimates(point, boot, ci_level, i),
                    reason=reason,
                )
            )
        disp = _feature_disparities(
            point, overall_pt, boot, boot_over, label_str, eligible, views, ci_level
        )
        features[name] = FeatureResult(
            name=name,
            components=list(spec),
            kind="feature" if len(spec) == 1 else "intersection",
            n_groups=len(labels),
            n_insufficient=int((~eligible).sum()),
            groups=groups,
            disparities=disp,
        )
    definitions = {k: v[0] for k, v in BINARY_METRICS.items()}
    definitions.update(
        {
            "count": "rows in the group",
            "accuracy": "share of rows predicted correctly",
            "balanced_accuracy": "mean recall over the classes present in the group",
        }
    )
    binary = positive is not None and len(table.class_names) == 2
    return FairnessResult(
        n=table.n,
        classes=list(table.class_names),
        positive_class=table.class_names[positive] if binary else None,
        min_group_size=min_group_size,
        n_boot=n_boot,
        ci_level=ci_level,
        seed=seed,
        overall=overall,
        features=features,
        metric_definitions=definitions,
    )


def resolve_specs(features: Sequence[str], intersections) -> list[tuple[str, ...]]:
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
