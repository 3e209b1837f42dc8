"""Benchmark: an audit of many groups. A predictions file with a sensitive column of N groups
of very unequal sizes (Zipf-like: many under min_group_size, e.g. a ZIP3 or employer column)
beside ``race`` (5 groups), intersections on (the default), audited, re-gated, re-carded and
diffed through the CLI; prints the wall time of each (best of --repeat) and the sizes of
audit.json and the cards.

    .venv/bin/python bench/bench_groups.py                      # 1,000 groups, 200,000 rows
    .venv/bin/python bench/bench_groups.py --groups 3000 --rows 500000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

RACES = ["white", "black", "asian", "hisp", "other"]


def many_groups(n: int, groups: int, seed: int) -> pd.DataFrame:
    """Labels, predictions and a score whose rates depend on the groups; group sizes ~ 1/k^1.1."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, groups + 1) ** 1.1
    zone = rng.choice(groups, n, p=weights / weights.sum())
    race = rng.choice(5, n, p=[0.6, 0.18, 0.12, 0.07, 0.03])
    y = (rng.random(n) < 0.25 + 0.05 * (race == 1) + 0.1 * (zone % 7 == 0)).astype(np.int8)
    tpr = 0.75 - 0.1 * (race == 3) - 0.05 * (zone % 11 == 0)
    yp = np.where(y == 1, rng.random(n) < tpr, rng.random(n) < 0.12).astype(np.int8)
    return pd.DataFrame({
        "y_true": y, "y_pred": yp, "y_score": np.clip(0.5 * yp + 0.5 * rng.random(n), 0, 1),
        "zone": np.array([f"z{i:05d}" for i in range(groups)])[zone],
        "race": np.array(RACES)[race],
    })  # fmt: skip


def timed(args: list[str]) -> float:
    """Wall seconds of ``auditor ARGS`` in its own process (exit 0 or 1 expected)."""
    start = time.perf_counter()
    code = subprocess.run([sys.executable, "-m", "auditor", *args],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode  # fmt: skip
    wall = time.perf_counter() - start
    if code not in (0, 1):
        raise RuntimeError(f"auditor {' '.join(args)} exited {code}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each command (best shown)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_groups-"))
    data = work / "many.csv"
    frame = many_groups(args.rows, args.groups, args.seed)
    frame.to_csv(data, index=False)
    sizes = frame["zone"].value_counts()
    print(f"{args.rows:,} rows, {args.groups:,} groups ({int((sizes < 30).sum())} under 30 rows, "
          f"{args.groups - len(sizes)} empty) x 5 races; best of {args.repeat}; load average "
          f"{os.getloadavg()[0]:.2f} at the start")  # fmt: skip
    run, other = work / "run", work / "run2"
    audit = ["audit", "-p", str(data), "--sensitive", "zone", "--sensitive", "race",
             "--y-score", "y_score", "--exit-zero", "-o"]  # fmt: skip
    timed([*audit, str(other)])
    steps = {
        "audit": lambda: [*audit, str(run)],
        "gate": lambda: ["gate", str(run), "-o", str(work / "gate"), "--exit-zero"],
        "card": lambda: ["card", str(run), "-o", str(work / "card")],
        "diff": lambda: ["diff", str(run), str(other), "-o", str(work / "diff.md")],
    }
    best = {name: min(timed(make()) for _ in range(args.repeat)) for name, make in steps.items()}
    for name, wall in best.items():
        print(f"  auditor {name:6} {wall:6.2f} s")
    for name in ("audit.json", "model_card.html", "model_card.md", "summary.md"):
        print(f"  {name:16} {(run / name).stat().st_size / 2**20:6.1f} MiB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
