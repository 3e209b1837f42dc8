"""Coverage of auditor's score intervals (ROC AUC, log loss, ECE) where they are hard, beside
the normal approximations they replaced.

    .venv/bin/python bench/bench_score_intervals.py             # 1000 repetitions: 1-3 min
    .venv/bin/python bench/bench_score_intervals.py --reps 300 --seed 1

A model is a distribution of its score s (on a grid of 100,000 points, or of 11 for ties)
and the true P(y = 1 | s); the truth of each metric is computed exactly over that
distribution: ROC AUC P(s+ > s-) + P(tie) / 2, the expected log loss, and the population's
top-label ECE over the same 15 bins (sum_b P_b |A_b - C_b|, 0 for a calibrated model). Each
repetition draws n rows, computes the metrics and their 95% intervals as an audit does
(:func:`auditor.results.scores.score_metrics` and :mod:`auditor.results.score_intervals`),
and counts whether each interval contains the truth. Where an interval is not available
(one class only for ROC AUC; fewer than 2 rows of a class for log loss) the repetition is
left out of that metric's coverage and counted in ``n/a``; ``ECE>hi``: the share of samples
whose true ECE is above the interval; ``ECE lo=0``: the share whose ECE interval reaches 0
(wanted for a calibrated model, lost power for a miscalibrated one). "old" is the interval
each metric had before: Hanley-McNeil at the estimate (Wilson at 0 or 1), mean +- z sd /
sqrt(n), and ECE +- z se. Every coverage of auditor's intervals below 0.95 is marked and
listed at the end; one below it by more than twice its Monte Carlo standard error makes the
run exit 1.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from auditor.results.classification import N_BINS, bin_index
from auditor.results.score_intervals import (
    auc_interval,
    ece_interval,
    log_loss_interval,
    z_value,
)
from auditor.results.scores import EPS, ClassScoreSums, ScoreMetrics, score_metrics
from auditor.seeding import Rngs

LEVEL = 0.95
METRICS = ("roc_auc", "log_loss", "ece")
GRID = (np.arange(100_000) + 0.5) / 100_000


@dataclass(frozen=True)
class Model:
    """Scores ``s`` with probabilities ``mass``; ``q``: the true P(y = 1 | s)."""

    name: str
    s: np.ndarray
    mass: np.ndarray
    q: np.ndarray

    def truth(self) -> dict[str, float]:
        s, m, q = self.s, self.mass, self.q
        clipped = np.clip(s, EPS, 1 - EPS)
        loss = -(q * np.log(clipped) + (1 - q) * np.log(1 - clipped))
        pos, neg = m * q / np.sum(m * q), m * (1 - q) / np.sum(m * (1 - q))
        below = np.cumsum(neg) - neg  # s is sorted and distinct
        conf = np.maximum(s, 1 - s)
        right = np.where(s > 0.5, q, 1 - q)  # P(the top label is right)
        b = bin_index(conf, N_BINS)
        p_b, a_b, c_b = (np.bincount(b, weights=m * w, minlength=N_BINS) for w in (1, right, conf))
        return {
            "roc_auc": min(float(np.sum(pos * (below + neg / 2))), 1.0),
            "log_loss": float(np.sum(m * loss)),
            "ece": float(np.sum(np.abs(a_b - c_b)[p_b > 0])),
            "base_rate": float(np.sum(m * q)),
        }

    def draw(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """n rows: (y (n,) 0/1, score (n,))."""
        i = np.minimum(np.searchsorted(np.cumsum(self.mass), rng.random(n)), len(self.s) - 1)
        return (rng.random(n) < self.q[i]).astype(np.int64), self.s[i]


def beta_model(name: str, a: float, b: float, q: Callable[[np.ndarray], np.ndarray] | None = None,
               grid: np.ndarray = GRID) -> Model:  # fmt: skip
    """Scores with a Beta(a, b) density on ``grid`` (uniform where a = b = 1);
    P(y = 1 | s) = q(s), s itself (a calibrated model) by default."""
    inner = np.clip(grid, EPS, 1 - EPS)
    log_m = (a - 1) * np.log(inner) + (b - 1) * np.log(1 - inner)
    m = np.exp(log_m - log_m.max())
    return Model(name, grid, m / m.sum(), grid.copy() if q is None else q(grid))


def _logit_scaled(k: float) -> Callable[[np.ndarray], np.ndarray]:
    """P(y = 1 | s) = sigmoid(k logit(s)): k < 1 an overconfident model, k > 1 underconfident."""
    return lambda s: 1 / (1 + np.exp(-k * np.log(s / (1 - s))))


def _with_confident_mistakes(name: str, model: Model, share: float, score: float) -> Model:
    """``model`` with a share of rows scored ``score`` (positives: a confident mistake, loss
    -log(score)) or 1 - ``score`` (negatives), half each: rare large losses a small sample
    often lacks, among scores that spread."""
    s = np.concatenate([[score], model.s, [1 - score]])
    mass = np.concatenate([[share / 2], (1 - share) * model.mass, [share / 2]])
    return Model(name, s, mass, np.concatenate([[1.0], model.q, [0.0]]))


MODELS = {m.name: m for m in (
    beta_model("calibrated", 2, 2),
    beta_model("calibrated, confident", 0.5, 0.5),
    beta_model("calibrated, AUC near 1", 0.05, 0.05),
    beta_model("overconfident", 0.5, 0.5, _logit_scaled(0.5)),
    beta_model("underconfident", 2, 2, _logit_scaled(2.0)),
    beta_model("no effect (AUC 0.5)", 2, 3, lambda s: np.full_like(s, 0.4)),
    beta_model("separable (AUC 1)", 0.5, 0.5, lambda s: (s > 0.5).astype(float)),
    beta_model("one class nearly absent", 0.5, 15),
    beta_model("ties: scores to 0.1", 1, 1, grid=np.round(np.arange(11) / 10, 1)),
    beta_model("0/1 scores, 0.5% wrong", 1, 1, lambda s: np.where(s > 0.5, 0.995, 0.005),
               grid=np.array([0.0, 1.0])),
    beta_model("0.9/0.1 scores, 2% wrong", 1, 1, lambda s: np.where(s > 0.5, 0.98, 0.02),
               grid=np.array([0.1, 0.9])),
    beta_model("0.85-0.95 scores, 2% wrong", 1, 1, lambda s: np.where(s > 0.5, 0.98, 0.02),
               grid=np.concatenate([np.linspace(0.05, 0.15, 50), np.linspace(0.85, 0.95, 50)])),
    _with_confident_mistakes("calibrated, 0.5% wrong at 1e-6", beta_model("", 2, 2), 0.005, 1e-6),
)}  # fmt: skip
SITUATIONS: tuple[tuple[str, int], ...] = (
    *(("calibrated", n) for n in (5, 10, 20, 50, 200, 2000)),
    ("calibrated, confident", 20), ("calibrated, confident", 200),
    *(("calibrated, AUC near 1", n) for n in (20, 30, 50, 100, 200)),
    ("overconfident", 50), ("overconfident", 200), ("overconfident", 2000),
    ("underconfident", 200),
    ("no effect (AUC 0.5)", 20), ("no effect (AUC 0.5)", 200),
    ("separable (AUC 1)", 20), ("separable (AUC 1)", 200),
    ("one class nearly absent", 50), ("one class nearly absent", 200),
    ("ties: scores to 0.1", 20), ("ties: scores to 0.1", 200), ("ties: scores to 0.1", 2000),
    *(("0/1 scores, 0.5% wrong", n) for n in (20, 50, 200, 2000)),
    *(("0.9/0.1 scores, 2% wrong", n) for n in (20, 50, 200)),
    *(("0.85-0.95 scores, 2% wrong", n) for n in (20, 50, 200)),
    *(("calibrated, 0.5% wrong at 1e-6", n) for n in (50, 200, 2000)),
    ("calibrated, AUC near 1", 10), ("calibrated, AUC near 1", 500),
    ("0.85-0.95 scores, 2% wrong", 500), ("0.85-0.95 scores, 2% wrong", 2000),
    ("overconfident", 500),
)  # fmt: skip


def metrics_of(y: np.ndarray, score: np.ndarray) -> ScoreMetrics:
    pos, neg = ClassScoreSums(), ClassScoreSums()
    pos.add(score[y == 1])
    neg.add(score[y == 0])
    return score_metrics(pos, neg)


def intervals(m: ScoreMetrics, level: float = LEVEL) -> dict[str, tuple[float, float]]:
    """auditor's interval of each metric."""
    return {
        "roc_auc": auc_interval(m.roc_auc, m.n_positive, m.n_negative, level=level,
                                var=m.auc_var),
        "log_loss": log_loss_interval(m.log_loss, m.class_losses, level=level),
        "ece": ece_interval(m.ece, m.reliability, level=level),
    }


def old_intervals(m: ScoreMetrics, level: float = LEVEL) -> dict[str, tuple[float, float]]:
    """The intervals auditor had before (for comparison)."""
    z, nan = z_value(level), (math.nan, math.nan)
    out = {"roc_auc": nan, "log_loss": nan, "ece": nan}
    a, p, n = m.roc_auc, m.n_positive, m.n_negative
    if not math.isnan(a) and a in (0.0, 1.0):
        k = min(p, n)
        centre = (a + z * z / (2 * k)) / (1 + z * z / k)
        half = z / (1 + z * z / k) * math.sqrt(a * (1 - a) / k + z * z / (4 * k * k))
        out["roc_auc"] = (max(0.0, centre - half), min(1.0, centre + half))
    elif not math.isnan(a):
        q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
        var = (a * (1 - a) + (p - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (p * n)
        out["roc_auc"] = (max(0.0, a - z * math.sqrt(var)), min(1.0, a + z * math.sqrt(var)))
    if m.n > 1:
        half = z * m.log_loss_sd / math.sqrt(m.n)
        out["log_loss"] = (max(0.0, m.log_loss - half), m.log_loss + half)
    var = 0.0
    for b in m.reliability:
        if b.n:
            acc = (b.accuracy * b.n + z * z / 2) / (b.n + z * z)
            var += b.n * acc * (1 - acc)
    half = z * math.sqrt(var) / m.n
    out["ece"] = (max(0.0, m.ece - half), min(1.0, m.ece + half))
    return out


@dataclass
class Tally:
    hits: int = 0
    defined: int = 0
    width: float = 0.0
    missing: int = 0  # estimate defined, interval not available
    above: int = 0  # the truth above the interval
    at_zero: int = 0  # the lower end at 0

    def add(self, lo: float, hi: float, truth: float) -> None:
        if math.isnan(lo):
            self.missing += 1
            return
        self.defined += 1
        self.hits += lo <= truth <= hi
        self.above += truth > hi
        self.at_zero += lo == 0
        self.width += hi - lo

    @property
    def coverage(self) -> float:
        return self.hits / self.defined if self.defined else math.nan

    @property
    def short(self) -> bool:
        """Below the level by more than twice its Monte Carlo standard error."""
        se = math.sqrt(LEVEL * (1 - LEVEL) / max(self.defined, 1))
        return self.defined > 0 and self.coverage < LEVEL - 2 * se


def coverage(name: str, n: int, reps: int, rngs: Rngs) -> dict[str, dict[str, Tally]]:
    """{"new" | "old": {metric: Tally}} over ``reps`` samples of n rows of model ``name``.
    Raises AssertionError if an interval does not contain its estimate."""
    model = MODELS[name]
    truth = model.truth()
    rng = rngs.numpy(f"bench/score_intervals/{name}/{n}")
    out = {side: {k: Tally() for k in METRICS} for side in ("new", "old")}
    for _ in range(reps):
        m = metrics_of(*model.draw(n, rng))
        for side, found in (("new", intervals(m)), ("old", old_intervals(m))):
            for k in METRICS:
                est, (lo, hi) = getattr(m, k), found[k]
                if math.isnan(est):
                    continue  # one class only: no AUC to cover
                if side == "new" and not math.isnan(lo):
                    assert lo <= est <= hi and lo < hi, (name, n, k, est, lo, hi)
                out[side][k].add(lo, hi, truth[k])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rngs, start = Rngs(args.seed), time.perf_counter()
    print(f"coverage of 95% intervals, {args.reps} repetitions: new (old); mean width of the new;"
          " '<' marks a coverage below 0.95, '!' one short of it beyond Monte Carlo noise")
    print(f"{'situation':31} {'n':>5} {'ROC AUC':>16} {'log loss':>16} {'ECE':>16}"
          f" {'width AUC':>9} {'LL':>6} {'ECE':>6} {'n/a LL':>6} {'ECE>hi':>6}"
          f" {'ECE lo=0':>8}")  # fmt: skip
    below, short = [], []
    for name, n in SITUATIONS:
        c = coverage(name, n, args.reps, rngs)
        new = c["new"]
        cells = [f"{new[k].coverage:.3f}{_mark(new[k])}({c['old'][k].coverage:.3f})"
                 for k in METRICS]  # fmt: skip
        widths = [new[k].width / max(new[k].defined, 1) for k in METRICS]
        print(f"{name:31} {n:5d} " + " ".join(f"{x:>16}" for x in cells)
              + f" {widths[0]:9.3f} {widths[1]:6.3f} {widths[2]:6.3f}"
              + f" {new['log_loss'].missing:6d}"
              + f" {new['ece'].above / max(new['ece'].defined, 1):6.3f}"
              + f" {new['ece'].at_zero / max(new['ece'].defined, 1):8.3f}")  # fmt: skip
        below += [f"{name} at {n} rows: {k} {new[k].coverage:.3f}" for k in METRICS
                  if new[k].coverage < LEVEL]  # fmt: skip
        short += [f"{name} at {n} rows: {k} {new[k].coverage:.3f}" for k in METRICS
                  if new[k].short]  # fmt: skip
    print("\ntruths: " + "; ".join(
        f"{k}: AUC {t['roc_auc']:.3f}, log loss {t['log_loss']:.3f}, ECE {t['ece']:.3f}, "
        f"base rate {t['base_rate']:.3f}" for k, t in ((k, m.truth()) for k, m in MODELS.items())
    ))  # fmt: skip
    print(f"\n{time.perf_counter() - start:.1f} s")
    print("\nbelow 0.95: " + ("; ".join(below) or "none"))
    if short:
        raise SystemExit("SHORT OF 0.95 beyond Monte Carlo noise: " + "; ".join(short))


def _mark(t: Tally) -> str:
    return "!" if t.short else "<" if t.coverage < LEVEL else " "


if __name__ == "__main__":
    main()
