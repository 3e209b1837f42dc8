"""Coverage of the accuracy gate's interval (:func:`auditor.audit_tree.wilson_interval`) near
0 and 1, by exact binomial sums (every count of errors weighed by its probability): plain
Wilson covered an accuracy of 1 - 0.17 / n (one error in 1,000 rows is 0.999) 84% of the
time at any n. A 95% interval covering less than 0.93 fails."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from auditor.audit_tree import wilson_bounds, wilson_interval


def coverage(n: int, p: float, interval=wilson_interval) -> float:
    """P(the interval of k / n covers p), k ~ Binomial(n, p); k of negligible weight skipped."""
    k = np.arange(n + 1)
    weight = binom.pmf(k, n, p)
    total = 0.0
    for j in k[weight > 1e-12]:
        lo, hi = interval(int(j), n)
        total += weight[j] if lo <= p <= hi else 0.0
    return total


def plain_wilson(k: int, n: int) -> tuple[float, float]:
    lo, hi = wilson_bounds(float(k), float(n))
    return max(0.0, lo), min(1.0, hi)


@pytest.mark.parametrize("n", [50, 200, 1000, 10_000])
@pytest.mark.parametrize("np_", [0.05, 0.17, 0.5, 1.0, 2.0, 5.0, 12.0])
def test_an_accuracy_near_0_or_1_is_covered(n, np_):
    p = np_ / n
    cover = min(coverage(n, p), coverage(n, 1 - p))
    assert cover >= 0.93, (n, p, cover)


def test_plain_wilson_dips_there():
    """What the test above guards against: the interval the gate used before."""
    assert coverage(1000, 1 - 0.17 / 1000, plain_wilson) < 0.86
    assert coverage(1000, 1 - 0.17 / 1000) >= 0.93


@pytest.mark.parametrize("n", [1, 2, 5, 30])
def test_an_accuracy_of_exactly_0_or_1(n):
    assert coverage(n, 0.0) == pytest.approx(1.0) and coverage(n, 1.0) == pytest.approx(1.0)
