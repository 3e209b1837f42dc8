"""Coverage of auditor's fairness intervals, and how often each gate mode fails a gap that
sits exactly on its bound.

    .venv/bin/python bench/bench_intervals.py    # 6 situations x 1000 repetitions: 5-10 min
    .venv/bin/python bench/bench_intervals.py --reps 500 --seed 1
    .venv/bin/python bench/bench_intervals.py --many --reps 300   # Bonferroni over G groups

Four groups of 2000 / 800 / 300 / 60 rows with known base rates, TPRs and FPRs (issue 11).
Each repetition draws every group's confusion counts (binomial: positives, then true and
false positives), runs :func:`auditor.fairness.audit_counts` on them, and checks whether the
95% intervals contain the true demographic-parity difference, equalized-odds difference and
every group's TPR (the table shows the smallest group's and the lowest over the groups).
Then, with a true equalized-odds difference of exactly 0.20 (one rate deciding it, and a tie
of TPR and FPR gaps), how often a gate ``equalized_odds_difference <= 0.20`` fails in each
mode: ``point`` (estimate above), ``confident-fail`` (whole interval above; at most 2.5% is
allowed), ``confident-pass`` (interval not wholly below).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from auditor.fairness import CountsTable, audit_counts
from auditor.seeding import Rngs

SIZES = (2000, 800, 300, 60)
LABELS = ("g2000", "g800", "g300", "g60")
BOUND = 0.20
DP = "demographic_parity_difference"
EO = "equalized_odds_difference"


@dataclass(frozen=True)
class Situation:
    """Per-group truth: base rate (share of positives), TPR and FPR."""

    name: str
    base: tuple[float, ...]
    tpr: tuple[float, ...]
    fpr: tuple[float, ...]

    def selection(self) -> np.ndarray:
        b, t, f = (np.asarray(x) for x in (self.base, self.tpr, self.fpr))
        return b * t + (1 - b) * f

    def truth(self) -> dict[str, float]:
        s, t, f = self.selection(), np.asarray(self.tpr), np.asarray(self.fpr)
        eo = max(t.max() - t.min(), f.max() - f.min())
        return {DP: float(s.max() - s.min()), EO: float(eo)}


def _gaps(name: str, delta: float) -> Situation:
    """TPR and FPR gaps of ``delta`` between the 300- and 2000-row groups, others between."""
    a = np.array([0.0, 0.5, 1.0, 0.25])
    tpr = tuple(0.8 - delta * a)
    fpr = tuple(0.1 + delta * a)
    return Situation(name, (0.3, 0.3, 0.3, 0.3), tpr, fpr)


SITUATIONS: tuple[Situation, ...] = (
    Situation(
        "clear gaps, EO set by the 60-row group",
        (0.3, 0.35, 0.4, 0.3),
        (0.80, 0.75, 0.70, 0.45),
        (0.10, 0.12, 0.15, 0.20),
    ),
    Situation(
        "tie: TPR gap = FPR gap = 0.2",
        (0.3, 0.3, 0.3, 0.3),
        (0.80, 0.75, 0.70, 0.60),
        (0.10, 0.15, 0.20, 0.30),
    ),
    Situation(
        "small group sets DP",
        (0.3, 0.3, 0.3, 0.6),
        (0.80, 0.80, 0.80, 0.80),
        (0.10, 0.10, 0.10, 0.10),
    ),
    _gaps("true gaps 0.05", 0.05),
    _gaps("true gaps 0.02", 0.02),
    _gaps("no gap", 0.0),
)
BOUNDARY: tuple[Situation, ...] = (
    Situation(
        "EO = 0.20 set by TPR",
        (0.3, 0.3, 0.3, 0.3),
        (0.80, 0.75, 0.60, 0.70),
        (0.10, 0.12, 0.15, 0.11),
    ),
    SITUATIONS[1],
)
MODES = ("point", "confident-fail", "confident-pass")


def draw_table(
    s: Situation,
    rng: np.random.Generator,
    sizes: tuple[int, ...] = SIZES,
    labels: tuple[str, ...] = LABELS,
) -> CountsTable:
    """One sample of the groups' confusion counts (true class x predicted class)."""
    rows = np.asarray(sizes)
    pos = rng.binomial(rows, s.base)
    tp = rng.binomial(pos, s.tpr)
    fp = rng.binomial(rows - pos, s.fpr)
    counts = np.stack([rows - pos - fp, fp, pos - tp, tp], axis=1).reshape(-1, 2, 2)
    return CountsTable(("g",), (labels,), (0, 1), ("0", "1"), counts.astype(np.int64))


def covers(node: object, truth: float) -> bool:
    lo, hi = node.ci_low, node.ci_high
    return bool(lo <= truth <= hi)


def coverage(s: Situation, reps: int, rngs: Rngs) -> dict[str, float]:
    """Share of ``reps`` samples whose intervals contain the truth: DP, EO, the smallest
    group's TPR, and the lowest per-group TPR coverage."""
    rng = rngs.numpy(f"bench/intervals/coverage/{s.name}")
    truth = s.truth()
    hits = {DP: 0, EO: 0}
    tpr_hits = np.zeros(len(SIZES))
    for _ in range(reps):
        feat = audit_counts(draw_table(s, rng), specs=[("g",)], positive=1).features["g"]
        for name in hits:
            hits[name] += covers(feat.disparities[name]["between_groups"], truth[name])
        for i, g in enumerate(feat.groups):
            tpr_hits[i] += covers(g.metrics["recall"], s.tpr[i])
    out = {k: v / reps for k, v in hits.items()}
    out["tpr_small"] = float(tpr_hits[-1] / reps)
    out["tpr_min"] = float(tpr_hits.min() / reps)
    return out


def fails(value: float, lo: float, hi: float, mode: str) -> bool:
    """Does the gate ``<= BOUND`` fail in ``mode`` (as auditor's gates judge)?"""
    if mode == "point":
        return value > BOUND
    if mode == "confident-fail":
        return lo > BOUND
    return not hi <= BOUND


def false_fail_rates(s: Situation, reps: int, rngs: Rngs) -> dict[str, float]:
    """Share of samples in which each gate mode fails although the truth is on the bound."""
    assert abs(s.truth()[EO] - BOUND) < 1e-12, s.name
    rng = rngs.numpy(f"bench/intervals/boundary/{s.name}")
    count = dict.fromkeys(MODES, 0)
    for _ in range(reps):
        feat = audit_counts(draw_table(s, rng), specs=[("g",)], positive=1).features["g"]
        d = feat.disparities[EO]["between_groups"]
        for mode in MODES:
            count[mode] += fails(d.value, d.ci_low, d.ci_high, mode)
    return {m: c / reps for m, c in count.items()}


MANY = (2, 4, 10, 30, 60)  # groups of MANY_ROWS rows each
MANY_ROWS = 300


def many_groups(g: int, gap: float, reps: int, rngs: Rngs) -> dict[str, float]:
    """G groups of MANY_ROWS rows, base rate 0.3, TPR 0.8 and FPR 0.1 except one group's TPR
    ``gap`` lower (the true equalized-odds gap): the between-groups interval's coverage, mean
    width, and how often it is wholly above 0.05 (confident-fail of ``<= 0.05`` fails: power
    when gap > 0.05) and wholly below 0.20 (confident-pass of ``<= 0.20`` passes)."""
    rng = rngs.numpy(f"bench/intervals/many/{g}/{gap}")
    tpr = (0.8,) * (g - 1) + (0.8 - gap,)
    s = Situation(f"{g} groups, gap {gap}", (0.3,) * g, tpr, (0.1,) * g)
    sizes, labels = (MANY_ROWS,) * g, tuple(f"g{i}" for i in range(g))
    out = {"cover": 0.0, "width": 0.0, "above 0.05": 0.0, "below 0.20": 0.0}
    for _ in range(reps):
        table = draw_table(s, rng, sizes, labels)
        feat = audit_counts(table, specs=[("g",)], positive=1).features["g"]
        d = feat.disparities[EO]["between_groups"]
        out["cover"] += d.ci_low <= gap <= d.ci_high
        out["width"] += d.ci_high - d.ci_low
        out["above 0.05"] += d.ci_low > 0.05
        out["below 0.20"] += d.ci_high <= 0.20
    return {k: v / reps for k, v in out.items()}


def main_many(reps: int, rngs: Rngs) -> None:
    print(f"equalized-odds gap between G groups of {MANY_ROWS} rows, {reps} repetitions "
          "(Bonferroni over G (G - 1) / 2 pairs x 2 rates)")  # fmt: skip
    print(f"{'G':>3} {'gap':>5} {'cover':>6} {'width':>6} {'lo>0.05':>8} {'hi<=0.20':>8}")
    for g in MANY:
        for gap in (0.0, 0.10):
            r = many_groups(g, gap, reps, rngs)
            print(f"{g:3d} {gap:5.2f} {r['cover']:6.3f} {r['width']:6.3f} {r['above 0.05']:8.3f}"
                  f" {r['below 0.20']:8.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--many", action="store_true", help="only the many-groups table")
    args = parser.parse_args()
    rngs, start = Rngs(args.seed), time.perf_counter()
    if args.many:
        main_many(args.reps, rngs)
        print(f"\n{time.perf_counter() - start:.1f} s")
        return
    print(f"95% intervals, {args.reps} repetitions, groups of {'/'.join(map(str, SIZES))} rows")
    print(f"{'situation':42} {'DP':>6} {'EO':>6} {'TPR g60':>8} {'TPR min':>8}")
    for s in SITUATIONS:
        c = coverage(s, args.reps, rngs)
        print(f"{s.name:42} {c[DP]:6.3f} {c[EO]:6.3f} {c['tpr_small']:8.3f} {c['tpr_min']:8.3f}")
    print(f"\nfalse-fail rate of a gate EO <= {BOUND} when the true EO is exactly {BOUND}")
    print(f"{'situation':42} " + " ".join(f"{m:>15}" for m in MODES))
    for s in BOUNDARY:
        r = false_fail_rates(s, args.reps, rngs)
        print(f"{s.name:42} " + " ".join(f"{r[m]:15.3f}" for m in MODES))
    print(f"\n{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
