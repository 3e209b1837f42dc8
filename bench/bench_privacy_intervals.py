"""Coverage of the privacy check's intervals where they are hard: no effect (members and
non-members from one distribution), heavy ties (rounded scores, a correctness attack's 0/1
scores), 20 members, a TPR near 0, too few non-members for 1% FPR; and how often the one-run
epsilon lower bound lies above the true epsilon of randomised response.

    .venv/bin/python bench/bench_privacy_intervals.py             # 1000 repetitions: ~10 s
    .venv/bin/python bench/bench_privacy_intervals.py --reps 300 --seed 1

Scores are fed to :mod:`auditor.privacy.roc` directly (no training). The truth of the TPR at
1% FPR is the TPR of the best deterministic threshold whose true FPR is <= 1% (0 for a 0/1
score whose non-members are mostly 1). ``est_in``: the share of intervals holding their own
estimate (must be 1). A coverage below 0.95 by more than twice its Monte Carlo standard
error, or an estimate outside its interval, makes the run exit 1.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable

import numpy as np

from auditor.privacy import roc
from auditor.privacy.canaries import epsilon_lower_bound

Draw = Callable[[int], np.ndarray]


def _normal(rng: np.random.Generator, shift: float = 0.0, rnd: bool = False) -> Draw:
    return lambda n: (np.round if rnd else np.asarray)(rng.normal(shift, 1.0, n))


def _bern(rng: np.random.Generator, p: float) -> Draw:
    return lambda n: (rng.random(n) < p).astype(np.float64)


def _coverage(kind: str, draws: tuple[Draw, Draw], sizes: tuple[int, int], truth: float,
              reps: int) -> tuple[float, float]:  # fmt: skip
    cov = est_in = 0
    for _ in range(reps):
        s_in, s_out = draws[0](sizes[0]), draws[1](sizes[1])
        if kind == "AUC":
            est = roc.roc_auc(s_in, s_out)
            lo, hi = roc.auc_interval(est, *sizes)
        else:
            t = roc.tpr_at_fpr(roc.roc_counts(s_in, s_out), 0.01)
            est, lo, hi = t.tpr, t.ci_low, t.ci_high
        cov += lo <= truth <= hi
        est_in += lo <= est <= hi
    return cov / reps, est_in / reps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng, reps, bad = np.random.default_rng(args.seed), args.reps, []
    n, r, b = _normal(rng), _normal(rng, rnd=True), lambda p: _bern(rng, p)
    tail = 1 - 0.5 * math.erfc(-2.5 / math.sqrt(2))  # P(round(N(0,1)) >= 3)
    cases = [
        ("AUC", "no effect", (n, n), (20, 20), 0.5),
        ("AUC", "no effect", (n, n), (1000, 1000), 0.5),
        ("AUC", "no effect", (n, n), (20, 2000), 0.5),
        ("AUC", "no effect, rounded", (r, r), (20, 20), 0.5),
        ("AUC", "no effect, 0/1 at .7", (b(.7), b(.7)), (100, 100), 0.5),
        ("AUC", "0/1 .9 vs .7", (b(.9), b(.7)), (20, 20), 0.9 * 0.3 + 0.5 * (0.63 + 0.03)),
        ("TPR", "no effect", (n, n), (20, 20), 0.01),
        ("TPR", "no effect", (n, n), (20, 2000), 0.01),
        ("TPR", "no effect", (n, n), (5000, 5000), 0.01),
        ("TPR", "TPR near 0 (shift -1)", (_normal(rng, -1.0), n), (2000, 2000), 0.00037),
        ("TPR", "no effect, rounded", (r, r), (2000, 2000), tail),
        ("TPR", "0/1 .9 vs .7", (b(.9), b(.7)), (1000, 1000), 0.0),
        ("TPR", "0/1 .3 vs .005", (b(.3), b(.005)), (1000, 1000), 0.3),
    ]  # fmt: skip
    head = f"{'':4} {'situation':24} {'members':>7} {'non-m':>6} {'cover':>6} {'est_in':>6}"
    print(f"{head}  ({reps} reps, nominal 0.95)")
    for kind, name, draws, sizes, truth in cases:
        cov, est_in = _coverage(kind, draws, sizes, truth, reps)
        low = cov < 0.95 - 2 * math.sqrt(0.95 * 0.05 / reps) or est_in < 1
        bad += [f"{kind} {name} {sizes}"] if low else []
        row = f"{kind:4} {name:24} {sizes[0]:7} {sizes[1]:6} {cov:6.3f} {est_in:6.3f}"
        print(row + ("  <" if low else ""))
    for m, g in ((100, 20), (1000, 100)):
        for eps in (0.0, 1.0, 2.0):
            q = 1 / (1 + math.exp(-eps))
            vs = rng.binomial(g, q, reps)
            bound = {v: epsilon_lower_bound(m, g, v) for v in set(vs.tolist())}
            over = float(np.mean([bound[v] > eps for v in vs.tolist()]))
            low = over > 0.05 + 2 * math.sqrt(0.05 * 0.95 / reps)
            bad += [f"eps m={m} r={g} eps={eps}"] if low else []
            print(f"eps  m={m:5} r={g:4} true eps {eps}: P(bound > eps) = {over:.3f} (<= 0.05)")
    if bad:
        print("below nominal:", "; ".join(bad))
        sys.exit(1)


if __name__ == "__main__":
    main()
