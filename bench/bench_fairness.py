"""Benchmark: per-group metrics through fairlearn's MetricFrame (over rows) against auditor's
counts engine (counts, then every metric with its interval), on the same rows; then the scale run.

    .venv/bin/python bench/bench_fairness.py                  # 10k and 100k rows
    .venv/bin/python bench/bench_fairness.py --scale 10000000 # + a Parquet file of 10M rows

Prints both times and the largest difference between the two engines' per-group values (it
must be ~1e-16: the counts engine is exact). Intervals are analytic (score intervals, see
:mod:`auditor.fairness.intervals`); their coverage is measured by ``bench_intervals.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from auditor.fairness import audit_counts, counts_from_arrays
from auditor.fairness.reference import reference_frame

SEXES, RACES, AGES = ["F", "M"], ["a", "b", "c", "d"], ["<25", "25-44", "45-64", "65+"]


def synthetic(n: int, seed: int) -> pd.DataFrame:
    """Binary labels and predictions whose rates depend on the groups."""
    rng = np.random.default_rng(seed)
    sex = rng.integers(0, 2, n)
    race = rng.choice(4, n, p=[0.6, 0.2, 0.15, 0.05])
    age = rng.integers(0, 4, n)
    base = 0.2 + 0.1 * sex + 0.05 * (race == 1)
    y = (rng.random(n) < base).astype(np.int8)
    tpr, fpr = 0.75 - 0.1 * (race == 3), 0.1 + 0.05 * sex
    yp = np.where(y == 1, rng.random(n) < tpr, rng.random(n) < fpr).astype(np.int8)
    return pd.DataFrame(
        {
            "y_true": y,
            "y_pred": yp,
            "y_score": np.clip(0.5 * yp + 0.5 * rng.random(n), 0, 1),
            "sex": np.array(SEXES)[sex],
            "race": np.array(RACES)[race],
            "age": np.array(AGES)[age],
        }
    )


def compare(n: int, seed: int) -> None:
    frame = synthetic(n, seed)
    features = ["sex", "race"]
    start = time.perf_counter()
    mf = reference_frame(frame.y_true, frame.y_pred, frame[features], classes=[0, 1], positive=1)
    t_fl = time.perf_counter() - start
    start = time.perf_counter()
    table = counts_from_arrays(frame.y_true.to_numpy(), frame.y_pred.to_numpy(), frame[features])
    res = audit_counts(table, specs=[tuple(features)], positive=1, min_group_size=1)
    t_au = time.perf_counter() - start
    worst, where = 0.0, ""
    for g in res.features[" & ".join(features)].groups:
        key = tuple(g.values[f] for f in features)
        for name, est in g.metrics.items():
            theirs = float(mf.by_group.loc[key, name])
            if np.isnan(est.value) and np.isnan(theirs):
                continue
            d = abs(est.value - theirs)
            if d >= worst:
                worst, where = d, f"{key} {name}"
    print(
        f"rows {n:>9,}: fairlearn MetricFrame {t_fl:8.3f} s (values only); auditor counts + "
        f"metrics + intervals {t_au:6.3f} s; largest difference {worst:.1e} at {where}"
    )


def scale(n: int, seed: int, folder: Path, batch_rows: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from auditor.fairness.engine import resolve_specs
    from auditor.fairness.scores import scores_by_group
    from auditor.predictions.read import Columns, reduce_predictions

    path = folder / f"preds_{n}.parquet"
    if not path.exists():
        start = time.perf_counter()
        with pq.ParquetWriter(path, pa.Table.from_pandas(synthetic(10, 0)).schema) as w:
            for i, s in enumerate(range(0, n, 1_000_000)):
                w.write_table(pa.Table.from_pandas(synthetic(min(1_000_000, n - s), seed + i)))
        mib, secs = path.stat().st_size / 2**20, time.perf_counter() - start
        print(f"wrote {path} ({mib:.0f} MiB) in {secs:.1f} s")
    cols = Columns(y_score="y_score", sensitive=("sex", "race", "age"))
    start = time.perf_counter()
    pc = reduce_predictions(path, cols, batch_rows=batch_rows)
    t_read = time.perf_counter() - start
    start = time.perf_counter()
    res = audit_counts(
        pc.table,
        specs=resolve_specs(["sex", "race", "age"], "pairs"),
        positive=pc.positive,
    )
    t_audit = time.perf_counter() - start
    start = time.perf_counter()
    scores_by_group(
        pc.cells, features=["sex", "race", "age"],
        specs=resolve_specs(["sex", "race", "age"], "pairs"),
        positive=pc.table.classes[pc.positive], positive_name=pc.table.class_names[pc.positive],
        min_group_size=30, level=0.95,
    )  # fmt: skip
    t_scores = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    groups = sum(f.n_groups for f in res.features.values())
    print(
        f"scale: {pc.table.n:,} rows, 3 features + 3 pairs ({groups} groups): "
        f"read+count {t_read:.2f} s ({pc.n_batches} batches), metrics+intervals {t_audit:.2f} s, "
        f"per-group AUC/log loss/ECE {t_scores:.2f} s, peak RSS {rss:.0f} MiB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--scale", type=int, default=0, help="rows of the Parquet scale run (0: skip)")
    ap.add_argument("--batch-rows", type=int, default=1_000_000, help="rows per batch read")
    ap.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"cpus: {os.cpu_count()}")
    for n in args.rows:
        compare(n, args.seed)
    if args.scale:
        scale(args.scale, args.seed, args.folder, args.batch_rows)


if __name__ == "__main__":
    main()
