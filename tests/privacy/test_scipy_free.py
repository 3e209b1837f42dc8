"""The privacy probes' statistics without scipy.stats (its import took ~2 s of a run), against
scipy.stats' own numbers."""

import inspect
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from auditor.privacy.attacks._stats import logit_scaled_confidence
from auditor.privacy.attacks.lira import normal_logpdf
from auditor.privacy.canaries import (
    _log_pmf,
    _tail_masses,
    binomial_tail,
    largest_mean_below,
    p_value_dp_audit,
)
from auditor.privacy.roc import auc_interval, average_ranks, clopper_pearson, roc_auc


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (1, 1), (57, 14652), (0, 1)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_clopper_pearson_matches_scipy_stats_beta(k, n, confidence):
    a = 1 - confidence
    lo = 0.0 if k == 0 else stats.beta.ppf(a / 2, k, n - k + 1)
    hi = 1.0 if k == n else stats.beta.ppf(1 - a / 2, k + 1, n - k)
    np.testing.assert_allclose(clopper_pearson(k, n, confidence=confidence), (lo, hi), rtol=1e-12)


def test_auc_interval_uses_the_normal_quantile():
    """The ends solve (|A - auc| - c)^2 = z^2 V_HM(A), c = 1 / (4 min(P, N)) the continuity
    correction, with scipy's normal quantile."""
    lo, hi = auc_interval(0.6, 100, 120, confidence=0.9)
    z = stats.norm.ppf(0.95)
    for a in (lo, hi):
        q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
        var = (a * (1 - a) + 99 * (q1 - a * a) + 119 * (q2 - a * a)) / 12000
        assert (abs(a - 0.6) - 0.25 / 100) ** 2 == pytest.approx(z * z * var, rel=1e-9)
    assert lo < 0.6 < hi


def test_average_ranks_match_scipy_rankdata_with_ties():
    rng = np.random.default_rng(0)
    for a in (rng.normal(size=500), rng.integers(0, 7, size=500).astype(float), np.zeros(5),
              np.array([3.0]), np.array([], dtype=float)):  # fmt: skip
        np.testing.assert_array_equal(average_ranks(a), stats.rankdata(a))
    s_in, s_out = rng.integers(0, 5, 300), rng.integers(0, 4, 200)
    from sklearn.metrics import roc_auc_score

    expected = roc_auc_score(np.r_[np.ones(300), np.zeros(200)], np.r_[s_in, s_out])
    assert roc_auc(s_in, s_out) == pytest.approx(expected, abs=1e-12)


def test_normal_logpdf_matches_scipy():
    rng = np.random.default_rng(1)
    x, mu, sd = rng.normal(size=100), rng.normal(size=100), rng.uniform(1e-6, 5, size=100)
    np.testing.assert_allclose(normal_logpdf(x, mu, sd), stats.norm.logpdf(x, mu, sd), rtol=1e-12)


@pytest.mark.parametrize(("n", "p"), [(40, 0.5), (40, 0.93), (100, 0.01), (7, 1.0), (7, 0.0),
                                    (1, 0.3), (14652, 0.62), (10**6, 0.5 + 1e-3)])  # fmt: skip
def test_the_binomial_tail_and_its_masses_match_scipy(n, p):
    """What the one-run audit's p-value sums in ``math``: P[Bin(n, p) >= v] (both sides of the
    mean), each log mass, and the largest mean of the masses below v."""
    few = {-1, 0, 1, 2, n // 3, n // 2, round(n * p), n - 2, n - 1, n, n + 1}
    rounding = 1e-15 * math.lgamma(n + 1) + 1e-11  # lgamma(n + 1)'s last digits
    for v in range(-1, n + 2) if n <= 100 else sorted(few):
        expected = stats.binom.sf(v - 1, n, p)
        assert binomial_tail(v, n, p) == pytest.approx(expected, rel=1e-9, abs=1e-300), v
        if 0 <= v <= n and 0 < p < 1:
            assert _log_pmf(v, n, p) == pytest.approx(stats.binom.logpmf(v, n, p), abs=rounding)
    for v in range(1, n + 1) if n <= 100 else sorted(few - {-1, 0, n + 1}):
        masses = stats.binom.pmf(np.arange(v - 1, -1, -1), n, p)
        expected = max(np.cumsum(masses) / np.arange(1, v + 1))
        # as close as each log mass: its 2^500 rescales (~2000 at n = 10^6) are added back
        # once, where adding 500 ln 2 each time drifted 1.7e-8 off there (R3 #7, R8 #4)
        mean = largest_mean_below(v, n, p)
        assert mean == pytest.approx(expected, rel=rounding, abs=1e-300), v


def _summed_at_most(most: float, *args, **kwargs) -> float:
    """:func:`_tail_masses` of ``args``, failing once it has summed more than ``most`` masses,
    each counted as its line runs (sys.settrace), not by a count it returns (R8 #3)."""
    lines, start = inspect.getsourcelines(_tail_masses)
    line = start + next(i for i, text in enumerate(lines) if "total += term" in text)
    summed = 0

    def count(frame, event, _arg):
        nonlocal summed
        if event == "line" and frame.f_lineno == line:
            summed += 1
            assert summed <= most, f"more than {most:g} masses summed"
        return count

    def calls(frame, _event, _arg):
        return count if frame.f_code is _tail_masses.__code__ else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        log_sum = _tail_masses(*args, **kwargs)
    finally:
        sys.settrace(previous)
    assert summed >= 1
    return log_sum


@pytest.mark.parametrize("n", [10**7, 10**8])
@pytest.mark.parametrize("sds", [-38.0, 38.3])
def test_a_tail_from_a_subnormal_mass_sums_a_few_standard_deviations(n, sds):
    """R3 #1: a first mass below 1e-308 (38 sd from the mean, log mass about -730) stuck at
    5e-324 and walked on until the masses' ratio fell below 1/2, about n / 6 of them (7.6 s at
    10^8, a gate of an edited audit 5 s); scaled by the first mass, it sums as many as from
    any start, 1 sd here (at most about 9)."""
    sd = math.sqrt(n / 4)
    v = int(n / 2 + sds * sd)
    upper = sds > 0
    first = v if upper else v - 1
    assert -745 < _log_pmf(first, n, 0.5) < math.log(sys.float_info.min)
    log_sum = _summed_at_most(2 * sd, first, n, 0.5, upper=upper)
    away = np.arange(first, first + 20 * sd) if upper else np.arange(first, first - 20 * sd, -1)
    expected = logsumexp(stats.binom.logpmf(away, n, 0.5))  # scipy's logsf: 3 digits there
    assert log_sum == pytest.approx(expected, abs=1e-15 * math.lgamma(n + 1))
    assert binomial_tail(v, n, 0.5) == pytest.approx(math.exp(expected) if upper else 1.0)


def test_p_value_of_the_one_run_audit_matches_the_scipy_formula():
    m, r, v, eps, delta = 100, 40, 33, 1.2, 1e-5
    q = 1 / (1 + np.exp(-eps))
    pmf = stats.binom.pmf(np.arange(v - 1, -1, -1), r, q)
    alpha = max(np.cumsum(pmf) / np.arange(1, v + 1))
    expected = stats.binom.sf(v - 1, r, q) + alpha * delta * 2 * m
    assert p_value_dp_audit(m, r, v, eps, delta) == pytest.approx(expected, rel=1e-10)


def test_logit_scaled_confidence_of_two_classes_is_the_general_formula():
    rng = np.random.default_rng(2)
    z, y = rng.normal(scale=2, size=(3, 50, 2)), rng.integers(0, 2, 50)
    zy = np.take_along_axis(z, np.broadcast_to(y[:, None], (3, 50, 1)), -1)[..., 0]
    p = np.exp(zy) / np.exp(z).sum(-1)
    np.testing.assert_allclose(logit_scaled_confidence(z, y), np.log(p / (1 - p)), rtol=1e-7)
    z3, y3 = rng.normal(size=(50, 3)), rng.integers(0, 3, 50)
    p3 = np.exp(z3[np.arange(50), y3]) / np.exp(z3).sum(-1)
    np.testing.assert_allclose(logit_scaled_confidence(z3, y3), np.log(p3 / (1 - p3)), rtol=1e-9)


def test_the_privacy_check_does_not_import_scipy_stats():
    code = "import sys, auditor.checks.privacy; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
