"""ROC utilities for membership inference: counts at every threshold, TPR at a fixed FPR with
Clopper-Pearson intervals, AUC with a Hanley-McNeil score interval, a log-spaced curve for plots.

Convention: a higher score means "more likely a member"; a row is called a member when its
score is >= the threshold.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from auditor.results.score_intervals import auc_interval as score_auc_interval


def clopper_pearson(k: float, n: float, *, confidence: float = 0.95) -> tuple[float, float]:
    """Exact two-sided binomial interval for k successes in n trials; (nan, nan) for n = 0.
    k and n may be effective (non-whole) counts: the Beta quantiles take them as they are."""
    if n <= 0:
        return math.nan, math.nan
    from scipy.special import betaincinv  # the Beta quantile (scipy.stats.beta.ppf)

    a = 1.0 - confidence
    lo = 0.0 if k <= 0 else float(betaincinv(k, n - k + 1, a / 2))
    hi = 1.0 if k >= n else float(betaincinv(k + 1, n - k, 1 - a / 2))
    return lo, hi


def auc_interval(
    auc: float, n_pos: int, n_neg: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """The Hanley-McNeil score interval of a ROC AUC (the variance at the candidate AUC, not
    at the estimate): inside [0, 1], never zero width, an AUC of 1 on a handful of rows
    included; :func:`auditor.results.score_intervals.auc_interval`."""
    if not (n_pos and n_neg) or not math.isfinite(auc):
        return math.nan, math.nan
    return score_auc_interval(auc, n_pos, n_neg, level=confidence)


@dataclass(frozen=True)
class RocCounts:
    """thresholds: descending unique scores (first is +inf); tp/fp: members/non-members with
    score >= threshold, shapes (t,)."""

    thresholds: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    n_pos: int
    n_neg: int

    @property
    def tpr(self) -> np.ndarray:
        return self.tp / max(self.n_pos, 1)

    @property
    def fpr(self) -> np.ndarray:
        return self.fp / max(self.n_neg, 1)


NOT_A_SCORE = (
    "NaN membership scores ({n}): NaN sorts above +inf, so each would be read as the "
    "strongest member call (a leak that is not there)"
)


def _scores(values: np.ndarray) -> np.ndarray:
    """``values`` as float64, refused where one is NaN (no path gives one today: a model's NaN
    outputs are refused before the probes; this keeps one from reading as a leak)."""
    out = np.asarray(values, dtype=np.float64)
    bad = int(np.isnan(out).sum())
    if bad:
        raise ValueError(NOT_A_SCORE.format(n=bad))
    return out


def roc_counts(scores_in: np.ndarray, scores_out: np.ndarray) -> RocCounts:
    """Counts at every distinct threshold (the same points as sklearn's roc_curve with
    drop_intermediate=False)."""
    s_in = np.sort(_scores(scores_in))
    s_out = np.sort(_scores(scores_out))
    thr = np.unique(np.concatenate([s_in, s_out]))[::-1]
    thr = np.concatenate([[np.inf], thr])
    tp = len(s_in) - np.searchsorted(s_in, thr, side="left")
    fp = len(s_out) - np.searchsorted(s_out, thr, side="left")
    return RocCounts(thr, tp.astype(np.int64), fp.astype(np.int64), len(s_in), len(s_out))


def roc_auc(scores_in: np.ndarray, scores_out: np.ndarray) -> float:
    """P(member score > non-member score), ties half; NaN if a side is empty."""
    n1, n0 = len(scores_in), len(scores_out)
    if not (n1 and n0):
        return math.nan
    ranks = average_ranks(np.concatenate([_scores(scores_in), _scores(scores_out)]))
    return float((ranks[:n1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def average_ranks(a: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``a`` (n,), ties given their average rank (``scipy.stats.rankdata``'s
    default), float64."""
    a = np.asarray(a)
    order = np.argsort(a, kind="mergesort")
    sorted_a = a[order]
    # start of each run of equal values, and the average rank of the run
    starts = np.flatnonzero(np.r_[True, sorted_a[1:] != sorted_a[:-1]])
    ends = np.r_[starts[1:], len(a)]
    run_rank = (starts + 1 + ends) / 2.0
    ranks = np.empty(len(a), dtype=np.float64)
    ranks[order] = np.repeat(run_rank, ends - starts)
    return ranks


@dataclass(frozen=True)
class TprAtFpr:
    """The best TPR whose FPR is <= ``fpr_level``, with the counts behind it.

    resolvable: False when fewer than one false positive is allowed at this level
    (n_non_members * fpr_level < 1): the TPR is then the TPR at zero false positives."""

    fpr_level: float
    tpr: float
    fpr: float
    tp: int
    n_members: int
    fp: int
    n_non_members: int
    ci_low: float
    ci_high: float
    threshold: float
    resolvable: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def tpr_at_fpr(counts: RocCounts, fpr_level: float, *, confidence: float = 0.95) -> TprAtFpr:
    """The best TPR whose FPR on these non-members is <= ``fpr_level``, and an interval of the
    TPR at a true FPR of ``fpr_level`` (:func:`tpr_interval_at_fpr`)."""
    ok = np.flatnonzero(counts.fp <= fpr_level * counts.n_neg + 1e-9)
    j = ok[np.argmax(counts.tp[ok])] if len(ok) else 0
    tp, fp = int(counts.tp[j]), int(counts.fp[j])
    tpr = tp / counts.n_pos if counts.n_pos else math.nan
    lo, hi = tpr_interval_at_fpr(counts, fpr_level, confidence=confidence)
    return TprAtFpr(
        fpr_level=fpr_level,
        tpr=tpr,
        fpr=fp / counts.n_neg if counts.n_neg else math.nan,
        tp=tp,
        n_members=counts.n_pos,
        fp=fp,
        n_non_members=counts.n_neg,
        ci_low=min(lo, tpr),
        ci_high=max(hi, tpr),
        threshold=float(counts.thresholds[j]),
        resolvable=counts.n_neg * fpr_level >= 1,
    )


def tpr_interval_at_fpr(
    counts: RocCounts,
    fpr_level: float,
    *,
    confidence: float = 0.95,
    design_effects: tuple[float, float] = (1.0, 1.0),
) -> tuple[float, float]:
    """An interval of the population's TPR at the threshold t* whose true FPR is
    ``fpr_level``, which the non-members only estimate: (nan, nan) without members.

    The number c of non-members scoring >= t* is Binomial(n_non_members, fpr_level), so with
    probability 1 - a/4 at least c_lo of them do (and at most c_hi, likewise): t* is at most
    the c_lo-th largest non-member score and above the (c_hi + 1)-th. The TPR falls as the
    threshold rises, so the lower end is the Clopper-Pearson lower end (one-sided a/4) of the
    members strictly above the c_lo-th largest non-member score (0 where c_lo = 0; strictly:
    where scores tie, the true FPR at t* may be below the level), the upper end the
    Clopper-Pearson upper end of the members strictly above the (c_hi + 1)-th (t* is); a =
    1 - ``confidence``. Members and non-members are independent samples, so the two steps
    add their errors: each side misses at most a/2, whatever the score distributions.
    Clopper-Pearson at the chosen threshold alone (the interval before) ignored the
    threshold's own noise: at a true TPR of 0.10 at FPR 1%, a gate ``<= 0.10`` with
    confident-fail failed 20-26% of the time (266 to 5,000 rows a side), not 2.5%
    (tests/privacy/test_roc.py).

    ``design_effects``: (members', non-members') variance inflation where the scores are not
    independent (the pooled columns: one row in every attacked model,
    :mod:`auditor.privacy.pooled`): both steps then count n / deff effective trials, the
    non-members' ranks scaled back to the real ones (outward) and the members' fraction kept;
    (1, 1) is the independent interval above, unchanged."""
    n1, n0 = counts.n_pos, counts.n_neg
    if n1 <= 0:
        return math.nan, math.nan
    from scipy.special import bdtr  # the binomial CDF

    tail = (1.0 - confidence) / 4
    d1, d0 = (max(1.0, float(d)) for d in design_effects)
    e0 = max(1, int(n0 / d0)) if n0 else 0  # effective non-members (whole trials)
    scale, e1 = (n0 / e0 if e0 else 1.0), n1 / d1
    # the CDF of c where it can cross tail or 1 - tail: within 12 sd (+ 12) of its mean
    mean, sd = e0 * fpr_level, math.sqrt(e0 * fpr_level * (1 - fpr_level))
    start = max(0, int(mean - 12 * sd) - 12)
    ks = np.arange(start, min(e0, int(mean + 12 * sd) + 12) + 1)
    cdf = bdtr(ks, e0, fpr_level)  # n0 = 0: ks is [0], bdtr(0, 0, p) is 1
    c_lo = start + int(np.searchsorted(cdf, tail, side="right"))  # P(c < c_lo) <= tail
    c_hi = start + int(np.searchsorted(cdf, 1.0 - tail, side="left"))  # P(c > c_hi) <= tail
    r_lo = min(n0, math.floor(c_lo * scale + 1e-9))  # the ranks among the real non-members
    r_hi = math.ceil((c_hi + 1) * scale - 1e-9)
    each = 1.0 - 2 * tail  # two-sided level whose one side misses tail
    lo = 0.0
    if r_lo > 0:
        lo = clopper_pearson(_tp_above_rank(counts, r_lo) * e1 / n1, e1, confidence=each)[0]
    hi = 1.0
    if r_hi <= n0:
        hi = clopper_pearson(_tp_above_rank(counts, r_hi) * e1 / n1, e1, confidence=each)[1]
    return lo, hi


def _tp_above_rank(counts: RocCounts, c: int) -> int:
    """Members scoring strictly above the c-th largest non-member score (1 <= c <=
    n_non_members): the next threshold up, since a tie at it may be the FPR's step."""
    j = int(np.searchsorted(counts.fp, c, side="left"))  # fp is non-decreasing along the array
    return int(counts.tp[j - 1])  # j >= 1: thresholds[0] is +inf, fp 0


def log_curve(counts: RocCounts, *, points: int = 60) -> dict[str, list[float]]:
    """The ROC sampled at log-spaced FPRs from 1/n_non_members to 1 (for a log-log plot):
    at each FPR level, the best TPR with FPR <= that level."""
    if not (counts.n_pos and counts.n_neg):
        return {"fpr": [], "tpr": []}
    grid = np.unique(np.concatenate([np.geomspace(1 / counts.n_neg, 1.0, points), [1.0]]))
    fpr, tpr = counts.fpr, counts.tpr
    # running max of tpr over thresholds ordered by fpr (fpr is non-decreasing along the array)
    best = np.maximum.accumulate(tpr)
    idx = np.searchsorted(fpr, grid + 1e-12, side="right") - 1
    return {
        "fpr": [float(g) for g in grid],
        "tpr": [float(best[i]) if i >= 0 else 0.0 for i in idx],
    }


def best_balanced_threshold(scores_in: np.ndarray, scores_out: np.ndarray) -> float:
    """The threshold that maximises balanced accuracy (TPR + 1 - FPR) / 2 on these scores."""
    c = roc_counts(scores_in, scores_out)
    j = int(np.argmax(c.tpr - c.fpr))
    return float(c.thresholds[j])


def threshold_at_fpr(scores_out: np.ndarray, fpr_level: float) -> float:
    """The smallest threshold whose FPR on ``scores_out`` is <= ``fpr_level``."""
    s = np.sort(np.asarray(scores_out, dtype=np.float64))[::-1]
    allowed = int(math.floor(fpr_level * len(s) + 1e-9))
    if allowed >= len(s):
        return -math.inf
    # strictly above the (allowed+1)-th largest: at most `allowed` non-members pass
    return float(np.nextafter(s[allowed], np.inf))
