"""Predictions files (CSV or Parquet from any model, or a folder of their parts as Spark, Hive
and Dask write them: :mod:`.folder`) reduced to counts in bounded memory.

Rows are read in batches (pyarrow) or, when a Dask scheduler is named, per partition
(:mod:`.partitions`: each parsed by pyarrow and reduced where it lives); each batch becomes a
small partial (per-group confusion counts plus running sums for the score metrics), and
partials add up.
Without a score column memory is a few batches whatever the file size (each core reduces
one while the next is read). With one, the exact ROC AUCs need each joint cell's distinct
scores per true class (16 bytes each, 8 where none repeats; 10M distinct scores peak at
about 0.55 GiB, the whole process, while :class:`~auditor.fairness.score_axis.ScoreAxis`
numbers them); past ``SPILL_ROWS`` rows they go to disk (:mod:`auditor.predictions.spilling`):
a fixed budget whatever the row count (50M rows: 0.33 GiB at the peak), the same numbers.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from auditor.data.header import NO_ROWS, file_kind
from auditor.errors import AuditorInputError
from auditor.fairness.counts import CountsAccumulator, CountsTable
from auditor.fairness.score_axis import MAX_WORKERS
from auditor.fairness.scores import CellSums, ScoreAxis, merge_all, overall_scores
from auditor.fairness.spill_cells import SpilledAxis, SpilledCells
from auditor.predictions.batch import (
    Partial,
    binary_only,
    offsets,
    reduce_arrow,
)
from auditor.predictions.confidence import ScoreRanges
from auditor.predictions.folder import Folder, PartBatch, folder_of
from auditor.predictions.labels import (
    TEXT_LABELS,
    check_predicted_classes,
    check_score_class,
    class_name_of,
    positive_index,
)
from auditor.predictions.partitions import dask_partials
from auditor.predictions.score_faults import Decimals, ScoreFaults
from auditor.predictions.source import MISSING_LEVEL, Columns, iter_batches, parquet_footer
from auditor.predictions.spelling import Spellings, check_number_groups
from auditor.predictions.spilling import SPILLED, score_axis, spill_for
from auditor.provenance import file_state
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
    # per column, each label more than one spelling was read as (:mod:`.spelling`)
    merged: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # a score whose flipped reading ranks y_true better within chance (:mod:`.confidence`)
    score_flipped: dict[str, float] | None = None


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
    folder = folder_of(path)  # a folder of part files (Spark's), else a file
    # a file to read, before its rows are counted (a pipe's would never end)
    kind = file_kind(path) if folder is None else None
    if folder is not None and dask_scheduler:
        raise AuditorInputError(DASK_FOLDER, source=source, field="--dask-scheduler")
    before = folder.states() if folder else file_state(source)
    footer = None  # a Parquet file's, parsed once for the spill's row count and the reader
    if kind == "parquet" and cols.y_score and not dask_scheduler:
        footer = parquet_footer(path)
    acc = CountsAccumulator(
        cols.sensitive, source=source, y_true_name=cols.y_true, y_pred_name=cols.y_pred
    )
    parts: list[CellSums] = []
    spellings, ranges = Spellings(), ScoreRanges()
    spilled, batch_rows = spill_for(path, spill_rows, batch_rows, cols.y_score, dask_scheduler,
                                    folder=folder, metadata=footer)  # fmt: skip
    with spilled or nullcontext():  # the spilled scores removed at the end, also on an error
        if dask_scheduler:
            partials = dask_partials(path, cols, dask_scheduler, batch_rows)
            engine = f"dask ({dask_scheduler})"
        else:
            partials, engine = _batch_partials(path, folder, cols, spilled, batch_rows, footer)
        try:
            batches, faults = _added(partials, acc, parts, spellings, ranges, spilled)
        except AuditorInputError:
            if folder is None:  # a read that failed once the file changed: its change said
                _check_unchanged(path, before)
            raise
        if folder is None:
            _check_unchanged(path, before)
        else:
            folder.check_unchanged(before)
        if faults is not None and _true_classes(acc) <= 2:  # else a third class, or totals, said
            raise faults.error(acc.rows, cols.y_score)  # as one batch says it: at any batch size
        spellings.check(cols.missing_group, source=source)
        cells = merge_all(parts)
        table, positive = _checked_table(acc, cols, positive_label, source)
        if not cols.y_score:
            return PredictionCounts(table, positive, None, source, batches, engine, cells,
                                    merged=spellings.recorded())  # fmt: skip
        if len(table.classes) != 2:
            message = binary_only(cols.y_true, list(map(str, table.class_names)))
            raise AuditorInputError(message, source=source, field=cols.y_score)
        flipped = ranges.check(table, positive, cols, source)
        value = table.classes[positive]
        axis = score_axis(cells, features=cols.sensitive, positive=value, spilled=spilled,
                          specs=specs)  # fmt: skip
    scores = overall_scores(cells, value, axis)
    check_score_class(table, positive, scores, cols, source)
    return PredictionCounts(table, positive, scores, source, batches, engine, cells, axis,
                            spellings.recorded(), flipped)


def _added(partials: Iterator[Partial], acc: CountsAccumulator, parts: list[CellSums],
           spellings: Spellings, ranges: ScoreRanges,
           spilled: SpilledCells | None) -> tuple[int, ScoreFaults | None]:  # fmt: skip
    """Each partial added to the file's counts, score sums, spellings and score ranges; the
    batches read and their scores' faults, added up (past the first, no more scores kept),
    the file's decimal commas decided once (:class:`Decimals`)."""
    batches, faults, decimals = 0, None, Decimals()
    for part in partials:
        batches += 1
        if part.table is not None:
            acc.add_table(part.table)
        if part.spellings is not None:
            spellings.add(part.spellings)
        decimals, faults = decimals.then(part.decimals, faults)
        if faults is not None or part.score_faults is not None:
            faults = (faults or ScoreFaults()).added(part.score_faults)
            continue
        if part.spilled is not None and spilled:  # to the spill in file order
            spilled.spill_rows(part.spilled)
        parts.append(part.scores)
        ranges.add(part)
    return batches, faults


def _true_classes(acc: CountsAccumulator) -> int:
    """The classes y_true holds in the rows read."""
    return int((acc.table().confusion().sum(axis=1) > 0).sum())


def _checked_table(acc: CountsAccumulator, cols: Columns, positive_label: Any,
                   source: str) -> tuple[CountsTable, int | None]:  # fmt: skip
    """The file's counts, refused where no audit reads them as written (no rows, a number
    group written two ways, label columns that disagree), and its positive class."""
    if acc.rows == 0:
        raise AuditorInputError(NO_ROWS, source=source)
    table = acc.table()
    check_number_groups(table, source)
    check_predicted_classes(table, cols, source)
    return table, positive_index(table, positive_label, source, cols)


def _batch_partials(path: Path, folder: Folder | None, cols: Columns,
                    spilled: SpilledCells | None, batch_rows: int,
                    footer: Any = None) -> tuple[Iterator[Partial], str]:  # fmt: skip
    """The partials of the file's (or the folder's parts') batches, reduced on the cores as
    they are read (``footer``: a Parquet file's, already parsed), and the engine's words."""
    workers = min(MAX_WORKERS, len(available_cores()))
    engine = f"pyarrow batches of {batch_rows} rows" + (SPILLED if spilled else "")
    faulted = threading.Event()  # a score fault read: later batches' scores are not kept
    if folder is None:
        reduce = partial(reduce_arrow, cols, str(path), spilled, faulted=faulted)
        batches = iter_batches(path, cols, batch_rows=batch_rows, metadata=footer)
        return reduced_in_order(batches, reduce, workers=workers), engine
    engine += f", from {len(folder.parts):,} {folder.kind} parts in sorted order"
    return reduced_in_order(folder.batches(cols, batch_rows=batch_rows, hashed=True),
                            partial(_reduce_part, cols, spilled, faulted),
                            workers=workers), engine  # fmt: skip


def _reduce_part(cols: Columns, spilled: SpilledCells | None, faulted: threading.Event,
                 offset: int, part: PartBatch) -> Partial:  # fmt: skip
    """A part's batch reduced, its rows numbered from the part's start (errors name it)."""
    return reduce_arrow(cols, part.source, spilled, offset - part.start, part.batch,
                        faulted=faulted)  # fmt: skip


DASK_FOLDER = (
    "not for a folder of parts: audit it without --dask-scheduler (the batch engine reads "
    "its parts one after the other)"
)


CHANGED = (
    "changed while it was read ({before:,} bytes when the read began, {after:,} when it ended): "
    "still being written? audit it once it is complete"
)


REPLACED = "replaced by another file while it was read: audit it once it is complete"


def _check_unchanged(path: Path, before: tuple[int, ...] | None) -> None:
    """Refuse a file whose size or modification time changed while its rows were read, or
    that another file replaced (a rename, as rsync and ``cp -p`` write): the counts would be
    of no one state of it, and its recorded sha256 (:func:`auditor.provenance.sha256_file`,
    by the same state) of another."""
    after = file_state(str(path))
    if after == before:
        return
    if before is not None and after is not None and after[:2] == before[:2]:
        message = CHANGED.format(before=before[2], after=after[2])
    else:
        message = REPLACED
    raise AuditorInputError(message, source=str(path))


def reduced_in_order(
    batches: Iterator[Any], reduce: Callable[[int, Any], Partial], *, workers: int
) -> Iterator[Partial]:
    """``reduce(row offset, batch)`` of each batch, in the file's order, on ``workers``
    threads while this one reads the next batches (pyarrow's reading and numpy's reducing
    release the GIL): at most ``workers`` batches in memory and the one being read. A batch's
    error (reading or reducing) is raised at that batch, after the batches before it."""
    if workers < 2:
        yield from (reduce(offset, batch) for offset, batch in offsets(batches))
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="auditor-reduce") as pool:
        pending: deque[Future[Partial]] = deque()
        reading = offsets(batches)
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
