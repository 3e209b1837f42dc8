import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn import metrics as skm

from auditor.privacy.roc import (
    auc_interval,
    clopper_pearson,
    log_curve,
    roc_auc,
    roc_counts,
    threshold_at_fpr,
    tpr_at_fpr,
    tpr_interval_at_fpr,
)
from auditor.seeding import Rngs


def _scores(seed, n_in=200, n_out=300, shift=0.5, ties=False):
    rng = np.random.default_rng(seed)
    s_in, s_out = rng.normal(shift, 1, n_in), rng.normal(0, 1, n_out)
    if ties:
        s_in, s_out = np.round(s_in, 1), np.round(s_out, 1)
    return s_in, s_out


@pytest.mark.parametrize("ties", [False, True])
def test_roc_matches_sklearn(ties):
    s_in, s_out = _scores(0, ties=ties)
    y = np.r_[np.ones(len(s_in)), np.zeros(len(s_out))]
    s = np.r_[s_in, s_out]
    fpr, tpr, _ = skm.roc_curve(y, s, drop_intermediate=False)
    c = roc_counts(s_in, s_out)
    assert np.allclose(c.fpr, fpr) and np.allclose(c.tpr, tpr)
    assert roc_auc(s_in, s_out) == pytest.approx(skm.roc_auc_score(y, s))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 10_000))
def test_auc_property_matches_sklearn(n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    s_in, s_out = rng.integers(0, 5, n_in).astype(float), rng.integers(0, 5, n_out).astype(float)
    y = np.r_[np.ones(n_in), np.zeros(n_out)]
    assert roc_auc(s_in, s_out) == pytest.approx(skm.roc_auc_score(y, np.r_[s_in, s_out]))
    for level in (0.01, 0.1, 0.5):
        t = tpr_at_fpr(roc_counts(s_in, s_out), level)
        assert t.fp <= level * n_out + 1e-9
        assert t.tp == int((s_in >= t.threshold).sum()) and t.fp == int(
            (s_out >= t.threshold).sum()
        )


def test_clopper_pearson_matches_scipy():
    for k, n in [(0, 10), (3, 10), (10, 10), (17, 266)]:
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
        lo, hi = clopper_pearson(k, n)
        assert lo == pytest.approx(ci.low, abs=1e-9) and hi == pytest.approx(ci.high, abs=1e-9)
    assert all(math.isnan(v) for v in clopper_pearson(0, 0))


def test_tpr_at_fpr_counts_and_resolvability():
    s_in = np.array([5.0, 4.0, 3.0, 0.0])
    s_out = np.array([3.5, 1.0, 0.5, -1.0])
    t = tpr_at_fpr(roc_counts(s_in, s_out), 0.25)
    assert (t.tp, t.fp, t.n_members, t.n_non_members) == (3, 1, 4, 4)
    assert t.resolvable
    t0 = tpr_at_fpr(roc_counts(s_in, s_out), 0.001)
    assert (t0.tp, t0.fp) == (2, 0) and not t0.resolvable
    assert t0.ci_low <= t0.tpr <= t0.ci_high


def test_threshold_at_fpr_allows_at_most_that_many_false_positives():
    s_out = np.random.default_rng(1).normal(size=1000)
    for level in (0.001, 0.01, 0.1):
        thr = threshold_at_fpr(s_out, level)
        assert (s_out >= thr).sum() <= level * len(s_out)


def test_auc_interval_covers_half_for_chance():
    s_in, s_out = _scores(3, shift=0.0)
    auc = roc_auc(s_in, s_out)
    lo, hi = auc_interval(auc, len(s_in), len(s_out))
    assert lo < 0.5 < hi and hi - lo < 0.15


def test_auc_interval_of_a_perfect_separation_on_few_rows_is_wide_and_holds_one():
    """Members all above non-members: AUC 1. On 5 and 5 rows the interval reaches well below
    (the old Wald interval's floor gave [0.90, 1]); it narrows as the rows grow."""
    widths = []
    for n in (5, 50, 5000):
        s_in, s_out = np.arange(n) + n, np.arange(n)
        auc = roc_auc(s_in, s_out)
        lo, hi = auc_interval(auc, n, n)
        assert auc == hi == 1.0 and lo < 1.0
        widths.append(hi - lo)
    assert widths[0] > 0.2 and widths[0] > widths[1] > widths[2] > 0


def test_log_curve_is_monotone_and_spans_to_one():
    s_in, s_out = _scores(4)
    curve = log_curve(roc_counts(s_in, s_out))
    assert curve["fpr"][0] == pytest.approx(1 / len(s_out)) and curve["fpr"][-1] == 1.0
    assert np.all(np.diff(curve["tpr"]) >= 0) and curve["tpr"][-1] == 1.0


def _tpr_at_fpr_draws(target: float, n: int, reps: int, *, fpr: float = 0.01, ties: bool = False):
    """``reps`` audits of n members and n non-members, binormal scores whose true TPR at the
    threshold of true FPR ``fpr`` is ``target`` (scores rounded to 0.25 with ``ties``)."""
    z = stats.norm.ppf(1 - fpr)
    mu = stats.norm.ppf(target) + z
    rng = Rngs(9).numpy(f"tests/privacy/tpr_at_fpr/{target}/{n}/{ties}")
    for _ in range(reps):
        s_in, s_out = rng.normal(mu, 1, n), rng.normal(0, 1, n)
        if ties:  # the truth at a rounded threshold: TPR where the rounded FPR is <= fpr
            s_in, s_out = np.round(s_in * 4) / 4, np.round(s_out * 4) / 4
        yield tpr_at_fpr(roc_counts(s_in, s_out), fpr)


def _truth_with_ties(target: float, fpr: float = 0.01) -> float:
    z = stats.norm.ppf(1 - fpr)
    mu = stats.norm.ppf(target) + z
    t = np.ceil((z + 0.125) * 4) / 4  # the lowest rounded threshold whose FPR is <= fpr
    return float(stats.norm.sf(t - 0.125 - mu))


CASES = [
    (0.10, 1000, False),
    (0.10, 266, False),
    (0.01, 1000, False),
    (0.3, 500, True),
    (0.1, 2000, True),
]


@pytest.mark.parametrize(("target", "n", "ties"), CASES)
def test_tpr_at_fpr_interval_covers_the_tpr_at_the_true_fpr(target, n, ties):
    """The threshold is placed by the non-members, so it is noisy too: Clopper-Pearson at
    the chosen threshold alone covered a TPR at 1% FPR of 0.10 59-63% of the time, and the
    default gate (<= 0.10, confident-fail) failed that model 20-26% of the time, not 2.5%."""
    truth = _truth_with_ties(target) if ties else target
    draws = list(_tpr_at_fpr_draws(target, n, 300, ties=ties))
    cover = np.mean([t.ci_low <= truth <= t.ci_high for t in draws])
    assert cover >= 0.95, cover
    assert np.mean([t.ci_low > truth for t in draws]) <= 0.025  # a confident false fail
    assert all(t.ci_low <= t.tpr <= t.ci_high for t in draws)


def test_tpr_at_fpr_interval_still_sees_a_leak_on_enough_rows():
    """A true TPR of 0.3 at 1% FPR, 1,000 rows a side: the interval is wholly above 0.10."""
    draws = list(_tpr_at_fpr_draws(0.3, 1000, 100))
    assert np.mean([t.ci_low > 0.10 for t in draws]) >= 0.85


def test_tpr_at_fpr_of_a_two_valued_score_is_held_to_what_the_ties_allow():
    """The correctness attack's scores are 0 or 1: no threshold has an FPR of 1% but the one
    above every score (TPR 0). The interval holds 0 and stays narrow: it counts the members
    strictly above a rank's score (at or above it, the upper end was 0.995)."""
    rng = Rngs(9).numpy("tests/privacy/tpr_at_fpr/two_valued")
    for _ in range(20):
        s_in = (rng.random(266) < 0.99).astype(float)
        s_out = (rng.random(266) < 0.97).astype(float)
        t = tpr_at_fpr(roc_counts(s_in, s_out), 0.01)
        assert t.tpr == 0.0 and t.ci_low == 0.0 and t.ci_high < 0.03


@pytest.mark.parametrize("n_out", [1, 7, 266, 5000])
@pytest.mark.parametrize("level", [0.001, 0.01, 0.3])
def test_tpr_interval_reads_the_binomial_cdf_only_near_its_mean(n_out, level):
    """The ranks c_lo and c_hi come from the CDF within 12 sd of the mean: the same ranks,
    so the same interval, as from the whole CDF (0.5 s at a million non-members)."""
    from scipy.special import bdtr

    s_in, s_out = _scores(4, n_in=300, n_out=n_out)
    counts = roc_counts(s_in, s_out)
    tail = 0.05 / 4
    cdf = bdtr(np.arange(n_out + 1), n_out, level)
    c_lo = int(np.searchsorted(cdf, tail, side="right"))
    c_hi = int(np.searchsorted(cdf, 1 - tail, side="left"))
    each = 1 - 2 * tail
    want_lo = clopper_pearson(_above(counts, c_lo), 300, confidence=each)[0] if c_lo else 0.0
    want_hi = (
        clopper_pearson(_above(counts, c_hi + 1), 300, confidence=each)[1] if c_hi < n_out else 1.0
    )
    assert tpr_interval_at_fpr(counts, level) == (want_lo, want_hi)


def _above(counts, c):
    """Members strictly above the c-th largest non-member score, from the scores' order."""
    j = int(np.flatnonzero(counts.fp >= c)[0])
    return int(counts.tp[j - 1])


@pytest.mark.parametrize("kind", ["continuous", "three_values", "two_values"])
@pytest.mark.parametrize(("n_in", "n_out"), [(5, 5), (20, 50), (266, 266)])
def test_auc_interval_holds_half_at_chance_with_ties_and_few_rows(kind, n_in, n_out):
    """Members and non-members from one distribution (AUC 0.5, ties counted half): the 95%
    interval leaves out 0.5 on either side at most 2.5% of the time, up to the noise of 400
    draws (sd 0.8%). Seen: 0.7-3.2% a side continuous, 0-2.2% with three values, <= 0.4%
    with two (ties shrink the AUC's variance, the Hanley-McNeil one does not)."""
    rng = Rngs(9).numpy(f"tests/privacy/auc_chance/{kind}/{n_in}/{n_out}")
    below = above = 0
    for _ in range(400):
        if kind == "continuous":
            s = rng.normal(size=n_in + n_out)
        elif kind == "three_values":
            s = rng.integers(0, 3, n_in + n_out).astype(float)
        else:
            s = (rng.random(n_in + n_out) < 0.8).astype(float)
        auc = roc_auc(s[:n_in], s[n_in:])
        lo, hi = auc_interval(auc, n_in, n_out)
        assert lo <= auc <= hi
        below += hi < 0.5
        above += lo > 0.5
    assert below / 400 <= 0.025 + 0.02 and above / 400 <= 0.025 + 0.02, (below, above)


@pytest.mark.parametrize(
    ("n_in", "n_out", "fpr"),
    [(50, 50, 0.01), (1000, 50, 0.01), (266, 266, 0.001), (20, 1000, 0.01)],
)
def test_tpr_at_fpr_on_too_few_non_members_is_unresolvable_and_its_interval_still_covers(
    n_in, n_out, fpr
):
    """Fewer than 1 / FPR non-members: the node says resolvable = false (the card and the gate
    read insufficient data) and its interval, which allows for where the threshold falls,
    still holds the TPR at the true FPR (true TPR 0.3, binormal). Seen: 99.8-100%."""
    z = stats.norm.ppf(1 - fpr)
    mu = stats.norm.ppf(0.3) + z
    rng = Rngs(9).numpy(f"tests/privacy/tpr_few/{n_in}/{n_out}/{fpr}")
    draws = [tpr_at_fpr(roc_counts(rng.normal(mu, 1, n_in), rng.normal(0, 1, n_out)), fpr)
             for _ in range(200)]  # fmt: skip
    assert all(t.resolvable == (n_out * fpr >= 1) for t in draws)
    assert np.mean([t.ci_low <= 0.3 <= t.ci_high for t in draws]) >= 0.95
    assert all(t.ci_low <= t.tpr <= t.ci_high for t in draws)


def test_nan_scores_are_refused_not_read_as_the_strongest_member_calls():
    """NaN sorts above +inf: 10 NaN of 100 member scores read as an AUC of 0.59 and 10 true
    positives at 1% FPR under no effect (P). No path gives NaN scores today; one would now
    stop the probe rather than show a leak."""
    from auditor.privacy import roc

    rng = np.random.default_rng(0)
    s_in, s_out = rng.normal(size=100), rng.normal(size=100)
    s_in[:10] = np.nan
    for fn in (roc.roc_auc, roc.roc_counts):
        with pytest.raises(ValueError, match=r"NaN membership scores \(10\)"):
            fn(s_in, s_out)


def test_a_reference_model_whose_outputs_are_not_finite_is_refused_in_one_line():
    """One diverged reference model made every LiRA score NaN (fixed variance), which then
    stopped the audit as an internal error (R13); it is refused as a diverged target is."""
    from auditor.errors import AuditorInputError
    from auditor.privacy.engine import check_references_finite

    logits = np.zeros((4, 30, 2))
    check_references_finite(logits, field="finetune.lr")
    logits[2, 5, 1] = np.nan
    logits[3, 0, 0] = np.inf
    with pytest.raises(AuditorInputError, match=r"^finetune.lr: 2 of the 4 reference models "
                       r"gave outputs that are not finite \(NaN or infinite; first: reference 2\)"):
        check_references_finite(logits, field="finetune.lr")


def test_rmia_keeps_a_nan_ratio_nan_rather_than_the_strongest_member_call():
    """RMIA ranked a NaN likelihood ratio last, a score of 1.0 (R13)."""
    from auditor.privacy.attacks.rmia import rmia_scores

    rng = np.random.default_rng(1)
    p_x, p_z = rng.uniform(0.1, 0.9, 20), rng.uniform(0.1, 0.9, 50)
    p_ref_x, p_ref_z = rng.uniform(0.1, 0.9, (4, 20)), rng.uniform(0.1, 0.9, (4, 50))
    in_mask = np.zeros((4, 20), bool)
    in_mask[:2] = True
    p_ref_x[3, :5] = np.nan
    scores = rmia_scores(p_x, p_z, p_ref_x, in_mask, p_ref_z, a=0.3)
    assert np.isnan(scores[:5]).all() and np.isfinite(scores[5:]).all()
    p_ref_z[0, 0] = np.nan
    assert np.isnan(rmia_scores(p_x, p_z, p_ref_x, in_mask, p_ref_z, a=0.3)).all()
