"""Score metrics of a binary classifier from sums that add up over batches and groups.

:class:`ClassScoreSums` holds, for the rows of one true class, what ROC AUC, log loss, Brier
score and top-label ECE need: the distinct scores with their counts (exact AUC: memory is 16
bytes per distinct score, never the 65,536-bin approximation of a histogram), sums of the
per-row log losses and their squares, and the calibration bin sums. Sums of batches, of
partitions or of groups merge exactly, so a streamed file, a Dask partition and an in-memory
array give the same numbers.

Definitions equal scikit-learn's: ``roc_auc_score`` (ties count 1/2), ``log_loss`` (scores
clipped to [eps, 1 - eps] with eps the float64 machine epsilon, as scikit-learn does; no
clipping of auditor's own), ``brier_score_loss``. Intervals: :mod:`auditor.results.score_intervals`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from auditor.results.classification import (
    N_BINS,
    ReliabilityBin,
    bin_index,
    calibration_from_bins,
)
from auditor.results.score_intervals import (
    EPS,
    SCORE_INTERVALS,
    ClassLosses,
    auc_interval,
    ece_interval,
    log_loss_interval,
)

__all__ = ["AUC_METHOD", "EPS", "SCORE_INTERVALS", "ClassLosses", "ClassScoreSums",
           "ScoreMetrics", "auc_interval", "binned_auc_variance", "distinct_counts",
           "ece_interval", "exact_auc", "log_loss_interval", "merge_counts", "merged",
           "score_metrics", "sums_by_code"]  # fmt: skip

AUC_METHOD = "exact: Mann-Whitney over the distinct scores, ties count 1/2 (as scikit-learn)"


def merge_counts(
    pairs: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """(values, int64 counts) pairs merged into one (sorted distinct values), with one sort.
    A pair's values may be unsorted and repeated (a batch's cell from ``sums_by_code``
    without ``sort``); a single pair is handed back as it is only when already sorted."""
    pairs = [(v, c) for v, c in pairs if len(v)]
    if not pairs:
        return np.zeros(0), np.zeros(0, np.int64)
    if len(pairs) == 1 and bool((pairs[0][0][1:] > pairs[0][0][:-1]).all()):
        return pairs[0]
    values = np.concatenate([v for v, _ in pairs])
    counts = np.concatenate([c for _, c in pairs])
    order = np.argsort(values, kind="stable")
    values, counts = values[order], counts[order]
    start = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return values[start], np.add.reduceat(counts, start)


@dataclass
class ClassScoreSums:
    """Sums over the rows of one true class of the binary score p = P(positive)."""

    n: int = 0
    log_p: float = 0.0  # sum of log(clip(p))
    log_p2: float = 0.0  # sum of log(clip(p))^2
    log_1mp: float = 0.0  # sum of log(clip(1 - p))
    log_1mp2: float = 0.0
    p: float = 0.0
    p2: float = 0.0
    p_min: float = math.inf  # the least and largest score: the class's loss range (an
    p_max: float = -math.inf  # unseen row's loss is bounded by it only in probability)
    bin_n: np.ndarray = field(default_factory=lambda: np.zeros(N_BINS, np.int64))
    bin_conf: np.ndarray = field(default_factory=lambda: np.zeros(N_BINS))
    bin_above: np.ndarray = field(default_factory=lambda: np.zeros(N_BINS, np.int64))
    # the distinct scores, sorted, and their counts; only a batch's cells from sums_by_code
    # without sort (for merge_all, which sorts them) hold scores unsorted, each counted once
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def add(self, p: np.ndarray) -> None:
        """p: (n,) float64 scores in [0, 1] of rows of this class."""
        p = np.asarray(p, dtype=np.float64).reshape(-1)
        if len(p):
            self.merge(sums_by_code(p, np.zeros(len(p), np.intp), 1)[0])

    def merge(self, other: ClassScoreSums) -> None:
        self._add_sums(other)
        self.values, self.counts = merge_counts(
            [(self.values, self.counts), (other.values, other.counts)]
        )

    def _add_sums(self, other: ClassScoreSums) -> None:
        for name in ("n", "log_p", "log_p2", "log_1mp", "log_1mp2", "p", "p2", "bin_n",
                     "bin_conf", "bin_above"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.p_min, self.p_max = min(self.p_min, other.p_min), max(self.p_max, other.p_max)


def distinct_counts(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, int64 counts) of a sorted array. Without ties the counts are a
    read-only view of one 1 (8 bytes a score less: 80 MB at 10M distinct scores)."""
    n = len(sorted_values)
    new = np.empty(n, bool)
    new[:1] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    if len(starts) == n:  # no ties (full float64 scores): no gather
        return sorted_values, np.broadcast_to(np.int64(1), (n,))
    return sorted_values[starts], np.diff(starts, append=n)


NO_SCORES = (np.zeros(0), np.zeros(0, np.int64))  # sums without their distinct scores


def sums_by_code(
    p: np.ndarray, code: np.ndarray, n_codes: int, *, distinct: bool = True, sort: bool = True
) -> dict[int, ClassScoreSums]:
    """Each code's sums of the rows: p (n,) float64 scores in [0, 1], code (n,) ints in
    [0, n_codes) (a joint group cell and true class). {code: sums} for the codes that have
    rows. The rows are partitioned by code once (a stable sort: each code's rows keep their
    order, so every sum is the one ``add`` of those rows alone gives); logs and bins are
    computed over the whole batch at once; each code's squares and distinct scores (one sort)
    over its own rows; without ``distinct``, no distinct scores (empty): the sums only.
    Without ``sort``, a code whose first :data:`TIE_SAMPLE` scores hold no tie keeps its
    scores unsorted, each with a count of 1, for a caller that merges them with
    :func:`auditor.fairness.scores.merge_all` (which sorts and counts them); a code with a
    tie in them is sorted (its distinct scores may be far fewer than its rows). The sample is
    a guess that a sort would compress little (full float64 scores), not a check: scores
    rounded to 6 decimals show no tie in 1,024 rows about 59% of the time, and are kept
    unsorted, their repeats counted once each until the merge."""
    order = np.argsort(code.astype(np.uint16) if n_codes <= 1 << 16 else code, kind="stable")
    sizes = np.bincount(code, minlength=n_codes)
    ends = np.cumsum(sizes)
    p = p[order]
    q = 1 - p
    log_p = np.clip(p, EPS, 1 - EPS)
    np.log(log_p, out=log_p)
    log_1mp = np.clip(q, EPS, 1 - EPS)
    np.log(log_1mp, out=log_1mp)
    conf = np.maximum(p, q, out=q)
    cell_bin = bin_index(conf, N_BINS)
    cell_bin += np.repeat(np.arange(n_codes) * N_BINS, sizes)  # the rows are in code order
    width = n_codes * N_BINS
    bin_n = np.bincount(cell_bin, minlength=width).reshape(n_codes, N_BINS)
    bin_conf = np.bincount(cell_bin, weights=conf, minlength=width).reshape(n_codes, N_BINS)
    bin_above = np.bincount(cell_bin[p > 0.5], minlength=width).reshape(n_codes, N_BINS)
    del conf, cell_bin
    out = {}
    for k in np.flatnonzero(sizes).tolist():
        rows = slice(int(ends[k] - sizes[k]), int(ends[k]))
        lp, l1, pk = log_p[rows], log_1mp[rows], p[rows]  # squares per code: in cache
        values, counts = _scores_of(pk, sort) if distinct else NO_SCORES
        out[k] = ClassScoreSums(
            n=int(sizes[k]), log_p=float(lp.sum()), log_p2=float(np.square(lp).sum()),
            log_1mp=float(l1.sum()), log_1mp2=float(np.square(l1).sum()), p=float(pk.sum()),
            p2=float(np.square(pk).sum()), p_min=float(pk.min()), p_max=float(pk.max()),
            bin_n=bin_n[k].copy(),
            bin_conf=bin_conf[k].copy(), bin_above=bin_above[k].copy(), values=values,
            counts=counts,
        )  # fmt: skip
    return out


TIE_SAMPLE = 1024  # a code's first scores: a sample that guesses whether sorting pays


def _scores_of(p: np.ndarray, sort: bool) -> tuple[np.ndarray, np.ndarray]:
    """A code's (distinct scores, counts), sorted; unless ``sort``, its scores as they are,
    each counted once (repeats too), where its first :data:`TIE_SAMPLE` scores hold no tie."""
    if not sort:
        head = np.sort(p[:TIE_SAMPLE])
        if not bool((head[1:] == head[:-1]).any()):
            return p.copy(), np.broadcast_to(np.int64(1), (len(p),))
    return distinct_counts(np.sort(p))


def merged(parts: list[ClassScoreSums]) -> ClassScoreSums:
    """The sums of every part (one sort for the distinct scores, whatever the part count)."""
    out = ClassScoreSums()
    for part in parts:
        out._add_sums(part)
    out.values, out.counts = merge_counts([(part.values, part.counts) for part in parts])
    return out


def exact_auc(pos: ClassScoreSums, neg: ClassScoreSums) -> float:
    """P(score of a positive > score of a negative) + 1/2 P(tie); NaN without both classes.
    Integer arithmetic up to the last division (exact for up to ~2e9 rows per class)."""
    if pos.n == 0 or neg.n == 0:
        return math.nan
    # each positive value's negatives below and equal, from the negatives' sorted distinct
    # values: no union of the two (np.union1d sorts both again, and loads numpy.ma)
    below = np.concatenate([[0], np.cumsum(neg.counts, dtype=np.int64)])
    lo = np.searchsorted(neg.values, pos.values, side="left")
    hi = np.searchsorted(neg.values, pos.values, side="right")
    pc = np.asarray(pos.counts, dtype=np.int64)
    twice = int((pc * (below[lo] + below[hi])).sum())
    return twice / (2 * pos.n * neg.n)


@dataclass(frozen=True)
class ScoreMetrics:
    """Score metrics of one set of rows. ``log_loss_sd``: standard deviation of the per-row
    log losses; ``class_losses``: the per-row log losses of the positives, then of the
    negatives (for :func:`log_loss_interval`); ``auc_var``: :func:`binned_auc_variance` (for
    :func:`auc_interval`)."""

    log_loss: float
    brier: float
    ece: float
    roc_auc: float
    reliability: list[ReliabilityBin]
    n: int
    n_positive: int
    n_negative: int
    log_loss_sd: float
    class_losses: tuple[ClassLosses, ...] = ()
    auc_var: float = 0.0  # DeLong's variance of the ROC AUC from the binned scores


def score_metrics(pos: ClassScoreSums, neg: ClassScoreSums) -> ScoreMetrics:
    """Log loss, Brier, top-label ECE (15 bins, as the performance check) and exact ROC AUC
    of the rows whose true class is the positive one (``pos``) and the others (``neg``)."""
    n = pos.n + neg.n
    if n == 0:
        nan = math.nan
        return ScoreMetrics(nan, nan, nan, nan, [], 0, 0, 0, nan)
    total = -(pos.log_p + neg.log_1mp)
    log_loss = total / n
    mean_sq = (pos.log_p2 + neg.log_1mp2) / n
    sd = math.sqrt(max(mean_sq - log_loss * log_loss, 0.0) * n / (n - 1)) if n > 1 else math.nan
    brier = ((pos.p2 - 2 * pos.p + pos.n) + neg.p2) / n
    correct = pos.bin_above + (neg.bin_n - neg.bin_above)
    ece, bins = calibration_from_bins(pos.bin_n + neg.bin_n, pos.bin_conf + neg.bin_conf, correct)
    return ScoreMetrics(float(log_loss), float(brier), float(ece), exact_auc(pos, neg), bins, n,
                        pos.n, neg.n, sd, (
        _losses(pos.n, -pos.log_p, pos.log_p2, _loss(pos.p_max), _loss(pos.p_min)),
        _losses(neg.n, -neg.log_1mp, neg.log_1mp2, _loss(1 - neg.p_min), _loss(1 - neg.p_max)),
    ), binned_auc_variance(pos, neg))  # fmt: skip


def binned_auc_variance(pos: ClassScoreSums, neg: ClassScoreSums) -> float:
    """DeLong's variance of the ROC AUC, S10 / P + S01 / N, over the scores as the calibration
    bins hold them (each side of 0.5 in the bins of max(p, 1 - p): 30 cells in order, ties
    within a cell 1/2): S10 the variance over the positives of the share of negatives scored
    below them, S01 over the negatives of the share of positives above. Hanley-McNeil's
    variance assumes each class's scores spread as an exponential would: rare confident
    mistakes (2% of positives at 0.05-0.15 among positives at 0.85-0.95) spread the
    placements more (1.2x its variance), which the cells show; each placement also spreads
    over its own cell (as if uniform: the other class's share of the cell, squared, / 12).
    0 under 2 rows of a class."""
    if pos.n < 2 or neg.n < 2:
        return 0.0
    hp, hn = _score_cells(pos), _score_cells(neg)
    below = (np.cumsum(hn) - hn / 2) / neg.n  # a positive's share of negatives below
    above = (np.cumsum(hp[::-1])[::-1] - hp / 2) / pos.n  # a negative's share of positives above
    auc = float(hp @ below) / pos.n
    # + the spread within a cell: a placement uniform over the cell's other-class share
    s10 = float(hp @ ((below - auc) ** 2 + (hn / neg.n) ** 2 / 12)) / (pos.n - 1)
    s01 = float(hn @ ((above - auc) ** 2 + (hp / pos.n) ** 2 / 12)) / (neg.n - 1)
    return s10 / pos.n + s01 / neg.n


def _score_cells(sums: ClassScoreSums) -> np.ndarray:
    """A class's rows per cell of score, in score order: at most 0.5 (the confidence bins
    from the top down), then above."""
    return np.concatenate([(sums.bin_n - sums.bin_above)[::-1], sums.bin_above]).astype(float)


def _loss(p: float) -> float:
    """The log loss of a row scored ``p`` for its own class (clipped as ``sums_by_code``
    clips; NaN for the empty class's infinite bounds)."""
    return -math.log(min(max(p, EPS), 1 - EPS)) if math.isfinite(p) else math.nan


def _losses(n: int, total: float, squares: float, least: float, most: float) -> ClassLosses:
    """A class's per-row log losses from their sum, sum of squares and range: (rows, mean,
    sample variance, least, largest); NaN where undefined."""
    mean = total / n if n else math.nan
    var = max(squares - total * mean, 0.0) / (n - 1) if n > 1 else math.nan
    return ClassLosses(n, mean, var, least, most)
