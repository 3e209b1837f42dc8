"""A CSV's row found again with Python's reader, on a refusal's path only: the row pyarrow
gave up on (or whose value it could not convert) named ``data row N``, numbered as pyarrow
reads the file (no empty line, no line of only spaces, no DOS end-of-file mark)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.data.header import PAST_HEADER, CsvLayout
from auditor.data.layout import blank_line
from auditor.data.text import open_text, wide_fields
from auditor.errors import data_row

__all__ = ["EMPTY_ABOVE", "HELD_AMONG", "PAST_HEADER", "Tail",
           "first_row", "header_again", "index_of", "past_header", "row_of", "rows_holding",
           "value_in", "value_past"]  # fmt: skip

# PAST_HEADER's ``where`` here: what the rows around it hold there, :data:`EMPTY_ABOVE` or
# :data:`HELD_AMONG` (the table loader's words it by every row: data.csv_frame)
# Where the rows above the row named leave that field empty (no value, :func:`value_in`).
EMPTY_ABOVE = "the rows above it end in an empty field"
# Where some of the first lines hold a value there, but not most (:class:`Tail`); ``others``:
# how many but the row named ("no other", "1 other", "49 others").
HELD_AMONG = (
    "{others} of the first {seen} rows {hold} one (an unnamed column is read where most do)"
)


@dataclass(frozen=True)
class Tail:
    """The unnamed fields ending a CSV's header, to be checked empty in every row: their
    ``names`` (as read, ``""``, ``".1"``), their positions ``at`` and how many (``held``) of the
    first ``seen`` data rows hold a value there (:func:`rows_holding`); none where most do."""

    names: tuple[str, ...] = ()
    at: range = range(0)
    held: int = 0
    seen: int = 0

    def refusal(self, index: int, value: str) -> str:
        """The line refusing ``value`` in these fields of the data row at ``index`` (0-based):
        what the first rows hold there counted without that row, where it is among them."""
        words = {"row": data_row(index), "value": value[:40], "n": self.at.start}
        if not self.held:  # the row named is past the first lines, all empty there
            return PAST_HEADER.format(**words, where=EMPTY_ABOVE)
        among = index < self.seen  # so wherever held: the row named is the first holding one
        others = self.held - among
        count = str(others)
        if among:
            count = f"{others} other" + "s" * (others > 1) if others else "no other"
        where = HELD_AMONG.format(others=count, seen=self.seen,
                                  hold="holds" if others <= 1 else "hold")  # fmt: skip
        return PAST_HEADER.format(**words, where=where)


def value_in(row: Sequence[str], at: Iterable[int], missing: Collection[str]) -> str | None:
    """The first value among fields ``at`` of ``row``: a field neither blank nor one of the
    ``missing`` words, as written (the one rule of a value in the unnamed fields ending a
    row; :func:`~auditor.predictions.source.past_header_checked` reads the rows by it too:
    pyarrow reads those words as null, and a field of spaces is trimmed to none); else None."""
    return next((row[j] for j in at if j < len(row) and row[j].strip() and row[j] not in missing),
                None)  # fmt: skip


def row_of(path: Path, layout: CsvLayout, column: int, value: str) -> str:
    """``data row N``, the first row of the CSV at ``path`` whose field ``column`` is
    ``value`` (:func:`index_of`), or "a row"."""
    at = index_of(path, layout, column, value)
    return "a row" if at is None else data_row(at)


def index_of(path: Path, layout: CsvLayout, column: int, value: str) -> int | None:
    """The index of the first row of the CSV at ``path`` whose field ``column`` is ``value``
    but for the spaces around it (pyarrow names ' M' 'M'), or None."""
    value = value.strip()
    found = first(path, layout, lambda row: column < len(row) and row[column].strip() == value)
    return None if found is None else found[0]


def header_again(path: Path, layout: CsvLayout, header: list[str]) -> str:
    """``data row N``, the first row of the CSV at ``path`` (in ``layout``) that repeats its
    ``header``'s names, or "a row"."""
    names = [name.strip() for name in header if name]
    return first_row(path, layout,
                     lambda row: [field.strip() for field in row if field.strip()] == names)


def past_header(path: Path, layout: CsvLayout, want: int, missing: Collection[str]) -> str | None:
    """For the CSV whose rows of ``want`` + 1 fields end in an empty one (a delimiter ending
    each) but for a row among the first lines, which kept the layout from reading that field
    as none: that row named with its value, :data:`PAST_HEADER` (a ``missing`` word there,
    R's 'NA', is none: :func:`value_in`); else None."""
    top = first(path, layout, lambda row: True)
    if top is None or len(top[1]) != want + 1 or top[1][-1].strip():
        return None  # the rows do not end in an empty field
    found = first(path, layout, lambda row: len(row) != want + 1
                  or value_in(row, [want], missing) is not None)  # fmt: skip
    if found is None or len(found[1]) != want + 1:
        return None
    row, field = data_row(found[0]), found[1][-1][:40]
    return PAST_HEADER.format(row=row, value=field, n=want, where=EMPTY_ABOVE)


def first_row(path: Path, layout: CsvLayout, wanted: Callable[[list[str]], bool]) -> str:
    """``data row N``, the first data row of the CSV at ``path`` that is ``wanted`` (by
    :func:`first`), or "a row"."""
    found = first(path, layout, wanted)
    return "a row" if found is None else data_row(found[0])


def first(path: Path, layout: CsvLayout,
          wanted: Callable[[list[str]], bool]) -> tuple[int, list[str]] | None:  # fmt: skip
    """The index and fields of the first data row of the CSV at ``path`` that is ``wanted``,
    numbered as pyarrow reads the file (no empty line, no line of only spaces:
    :func:`blank_row`), or None (read again with Python's
    reader: on a refusal's path, or the first lines only; also where that reader fails first,
    as on text cut short inside a character)."""
    return next(((i, row) for i, row in enumerate(_data_rows(path, layout))
                 if wanted(row)), None)  # fmt: skip


def _data_rows(path: Path, layout: CsvLayout,
               within: int | None = None) -> Iterator[list[str]]:  # fmt: skip
    """The fields of each data row of the CSV at ``path`` (the first ``within``, where given),
    as :func:`first` numbers them, up to a row Python's reader fails on."""
    with open_text(path, layout.encoding) as fh, wide_fields():
        for _ in range(layout.skip_rows + layout.header_lines):
            next(fh, None)
        rows = (row for row in csv.reader(fh, delimiter=layout.delimiter)
                if row and not (len(row) == 1 and blank_line(row[0])))  # fmt: skip
        try:
            for i, row in enumerate(rows):
                if within is not None and i >= within:
                    return
                yield row
        except (UnicodeDecodeError, csv.Error):
            return


def rows_holding(path: Path, layout: CsvLayout, at: range, missing: Collection[str],
                 within: int) -> tuple[int, int]:  # fmt: skip
    """(the rows holding a value, :func:`value_in`, in fields ``at``; the rows read) among the
    first ``within`` data rows of the CSV at ``path``."""
    held = seen = 0
    for row in _data_rows(path, layout, within):
        seen += 1
        held += value_in(row, at, missing) is not None
    return held, seen


def value_past(path: Path, layout: CsvLayout, at: range,
               missing: Collection[str]) -> tuple[int, str] | None:  # fmt: skip
    """The index of the first data row of the CSV at ``path`` holding a value in fields ``at``
    (:func:`value_in`), and that value; None where none does."""
    found = first(path, layout, lambda row: value_in(row, at, missing) is not None)
    if found is None:
        return None
    return found[0], value_in(found[1], at, missing) or ""
