"""Intervals of the score metrics (ROC AUC, log loss, ECE) whose coverage holds where the
plain normal approximations fail: small groups, an AUC near 0 or 1, many ties, one class
nearly absent, a calibrated model (true ECE 0). ``bench/bench_score_intervals.py`` measures
each interval's coverage in those situations by simulation.

- ROC AUC: the Hanley & McNeil (1982) variance taken at the candidate AUC, not at the
  estimate (a score interval, as Wilson's is for a proportion): every A with
  (A - estimate)^2 <= z^2 V_HM(A). It never has zero width (at an AUC of 1 too) and lies in
  [0, 1].
- Log loss: the mean loss is pi m1 + (1 - pi) m0 (pi the share of positives, m1 and m0 each
  class's mean loss). pi gets a continuity-corrected Wilson interval at level 1 - alpha/2, and
  for every pi in it the class means a t interval at level 1 - alpha/2 (t quantile at
  alpha/4, min(n1, n0) - 1 degrees of freedom); the interval is the hull. A rare class
  whose rows carry large losses (so the mean is skewed) is what it is built for. It needs
  two rows of each class: rows of one class say nothing of the other's share or losses.
- ECE: simultaneous over the bins. Each non-empty bin's accuracy gets a continuity-corrected
  Wilson interval at level 1 - alpha/(2B) (Bonferroni over the B bins, with alpha/2 for
  them all: one bin's miss on either side lifts the lower end above 0); the lower end is
  sum_b w_b min |a - conf_b| over the bin's interval, so it reaches 0 when every bin's
  interval contains its mean confidence (a calibrated model), where ECE - z se, centred on
  an estimate biased upward, missed a true 0 in 39-58% of samples. The upper end is the
  smaller of sum_b w_b max |a - conf_b| and ECE + z se (se^2 = sum_b (n_b / N)^2 a_b (1 - a_b)
  / n_b, a_b at its Wilson centre): the upward bias keeps the truth below the second (above
  it in at most 0.6% of the benchmark's samples) at about half the width of the first.

Pure numpy (no scipy: a predictions audit does not import it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from statistics import NormalDist

from auditor.results.classification import ReliabilityBin

SCORE_INTERVALS = (
    "ROC AUC: Hanley-McNeil score interval (the variance at the candidate AUC); log loss: "
    "share of positives (Wilson, continuity-corrected) by each class's mean loss (t), "
    "simultaneous; ECE: simultaneous over its 15 bins (continuity-corrected Wilson per bin, "
    "Bonferroni), its upper end at most ECE + z se"
)
EPS = 2.0**-52  # float64 machine epsilon
MAX_LOSS = -math.log(EPS)  # a row's largest log loss: its score clipped to machine eps
NOT_TWO_PER_CLASS = "the log loss interval needs 2 rows of each class"
ONE_CLASS_LOSS = (
    "one true class only: the other class's share and losses are unseen, so no interval"
)


def z_value(level: float) -> float:
    """The two-sided normal quantile of ``level`` (0.95 -> 1.96)."""
    return NormalDist().inv_cdf(0.5 + level / 2)


def t_quantile(p: float, df: int) -> float:
    """Student's t quantile at ``p`` (in (0.5, 1)) with ``df`` >= 1 degrees of freedom: exact
    for 1 and 2, Cornish-Fisher (Abramowitz & Stegun 26.7.5) from 3 (within 1.5% of the
    exact quantile at p <= 0.9975, 0.1% from 6 degrees of freedom)."""
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
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


def auc_interval(auc: float, n_pos: int, n_neg: int, *, level: float) -> tuple[float, float]:
    """The Hanley-McNeil score interval of a ROC AUC from P positives and N negatives: every
    A in [0, 1] with |A - auc| <= z sqrt(V(A)), V(A) = [A(1 - A) + (P - 1)(Q1 - A^2)
    + (N - 1)(Q2 - A^2)] / (P N), Q1 = A / (2 - A), Q2 = 2 A^2 / (1 + A). NaN without both
    classes.

    V(A) = A (1 - A) U(A) / (P N) with U(A) = 1 + (P - 1)(1 - A)/(2 - A) + (N - 1) A/(1 + A),
    both factors concave, so sqrt(V) is concave (a geometric mean of concave functions) and
    A +- z sqrt(V(A)) crosses the estimate once on each side: each end is found in that
    bracket to within a few ulps, at any row count (a polynomial's roots lose the end next
    to an AUC of 1 at millions of rows)."""
    if math.isnan(auc) or n_pos < 1 or n_neg < 1:
        return math.nan, math.nan
    z, pn = z_value(level), float(n_pos) * float(n_neg)

    def sd(a: float) -> float:
        u = 1 + (n_pos - 1) * (1 - a) / (2 - a) + (n_neg - 1) * a / (1 + a)
        return math.sqrt(max(a * (1 - a) * u / pn, 0.0))

    # the lower end: the least A <= auc with A + z sd(A) >= auc; the upper: the largest A >= auc
    # with A - z sd(A) <= auc
    lo = _crossing(lambda a: a + z * sd(a) - auc, 0.0, auc)
    hi = _crossing(lambda a: auc - a + z * sd(a), 1.0, auc)
    return max(0.0, min(lo, auc)), min(1.0, max(hi, auc))


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


def log_loss_interval(
    log_loss: float, classes: Sequence[tuple[int, float, float]], *, level: float
) -> tuple[float, float]:
    """The interval of the mean log loss from each class's (rows, mean loss, variance of the
    loss): positives first, then negatives. NaN unless each class has 2 rows: rows of one
    class say nothing of the other's share or losses (a 3% class is often absent from 50
    rows, and its losses can be most of the mean)."""
    if math.isnan(log_loss) or len(classes) != 2 or min(c[0] for c in classes) < 2:
        return math.nan, math.nan
    (n1, m1, v1), (n0, m0, v0) = classes
    alpha = 1 - level
    pi_lo, pi_hi = wilson_cc(n1, n1 + n0, z_value(1 - alpha / 2))
    t = t_quantile(1 - alpha / 4, min(n1, n0) - 1)
    ends = []
    for pi in (pi_lo, pi_hi):
        centre = pi * m1 + (1 - pi) * m0
        half = t * math.sqrt(pi * pi * max(v1, 0.0) / n1 + (1 - pi) ** 2 * max(v0, 0.0) / n0)
        ends += [centre - half, centre + half]
    return max(0.0, min(min(ends), log_loss)), max(min(max(ends), MAX_LOSS), log_loss)


def log_loss_missing(classes: Sequence[tuple[int, float, float]]) -> str | None:
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
    # half the error for the bins together, half for the upper end's normal approximation
    z, z_bins = z_value(level), z_value(1 - (1 - level) / (2 * len(full)))
    lo = hi = var = 0.0
    for b in full:
        k = round(b.accuracy * b.n)
        a_lo, a_hi = wilson_cc(k, b.n, z_bins)
        c = b.mean_confidence
        nearest = 0.0 if a_lo <= c <= a_hi else min(abs(a_lo - c), abs(a_hi - c))
        lo += b.n / total * nearest
        hi += b.n / total * max(abs(a_lo - c), abs(a_hi - c))
        a = (k + z * z / 2) / (b.n + z * z)  # the Wilson centre: a bin all right has spread
        var += b.n * a * (1 - a)
    hi = min(hi, ece + z * math.sqrt(var) / total)
    return max(0.0, min(lo, ece)), min(1.0, max(hi, ece))
