"""Coverage of the fairness intervals where they are hard: true rates near 0 or 1 (exact
binomial sums, every outcome weighed), rates of exactly 0 or 1 on 1, 2 or 5 rows, F1 and
balanced accuracy on small groups, and gaps over 30 groups whose rates sit near 0 (seeded
simulations). A 95% interval covering less than 0.93 fails."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from auditor.fairness.intervals import (
    gap_interval,
    metric_bounds,
    rate_interval,
    ratio_interval,
    to_overall_interval,
)
from auditor.fairness.metrics import all_metrics
from auditor.seeding import Rngs


def exact_coverage(n: int, p: float, level: float = 0.95, method: str = "wilson") -> float:
    """P(the interval of k / n covers p), k ~ Binomial(n, p), summed over every k."""
    k = np.arange(n + 1)
    lo, hi = rate_interval(k, np.full(n + 1, n), level=level, method=method)
    return float(binom.pmf(k, n, p)[(lo <= p) & (p <= hi)].sum())


@pytest.mark.parametrize("method", ["wilson", "jeffreys", "clopper-pearson"])
@pytest.mark.parametrize("n", [5, 20, 100, 1000, 100_000])
@pytest.mark.parametrize("np_", [0.05, 0.17, 0.18, 0.3, 0.6, 1.0, 1.6, 3.0])
def test_a_rate_near_0_or_1_is_covered(n, np_, method):
    """Plain Wilson covered p = 0.17 / n 84% of the time at any n (its known dip, just below
    its lower end at one success, 0.1765 / n: 0.18 / n sits above it), plain Jeffreys
    p = 3 / n 91-92%."""
    p = np_ / n
    cover = min(exact_coverage(n, p, method=method), exact_coverage(n, 1 - p, method=method))
    assert cover >= 0.93, (n, p, cover)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_a_rate_of_exactly_0_or_1_on_a_handful_of_rows(n):
    assert exact_coverage(n, 0.0) == pytest.approx(1.0)
    assert exact_coverage(n, 1.0) == pytest.approx(1.0)
    lo, hi = rate_interval(np.array([0, n]), np.array([n, n]))
    assert lo[0] == 0.0 and hi[1] == 1.0 and hi[0] < 1.0 and lo[1] > 0.0
    grid = np.linspace(0.001, 0.999, 400)  # and any true rate, on so few rows
    assert min(exact_coverage(n, p) for p in grid) >= (0.975 if n < 3 else 0.91)


def test_the_level_a_bonferroni_gap_gives_each_group_holds_near_0():
    """Over 30 groups a gap's pairs are compared at 99.99%+: plain Wilson missed 11% there."""
    level = 1 - 0.05 / (30 * 29)
    for n in (10, 70, 300):
        for np_ in (0.2, 0.5, 1.0, 2.0, 4.0):
            assert 1 - exact_coverage(n, np_ / n, level) <= 0.002, (n, np_)


def _draw(rng: np.random.Generator, sizes: np.ndarray, base: float, tpr: float, fpr: float):
    pos = rng.binomial(sizes, base)
    tp, fp = rng.binomial(pos, tpr), rng.binomial(sizes - pos, fpr)
    return pos, tp, fp


@pytest.mark.parametrize(
    ("tpr", "fpr", "negatives"), [(0.8, 0.005, 70), (0.995, 0.01, 70), (0.99, 0.02, 210)]
)
def test_gaps_over_30_groups_with_rates_near_0_cover_no_gap(tpr, fpr, negatives):
    """Equal rates in 30 groups (no gap): every gap and ratio interval, between groups and to
    the overall value, holds 0 (1 for a ratio). The equalized-odds gap to overall was covered
    0.66-0.79 with plain Wilson (a group's 4 false positives in 70 at a true FPR of 0.01)."""
    rng = Rngs(3).numpy("tests/fairness/gap_near_0")
    sizes = np.full(30, round(negatives / 0.7))
    reps, hits = 250, np.zeros(6)
    for _ in range(reps):
        pos, tp, fp = _draw(rng, sizes, 0.3, tpr, fpr)
        fams = [(tp, pos), (fp, sizes - pos)]
        tots = [(tp.sum(), pos.sum()), (fp.sum(), (sizes - pos).sum())]
        sel = [(tp + fp, sizes)]
        found = (gap_interval(fams), to_overall_interval(fams, tots), gap_interval(sel),
                 to_overall_interval(sel, [(sel[0][0].sum(), sizes.sum())]),
                 ratio_interval(fams), ratio_interval(fams, tots))  # fmt: skip
        truth = (0, 0, 0, 0, 1, 1)
        hits += [lo <= t <= hi for (lo, hi), t in zip(found, truth, strict=True)]
    assert (hits / reps >= 0.93).all(), hits / reps


SMALL_GROUPS = [
    (30, 0.3, 0.8, 0.1),
    (30, 0.1, 0.97, 0.02),
    (200, 0.05, 0.99, 0.005),
    (12, 0.5, 0.9, 0.1),
]


@pytest.mark.parametrize(("n", "base", "tpr", "fpr"), SMALL_GROUPS)
def test_f1_precision_and_balanced_accuracy_of_a_small_group_cover(n, base, tpr, fpr):
    """Each repetition is one group of n rows (drawn all at once): F1 = 2 j / (1 + j), j =
    TP / (TP + FP + FN) at the population's rates, balanced accuracy (TPR + TNR) / 2."""
    rng = Rngs(4).numpy(f"tests/fairness/small_group/{n}/{base}")
    reps = 4000
    pos, tp, fp = _draw(rng, np.full(reps, n), base, tpr, fpr)
    counts = np.stack([n - pos - fp, fp, pos - tp, tp], axis=1).reshape(-1, 2, 2)
    point = all_metrics(counts, [(1, "")])
    bounds = metric_bounds(point, counts, level=0.95, method="wilson")
    e_tp, e_fp, e_fn = base * tpr, (1 - base) * fpr, base * (1 - tpr)
    truth = {"f1": 2 * e_tp / (2 * e_tp + e_fp + e_fn), "precision": e_tp / (e_tp + e_fp),
             "balanced_accuracy": (tpr + 1 - fpr) / 2}  # fmt: skip
    for name, t in truth.items():
        lo, hi = bounds[name]
        ok = ~np.isnan(point.values[name])
        assert np.all((lo[ok] <= point.values[name][ok]) & (point.values[name][ok] <= hi[ok]))
        cover = np.mean((lo[ok] <= t) & (t <= hi[ok]))
        assert cover >= 0.93, (name, cover)


@pytest.mark.parametrize(("groups", "gap"), [(2, 0.0), (2, 0.1), (30, 0.0), (30, 0.2), (60, 0.1)])
def test_a_gap_over_many_groups_covers_the_true_gap(groups, gap):
    """One group's TPR ``gap`` below the rest (the true equalized-odds gap; to the overall
    value gap (1 - 1 / G)), over 300-row groups: between groups and to overall, the interval
    holds the truth; neither end misses far beyond its share."""
    rng = Rngs(5).numpy(f"tests/fairness/gap_ends/{groups}/{gap}")
    sizes = np.full(groups, 300)
    tpr = np.full(groups, 0.8)
    tpr[0] -= gap
    truth_overall = gap * (1 - 1 / groups)  # the group against the mean of all groups' TPRs
    reps, above, below = 400, np.zeros(2), np.zeros(2)
    for _ in range(reps):
        pos = rng.binomial(sizes, 0.3)
        tp, fp = rng.binomial(pos, tpr), rng.binomial(sizes - pos, 0.1)
        fams = [(tp, pos), (fp, sizes - pos)]
        tots = [(tp.sum(), pos.sum()), (fp.sum(), (sizes - pos).sum())]
        for i, ((lo, hi), truth) in enumerate(
            [(gap_interval(fams), gap), (to_overall_interval(fams, tots), truth_overall)]
        ):
            above[i] += lo > truth
            below[i] += hi < truth
    assert ((above + below) / reps <= 0.07).all(), (above, below)
    assert (below / reps <= 0.04).all(), (above, below)
