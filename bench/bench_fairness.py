"""Benchmark: per-group metrics with B bootstrap intervals, fairlearn's MetricFrame(n_boot=B)
(row resampling) against auditor's count bootstrap, on the same rows; then the scale run.

    .venv/bin/python bench/bench_fairness.py                  # 10k and 100k rows
    .venv/bin/python bench/bench_fairness.py --scale 10000000 # + a Parquet file of 10M rows

Prints both times, the per-resample ratio, and the largest difference between the two sets
of intervals next to its Monte Carlo error. fairlearn's bootstrap is slow (it recomputes every
metric on B resampled frames), so it runs ``--fairlearn-boot`` resamples (default 50) and
the comparison is per resample; auditor always runs ``--boot`` (default 1000).
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


def compare(n: int, boot: int, fl_boot: int, seed: int) -> None:
    frame = synthetic(n, seed)
    features = ["sex", "race"]
    q = [0.025, 0.975]
    start = time.perf_counter()
    mf = reference_frame(
        frame.y_true,
        frame.y_pred,
        frame[features],
        classes=[0, 1],
        positive=1,
        n_boot=fl_boot,
        random_state=seed,
        ci_quantiles=q,
    )
    t_fl = time.perf_counter() - start
    start = time.perf_counter()
    table = counts_from_arrays(frame.y_true.to_numpy(), frame.y_pred.to_numpy(), frame[features])
    res = audit_counts(
        table,
        specs=[tuple(features)],
        positive=1,
        n_boot=boot,
        ci_level=0.95,
        seed=seed,
        min_group_size=1,
    )
    t_au = time.perf_counter() - start
    # Intervals of every per-group rate (count and undefined values excluded).
    lo_fl, hi_fl = mf.by_group_ci
    worst, worst_z, where = 0.0, 0.0, ""
    for g in res.features[" & ".join(features)].groups:
        key = tuple(g.values[f] for f in features)
        for name, est in g.metrics.items():
            if name == "count" or np.isnan(est.value):
                continue
            for ours, theirs in (
                (est.ci_low, lo_fl.loc[key, name]),
                (est.ci_high, hi_fl.loc[key, name]),
            ):
                d = abs(ours - theirs)
                # Monte Carlo SE of a 2.5% quantile from fl_boot normal draws, in units of the
                # interval's own spread (sd ~ width / 3.92).
                sd = max((est.ci_high - est.ci_low) / 3.92, 1e-12)
                mc_se = sd * np.sqrt(q[0] * (1 - q[0]) / fl_boot) / 0.05845
                if d > worst:
                    worst, worst_z, where = d, d / mc_se, f"{key} {name}"
    per_fl, per_au = t_fl / fl_boot, t_au / boot
    print(
        f"rows {n:>9,}: fairlearn MetricFrame(n_boot={fl_boot}) {t_fl:8.2f} s "
        f"({per_fl * 1e3:8.2f} ms/resample); auditor (B={boot}) {t_au:6.3f} s "
        f"({per_au * 1e6:7.2f} us/resample); ratio per resample {per_fl / per_au:9.0f}x"
    )
    print(
        f"    largest interval-end difference {worst:.4f} at {where}: {worst_z:.2f} Monte "
        f"Carlo standard errors (of fairlearn's {fl_boot}-resample quantile)"
    )


def scale(n: int, boot: int, seed: int, folder: Path, batch_rows: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from auditor.fairness.engine import resolve_specs
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
        n_boot=boot,
        seed=seed,
    )
    t_audit = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    groups = sum(f.n_groups for f in res.features.values())
    print(
        f"scale: {pc.table.n:,} rows, 3 features + 3 pairs ({groups} groups), B={boot}: "
        f"read+count {t_read:.2f} s ({pc.n_batches} batches), metrics+bootstrap {t_audit:.2f} s, "
        f"peak RSS {rss:.0f} MiB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--fairlearn-boot", type=int, default=50)
    ap.add_argument("--scale", type=int, default=0, help="rows of the Parquet scale run (0: skip)")
    ap.add_argument("--batch-rows", type=int, default=1_000_000, help="rows per batch read")
    ap.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"cpus: {os.cpu_count()}")
    for n in args.rows:
        compare(n, args.boot, args.fairlearn_boot, args.seed)
    if args.scale:
        scale(args.scale, args.boot, args.seed, args.folder, args.batch_rows)


if __name__ == "__main__":
    main()
