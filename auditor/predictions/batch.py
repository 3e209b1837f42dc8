"""One batch of a predictions file reduced to a :class:`Partial`: per-group confusion counts and
per-cell score sums (checked: labels whole numbers, scores probabilities), the unit both engines
(pyarrow batches, Dask partitions) add up."""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from auditor.errors import AuditorInputError, data_row
from auditor.fairness.counts import CountsAccumulator, CountsTable
from auditor.fairness.scores import CellSums, add_cell_codes
from auditor.fairness.spill_cells import SpilledCells, SpillRows
from auditor.predictions.confidence import Bins, pred_bins, pred_ranges
from auditor.predictions.labels import (
    Fault,
    check_label_spellings,
    first_classes,
    whole_label_fault,
)
from auditor.predictions.score_faults import Decimals, ScoreFaults, read_scores
from auditor.predictions.source import REPEATED_HEADER, Columns
from auditor.predictions.spelling import Spellings, canonical_column, is_text_type
from auditor.predictions.totals import may_be_totals

__all__ = ["BINARY_ONLY", "Partial", "binary_only", "offsets", "reduce_arrow", "reduce_batch"]


BINARY_ONLY = (
    "y_score is for binary targets only, and {y_true} holds {k} classes ({classes}); audit the "
    "labels without --y-score (each class against the rest)"
)


def binary_only(y_true: str, classes: list[str]) -> str:
    """:data:`BINARY_ONLY` for the classes of ``y_true`` (the first few named)."""
    return BINARY_ONLY.format(y_true=y_true, k=len(classes), classes=first_classes(classes))


EMPTY_ROW = (
    "{row} has no value in any audited column ({names}): a spreadsheet's empty rows "
    "below the data? delete them"
)
BYTES_NOT_TEXT = "holds bytes that are not UTF-8 text; write the column as text (UTF-8 strings)"


@dataclass
class Partial:
    """One batch or partition reduced: counts table and score sums per joint cell and
    true-class value."""

    table: CountsTable | None
    scores: CellSums
    rows: int
    spilled: SpillRows | None = None  # the rows for the spill, where the scores go there
    spellings: Spellings | None = None  # labels merged, and the missing group's clashes
    score_low: float = math.inf  # the least score
    # per predicted label, its rows' least and greatest score (where each is 0.5 or more)
    pred_ranges: dict[Any, tuple[float, float]] = field(default_factory=dict)
    # per (true, predicted) label, its rows per score bin (where each is 0.5 or more)
    pred_bins: Bins = field(default_factory=dict)
    # its scores that are not probabilities (none read then), said once the file is read
    score_faults: ScoreFaults | None = None
    decimals: Decimals = Decimals()  # how its text scores read (the file decides once)


def _check_rows(columns: dict, cols: Columns, acc: CountsAccumulator, *, source: str,
                row_offset: int) -> None:  # fmt: skip
    """Refuse the batch's first bad row (an empty row, a repeated header line, a label with
    decimals; on one row, in that order), a missing label or group above it first (counted
    as the batch is, then refused): each file refused at its first bad row, whatever
    --batch-rows puts in one batch (a later row's fault of a kind checked first was said).
    But a label with decimals is said before the batch's missing labels: a score column
    named as a label column (its missing values are the scores')."""
    found = [_empty_row(columns, cols, source=source, row_offset=row_offset),
             _repeated_header(columns, cols, source=source, row_offset=row_offset)]
    decimals = [whole_label_fault(columns[name], column=name, source=source,
                                  row_offset=row_offset) for name in (cols.y_true, cols.y_pred)]
    faults = [fault for fault in (*found, *decimals) if fault is not None]
    if not faults:
        return
    row, error = min(faults, key=lambda fault: fault[0])  # the first listed, on one row
    if row and not any(fault and fault[1] is error for fault in decimals):
        # the rows above it counted: a missing label or group there is refused
        acc.add(*(columns[n].slice(0, row) for n in (cols.y_true, cols.y_pred)),
                [columns[n].slice(0, row) for n in cols.sensitive])  # fmt: skip
    raise error


def _repeated_header(columns: dict, cols: Columns, *, source: str,
                     row_offset: int) -> Fault | None:  # fmt: skip
    """A row whose label fields are their columns' names: a header line repeated in the data
    (CSV files joined with their header lines), which would be counted as two more classes (a
    binary file audited as four classes, silently, without a score column)."""
    import pyarrow as pa

    names = (cols.y_true, cols.y_pred)
    kinds = [columns[name].type for name in names]
    if not all(is_text_type(k.value_type if pa.types.is_dictionary(k) else k) for k in kinds):
        return None  # string views too
    import pyarrow.compute as pc  # a tenth of a second: only where both labels are text

    labels = []
    for name in names:
        values = columns[name]
        if pa.types.is_dictionary(values.type):  # its name among the labels, or no row is it
            if not pc.any(pc.match_substring_regex(values.dictionary, _named(name))).as_py():
                return None
            values = values.dictionary_decode()
        labels.append(values)
    # rows whose y_true ends in its name (a third of trimming every value's cost), then exactly
    # (kernels with options only: a Python scalar argument makes pyarrow import pandas)
    rows = pc.indices_nonzero(pc.ends_with(labels[0], cols.y_true))
    for values, name in zip(labels, names, strict=True):
        rows = pc.filter(rows, pc.match_substring_regex(pc.take(values, rows), _named(name)))
    if not len(rows):
        return None
    row = int(rows[0].as_py())
    where = data_row(row_offset + row)
    return row, AuditorInputError(REPEATED_HEADER.format(where=where), source=source)


def _empty_row(columns: dict, cols: Columns, *, source: str, row_offset: int) -> Fault | None:
    """A row with no value in any audited column (``,,,,``: the rows a spreadsheet exports
    below its data where cells were once formatted), said so, before it is refused as a
    missing group label whose way on (--missing-group) would only reach its missing label.
    Free where a column has no nulls (pyarrow counts them)."""
    if not all(columns[name].null_count for name in cols.names()):
        return None
    import pyarrow.compute as pc

    empty = pc.is_null(columns[cols.y_true])
    for name in cols.names()[1:]:
        empty = pc.and_(empty, pc.is_null(columns[name]))
    rows = pc.indices_nonzero(empty)
    if not len(rows):
        return None
    row = int(rows[0].as_py())
    message = EMPTY_ROW.format(row=data_row(row_offset + row), names=", ".join(cols.names()))
    return row, AuditorInputError(message, source=source)


def _named(name: str) -> str:
    """A regex matching a label that is ``name``, spaces around it aside."""
    return rf"^\s*{re.escape(name)}\s*$"


def reduce_batch(columns: dict, cols: Columns, *, source: str, row_offset: int = 0,
                 spilled: SpilledCells | None = None,
                 faulted: threading.Event | None = None) -> Partial:  # fmt: skip
    """columns: name -> pyarrow array for ``cols.names()`` (both engines parse with pyarrow);
    ``spilled``: where the scores are spilled (the partial's cells keep their sums only);
    ``faulted``: set once a batch of the file has a score fault, after which a batch's
    scores are checked and not kept (the file is refused: its counts and faults only)."""
    acc = CountsAccumulator(
        cols.sensitive, source=source, y_true_name=cols.y_true, y_pred_name=cols.y_pred,
        missing_group=cols.missing_group,  # labels already in one spelling (reduce_arrow)
    )  # fmt: skip
    acc.rows = row_offset  # row numbers in messages count from the file's start
    _check_rows(columns, cols, acc, source=source, row_offset=row_offset)
    codes = acc.add(
        columns[cols.y_true], columns[cols.y_pred], [columns[s] for s in cols.sensitive]
    )
    n = acc.rows - row_offset
    acc.rows = n
    cells: CellSums = {}
    if cols.y_score and n:
        true_rows = np.bincount(codes.y_true)
        present = np.flatnonzero(true_rows)
        labels = [codes.classes[i] for i in present]
        if len(present) > 2:
            check_label_spellings(acc.table(), cols, source, first_row=row_offset)
            if may_be_totals(labels, true_rows[present]):
                # a class of one row may be a spreadsheet's totals row (its score a sum, or
                # none): the file's counts say so (read's checks), before y_score's
                # binary-only refusal; any other third class is refused here, before the
                # batch's scores are read (at any --batch-rows), the rest of the file unread
                return Partial(acc.table(), cells, n)
            classes = [str(codes.classes[i]) for i in present]
            raise AuditorInputError(binary_only(cols.y_true, classes), source=source,
                                    field=cols.y_score)  # fmt: skip
        score, faults, decimals = read_scores(columns[cols.y_score], source=source,
                                              row_offset=row_offset)  # fmt: skip
        if faults is not None and faulted is not None:
            faulted.set()
        if score is None or (faulted is not None and faulted.is_set()):
            # said after the file's labels (read's checks), at any --batch-rows; no cell codes,
            # ranges, bins or spill for a file refused (a 1M-row file's batches of 64: 19 s)
            return Partial(acc.table(), cells, n, score_faults=faults or ScoreFaults(),
                           decimals=decimals)  # fmt: skip
        args = (cells, score, codes.groups, codes.group_labels, codes.y_true, codes.classes)
        low = float(score.min())
        ranges, bins = (pred_ranges(columns[cols.y_pred], score),
                        pred_bins(columns[cols.y_true], columns[cols.y_pred], score)) \
            if low >= 0.5 else ({}, {})  # fmt: skip
        if spilled is not None:
            return Partial(acc.table(), cells, n, spilled.add_codes(*args), None, low, ranges,
                           bins, decimals=decimals)  # fmt: skip
        add_cell_codes(*args, sort=False)  # merge_all sorts the batches' cells
        return Partial(acc.table(), cells, n, None, None, low, ranges, bins, decimals=decimals)
    return Partial(acc.table() if n else None, cells, n)


def reduce_arrow(cols: Columns, source: str, spilled: SpilledCells | None, offset: int,
                 batch: Any, *, faulted: threading.Event | None = None) -> Partial:  # fmt: skip
    """A pyarrow RecordBatch starting at row ``offset`` of the file reduced to a Partial, its
    text labels read as one spelling each (:mod:`.spelling`: what merged kept beside it);
    ``faulted``: :func:`reduce_batch`'s."""
    found = Spellings()
    columns = {n: _as_text(batch.column(n), n, source) for n in cols.names()}
    for n in (cols.y_true, cols.y_pred, *cols.sensitive):  # labels and groups, not scores
        group = n in cols.sensitive
        columns[n] = canonical_column(columns[n], n, found,
                                      cols.missing_group if group else None)  # fmt: skip
    reduced = reduce_batch(columns, cols, source=source, row_offset=offset, spilled=spilled,
                           faulted=faulted)  # fmt: skip
    reduced.spellings = found
    return reduced


def _as_text(column: Any, name: str, source: str) -> Any:
    """A Parquet column of bytes (strings written without their UTF-8 annotation, as Impala
    and older Hive write them) as the text it holds; any other column as it is."""
    import pyarrow as pa

    kind = column.type
    dictionary = pa.types.is_dictionary(kind)
    value = kind.value_type if dictionary else kind
    if not any(test(value) for test in (pa.types.is_binary, pa.types.is_large_binary,
                                        pa.types.is_fixed_size_binary, _is_binary_view)):
        return column  # fmt: skip
    try:
        if dictionary:
            return pa.DictionaryArray.from_arrays(column.indices,
                                                  column.dictionary.cast(pa.string()))  # fmt: skip
        return column.cast(pa.string())
    except pa.ArrowInvalid:
        raise AuditorInputError(BYTES_NOT_TEXT, source=source, field=name) from None


def _is_binary_view(kind: Any) -> bool:
    """pyarrow's ``binary_view`` type (pyarrow >= 16; never, before: pyproject allows 14)."""
    import pyarrow as pa

    test = getattr(pa.types, "is_binary_view", None)
    return bool(test and test(kind))


def offsets(batches: Iterable[Any], start: int = 0) -> Iterator[tuple[int, Any]]:
    """Each batch with the file row it starts at (counting from ``start``)."""
    offset = start
    for batch in batches:
        yield offset, batch
        offset += batch.num_rows
