"""Confidence intervals of per-group rates and of the gaps between groups, from counts.

Rates (selection rate, TPR, FPR, precision, accuracy, ...) are binomial shares ``k / n`` of a
group's rows: their interval is a score interval (Wilson by default, with Brown, Cai &
DasGupta's ends at 0 to 10 successes or failures,
:func:`auditor.audit_tree.read.poisson_ends`; Jeffreys and
Clopper-Pearson as options) from statsmodels' ``proportion_confint``. It behaves at 0, 1 and
small n: never zero width at n > 0, always contains k / n, stays in [0, 1]. F1 is a monotone
function of the share ``TP / (TP + FP + FN)``, so its interval is that share's interval
mapped through ``2 j / (1 + j)``; balanced accuracy (a mean of class recalls from disjoint
rows) combines its recalls' intervals by MOVER (Zou & Donner 2008).

Gaps between groups (fairlearn's ``difference(method="between_groups")`` = max - min over
the groups of a rate; equalized odds = the larger of the TPR and FPR gaps) get an interval
from *simultaneous* intervals of every pairwise difference: Newcombe's hybrid score interval
(method 10, built from the two groups' Wilson intervals) at level ``1 - alpha / M``, where M
counts the pairs over every rate the gap is made of (Bonferroni across pairs and across TPR
and FPR). If every pairwise interval covers, the gap ``max |p_i - p_j|`` lies in
``[max(0, max_ij L_ij), max_ij U_ij]``, so the gap's coverage is at least ``1 - alpha``
whatever the truth: ties between TPR and FPR, zero gaps and small groups included (a
bootstrap of max - min is biased upward there, see issue 11). The point estimate stays
fairlearn's.

Gaps to the overall value use the identity ``p_g - p_all = (n_rest / n_all) (p_g - p_rest)``
(the overall rate pools the group with the rest of the rows), so each is a scaled Newcombe
difference of two disjoint samples, again simultaneous over groups and rates. Ratios (min /
max, or a group's rate over the overall one, folded to <= 1) come from simultaneous
(Bonferroni) score intervals of each group's rate and of the overall rate: the ratio of the
boxes' corners bounds the ratio, a conservative interval that is valid at zero counts where a
log-ratio's variance is not.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from auditor.audit_tree.read import bounded_ends, wilson_bounds
from auditor.fairness.metrics import MetricArrays

# Score interval of a binomial share: our name -> statsmodels' method name.
RATE_METHODS: dict[str, str] = {
    "wilson": "wilson",
    "jeffreys": "jeffreys",
    "clopper-pearson": "beta",
}
DEFAULT_RATE_METHOD = "wilson"
UNKNOWN_METHOD = "unknown interval method {method!r}; choose one of {choices}"

GROUP_METHOD = {
    "wilson": (
        "Wilson score interval, Brown-Cai-DasGupta's at the ends (the exact end at 0 "
        "successes, the Poisson end at 1 to 10, and likewise at n)"
    ),
    "jeffreys": (
        "Jeffreys interval (equal-tailed, 0 and 1 at the boundaries; the exact end at 0 "
        "successes and the Poisson end at 1 to 10, and likewise at n)"
    ),
    "clopper-pearson": "Clopper-Pearson exact interval",
}
GAP_METHOD = (
    "gaps between groups: simultaneous Newcombe hybrid score intervals of every pairwise "
    "difference (Bonferroni over the pairs and over the rates a gap is made of; lower = "
    "largest pairwise lower bound of |difference|, floored at 0; upper = largest pairwise "
    "upper bound); gaps to overall: the same for each group against the rest of the rows, "
    "scaled by the rest's share; ratios: ratio of simultaneous score intervals"
)

Family = tuple[np.ndarray, np.ndarray]  # (numerators k, denominators n), each (G,)


def ci_method(rate_method: str = DEFAULT_RATE_METHOD) -> str:
    """How the intervals of a fairness result were computed, in words."""
    return (
        f"per group: {GROUP_METHOD[rate_method]} of each rate (F1 through TP / (TP + FP + FN), "
        f"balanced accuracy by MOVER over its class recalls); {GAP_METHOD}"
    )


def rate_interval(
    k: np.ndarray,
    n: np.ndarray,
    *,
    level: float = 0.95,
    method: str = DEFAULT_RATE_METHOD,
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided interval of the share ``k / n``, elementwise (any shape; n == 0 -> NaN).

    The bounds always contain ``k / n`` (Jeffreys' lower bound is set to 0 at k = 0 and its
    upper bound to 1 at k = n, the usual boundary fix) and lie in [0, 1].
    """
    if method not in RATE_METHODS:
        raise ValueError(UNKNOWN_METHOD.format(method=method, choices=", ".join(RATE_METHODS)))
    k, n = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    ok = n > 0
    safe_n = np.where(ok, n, 1.0)
    safe_k = np.where(ok, k, 0.0)
    if method == "wilson":  # closed form: no statsmodels / scipy.stats import on this path
        lo, hi = wilson_bounds(safe_k, safe_n, level=level)
    else:
        from statsmodels.stats.proportion import proportion_confint  # heavy: scipy.stats

        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = proportion_confint(safe_k, safe_n, alpha=1.0 - level,
                                        method=RATE_METHODS[method])  # fmt: skip
    lo, hi = bounded_ends(safe_k, safe_n, lo, hi, level, exact=method == "clopper-pearson")
    return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)


def f1_of_share(j: np.ndarray) -> np.ndarray:
    """F1 = 2 j / (1 + j) of j = TP / (TP + FP + FN): maps j's interval to F1's (monotone)."""
    return 2 * j / (1 + j)


def mean_interval(
    values: np.ndarray, lows: np.ndarray, highs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """MOVER interval of the mean over the last axis of independent estimates (NaN skipped).

    values, lows, highs: (..., K). The bounds contain the mean and lie between the mean of
    the lows and the mean of the highs.
    """
    ok = ~np.isnan(values)
    count = ok.sum(axis=-1)
    v = np.where(ok, values, 0.0)
    down = np.where(ok, values - lows, 0.0)
    up = np.where(ok, highs - values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = v.sum(axis=-1) / count
        lo = mean - np.sqrt((down**2).sum(axis=-1)) / count
        hi = mean + np.sqrt((up**2).sum(axis=-1)) / count
    return np.where(count > 0, lo, np.nan), np.where(count > 0, hi, np.nan)


def _defined(family: Family) -> np.ndarray:
    return np.asarray(family[1]) > 0


def n_pairs(families: Sequence[Family]) -> int:
    """The number of pairwise comparisons a between-groups gap over ``families`` makes."""
    m = [int(_defined(f).sum()) for f in families]
    return sum(g * (g - 1) // 2 for g in m)


def _newcombe(
    p1: np.ndarray,
    lu1: tuple[np.ndarray, np.ndarray],
    p2: np.ndarray,
    lu2: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval of p1 - p2 from each share's own interval."""
    (l1, u1), (l2, u2) = lu1, lu2
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


PAIR_BLOCK = 250_000  # pairwise differences held in memory at once


def _pairwise_bounds(family: Family, level: float, method: str) -> tuple[float, float]:
    """(max over ordered pairs of the lower bound of p_i - p_j, max of the upper bound).

    O(G^2) time over the defined groups, in row blocks so memory stays O(PAIR_BLOCK).
    """
    k, n = (np.asarray(a, dtype=float) for a in family)
    keep = n > 0
    k, n = k[keep], n[keep]
    g = len(n)
    if g < 2:
        return np.nan, np.nan
    p = k / n
    lo, hi = rate_interval(k, n, level=level, method=method)
    best_low, best_high = -np.inf, -np.inf
    step = max(1, PAIR_BLOCK // g)
    for start in range(0, g, step):
        rows = slice(start, min(g, start + step))
        low, high = _newcombe(
            p[rows, None], (lo[rows, None], hi[rows, None]), p[None, :], (lo[None, :], hi[None, :])
        )
        diagonal = np.arange(rows.start, rows.stop)
        low[diagonal - start, diagonal] = -np.inf  # a group against itself is no pair
        high[diagonal - start, diagonal] = -np.inf
        best_low, best_high = max(best_low, low.max()), max(best_high, high.max())
    return float(best_low), float(best_high)


def gap_interval(
    families: Sequence[Family],
    *,
    level: float = 0.95,
    method: str = DEFAULT_RATE_METHOD,
) -> tuple[float, float]:
    """Interval of ``max over families of (max - min over groups)`` of the families' rates.

    families: one (k, n) pair of (G,) arrays per rate (one for a plain gap; TPR and FPR for
    equalized odds); groups with n == 0 are skipped (their rate is undefined). Returns
    (NaN, NaN) when no family has two defined groups.
    """
    m = n_pairs(families)
    if m == 0:
        return np.nan, np.nan
    pair_level = 1.0 - (1.0 - level) / m
    lows, highs = [], []
    for family in families:
        low, high = _pairwise_bounds(family, pair_level, method)
        if not np.isnan(low):
            lows.append(low)
            highs.append(high)
    return max(0.0, max(lows)), min(1.0, max(highs))


def to_overall_interval(
    families: Sequence[Family],
    totals: Sequence[tuple[float, float]],
    *,
    level: float = 0.95,
    method: str = DEFAULT_RATE_METHOD,
) -> tuple[float, float]:
    """Interval of ``max over families and groups of |p_g - p_all|``.

    families: (k, n) per rate over the compared groups; totals: (k, n) of the same rate over
    all rows (the overall value). Each group is compared with the rest of the rows.
    """
    rows = []
    for (k, n), (k_all, n_all) in zip(families, totals, strict=True):
        k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
        keep = n > 0
        rows.append((k[keep], n[keep], float(k_all), float(n_all)))
    m = sum(len(r[1]) for r in rows)
    if m == 0:
        return np.nan, np.nan
    g_level = 1.0 - (1.0 - level) / m
    lows, highs = [], []
    for k, n, k_all, n_all in rows:
        if len(n) == 0:
            continue
        k_rest, n_rest = k_all - k, n_all - n
        has_rest = n_rest > 0
        p = k / n
        p_rest = np.where(has_rest, k_rest / np.where(has_rest, n_rest, 1), 0.0)
        k2, n2 = np.r_[k, np.where(has_rest, k_rest, 0)], np.r_[n, np.where(has_rest, n_rest, 1)]
        lo, hi = rate_interval(k2, n2, level=g_level, method=method)  # groups, then the rests
        g = len(n)
        low, high = _newcombe(p, (lo[:g], hi[:g]), p_rest, (lo[g:], hi[g:]))
        scale = np.where(has_rest, n_rest / n_all, 0.0)  # a group of all rows is the overall
        low, high = low * scale, high * scale
        lows.append(np.maximum(np.maximum(low, -high), 0.0).max())
        highs.append(np.maximum(np.abs(low), np.abs(high)).max())
    return max(lows), min(1.0, max(highs))


def _fold(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of min(r, 1 / r) for r in [lo, hi] (0 <= lo <= hi <= inf)."""
    with np.errstate(divide="ignore"):
        low = np.minimum(lo, 1.0 / hi)
        high = np.where(hi < 1, hi, np.where(lo > 1, 1.0 / np.maximum(lo, 1.0), 1.0))
    return low, high


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.inf)


def ratio_interval(
    families: Sequence[Family],
    totals: Sequence[tuple[float, float]] | None = None,
    *,
    level: float = 0.95,
    method: str = DEFAULT_RATE_METHOD,
) -> tuple[float, float]:
    """Interval of ``min over families of`` the rate's ratio between groups (min / max), or,
    with ``totals``, of the smallest group-to-overall ratio folded to <= 1.

    Simultaneous (Bonferroni) score intervals of every defined group's rate (and of the
    overall rates) bound the ratio by the ratio of their corners.
    """
    defined = [_defined(f) for f in families]
    m = sum(int(d.sum()) for d in defined) + (len(families) if totals is not None else 0)
    if m == 0 or all(d.sum() < (1 if totals is not None else 2) for d in defined):
        return np.nan, np.nan
    each = 1.0 - (1.0 - level) / m
    lows, highs = [], []
    for i, (k, n) in enumerate(families):
        keep = defined[i]
        lo, hi = rate_interval(np.asarray(k)[keep], np.asarray(n)[keep], level=each, method=method)
        if totals is None:
            if len(lo) < 2:
                continue
            lows.append(float(_ratio(lo.min(), hi.max())))
            highs.append(float(min(1.0, _ratio(hi.min(), lo.max()))))
            continue
        if len(lo) == 0:
            continue
        t_lo, t_hi = rate_interval(*totals[i], level=each, method=method)
        low, high = _fold(_ratio(lo, t_hi), _ratio(hi, t_lo))
        lows.append(float(low.min()))
        highs.append(float(high.min()))
    return min(lows), min(highs)


Bounds = dict[str, tuple[np.ndarray, np.ndarray]]


def metric_bounds(point: MetricArrays, counts: np.ndarray, *, level: float, method: str) -> Bounds:
    """name -> (low, high) arrays (G,) of every metric in ``point`` (count: no interval).

    counts: the (G, K, K) confusion counts ``point`` was computed from.
    """
    names = list(point.numerators)
    diag = np.diagonal(counts, axis1=-2, axis2=-1)  # (G, K): per-class hits, for the recalls
    support = counts.sum(axis=-1)
    k = np.concatenate([np.ravel(point.numerators[m]) for m in names] + [diag.ravel()])
    n = np.concatenate([np.ravel(point.denominators[m]) for m in names] + [support.ravel()])
    lo, hi = rate_interval(k, n, level=level, method=method)  # one call: statsmodels is slow
    g = counts.shape[0]
    out: Bounds = {}
    for i, name in enumerate(names):
        b = (lo[i * g : (i + 1) * g], hi[i * g : (i + 1) * g])
        out[name] = (f1_of_share(b[0]), f1_of_share(b[1])) if name.split("@")[0] == "f1" else b
    rl, rh = lo[len(names) * g :].reshape(diag.shape), hi[len(names) * g :].reshape(diag.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = np.where(support > 0, diag / np.where(support > 0, support, 1), np.nan)
    out["balanced_accuracy"] = mean_interval(recall, rl, rh)
    nan = np.full(g, np.nan)
    out["count"] = (nan, nan)
    return out
