"""The one-sided Poisson bound of the intervals' ends (``_poisson_lower``): it skips the sums
whose side a bound already settles, and finds the very float the plain bisection found."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

read = importlib.import_module("auditor.audit_tree.read")  # the package has a read() too


def plain_bisection(k: int, tail: float) -> float:
    """The bisection as it was (100 halvings, every sum computed): the reference."""

    def below(lam: float) -> float:
        return math.exp(-lam) * sum(lam**i / math.factorial(i) for i in range(k))

    lo, hi = 0.0, float(k)
    while below(hi) > 1.0 - tail:
        lo, hi = hi, 2 * hi
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if below(mid) > 1.0 - tail else (lo, mid)
    return lo


# the tails audits use (95% to 99.99%, Bonferroni shares of 5%) and a spread down to 1e-12
TAILS = [(1 - level) / 2 for level in (0.8, 0.9, 0.95, 0.99, 0.999, 0.9999)]
TAILS += [0.05 / m / 2 for m in range(2, 40)]
TAILS += list(np.geomspace(1e-12, 0.45, 60))


@pytest.mark.parametrize("k", range(1, 11))
def test_the_same_float_as_the_plain_bisection(k):
    for tail in TAILS:
        assert read._poisson_lower.__wrapped__(k, float(tail)) == plain_bisection(k, float(tail))


def test_settled_sides_hold_where_the_sum_is_computed():
    for k in (1, 2, 5, 10):
        factorials = [math.factorial(i) for i in range(k)]

        def below(lam, factorials=factorials):
            return math.exp(-lam) * sum([lam**i / f for i, f in enumerate(factorials)])

        for tail in (0.025, 0.0005, 1e-9):
            top = 1.0 - tail
            left, right = read._settled(below, factorials, top, 0.0, 2.0 * k)
            assert 0 < left < right < math.inf  # both sides settled, close to the root
            assert (right - left) / left < 1e-4
            assert below(left) > top and below(right) <= top
