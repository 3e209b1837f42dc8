"""Intervals of the score metrics (ROC AUC, log loss, ECE) whose coverage holds where the
plain normal approximations fail: small groups, an AUC near 0 or 1, many ties, one class
nearly absent, a calibrated model (true ECE 0). ``bench/bench_score_intervals.py`` measures
each interval's coverage in those situations by simulation.

- ROC AUC: the Hanley & McNeil (1982) variance taken at the candidate AUC, not at the
  estimate (a score interval, as Wilson's is for a proportion): every A with
  (|A - estimate| - c)^2 <= z^2 V_HM(A), c = 1 / (4 min(P, N)) a continuity correction.
  It never has zero width (at an AUC of 1 too) and lies in [0, 1]. Where the scores' own
  placements spread more than Hanley-McNeil's model allows (rare confident mistakes), the
  interval also holds the estimate +- z sqrt(V_DeLong), V_DeLong over binned scores.
- Log loss: each class's losses are split at the least and largest of its rows. The mean
  of the losses clamped to those ranges (each seen) is pi m1 + (1 - pi) m0 (pi the share
  of positives, m1 and m0 each class's mean loss): pi gets a continuity-corrected Wilson
  interval at level 1 - alpha/2 and, for every pi in it, the class means a t interval (t
  quantile at alpha/4, min(n1, n0) - 1 degrees of freedom); the hull, clamped to the
  ranges. A rare class whose rows carry large losses (a skewed mean) is what that part is
  built for. The rest is the rows no sample showed: beyond the largest of N losses (b) lies
  a share at most q = 1 - (alpha/8)^(1/N) (order statistics, any distribution), each
  losing at most MAX_LOSS (36: a score clipped to machine eps), so the upper end adds
  q (MAX_LOSS - b); between a class's largest loss and b, a share of that class at most
  1 - (alpha/16)^(1/n_c) (a class all right, beside a class that shows a mistake); likewise
  below. A confident model's rare large losses (a mistake at 0.1, or at 1e-6, among scores
  that spread; a calibrated model with AUC 0.99) are often missing from a small sample,
  and the sample then looks like an easy one: no interval covers them that does not allow
  this much (the t interval alone: 0.37 at 20 rows, 0.85 at 200). It is about
  5.1 MAX_LOSS / N: most of the width under a few hundred rows. It needs two rows of each
  class: rows of one class say nothing of the other's share or losses.
- ECE: simultaneous over the bins. Each non-empty bin's accuracy gets a continuity-corrected
  Wilson interval at level 1 - alpha/(2B) (Bonferroni over the B bins, with alpha/2 for
  them all: one bin's miss on either side lifts the lower end above 0). The lower end is
  the largest of three: sum_b w_b min |a - conf_b| over the bin's interval (0 when every
  bin's interval contains its mean confidence, as for a calibrated model, where ECE - z se,
  centred on an estimate biased upward, missed a true 0 in 39-58% of samples); the signed
  gap |sum_b w_b (acc_b - conf_b)| less z s (two-sided at alpha/4; ECE >= the gap by the
  triangle inequality; it finds a model over- or underconfident in every bin, which the bins
  one by one cannot at 200 rows); and ECE - sum_b w_b s_b - z s (alpha/8: the ECE of the
  estimates exceeds the true one by at most sum_b w_b |acc_b - a_b|, whose mean is at most
  sum_b w_b s_b), s_b the bin accuracy's sd at its largest in the bin's interval and
  s^2 = sum_b w_b^2 s_b^2. The upper end is the smaller of sum_b w_b max |a - conf_b| and
  ECE + z se (se^2 = sum_b (n_b / N)^2 a_b (1 - a_b) / n_b, a_b at its Wilson centre): the
  upward bias keeps the truth below the second (above it in at most 3.4% of the benchmark's
  samples, at 0/1 scores with 0.5% wrong) at about half the width of the first.

Pure numpy (no scipy: a predictions audit does not import it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from statistics import NormalDist
from typing import NamedTuple

from auditor.results.classification import ReliabilityBin

SCORE_INTERVALS = (
    "ROC AUC: Hanley-McNeil score interval (the variance at the candidate AUC, continuity-"
    "corrected), widened to DeLong's variance over binned scores where that is larger; log "
    "loss: share of positives (Wilson, continuity-corrected) by each class's mean loss (t), "
    "simultaneous, plus an allowance for rows beyond the losses seen (a share of about 5.1/N, "
    "each losing up to 36: one confident mistake's cost), most of the width under a few "
    "hundred rows; ECE: simultaneous over its 15 bins (continuity-corrected Wilson per bin, "
    "Bonferroni), its lower end at least the signed gap of accuracy and confidence, its "
    "upper end at most ECE + z se"
)
EPS = 2.0**-52  # float64 machine epsilon: scikit-learn's log_loss clip for float64 scores
MAX_LOSS = -math.log(EPS)  # a row's largest log loss: its score clipped to machine eps
NOT_TWO_PER_CLASS = "the log loss interval needs 2 rows of each class"
ONE_CLASS_LOSS = (
    "one true class only: the other class's share and losses are unseen, so no interval"
)


def z_value(level: float) -> float:
    """The two-sided normal quantile of ``level`` (0.95 -> 1.96)."""
    return NormalDist().inv_cdf(0.5 + level / 2)


@lru_cache(maxsize=4096)  # one level, many groups: at most 1000 dfs take the exact path
def t_quantile(p: float, df: int) -> float:
    """Student's t quantile at ``p`` (in (0, 1)) with ``df`` >= 1 degrees of freedom: exact to
    about 1e-12 up to 1000 degrees of freedom (the closed-form CDF of an integer df, inverted
    by safeguarded Newton steps), Cornish-Fisher (Abramowitz & Stegun 26.7.5) beyond, where
    it is within 1e-11 of the quantile at any p down to 1e-9 of either end."""
    if p < 0.5:
        return -t_quantile(1 - p, df)
    if p == 0.5:
        return 0.0
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    guess = _cornish_fisher(p, df)
    if df > 1000:
        return guess
    lo, hi = 0.0, max(guess, 1.0)
    while _t_cdf(hi, df) < p:
        lo, hi = hi, 2 * hi
    t = min(max(guess, lo), hi)
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    for _ in range(200):
        gap = _t_cdf(t, df) - p
        if gap == 0:
            return t
        lo, hi = (lo, t) if gap > 0 else (t, hi)
        step = t - gap / math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))
        if abs(step - t) <= 1e-13 * abs(step) or hi - lo <= 1e-13 * hi:
            return step
        t = step if lo < step < hi else (lo + hi) / 2
    return t


def _t_cdf(t: float, df: int) -> float:
    """Student's t CDF at t >= 0 for an integer df >= 2 (Abramowitz & Stegun 26.7.3-4 with
    theta = atan(t / sqrt(df))): odd df 1/2 + (theta + sin cos (1 + 2/3 cos^2 + 2*4/(3*5)
    cos^4 ...)) / pi, even df 1/2 + sin/2 (1 + 1/2 cos^2 + 1*3/(2*4) cos^4 ...)."""
    theta = math.atan(t / math.sqrt(df))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    term = total = 1.0
    if df % 2:
        for k in range(1, (df - 1) // 2):
            term *= 2 * k / (2 * k + 1) * c2
            total += term
        return 0.5 + (theta + s * math.cos(theta) * total) / math.pi
    for k in range(1, df // 2):
        term *= (2 * k - 1) / (2 * k) * c2
        total += term
    return 0.5 + s * total / 2


def _cornish_fisher(p: float, df: int) -> float:
    z = NormalDist().inv_cdf(p)
    g = (
        (z**3 + z) / 4,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
    )
    return z + sum(gi / df ** (i + 1) for i, gi in enumerate(g))


def wilson_cc(k: float, n: int, z: float) -> tuple[float, float]:
    """The continuity-corrected Wilson interval (Newcombe 1998, method 4) of k successes in
    n >= 1 trials; it contains k / n."""
    p = k / n
    zz = z * z
    lo, hi = 0.0, 1.0
    if k > 0:
        root = math.sqrt(max(zz - 2 - 1 / n + 4 * p * (n * (1 - p) + 1), 0.0))
        lo = (2 * n * p + zz - 1 - z * root) / (2 * (n + zz))
    if k < n:
        root = math.sqrt(max(zz + 2 - 1 / n + 4 * p * (n * (1 - p) - 1), 0.0))
        hi = (2 * n * p + zz + 1 + z * root) / (2 * (n + zz))
    return max(0.0, min(lo, p)), min(1.0, max(hi, p))


def hanley_mcneil_sd(a: float, n_pos: int, n_neg: int) -> float:
    """Hanley and McNeil's (1982) standard error of a ROC AUC ``a`` of ``n_pos`` positive and
    ``n_neg`` negative rows: sqrt(A (1 - A) U(A) / (P N)), U as in :func:`auc_interval`."""
    u = 1 + (n_pos - 1) * (1 - a) / (2 - a) + (n_neg - 1) * a / (1 + a)
    return math.sqrt(max(a * (1 - a) * u / (float(n_pos) * float(n_neg)), 0.0))


def auc_interval(
    auc: float, n_pos: int, n_neg: int, *, level: float, var: float = 0.0
) -> tuple[float, float]:
    """The Hanley-McNeil score interval of a ROC AUC from P positives and N negatives: every
    A in [0, 1] with |A - auc| <= z sqrt(V(A)), V(A) = [A(1 - A) + (P - 1)(Q1 - A^2)
    + (N - 1)(Q2 - A^2)] / (P N), Q1 = A / (2 - A), Q2 = 2 A^2 / (1 + A). NaN without both
    classes.

    V(A) = A (1 - A) U(A) / (P N) with U(A) = 1 + (P - 1)(1 - A)/(2 - A) + (N - 1) A/(1 + A),
    both factors concave, so sqrt(V) is concave (a geometric mean of concave functions) and
    A +- z sqrt(V(A)) crosses the estimate once on each side: each end is found in that
    bracket to within a few ulps, at any row count (a polynomial's roots lose the end next
    to an AUC of 1 at millions of rows).

    Continuity-corrected as Newcombe's Wilson interval is: |A - auc| - c <= z sqrt(V(A)),
    c = 1 / (4 min(P, N)), half the step one row of the smaller class moves the AUC by when
    the scores are 0/1. Without it a confident model with rare mistakes was covered 0.91-0.92
    at 20-50 rows (one mistake in 20 put the end below a true AUC of 0.995); with it 0.95-0.99,
    at 5-20% more width under 50 rows, 2% at 2000.

    ``var``: a variance of the AUC found from the scores (DeLong's over binned scores,
    :func:`auditor.results.scores.binned_auc_variance`): the interval also holds auc +-
    z sqrt(var). Hanley-McNeil's variance assumes exponential-like scores and is too
    small where mistakes are rare but confident: 2% of them at 0.05-0.15 among scores at
    0.85-0.95 were covered 0.92-0.95 at 500-2,000 rows, 0.95-0.98 with it (the bins hide
    some of the spread: 0.947-0.969 over four seeds at 2,000)."""
    if math.isnan(auc) or n_pos < 1 or n_neg < 1:
        return math.nan, math.nan
    z = z_value(level)
    c = 0.25 / min(n_pos, n_neg)  # the continuity correction (see above)

    def sd(a: float) -> float:
        return hanley_mcneil_sd(a, n_pos, n_neg)

    # the lower end: the least A <= auc with A + z sd(A) >= auc; the upper: the largest A >= auc
    # with A - z sd(A) <= auc
    lo_in, hi_in = max(auc - c, 0.0), min(auc + c, 1.0)
    lo = _crossing(lambda a: a + z * sd(a) - lo_in, 0.0, lo_in)
    hi = _crossing(lambda a: hi_in - a + z * sd(a), 1.0, hi_in)
    wald = z * math.sqrt(max(var, 0.0))  # (c here: 5-10% wider under 50 rows, no coverage)
    return max(0.0, min(lo, auc - wald, auc)), min(1.0, max(hi, auc + wald, auc))


def _crossing(f: Callable[[float], float], outer: float, inner: float) -> float:
    """The end, between ``outer`` and ``inner`` (f(inner) >= 0), of the interval where the
    continuous f is >= 0, f crossing 0 once there: ``outer`` when f(outer) >= 0, else the
    last point found inside by regula falsi with the Illinois step (superlinear, about 10
    evaluations where bisection takes 55; the bracket always holds the end)."""
    f_out = f(outer)
    if f_out >= 0:
        return outer
    f_in = f(inner)
    last = 0
    for _ in range(200):
        if abs(inner - outer) <= 4 * EPS * max(abs(inner), abs(outer)):
            break
        c = inner - f_in * (inner - outer) / (f_in - f_out)
        if not min(outer, inner) < c < max(outer, inner):
            c = (outer + inner) / 2
        f_c = f(c)
        if f_c == 0:  # on the end itself (f(inner) = 0 at the start is the estimate's: go on)
            return c
        if f_c > 0:
            inner, f_in = c, f_c
            f_out = f_out / 2 if last == 1 else f_out  # the same side twice: halve the other
            last = 1
        else:
            outer, f_out = c, f_c
            f_in = f_in / 2 if last == -1 else f_in
            last = -1
    return inner


class ClassLosses(NamedTuple):
    """The per-row log losses of one true class's rows: how many, their mean, sample
    variance (NaN under 2 rows), least and largest (NaN without rows)."""

    n: int
    mean: float
    var: float
    least: float
    most: float


def log_loss_interval(
    log_loss: float, classes: Sequence[ClassLosses], *, level: float
) -> tuple[float, float]:
    """The interval of the mean log loss from each class's losses: positives first, then
    negatives. NaN unless each class has 2 rows: rows of one class say nothing of the
    other's share or losses (a 3% class is often absent from 50 rows, and its losses can be
    most of the mean).

    Each class's mean is split at the least (a_c) and largest (b_c) of its n_c losses:
    E[min(max(L, a_c), b_c)], the mean of losses in a range the class's rows showed, less
    E[(a_c - L)+] and plus E[(L - b_c)+], its rows beyond that range, which no sample shows.
    The first: the share of positives pi (continuity-corrected Wilson at 1 - alpha/2) by each
    class's mean (t at 1 - alpha/4, min(n1, n0) - 1 degrees of freedom), the hull over pi's
    interval, clamped to [pi a_1 + (1 - pi) a_0, pi b_1 + (1 - pi) b_0]. The rest, by order
    statistics whatever the distribution: beyond the largest loss b of all N rows lies a
    share at most q = 1 - (alpha/8)^(1/N) with probability 1 - alpha/8, each row losing at
    most MAX_LOSS: q (MAX_LOSS - b); between a class's largest and b, a share of that class
    at most q_c = 1 - (alpha/16)^(1/n_c): q_c (b - b_c) (likewise below, with a and a_c). So
    a class whose rows all lose the same (hard 0/1 scores, every row right) is not taken at
    its word when the other class shows a mistake. That allowance is what covers a confident
    model's rare large losses that a small sample does not show (about 5.1 MAX_LOSS / N: 8
    at 20 rows, 0.9 at 200, 0.09 at 2,000); no bound can be valid for every model with
    less, as one unseen confident mistake costs up to MAX_LOSS."""
    if math.isnan(log_loss) or log_loss_missing(classes):
        return math.nan, math.nan
    (n1, m1, v1, a1, b1), (n0, m0, v0, a0, b0) = classes
    least, most = min(a1, a0), max(b1, b0)
    alpha = 1 - level
    pi_lo, pi_hi = wilson_cc(n1, n1 + n0, z_value(1 - alpha / 2))
    t = t_quantile(1 - alpha / 4, min(n1, n0) - 1)
    q, q1, q0 = (unseen_share(n, e) for n, e in ((n1 + n0, alpha / 8), (n1, alpha / 16),
                                                  (n0, alpha / 16)))  # fmt: skip
    # each end: a bound over pi's interval of a sum whose parts are linear in pi, or centre
    # +- half (convex and concave in pi): each part's extreme over the interval is at an end
    ends = [[] for _ in range(6)]
    for pi in (pi_lo, pi_hi):
        centre = pi * m1 + (1 - pi) * m0
        half = t * math.hypot(pi * _sd(v1) / math.sqrt(n1), (1 - pi) * _sd(v0) / math.sqrt(n0))
        for row, x in zip(ends, (centre - half, pi * a1 + (1 - pi) * a0,
                                 pi * q1 * (a1 - least) + (1 - pi) * q0 * (a0 - least),
                                 centre + half, pi * b1 + (1 - pi) * b0,
                                 pi * q1 * (most - b1) + (1 - pi) * q0 * (most - b0)),
                          strict=True):  # fmt: skip
            row.append(x)
    low, floor, below, high, ceiling, above = ends
    lo = max(min(low), min(floor)) - max(below) - q * least
    hi = min(max(high), max(ceiling)) + max(above) + q * (MAX_LOSS - most)
    return max(0.0, min(lo, log_loss)), max(min(hi, MAX_LOSS), log_loss)


def unseen_share(n: int, error: float) -> float:
    """The largest share of a population that all of n >= 1 independent draws can miss (lie
    beyond the sample's extreme on one side) but with probability ``error``: the q with
    (1 - q)^n = error (the Clopper-Pearson upper end of a share seen 0 times in n)."""
    return -math.expm1(math.log(error) / n)


def _sd(var: float) -> float:
    """A variance's square root (0 for NaN or below 0), taken before any product: a variance
    near the least float squared by a share underflows to 0, its root does not."""
    return math.sqrt(var) if var > 0 else 0.0


def log_loss_missing(classes: Sequence[ClassLosses]) -> str | None:
    """Why :func:`log_loss_interval` gives no interval for these class counts (None: it
    does)."""
    counts = [c[0] for c in classes]
    if len(counts) == 2 and min(counts) == 0:
        return ONE_CLASS_LOSS
    return NOT_TWO_PER_CLASS if len(counts) != 2 or min(counts) < 2 else None


def ece_interval(ece: float, bins: list[ReliabilityBin], *, level: float) -> tuple[float, float]:
    """The interval of a top-label ECE over its non-empty ``bins`` (see the module's
    docstring); NaN without rows. Never zero width: a bin's interval has width."""
    full = [b for b in bins if b.n]
    total = sum(b.n for b in full)
    if math.isnan(ece) or total == 0:
        return math.nan, math.nan
    alpha = 1 - level
    # alpha/2 for the bins together (two-sided), alpha/2 for the upper end's normal
    # approximation; the lower end's two sums: alpha/4 (the signed gap, two-sided), alpha/8
    z, z_bins = z_value(level), z_value(1 - alpha / (2 * len(full)))
    lo = hi = var = spread = spread2 = gap = 0.0
    for b in full:
        k = round(b.accuracy * b.n)
        a_lo, a_hi = wilson_cc(k, b.n, z_bins)
        c, w = b.mean_confidence, b.n / total
        nearest = 0.0 if a_lo <= c <= a_hi else min(abs(a_lo - c), abs(a_hi - c))
        lo += w * nearest
        hi += w * max(abs(a_lo - c), abs(a_hi - c))
        a = (k + z * z / 2) / (b.n + z * z)  # the Wilson centre: a bin all right has spread
        var += b.n * a * (1 - a)
        most = 0.25 if a_lo <= 0.5 <= a_hi else max(a_lo * (1 - a_lo), a_hi * (1 - a_hi))
        spread += w * math.sqrt(most / b.n)  # the accuracy's sd at most, in its interval
        spread2 += most * w * w / b.n
        gap += w * (k / b.n - c)
    hi = min(hi, ece + z * math.sqrt(var) / total)
    noise = z_value(1 - alpha / 4) * math.sqrt(spread2)
    lo = max(lo, abs(gap) - noise, ece - spread - noise)
    return max(0.0, min(lo, ece)), min(1.0, max(hi, ece))
