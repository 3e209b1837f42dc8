"""The intervals' coverage (a fast subset of bench/bench_intervals.py), the gate's false-fail
rate at its bound, and properties every interval has: it contains its estimate, is never of
zero width at finite n, and stays inside [0, 1]."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from auditor.fairness import CountsTable, audit_counts
from auditor.fairness.intervals import RATE_METHODS, UNKNOWN_METHOD, rate_interval
from auditor.seeding import Rngs

_BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_intervals.py"
_spec = importlib.util.spec_from_file_location("bench_intervals", _BENCH)
bench = sys.modules.setdefault("bench_intervals", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bench)

REPS = 150  # the benchmark runs 1000 and all six situations
SITUATION = {s.name: s for s in bench.SITUATIONS}


def _exact_tpr_coverage(n_rows: int, base: float, tpr: float) -> float:
    """P(the 95% interval of a group's TPR covers ``tpr``), summed over every outcome."""
    pos = np.arange(1, n_rows + 1)
    weight = binom.pmf(pos, n_rows, base)
    pos, weight = pos[weight > 1e-12], weight[weight > 1e-12]
    n = np.repeat(pos, pos + 1)
    k = np.concatenate([np.arange(p + 1) for p in pos])
    lo, hi = rate_interval(k, n)
    p_outcome = np.repeat(weight, pos + 1) * binom.pmf(k, n, tpr)
    return float(np.sum(p_outcome * ((lo <= tpr) & (tpr <= hi))) / weight.sum())


@pytest.mark.parametrize("situation", bench.SITUATIONS + bench.BOUNDARY, ids=lambda s: s.name)
def test_every_groups_tpr_interval_covers(situation):
    """Exact, not simulated: every group's TPR, the 60-row one included, covers >= 0.93."""
    for g, n_rows in enumerate(bench.SIZES):
        cover = _exact_tpr_coverage(n_rows, situation.base[g], situation.tpr[g])
        assert cover >= 0.93, (bench.LABELS[g], cover)


@pytest.mark.parametrize("name", ["tie: TPR gap = FPR gap = 0.2", "no gap"])
def test_gap_intervals_cover_in_the_hard_situations(name):
    c = bench.coverage(SITUATION[name], REPS, Rngs(11))
    assert c[bench.DP] >= 0.93 and c[bench.EO] >= 0.93, c


def test_confident_fail_at_the_bound_is_rare_on_a_tie():
    rates = bench.false_fail_rates(bench.BOUNDARY[1], REPS, Rngs(12))
    assert rates["confident-fail"] <= 0.025, rates
    assert rates["point"] > 0.25  # the point estimate of a max is biased upward: it fails often


def test_situations_have_the_truth_they_are_named_for():
    assert SITUATION["no gap"].truth() == {bench.DP: 0.0, bench.EO: 0.0}
    assert SITUATION["true gaps 0.05"].truth()[bench.EO] == pytest.approx(0.05)
    tie = SITUATION["tie: TPR gap = FPR gap = 0.2"]
    assert np.ptp(tie.tpr) == pytest.approx(0.2) and np.ptp(tie.fpr) == pytest.approx(0.2)
    assert all(s.truth()[bench.EO] == pytest.approx(0.2) for s in bench.BOUNDARY)


@settings(max_examples=200, deadline=None)
@given(
    k=st.integers(0, 500),
    extra=st.integers(0, 500),
    method=st.sampled_from(sorted(RATE_METHODS)),
    level=st.sampled_from([0.8, 0.95, 0.999999]),
)
def test_rate_interval_contains_estimate_and_has_width(k, extra, method, level):
    n = k + extra
    lo, hi = rate_interval(np.array([k]), np.array([n]), level=level, method=method)
    if n == 0:
        assert np.isnan(lo[0]) and np.isnan(hi[0])
        return
    assert 0.0 <= lo[0] <= k / n <= hi[0] <= 1.0
    assert hi[0] > lo[0]


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown interval method 'wald'"):
        rate_interval(np.array([1]), np.array([2]), method="wald")
    assert UNKNOWN_METHOD.startswith("unknown interval method")


def _check(node, *, width: bool) -> None:
    v, lo, hi = node.value, node.ci_low, node.ci_high
    if v is None or math.isnan(v) or getattr(node, "status", "ok") != "ok":
        return
    assert not (math.isnan(lo) or math.isnan(hi)), node
    assert 0.0 <= lo <= v <= hi <= 1.0, node
    if width:
        assert hi > lo, node


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.lists(st.integers(0, 60), min_size=4, max_size=4), min_size=2, max_size=6),
    min_group_size=st.integers(1, 40),
)
def test_every_interval_contains_its_estimate(cells, min_group_size):
    """Per-group metrics and every disparity, both methods, on arbitrary counts (zeros,
    empty groups, rates of 0 and 1)."""
    counts = np.array(cells, dtype=np.int64).reshape(-1, 2, 2)
    if counts.sum() == 0:
        return
    labels = tuple(f"g{i}" for i in range(len(counts)))
    table = CountsTable(("s",), (labels,), (0, 1), ("0", "1"), counts)
    feat = audit_counts(table, specs=[("s",)], positive=1, min_group_size=min_group_size).features[
        "s"
    ]
    for g in feat.groups:
        for name, est in g.metrics.items():
            if name != "count" and est.n > 0:
                _check(est, width=True)
    for per_method in feat.disparities.values():
        _check(per_method["between_groups"], width=True)
        _check(per_method["to_overall"], width=False)  # a lone defined group: exactly 0


@settings(max_examples=15, deadline=None)
@given(cells=st.lists(st.lists(st.integers(0, 30), min_size=9, max_size=9), min_size=2, max_size=4))
def test_every_interval_contains_its_estimate_multiclass(cells):
    """Three classes: every one-vs-rest view's metrics and disparities."""
    counts = np.array(cells, dtype=np.int64).reshape(-1, 3, 3)
    if counts.sum() == 0:
        return
    labels = tuple(f"g{i}" for i in range(len(counts)))
    table = CountsTable(("s",), (labels,), (0, 1, 2), ("a", "b", "c"), counts)
    feat = audit_counts(table, specs=[("s",)], positive=None, min_group_size=1).features["s"]
    for g in feat.groups:
        for name, est in g.metrics.items():
            if name != "count" and est.n > 0:
                _check(est, width=True)
    for per_method in feat.disparities.values():
        _check(per_method["between_groups"], width=True)
        _check(per_method["to_overall"], width=False)


def test_many_groups_are_compared_in_bounded_memory(monkeypatch):
    """Pairs are compared block by block: the same bounds whatever the block size."""
    from auditor.fairness import intervals

    rng = np.random.default_rng(0)
    n = rng.integers(30, 500, 900)
    k = rng.binomial(n, 0.3)
    whole = intervals.gap_interval([(k, n)])
    monkeypatch.setattr(intervals, "PAIR_BLOCK", 1000)
    assert intervals.gap_interval([(k, n)]) == whole
    assert 0.0 <= whole[0] < whole[1] <= 1.0


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99, 0.9999])
def test_wilson_closed_form_is_statsmodels(level):
    """The Wilson path computes without statsmodels (no scipy.stats import); same numbers."""
    from statsmodels.stats.proportion import proportion_confint

    from auditor.audit_tree import wilson_bounds

    rng = np.random.default_rng(7)
    n = rng.integers(1, 5000, 3000).astype(float)
    k = np.minimum(np.floor(rng.random(3000) * (n + 1)), n)
    want = np.array(proportion_confint(k, n, alpha=1 - level, method="wilson"))
    assert np.allclose(np.array(wilson_bounds(k, n, level=level)), want, rtol=0, atol=1e-12)
