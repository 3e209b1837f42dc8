"""Predictions files (CSV or Parquet from any model) reduced to counts in bounded memory.

Rows are read in batches (pyarrow) or, when a Dask scheduler is named, per partition of a
Dask dataframe (each partition reduced where it lives); each batch becomes a small partial
(per-group confusion counts plus running sums for the score metrics), and partials add up.
Memory is one batch whatever the file size.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.errors import AuditorInputError
from auditor.fairness.counts import CountsAccumulator, CountsTable
from auditor.results.classification import (
    N_BINS,
    ReliabilityBin,
    bin_index,
    calibration_from_bins,
)

if TYPE_CHECKING:
    import pandas as pd

ECE_BINS = N_BINS  # as the performance check
AUC_BINS = 1 << 16  # ROC AUC from a score histogram: ties within a bin count as half
AUC_METHOD = f"from a {AUC_BINS}-bin score histogram per class (pairs within one bin count 1/2)"


@dataclass(frozen=True)
class Columns:
    y_true: str = "y_true"
    y_pred: str = "y_pred"
    y_score: str | None = None
    sensitive: tuple[str, ...] = ()

    def names(self) -> list[str]:
        extra = [self.y_score] if self.y_score else []
        return [self.y_true, self.y_pred, *extra, *self.sensitive]


@dataclass
class ClassScoreSums:
    """Sums over the rows of one true class of the binary score p = P(positive)."""

    n: int = 0
    log_p: float = 0.0
    log_1mp: float = 0.0
    p: float = 0.0
    p2: float = 0.0
    bin_n: np.ndarray = field(default_factory=lambda: np.zeros(ECE_BINS, np.int64))
    bin_conf: np.ndarray = field(default_factory=lambda: np.zeros(ECE_BINS))
    bin_above: np.ndarray = field(default_factory=lambda: np.zeros(ECE_BINS, np.int64))
    hist: np.ndarray = field(default_factory=lambda: np.zeros(AUC_BINS, np.int64))

    def add(self, p: np.ndarray) -> None:
        pc = np.clip(p, 1e-15, 1 - 1e-15)
        self.n += len(p)
        self.log_p += float(np.log(pc).sum())
        self.log_1mp += float(np.log1p(-pc).sum())
        self.p += float(p.sum())
        self.p2 += float((p * p).sum())
        conf = np.maximum(p, 1 - p)
        which = bin_index(conf, ECE_BINS)
        self.bin_n += np.bincount(which, minlength=ECE_BINS)
        self.bin_conf += np.bincount(which, weights=conf, minlength=ECE_BINS)
        self.bin_above += np.bincount(which[p > 0.5], minlength=ECE_BINS)
        self.hist += np.bincount(
            np.minimum((p * AUC_BINS).astype(np.int64), AUC_BINS - 1), minlength=AUC_BINS
        )

    def merge(self, other: ClassScoreSums) -> None:
        for name in ("n", "log_p", "log_1mp", "p", "p2", "bin_n", "bin_conf", "bin_above", "hist"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class ScoreMetrics:
    log_loss: float
    brier: float
    ece: float
    roc_auc: float
    reliability: list[ReliabilityBin]
    n: int


def score_metrics(sums: dict[Any, ClassScoreSums], positive_value: Any) -> ScoreMetrics:
    """Log loss, Brier, top-label ECE (15 bins, as the performance check) and ROC AUC."""
    pos = sums.get(positive_value, ClassScoreSums())
    neg = ClassScoreSums()
    for value, s in sums.items():
        if value != positive_value:
            neg.merge(s)
    n = pos.n + neg.n
    log_loss = -(pos.log_p + neg.log_1mp) / n
    brier = ((pos.p2 - 2 * pos.p + pos.n) + neg.p2) / n
    correct = pos.bin_above + (neg.bin_n - neg.bin_above)
    ece, bins = calibration_from_bins(pos.bin_n + neg.bin_n, pos.bin_conf + neg.bin_conf, correct)
    if pos.n == 0 or neg.n == 0:
        auc = math.nan
    else:
        below = np.cumsum(neg.hist) - neg.hist
        auc = float((pos.hist * (below + 0.5 * neg.hist)).sum() / (pos.n * neg.n))
    return ScoreMetrics(float(log_loss), float(brier), float(ece), auc, bins, n)


def _check_file(path: Path) -> str:
    if not path.is_file():
        raise AuditorInputError("no such file", source=str(path))
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".csv", ".txt"):
        return "csv"
    raise AuditorInputError("not a .csv or .parquet file", source=str(path))


def _check_columns(path: Path, have: Sequence[str], cols: Columns) -> None:
    flags = {cols.y_true: "--y-true", cols.y_pred: "--y-pred"}
    if cols.y_score:
        flags[cols.y_score] = "--y-score"
    for name in cols.names():
        if name not in have:
            raise AuditorInputError(
                f"no column {name!r} ({flags.get(name, '--sensitive')}); the file has "
                f"{', '.join(map(str, have))}",
                source=str(path),
                field=name,
            )


def iter_batches(path: Path, cols: Columns, *, batch_rows: int) -> Iterator:
    """pyarrow RecordBatches of the needed columns, at most ``batch_rows`` rows each."""
    import pyarrow as pa

    kind = _check_file(path)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            pf = pq.ParquetFile(path)
            _check_columns(path, pf.schema_arrow.names, cols)
            yield from pf.iter_batches(batch_size=batch_rows, columns=cols.names())
            return
        import pyarrow.csv as pacsv

        with path.open(newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), [])
        _check_columns(path, header, cols)
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                include_columns=cols.names(),
                column_types={s: pa.string() for s in cols.sensitive},
                strings_can_be_null=True,
            ),
        )
        for batch in reader:
            for start in range(0, batch.num_rows, batch_rows):
                yield batch.slice(start, batch_rows)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        msg = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise AuditorInputError(f"cannot read ({msg})", source=str(path)) from None


def _to_numpy(values: Any) -> np.ndarray:
    if hasattr(values, "to_numpy"):
        try:
            return values.to_numpy(zero_copy_only=False)
        except TypeError:
            return values.to_numpy()
    return np.asarray(values)


@dataclass
class Partial:
    """One batch or partition reduced: counts table and score sums by true-class value."""

    table: CountsTable | None
    scores: dict
    rows: int


def reduce_batch(columns: dict, cols: Columns, *, source: str, row_offset: int = 0) -> Partial:
    """columns: name -> array (pyarrow, pandas or numpy) for ``cols.names()``."""
    acc = CountsAccumulator(
        cols.sensitive, source=source, y_true_name=cols.y_true, y_pred_name=cols.y_pred
    )
    acc.rows = row_offset  # row numbers in messages count from the file's start
    acc.add(columns[cols.y_true], columns[cols.y_pred], [columns[s] for s in cols.sensitive])
    n = acc.rows - row_offset
    acc.rows = n
    scores: dict = {}
    if cols.y_score:
        score = np.asarray(_to_numpy(columns[cols.y_score]), dtype=float)
        bad = ~np.isfinite(score) | (score < 0) | (score > 1)
        if bad.any():
            row = row_offset + int(np.flatnonzero(bad)[0])
            raise AuditorInputError(
                f"score outside [0, 1] or missing at row {row}", source=source, field=cols.y_score
            )
        y = _to_numpy(columns[cols.y_true])
        values = np.unique(y)
        if len(values) > 2:
            raise AuditorInputError(
                "y_score is for binary targets only (more than 2 classes)",
                source=source,
                field=cols.y_score,
            )
        for v in values:
            s = ClassScoreSums()
            s.add(score[y == v])
            scores[v.item() if hasattr(v, "item") else v] = s
    return Partial(acc.table() if n else None, scores, n)


@dataclass(frozen=True)
class PredictionCounts:
    table: CountsTable
    positive: int | None
    scores: ScoreMetrics | None
    source: str
    n_batches: int
    engine: str


def _positive_index(table: CountsTable, positive_label: Any, source: str) -> int | None:
    if len(table.classes) < 2:
        raise AuditorInputError(
            f"y_true and y_pred hold a single class ({table.class_names[0]}); "
            "error rates per group are undefined",
            source=source,
        )
    names = [str(c) for c in table.classes]
    if positive_label is None:
        return len(names) - 1 if len(names) == 2 else None
    if str(positive_label) not in names:
        raise AuditorInputError(
            f"positive label {positive_label!r} is not a class ({', '.join(names)})",
            source=source,
            field="--positive-label",
        )
    return names.index(str(positive_label))


def reduce_predictions(
    path: str | Path,
    cols: Columns,
    *,
    batch_rows: int = 1_000_000,
    positive_label: Any = None,
    dask_scheduler: str | None = None,
) -> PredictionCounts:
    """Read ``path`` once; return its counts (and score metrics when ``cols.y_score``)."""
    path = Path(path)
    source = str(path)
    if not cols.sensitive:
        raise AuditorInputError("name at least one sensitive column (--sensitive)", source=source)
    acc = CountsAccumulator(
        cols.sensitive, source=source, y_true_name=cols.y_true, y_pred_name=cols.y_pred
    )
    sums: dict = {}
    batches = 0
    if dask_scheduler:
        partials = _dask_partials(path, cols, dask_scheduler, batch_rows)
        engine = f"dask ({dask_scheduler})"
    else:
        partials = (
            reduce_batch(
                {n: batch.column(n) for n in cols.names()}, cols, source=source, row_offset=offset
            )
            for offset, batch in _offsets(iter_batches(path, cols, batch_rows=batch_rows))
        )
        engine = f"pyarrow batches of {batch_rows} rows"
    for part in partials:
        batches += 1
        if part.table is not None:
            acc.add_table(part.table)
        for v, s in part.scores.items():
            sums.setdefault(v, ClassScoreSums()).merge(s)
    table = acc.table()
    positive = _positive_index(table, positive_label, source)
    scores = None
    if cols.y_score:
        if len(table.classes) != 2:
            raise AuditorInputError(
                "y_score is for binary targets only", source=source, field=cols.y_score
            )
        scores = score_metrics(sums, table.classes[positive])
    return PredictionCounts(table, positive, scores, source, batches, engine)


def _offsets(batches: Iterable[Any]) -> Iterator[tuple[int, Any]]:
    offset = 0
    for batch in batches:
        yield offset, batch
        offset += batch.num_rows


def _dask_partials(path: Path, cols: Columns, scheduler: str, batch_rows: int) -> Iterator[Partial]:
    """Each partition of a Dask dataframe reduced to a Partial by the named scheduler
    ("threads", "processes", "synchronous", or a distributed address like tcp://host:8786)."""
    import dask
    import dask.dataframe as dd

    kind = _check_file(path)
    if kind == "parquet":
        import pyarrow.parquet as pq

        _check_columns(path, pq.ParquetFile(path).schema_arrow.names, cols)
        frame = dd.read_parquet(str(path), columns=cols.names(), split_row_groups=True)
    else:
        with path.open(newline="", encoding="utf-8") as fh:
            _check_columns(path, next(csv.reader(fh), []), cols)
        frame = dd.read_csv(
            str(path),
            usecols=cols.names(),
            dtype={s: str for s in cols.sensitive},
            keep_default_na=True,
            blocksize=64 * 2**20,
        )
    tasks = [dask.delayed(_partition_partial)(part, cols, str(path)) for part in frame.to_delayed()]
    if scheduler in ("threads", "processes", "synchronous"):
        results = dask.compute(*tasks, scheduler=scheduler)
    else:
        from dask.distributed import Client

        try:
            client = Client(scheduler, timeout=10, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise AuditorInputError(
                f"cannot reach Dask scheduler ({exc})", field="--dask-scheduler"
            ) from None
        try:
            results = client.gather(client.compute(tasks))
        finally:
            client.close()
    yield from results


def _partition_partial(frame: pd.DataFrame, cols: Columns, source: str) -> Partial:
    return reduce_batch(
        {n: frame[n].to_numpy() for n in cols.names()}, cols, source=f"{source} (a partition)"
    )
