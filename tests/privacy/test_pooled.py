"""The pooled columns (target + reference models attacked alike) count a row once in every
attacked model: their intervals are clustered by row (auditor.privacy.pooled). Simulated with
the reference design (complementary halves of the pool, the target's own random half) and a
leak on a tenth of the rows only, the case where one row's copies move together."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from auditor.privacy import roc
from auditor.privacy.pooled import clustered_auc, design_effect, distinct_rows
from auditor.privacy.summary import attack_report

LEVELS = [0.01, 0.001]


def _draw(rng, n, k, sa, b, frac, tie=0.0):
    """scores (1 + k, n): row effect a_i, a leak b on a share frac of the rows, noise 1."""
    half = np.stack([rng.permutation(n) < n // 2 for _ in range(k // 2)])
    mem = np.concatenate([(rng.permutation(n) < n // 2)[None], half, ~half])
    leak = np.where(rng.random(n) < frac, b, 0.0)
    s = rng.normal(0, sa, n)[None] + leak[None] * mem + rng.normal(0, 1, mem.shape)
    return (np.round(s / tie) * tie if tie else s), mem


def _truth(mem, n, sa, b, frac, level):
    """The pooled AUC's expectation given the design (pairs of one row: noise only) and the
    population TPR at the threshold whose FPR is ``level``."""
    m, o = mem.sum(axis=0), (~mem).sum(axis=0)
    same = float(m @ o) / (m.sum() * o.sum())
    a_diff = frac * norm.cdf(b / math.sqrt(2 * sa**2 + 2)) + (1 - frac) / 2
    a_same = frac * norm.cdf(b / math.sqrt(2)) + (1 - frac) / 2
    sd = math.sqrt(sa**2 + 1)
    t = sd * norm.ppf(1 - level)
    tpr = frac * norm.sf((t - b) / sd) + (1 - frac) * level
    return (1 - same) * a_diff + same * a_same, tpr


def _misses(n, k, sa, b, frac, reps, seed, tie=0.0):
    rng = np.random.default_rng(seed)
    miss = {"auc": 0, **{lv: 0 for lv in LEVELS}}
    for _ in range(reps):
        s, mem = _draw(rng, n, k, sa, b, frac, tie)
        pooled = attack_report(
            name="loss", description="", params={}, target=s[0], is_member=mem[0],
            ref_scores=s[1:], ref_in=mem[1:], levels=LEVELS, confidence=0.95,
        ).pooled  # fmt: skip
        auc = pooled.auc
        assert auc.ci_low <= auc.value <= auc.ci_high
        truth_auc, _ = _truth(mem, n, sa, b, frac, 0.01)
        miss["auc"] += not auc.ci_low <= truth_auc <= auc.ci_high
        for lv in LEVELS:
            t = pooled.tpr_at_fpr[f"{lv:g}"]
            assert t.ci_low <= t.value <= t.ci_high
            truth = lv if tie else _truth(mem, n, sa, b, frac, lv)[1]
            miss[lv] += not t.ci_low <= truth <= t.ci_high
    return {key: v / reps for key, v in miss.items()}


@pytest.mark.parametrize(
    ("n", "k", "sa", "b"),
    [(300, 16, 1.0, 4.0), (300, 16, 1.0, 8.0), (300, 16, 0.0, 4.0)],
)
def test_pooled_intervals_cover_with_a_leak_on_some_rows(n, k, sa, b):
    """Counting every (model, row) pair as independent missed here in 12.5-13.3% (AUC) and
    16-33% (TPR at 1% FPR) of these 120 draws at 95%; clustered by row: 5-6% and 0-1%."""
    miss = _misses(n, k, sa, b, 0.1, reps=120, seed=11)
    assert miss["auc"] <= 0.09, miss  # 5% + 2 sd of 120 draws
    assert miss[0.01] <= 0.09, miss
    assert miss[0.001] <= 0.09, miss


@pytest.mark.parametrize(("n", "k", "tie"), [(30, 2, 0.0), (40, 4, 1.0), (100, 16, 0.5)])
def test_pooled_intervals_cover_without_a_leak_on_few_rows_and_ties(n, k, tie):
    """No leak: AUC 0.5 and TPR = the level (scores tied on a grid included), TPRs of 0."""
    miss = _misses(n, k, 1.0, 0.0, 0.0, reps=80, seed=5, tie=tie)
    assert max(miss.values()) <= 0.10, miss


def test_clustered_auc_is_the_auc_and_its_variance_counts_rows_once():
    rng = np.random.default_rng(0)
    s_in, s_out = rng.normal(1, 1, 50), rng.normal(0, 1, 60)
    rows_in, rows_out = np.arange(50), np.arange(50, 110)
    auc, var = clustered_auc(s_in, s_out, rows_in, rows_out)
    assert auc == pytest.approx(roc.roc_auc(s_in, s_out))
    # the same rows copied 5 times (5 identical models): the same AUC, 5 times the variance
    auc5, var5 = clustered_auc(np.tile(s_in, 5), np.tile(s_out, 5), np.tile(rows_in, 5),
                               np.tile(rows_out, 5))  # fmt: skip
    assert auc5 == pytest.approx(auc)
    assert var5 == pytest.approx(var, rel=1e-9)  # copies add nothing: the variance stays


def test_design_effect_is_one_for_independent_copies_and_the_copies_when_identical():
    rng = np.random.default_rng(1)
    rows = np.repeat(np.arange(400), 8)
    assert design_effect(rng.random(3200) < 0.3, rows) == pytest.approx(1.0, abs=0.25)
    same = np.repeat(rng.random(400) < 0.3, 8)  # a row's copies all called alike
    assert design_effect(same, rows) == pytest.approx(8.0, rel=0.01)
    assert design_effect(np.zeros(3200, dtype=bool), rows) == 8.0  # nothing to estimate it from
    assert design_effect(np.ones(3200, dtype=bool), rows) == 8.0


def test_a_pooled_tpr_is_resolvable_only_where_its_distinct_rows_allow_a_false_positive():
    """300 rows, 16 reference models: the target's 150 non-members cannot resolve FPR 0.001,
    and the pooled column's 2,550 non-member scores are copies of the same 300 rows (300 x
    0.001 = 0.3 false positives allowed). It was marked resolvable from the copies and its TPR
    shown as a number; 0.01 (3 rows' worth) and 3,000 rows resolve."""
    rng = np.random.default_rng(3)
    for n, resolves in (
        (300, {"0.01": True, "0.001": False}),
        (3000, {"0.01": True, "0.001": True}),
    ):
        s, mem = _draw(rng, n, 16, 1.0, 4.0, 0.1)
        report = attack_report(
            name="loss", description="", params={}, target=s[0], is_member=mem[0],
            ref_scores=s[1:], ref_in=mem[1:], levels=LEVELS, confidence=0.95,
        )  # fmt: skip
        pooled = report.pooled
        assert pooled.n_non_members == n // 2 + 8 * n
        assert {key: t.resolvable for key, t in pooled.tpr_at_fpr.items()} == resolves
        assert report.tpr_at_fpr["0.001"].resolvable is (n // 2 * 0.001 >= 1)
    # two reference models, the first left out of the pool (as RMIA does): 200 non-member
    # scores, from the target's 100 non-member rows and the second model's, partly the same
    s, mem = _draw(rng, 200, 2, 1.0, 0.0, 0.0)
    out = np.r_[np.flatnonzero(~mem[0]), np.flatnonzero(~mem[2])]
    rows = distinct_rows(out)
    assert rows == len(set(out.tolist())) and 100 < rows < 200
    level = 0.9 / rows  # one false positive in 200 copies, none in the rows
    pooled = attack_report(
        name="rmia", description="", params={}, target=s[0], is_member=mem[0],
        ref_scores=s[1:], ref_in=mem[1:], levels=[level], confidence=0.95, pool_exclude=(0,),
    ).pooled  # fmt: skip
    assert pooled.n_non_members == 200 and not pooled.tpr_at_fpr[f"{level:g}"].resolvable
