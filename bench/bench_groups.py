"""Benchmark: an audit of many groups. A predictions file with a sensitive column of N groups
of very unequal sizes (Zipf-like: many under min_group_size, e.g. a ZIP3 or employer column)
beside ``race`` (5 groups), intersections on (the default), with a gate on every group's
accuracy (one result each, read back by gate, card and diff), audited, re-gated, re-carded
and diffed through the CLI; prints the wall time of each (best of --repeat) and the sizes of
audit.json and the cards.

    .venv/bin/python bench/bench_groups.py                      # 1,000 groups, 200,000 rows
    .venv/bin/python bench/bench_groups.py --groups 3000 --rows 500000 --repeat 3
    git archive HEAD~3 | tar -x -C /tmp/old && .venv/bin/python bench/bench_groups.py \
        --repeat 3 --against /tmp/old     # each step alternately here and in /tmp/old
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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


HERE = Path(__file__).resolve().parents[1]


def timed(args: list[str], tree: Path = HERE) -> float:
    """Wall seconds of ``auditor ARGS`` in its own process (exit 0 or 1 expected), run from
    the source tree ``tree`` (its ``auditor`` package comes first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    code = subprocess.run([sys.executable, "-m", "auditor", *args], cwd=tree, env=env,
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
    ap.add_argument("--against", type=Path, help="another source tree: each step is timed "
                    "there too, alternately with this one (side by side, as a ratio)")  # fmt: skip
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_groups-"))
    data = work / "many.csv"
    frame = many_groups(args.rows, args.groups, args.seed)
    frame.to_csv(data, index=False)
    sizes = frame["zone"].value_counts()
    print(f"{args.rows:,} rows, {args.groups:,} groups ({int((sizes < 30).sum())} under 30 rows, "
          f"{args.groups - len(sizes)} empty) x 5 races; best of {args.repeat}; load average "
          f"{os.getloadavg()[0]:.2f} at the start")  # fmt: skip
    trees = [HERE] if args.against is None else [HERE, args.against.resolve()]
    steps = [_steps(data, work / f"tree{i}") for i in range(len(trees))]
    for i, tree in enumerate(trees):
        timed(steps[i]["audit"](work / f"tree{i}" / "run2"), tree)  # diff's other run
    best = {name: [math.inf] * len(trees) for name in steps[0]}
    for name in best:  # each step: this tree, the other, this tree... (the load shared)
        for _ in range(args.repeat):
            for i, tree in enumerate(trees):
                best[name][i] = min(best[name][i], timed(steps[i][name](), tree))
    for name, walls in best.items():
        line = f"  auditor {name:6} {walls[0]:6.2f} s"
        if len(walls) > 1:
            line += f"  (against: {walls[1]:6.2f} s, ratio {walls[0] / walls[1]:.2f})"
        print(line)
    for name in ("audit.json", "model_card.html", "model_card.md", "summary.md"):
        sizes = [(work / f"tree{i}" / "run" / name).stat().st_size for i in range(len(trees))]
        print(f"  {name:16} " + "  ".join(f"{size / 2**20:6.1f} MiB" for size in sizes))
    shutil.rmtree(work, ignore_errors=True)


GROUP_GATES = """[gates]
[[gates.rules]]
name = "zone accuracy"
metric = "fairness.features.zone.groups[*].metrics.accuracy"
min = 0.5
mode = "point"
"""


def _steps(data: Path, work: Path) -> dict[str, Callable[..., list[str]]]:
    """The arguments of audit, gate, card and diff of ``data``, writing under ``work``."""
    run, other, config = work / "run", work / "run2", work / "gates.toml"
    work.mkdir(parents=True, exist_ok=True)
    config.write_text(GROUP_GATES)
    audit = ["audit", "-p", str(data), "--sensitive", "zone", "--sensitive", "race",
             "--y-score", "y_score", "--config", str(config), "--exit-zero", "-o"]  # fmt: skip
    return {
        "audit": lambda out=run: [*audit, str(out)],
        "gate": lambda: ["gate", str(run), "-o", str(work / "gate"), "--exit-zero"],
        "card": lambda: ["card", str(run), "-o", str(work / "card")],
        "diff": lambda: ["diff", str(run), str(other), "-o", str(work / "diff.md")],
    }


if __name__ == "__main__":
    main()
