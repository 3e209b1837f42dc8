"""auditor.numbers: the one place numbers are rounded for people (cards, summary,
terminal, the API's text, gate messages)."""

from __future__ import annotations

import math
import random

import pytest

from auditor.numbers import DOWN, UP, fmt_interval, fmt_sig, interval_ends


@pytest.mark.parametrize(("value", "toward", "shown"), [
    (0.771180, DOWN, "0.7711"), (0.840124, UP, "0.8402"), (0.771180, None, "0.7712"),
    (0.99996, DOWN, "0.9999"), (0.99996, UP, "1"), (12345.6, DOWN, "1.234e+04"),
    (0.5, DOWN, "0.5"), (-0.123456, DOWN, "-0.1235"), (-0.123456, UP, "-0.1234"),
])  # fmt: skip
def test_significant_digits_round_outward(value, toward, shown):
    assert fmt_sig(value, 4, toward) == shown


def test_significant_digits_never_cross_the_value_on_their_side():
    rng = random.Random(7)
    for _ in range(5000):
        x = rng.uniform(-1, 1) * 10.0 ** rng.randint(-6, 6)
        assert float(fmt_sig(x, 4, DOWN)) <= x <= float(fmt_sig(x, 4, UP)), x


def test_significant_digits_keep_their_side_of_a_bound():
    assert fmt_sig(0.94996, 4, None, (0.95,)) == "0.94996"
    assert fmt_sig(0.94996, 4, UP, (0.95,)) == "0.94996"  # up would be 0.95, on the bound


def test_an_interval_is_its_value_to_the_nearest_and_its_ends_outward():
    assert fmt_interval(0.3, 0.1236, 0.3754926) == "0.300 [0.123, 0.376]"
    assert fmt_interval(0.3, None, 0.4) == "0.300"
    assert fmt_interval(None, None, None) == "—"
    assert fmt_interval(0.3, 0.2, math.nan) == "0.300"
    assert interval_ends(0.1, None) == "" and interval_ends(0.1, 0.2) == "[0.100, 0.200]"
    assert fmt_interval(0.20004, 0.1, 0.3, bound={"max": 0.2}) == "0.20004 [0.100, 0.300]"
