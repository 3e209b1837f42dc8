"""The pooled columns' intervals: the target and the reference models attacked alike, where
one row is scored by every attacked model, so its (model, row) scores are not independent.

A row whose attack score leaks in every model where it is a member (an outlier) moves the
pooled AUC and TPR by all its copies at once. Intervals that count each (model, row) pair as
independent were too narrow: with a tenth of the rows leaking, 300 rows and 16 reference
models, the pooled AUC missed its expectation in 12.5-13.3% of draws and the pooled TPR at 1%
FPR in 16-33%, at 95%; clustered by row, 5-6% and 0-1% (tests/privacy/test_pooled.py: its
three leaks, 120 draws each, seed 11). Here the row is the unit:

- AUC: the score interval widened to hold auc +- z sqrt(V), V the cluster-robust (sandwich)
  variance of the Mann-Whitney AUC, its placements summed by row (Obuchowski 1997);
- TPR at FPR: the interval of :func:`roc.tpr_interval_at_fpr` on effective counts, n / deff,
  deff the design effect by row of calling a member (a non-member) a member at the reported
  threshold, at least 1 and at most the most copies of one row; where it cannot be estimated
  (no or every copy called a member) the most copies (each row counted once);
- resolvable: where the distinct non-member rows allow one false positive at the level
  (rows x level >= 1), not the (model, row) copies: 300 rows seen in 17 models give 2,550
  non-member copies, but a row that scores high does so in most of its copies. Not n / deff
  either: at such a level deff rests on the two or three false positives there, mostly in
  different rows, so it reads about 1 (2,550 again) whether or not the copies move together.
"""

from __future__ import annotations

import math

import numpy as np

from auditor.privacy import roc
from auditor.privacy.section import TprAtFpr
from auditor.results import Estimate
from auditor.results.score_intervals import auc_interval


def level_key(level: float) -> str:
    """The key of an FPR level in ``tpr_at_fpr`` maps: ``0.01`` -> ``"0.01"``."""
    return f"{level:g}"


def clustered_auc(
    s_in: np.ndarray, s_out: np.ndarray, row_in: np.ndarray, row_out: np.ndarray
) -> tuple[float, float]:
    """The AUC of members ``s_in`` over non-members ``s_out`` (ties half) and its variance
    with the pairs clustered by row (``row_in`` / ``row_out``: each score's row, an index
    >= 0)."""
    n1, n0 = len(s_in), len(s_out)
    if not (n1 and n0):
        return math.nan, math.nan
    r_all = roc.average_ranks(np.concatenate([s_in, s_out]))
    # placements: the share of the other side each score beats (ties half)
    v_in = (r_all[:n1] - roc.average_ranks(s_in)) / n0
    v_out = (n1 - (r_all[n1:] - roc.average_ranks(s_out))) / n1
    auc = float(v_in.mean())
    rows = np.concatenate([row_in, row_out])
    w = np.concatenate([(v_in - auc) / n1, (v_out - auc) / n0])
    g = np.bincount(rows, weights=w)  # each row's share of the AUC's deviation
    k = int(np.count_nonzero(np.bincount(rows)))  # rows present
    return auc, (k / (k - 1) * float(g @ g) if k > 1 else math.inf)


def design_effect(called: np.ndarray, rows: np.ndarray) -> float:
    """Var(share called, clustered by row) / its binomial variance, in [1, most copies of one
    row]; the most copies where the share is 0 or 1 (nothing to estimate it from). ``rows``:
    each copy's row, an index >= 0."""
    if not len(called):
        return 1.0
    m = np.bincount(rows).astype(np.float64)
    y = np.bincount(rows, weights=called.astype(np.float64))[m > 0]
    m = m[m > 0]
    total, k = float(m.sum()), len(m)
    p, worst = float(y.sum()) / total, float(m.max())
    if not 0.0 < p < 1.0 or k < 2:
        return worst
    r = y - p * m
    var = k / (k - 1) * float(r @ r) / total**2
    return min(max(var / (p * (1 - p) / total), 1.0), worst)


def distinct_rows(rows: np.ndarray) -> int:
    """How many rows the copies come from (``rows``: each copy's row, an index >= 0)."""
    return int(np.count_nonzero(np.bincount(rows))) if len(rows) else 0


def pooled_fields(
    p_in: np.ndarray,
    p_out: np.ndarray,
    row_in: np.ndarray,
    row_out: np.ndarray,
    *,
    levels: list[float],
    confidence: float,
) -> dict:
    """The RocSummary fields of the pooled scores, intervals clustered by row; a TPR is
    resolvable where the distinct non-member rows allow a false positive at its level."""
    n_rows_out = distinct_rows(row_out)
    auc, var = clustered_auc(p_in, p_out, row_in, row_out)
    lo, hi = auc_interval(auc, len(p_in), len(p_out), level=confidence, var=var)
    counts = roc.roc_counts(p_in, p_out)
    tpr = {}
    for a in levels:
        t = roc.tpr_at_fpr(counts, a, confidence=confidence)
        d = (
            design_effect(p_in >= t.threshold, row_in),
            design_effect(p_out >= t.threshold, row_out),
        )
        t_lo, t_hi = roc.tpr_interval_at_fpr(counts, a, confidence=confidence, design_effects=d)
        tpr[level_key(a)] = TprAtFpr(
            value=t.tpr, ci_low=min(t_lo, t.tpr), ci_high=max(t_hi, t.tpr), n=t.n_members,
            fpr=t.fpr, tp=t.tp, fp=t.fp, n_non_members=t.n_non_members, threshold=t.threshold,
            resolvable=n_rows_out * a >= 1,
        )  # fmt: skip
    return {
        "n_members": len(p_in),
        "n_non_members": len(p_out),
        "auc": Estimate(value=auc, ci_low=lo, ci_high=hi, n=len(p_in) + len(p_out)),
        "tpr_at_fpr": tpr,
    }
