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
import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import auditor
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


# Each child writes its own peak (VmHWM: the high-water mark of its address space since its
# exec) at exit: rusage's maxrss would also count the pages of this process it was forked from.
PEAK = """
import atexit, sys
def _peak(out=sys.argv.pop(1)):
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(out, "w") as fh:
        fh.write(str(kib))
atexit.register(_peak)
"""
AUDITOR = """
import runpy
sys.argv[0] = "auditor"
runpy.run_module("auditor", run_name="__main__")
"""
BARE = """
import sys
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
path, cols = sys.argv[1], sys.argv[2].split(",")
if path.endswith(".csv"):  # the reader auditor uses: streamed 16 MiB blocks, all cores,
    # quoted values may span lines (a free-text column)
    reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 24),
                            parse_options=pacsv.ParseOptions(newlines_in_values=True),
                            convert_options=pacsv.ConvertOptions(include_columns=cols))
else:
    reader = pq.ParquetFile(path, pre_buffer=False).iter_batches(batch_size=10**6, columns=cols)
print(sum(batch.num_rows for batch in reader))
"""
AEQUITAS = """
import sys
import pandas as pd
from aequitas.group import Group
path, attrs = sys.argv[1], sys.argv[2].split(",")
cols = ["y_true", "y_pred", *attrs]
if path.endswith(".csv"):
    df = pd.read_csv(path, usecols=cols, dtype={a: str for a in attrs})
else:
    df = pd.read_parquet(path, columns=cols)
df = df.rename(columns={"y_true": "label_value", "y_pred": "score"})
xtab, _ = Group().get_crosstabs(df, attr_cols=attrs)
print(len(xtab))
"""
FEATURES = ("sex", "race", "age")


def write_files(n: int, seed: int, folder: Path, kinds: list[str]) -> dict[str, Path]:
    """The synthetic predictions of ``n`` rows as CSV and/or Parquet (written once, reused)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    paths = {k: folder / f"preds_{n}.{k}" for k in kinds}
    todo = {k: p for k, p in paths.items() if not p.exists()}
    if todo:
        start = time.perf_counter()
        schema = pa.Table.from_pandas(synthetic(10, 0), preserve_index=False).schema
        writers = {"parquet": lambda p: pq.ParquetWriter(p, schema),
                   "csv": lambda p: pacsv.CSVWriter(p, schema)}  # fmt: skip
        opened = {k: writers[k](p) for k, p in todo.items()}
        for i, s in enumerate(range(0, n, 1_000_000)):
            part = synthetic(min(1_000_000, n - s), seed + i)
            table = pa.Table.from_pandas(part, preserve_index=False)
            for w in opened.values():
                w.write_table(table)
        for w in opened.values():
            w.close()
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 2**20:.0f} MiB" for p in todo.values())
        print(f"wrote {sizes} in {time.perf_counter() - start:.1f} s")
    return paths


def measure(python: str, code: str, args: list[str], *, log: Path) -> tuple[float, float]:
    """Run ``code`` with ``args`` in a child interpreter: (wall seconds, its peak RSS, MiB)."""
    peak = log.with_suffix(".peak")
    peak.unlink(missing_ok=True)
    with log.open("wb") as err:
        start = time.perf_counter()
        code = subprocess.run([python, "-c", PEAK + code, str(peak), *args],
                              stdout=subprocess.DEVNULL, stderr=err).returncode  # fmt: skip
        wall = time.perf_counter() - start
    if code != 0 or not peak.exists():
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
        raise RuntimeError(f"{python} -c ... exited {code}: {tail[0]}")
    return wall, int(peak.read_text()) / 1024


def scale(args: argparse.Namespace) -> None:
    """Each side in its own process, taking turns on the same file (each repeat runs every
    side once; the best of each is shown): auditor's whole ``auditor audit`` (read, count,
    every metric and interval, cards), a bare pyarrow read of the same columns, and
    aequitas's crosstabs (when its interpreter can import it)."""
    # Bytecode compiled first, as a pip install does: a stale .pyc (an edited source under
    # PYTHONDONTWRITEBYTECODE) would be compiled again in every timed run.
    compileall.compile_dir(str(Path(auditor.__file__).parent), quiet=1)
    kinds = ["csv", "parquet"] if args.format == "both" else [args.format]
    paths = write_files(args.scale, args.seed, args.folder, kinds)
    score = [] if args.no_score else ["--y-score", "y_score"]
    columns = ["y_true", "y_pred", *(["y_score"] if score else []), *FEATURES]
    aeq = str(args.aequitas_python)
    try:
        has_aeq = subprocess.run([aeq, "-c", "import aequitas.group"],
                                 capture_output=True).returncode  # fmt: skip
    except OSError:  # no such interpreter, or not one that runs: skipped with the message below
        has_aeq = 1
    work = Path(tempfile.mkdtemp(prefix="bench_fairness-"))  # own run folder: benches may overlap
    log = work / "child.log"
    print(f"scale: {args.scale:,} rows, {', '.join(columns)}; best of {args.repeat}; "
          f"load average {os.getloadavg()[0]:.2f} at the start")  # fmt: skip
    for kind, path in paths.items():
        sensitive = [a for f in FEATURES for a in ("--sensitive", f)]
        out = str(work / "run")
        runs = {
            "auditor": (sys.executable, AUDITOR, ["audit", "-p", str(path), *sensitive, *score,
                                                  "-o", out, "--exit-zero"]),
            "pyarrow": (sys.executable, BARE, [str(path), ",".join(columns)]),
        }  # fmt: skip
        if has_aeq == 0:
            runs["aequitas"] = (aeq, AEQUITAS, [str(path), ",".join(FEATURES)])
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        for _ in range(args.repeat):  # the sides take turns: a burst of load hits each alike
            for name, run in runs.items():
                times[name].append(measure(*run, log=log))
        best = {name: min(t, key=lambda r: r[0]) for name, t in times.items()}
        for name, (wall, peak) in best.items():
            print(f"  {kind:7} {name:8} {wall:7.2f} s  peak {peak:6.0f} MiB")
        ratio = best["auditor"][0] / best["pyarrow"][0]
        line = f"  {kind:7} auditor / bare pyarrow read: {ratio:.2f}x time"
        if "aequitas" in best:
            line += f"; aequitas / auditor: {best['aequitas'][0] / best['auditor'][0]:.2f}x time"
        print(line)
    shutil.rmtree(work, ignore_errors=True)
    if has_aeq != 0:
        print(f"  aequitas: skipped ({aeq} cannot import aequitas; install it in its own venv "
              "and pass --aequitas-python PATH)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--scale", type=int, default=0, help="rows of the scale run (0: skip)")
    ap.add_argument("--format", choices=["csv", "parquet", "both"], default="both")
    ap.add_argument("--no-score", action="store_true", help="audit without the y_score column")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each side (best is shown)")
    ap.add_argument("--aequitas-python", type=Path, default=Path(sys.executable),
                    help="an interpreter that can import aequitas (its own venv)")  # fmt: skip
    ap.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"cpus: {os.cpu_count()}, usable: {len(os.sched_getaffinity(0))}")
    for n in args.rows:
        compare(n, args.seed)
    if args.scale:
        scale(args)


if __name__ == "__main__":
    main()
