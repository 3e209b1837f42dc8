"""Predictions files (CSV or Parquet from any model) reduced to counts in bounded memory.

Rows are read in batches (pyarrow) or, when a Dask scheduler is named, per partition of a
Dask dataframe (each partition reduced where it lives); each batch becomes a small partial
(per-group confusion counts plus running sums for the score metrics), and partials add up.
Without a score column memory is a few batches whatever the file size (each core reduces
one while the next is read). With one, the exact ROC AUCs need each joint cell's distinct
scores per true class (16 bytes each, 8 where none repeats; 10M distinct scores peak at
about 0.85 GiB while :class:`~auditor.fairness.score_axis.ScoreAxis` numbers them); past
``SPILL_ROWS`` rows they go to disk (:mod:`auditor.predictions.spilling`): a fixed budget
whatever the row count (50M rows: 0.33 GiB at the peak), the same numbers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.data.header import NO_ROWS, data_row
from auditor.errors import AuditorInputError
from auditor.fairness.counts import CountsAccumulator, CountsTable, arrow_numpy
from auditor.fairness.score_axis import MAX_WORKERS
from auditor.fairness.scores import CellSums, ScoreAxis, add_cell_codes, merge_all, overall_scores
from auditor.fairness.spill_cells import SpilledAxis, SpilledCells, SpillRows
from auditor.predictions.labels import (
    TEXT_LABELS,
    check_predicted_classes,
    check_whole_labels,
    class_name_of,
    positive_index,
)
from auditor.predictions.source import (
    MISSING_LEVEL,
    Columns,
    checked_kind,
    csv_layout_names,
    header_names,
    iter_batches,
    unreadable,
)
from auditor.predictions.spilling import SPILLED, score_axis, spill_for
from auditor.results.scores import AUC_METHOD, ScoreMetrics
from auditor.runtime import available_cores

__all__ = [
    "AUC_METHOD",
    "MISSING_LEVEL",
    "TEXT_LABELS",
    "Columns",
    "class_name_of",
    "PredictionCounts",
    "ScoreMetrics",
    "iter_batches",
    "reduce_predictions",
]

if TYPE_CHECKING:
    import pandas as pd


def _to_numpy(values: Any) -> np.ndarray:
    if hasattr(values, "buffers") and hasattr(values, "null_count"):  # a pyarrow Array
        return arrow_numpy(values)
    if hasattr(values, "to_numpy"):
        try:
            return values.to_numpy(zero_copy_only=False)
        except TypeError:
            return values.to_numpy()
    return np.asarray(values)


BINARY_ONLY = "y_score is for binary targets only"
SCORE_NOT_NUMERIC = "scores must be numbers (probabilities in [0, 1]); the column holds text"
SCORE_WANTED = "give P(positive) as a probability in [0, 1]"
PERCENT_SHARE = 0.1


@dataclass
class Partial:
    """One batch or partition reduced: counts table and score sums per joint cell and
    true-class value."""

    table: CountsTable | None
    scores: CellSums
    rows: int
    spilled: SpillRows | None = None  # the rows for the spill, where the scores go there


def _checked_scores(columns: dict, cols: Columns, *, source: str, row_offset: int) -> np.ndarray:
    values = _to_numpy(columns[cols.y_score])
    try:
        score = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):  # a text column: say which, and its first text
        row, text = _first_text(values)
        raise AuditorInputError(f"{SCORE_NOT_NUMERIC} ({text!r} at {data_row(row_offset + row)})",
                                source=source, field=cols.y_score) from None  # fmt: skip
    bad = ~np.isfinite(score) | (score < 0) | (score > 1)
    if bad.any():
        raise AuditorInputError(_score_problem(score, row_offset), source=source,
                                field=cols.y_score)  # fmt: skip
    return score


def _first_text(values: Any) -> tuple[int, str]:
    """The index and value of the first entry of ``values`` that is not a number."""
    for i, value in enumerate(values):
        if value is None:  # missing: said once the column reads as numbers
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            return i, str(value)[:40]
    return 0, ""


def _score_problem(score: np.ndarray, row_offset: int) -> str:
    """What is wrong with the first score that is not a probability, and what the batch's
    scores look like: logits or decision values (some below 0), percentages (0 to 100, more
    than ``PERCENT_SHARE`` of them above 1)."""
    finite = np.isfinite(score)
    if not finite.all():
        first = int(np.flatnonzero(~finite)[0])
        return f"missing or infinite score at {data_row(row_offset + first)}; {SCORE_WANTED}"
    low, high = int(np.argmin(score)), int(np.argmax(score))
    if score[low] < 0:
        return (f"score {score[low]:g} at {data_row(row_offset + low)} is below 0: logits or "
                f"decision values? {SCORE_WANTED} (a logit's sigmoid)")  # fmt: skip
    where = data_row(row_offset + int(np.flatnonzero(score > 1)[0]))
    if score[high] <= 100 and np.mean(score > 1) > PERCENT_SHARE:
        return (f"score {score[score > 1][0]:g} at {where} is above 1: percentages? "
                f"{SCORE_WANTED} (divide by 100)")  # fmt: skip
    return f"score {score[score > 1][0]:g} at {where} is above 1; {SCORE_WANTED}"


def reduce_batch(columns: dict, cols: Columns, *, source: str, row_offset: int = 0,
                 spilled: SpilledCells | None = None) -> Partial:  # fmt: skip
    """columns: name -> array (pyarrow, pandas or numpy) for ``cols.names()``; ``spilled``:
    where the scores are spilled (the partial's cells keep their sums only)."""
    acc = CountsAccumulator(
        cols.sensitive, source=source, y_true_name=cols.y_true, y_pred_name=cols.y_pred,
        missing_group=cols.missing_group, strip_labels=True,
    )  # fmt: skip
    acc.rows = row_offset  # row numbers in messages count from the file's start
    for name in (cols.y_true, cols.y_pred):
        check_whole_labels(columns[name], column=name, source=source,
                           row_offset=row_offset)  # fmt: skip
    codes = acc.add(
        columns[cols.y_true], columns[cols.y_pred], [columns[s] for s in cols.sensitive]
    )
    n = acc.rows - row_offset
    acc.rows = n
    cells: CellSums = {}
    if cols.y_score and n:
        score = _checked_scores(columns, cols, source=source, row_offset=row_offset)
        if np.count_nonzero(np.bincount(codes.y_true)) > 2:
            raise AuditorInputError(
                "y_score is for binary targets only (more than 2 classes)",
                source=source,
                field=cols.y_score,
            )
        args = (cells, score, codes.groups, codes.group_labels, codes.y_true, codes.classes)
        if spilled is not None:
            return Partial(acc.table(), cells, n, spilled.add_codes(*args))
        add_cell_codes(*args)
    return Partial(acc.table() if n else None, cells, n)


@dataclass(frozen=True)
class PredictionCounts:
    table: CountsTable
    positive: int | None
    scores: ScoreMetrics | None
    source: str
    n_batches: int
    engine: str
    # per joint cell and true-class value: the score sums (empty without a score column)
    cells: CellSums = field(default_factory=dict)
    # their distinct scores on one axis (built once), or the AUCs counted over spilled scores
    score_axis: ScoreAxis | SpilledAxis | None = None


def reduce_predictions(
    path: str | Path,
    cols: Columns,
    *,
    batch_rows: int = 1_000_000,
    positive_label: Any = None,
    dask_scheduler: str | None = None,
    spill_rows: int | None = None,
    specs: Sequence[Sequence[str]] | None = None,
) -> PredictionCounts:
    """Read ``path`` once; return its counts (and score metrics when ``cols.y_score``). Past
    ``spill_rows`` rows with a score (default ``SPILL_ROWS``; not with Dask) the scores are
    spilled to disk: the AUCs counted are every row's and ``specs``' groups' (default: all)."""
    path = Path(path)
    source = str(path)
    if not cols.sensitive:
        raise AuditorInputError("name at least one sensitive column (--sensitive)", source=source)
    cols.check_roles(source=source)
    acc = CountsAccumulator(
        cols.sensitive, source=source, y_true_name=cols.y_true, y_pred_name=cols.y_pred
    )
    parts: list[CellSums] = []
    batches = 0
    spilled, batch_rows = spill_for(path, spill_rows, batch_rows, cols.y_score, dask_scheduler)
    with spilled or nullcontext():  # the spilled scores removed at the end, also on an error
        if dask_scheduler:
            partials = _dask_partials(path, cols, dask_scheduler, batch_rows)
            engine = f"dask ({dask_scheduler})"
        else:
            workers = min(MAX_WORKERS, len(available_cores()))
            partials = reduced_in_order(iter_batches(path, cols, batch_rows=batch_rows),
                                        partial(_reduce_arrow, cols, source, spilled),
                                        workers=workers)  # fmt: skip
            engine = f"pyarrow batches of {batch_rows} rows" + (SPILLED if spilled else "")
        for part in partials:
            batches += 1
            if part.table is not None:
                acc.add_table(part.table)
            if part.spilled is not None and spilled:  # to the spill in file order, one thread
                spilled.spill_rows(part.spilled)
            parts.append(part.scores)
        cells = merge_all(parts)
        if acc.rows == 0:
            raise AuditorInputError(NO_ROWS, source=source)
        table = acc.table()
        check_predicted_classes(table, cols, source)
        positive = positive_index(table, positive_label, source, cols)
        if not cols.y_score:
            return PredictionCounts(table, positive, None, source, batches, engine, cells)
        if len(table.classes) != 2:
            raise AuditorInputError(BINARY_ONLY, source=source, field=cols.y_score)
        value = table.classes[positive]
        axis = score_axis(cells, features=cols.sensitive, positive=value, spilled=spilled,
                          specs=specs)  # fmt: skip
    scores = overall_scores(cells, value, axis)
    return PredictionCounts(table, positive, scores, source, batches, engine, cells, axis)


def _reduce_arrow(cols: Columns, source: str, spilled: SpilledCells | None, offset: int,
                  batch: Any) -> Partial:  # fmt: skip
    """A pyarrow RecordBatch starting at row ``offset`` of the file reduced to a Partial."""
    columns = {n: batch.column(n) for n in cols.names()}
    return reduce_batch(columns, cols, source=source, row_offset=offset, spilled=spilled)


def reduced_in_order(
    batches: Iterator[Any], reduce: Callable[[int, Any], Partial], *, workers: int
) -> Iterator[Partial]:
    """``reduce(row offset, batch)`` of each batch, in the file's order, on ``workers``
    threads while this one reads the next batches (pyarrow's reading and numpy's reducing
    release the GIL): at most ``workers`` batches in memory and the one being read. A batch's
    error (reading or reducing) is raised at that batch, after the batches before it."""
    if workers < 2:
        yield from (reduce(offset, batch) for offset, batch in _offsets(batches))
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="auditor-reduce") as pool:
        pending: deque[Future[Partial]] = deque()
        reading = _offsets(batches)
        while True:
            try:
                item = next(reading, None)
            except AuditorInputError:  # a reading error: the batches read before it first
                while pending:
                    yield pending.popleft().result()
                raise
            if item is None:
                break
            pending.append(pool.submit(reduce, *item))
            if len(pending) == workers:  # each core busy: read on once the oldest is done
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _offsets(batches: Iterable[Any]) -> Iterator[tuple[int, Any]]:
    offset = 0
    for batch in batches:
        yield offset, batch
        offset += batch.num_rows


def _dask_partials(path: Path, cols: Columns, scheduler: str, batch_rows: int) -> Iterator[Partial]:
    """Each partition of a Dask dataframe reduced to a Partial by the named scheduler
    ("threads", "processes", "synchronous", or a distributed address like tcp://host:8786)."""
    import dask
    import pandas as pd

    try:
        frame = _dask_frame(path, cols)
        parts = frame.to_delayed()
        tasks = [dask.delayed(_partition_partial)(part, cols, f"{path} (partition {i + 1} of "
                                                  f"{len(parts)}; its rows counted from 1)")
                 for i, part in enumerate(parts)]  # fmt: skip
        yield from _computed(tasks, scheduler)
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:  # pandas' CSV reader's errors
        raise _as_pyarrow_refuses(path, cols, exc) from None


def _dask_frame(path: Path, cols: Columns) -> Any:
    """The file as a Dask dataframe (Parquet: the audited columns only)."""
    import dask.dataframe as dd

    if checked_kind(path, cols) == "parquet":
        return dd.read_parquet(str(path), columns=cols.names(), split_row_groups=True)
    layout, names = csv_layout_names(path)
    names = _unique(names)
    # Every column is read (no usecols: with it pandas drops a row's extra fields where
    # pyarrow refuses the row); those the audit does not read as text, never mistyped.
    unread = [n for n in names or _unique(header_names(path)) or () if n not in cols.names()]
    return dd.read_csv(
        str(path),
        sep=layout.delimiter,
        skiprows=layout.skip_rows,
        decimal=layout.decimal_point,
        header=0,
        names=names,
        dtype={s: str for s in [*cols.sensitive, *unread]},
        keep_default_na=True,
        blocksize=64 * 2**20,
    )


def _unique(names: list[str] | None) -> list[str] | None:
    """``names`` with a repeat (a column the audit does not read: the header check refuses
    one it reads) suffixed ``.1``, ``.2`` as pandas does, which refuses repeated names."""
    if names is None:
        return None
    seen: set[str] = set()
    unique = []
    for name in names:
        k, new = 0, name
        while new in seen:
            k, new = k + 1, f"{name}.{k + 1}"
        seen.add(new)
        unique.append(new)
    return unique


def _as_pyarrow_refuses(path: Path, cols: Columns, exc: BaseException) -> AuditorInputError:
    """pandas' error on a CSV as the pyarrow reader words it (a ragged row quoted, its
    fields counted), so both engines refuse a file in the same line; else ``unreadable``."""
    try:
        for _ in iter_batches(path, cols, batch_rows=1 << 20):
            pass
    except AuditorInputError as err:
        return err
    return unreadable(path, exc)


def _computed(tasks: list, scheduler: str) -> Sequence[Partial]:
    """The partials of the Dask ``tasks`` computed by ``scheduler``."""
    import dask

    if scheduler in ("threads", "processes", "synchronous"):
        return dask.compute(*tasks, scheduler=scheduler)
    else:
        from dask.distributed import Client
        from distributed.comm.addressing import parse_address, parse_host_port

        try:
            scheme, location = parse_address(scheduler)
            if scheme in ("tcp", "tls"):  # checked first: a half-made Client hangs at exit
                parse_host_port(location)
            client = Client(scheduler, timeout=10, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise AuditorInputError(
                f"cannot reach Dask scheduler ({exc})", field="--dask-scheduler"
            ) from None
        try:
            return client.gather(client.compute(tasks))
        finally:
            client.close()


def _partition_partial(frame: pd.DataFrame, cols: Columns, source: str) -> Partial:
    return reduce_batch({n: frame[n].to_numpy() for n in cols.names()}, cols, source=source)
