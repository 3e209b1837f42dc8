"""A predictions file as a source of rows: its rows in pyarrow batches (CSV in the layout
:func:`auditor.data.header.csv_layout` finds, or Parquet), the columns each role reads
(:class:`Columns`, in :mod:`auditor.predictions.columns`) checked against its header first."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auditor.data.damaged import GZIP_CUT_SHORT, parquet_bytes, parquet_footer, parquet_refusal
from auditor.data.header import (
    NOT_UTF8,
    SAVE_UTF8,
    CsvLayout,
    csv_header,
    file_kind,
    not_text,
)
from auditor.data.layout import NO_VALUE_WORDS, SAMPLE_LINES, blank_line
from auditor.errors import AuditorInputError
from auditor.predictions.columns import Columns, checked_kind, header_names, near_name
from auditor.predictions.found_rows import (
    Tail,
    first_row,
    header_again,
    index_of,
    past_header,
    row_of,
    rows_holding,
    value_past,
)

ROWS_NOT_TEXT = "{not_text} in a row past the header; " + SAVE_UTF8

__all__ = [
    "MISSING_LEVEL", "REPEATED_HEADER", "Columns", "checked_kind", "checked_tail", "csv_names",
    "csv_options", "header_names", "iter_batches", "near_name", "open_rows", "parquet_bytes",
    "parquet_footer",
    "past_header_checked", "read_names", "quiet_row_decoding", "unnamed_tail", "unreadable",
]  # fmt: skip

REPEATED_HEADER = (
    "{where} repeats the header line: files joined with their header lines? keep the first "
    "header line only"
)
CONVERSION = re.compile(r"CSV conversion error to \w+: invalid value '(.*)'")
IN_COLUMN = re.compile(r"In CSV column #(\d+): CSV conversion error to (\w+)")
READ_AS = {"null": "empty", "bool": "true/false", "int64": "whole numbers"}
TYPED_ABOVE = (
    "{value!r} at {row}, where the column's first {mib} MiB of rows are {kind} (the type "
    "it is read as): fix that row, or write the whole column one way (numbers, or text)"
)
RAGGED = re.compile(r"Expected (\d+) columns, got (\d+): (.*)", re.DOTALL)
RAGGED_ROW = (
    "{where} has {got} fields where the header has {want} ({row!r}); quote a value that holds "
    "the delimiter, or write the row in full"
)
COMMENT_ROW = (
    "a '#' line among the rows ({row!r}): a comment below the header? delete it (a '#' line "
    "is skipped only above the header)"
)
# a '#' row of more than one field: a comment holding the delimiter, or data ('#metoo,#ai,1,0')
COMMENT_OR_DATA = (
    "{where} has {got} fields where the header has {want} ({row!r}): a comment below the "
    "header? delete it (a '#' line is skipped only above the header); a value holding the "
    "delimiter? quote it"
)
UNCLOSED_QUOTE = (
    "{where} has {got} fields where the header has {want}, read on across line ends from a "
    "quote that is never closed ({row!r}); close the quote, or delete it"
)
LONG_ROW = (
    "a row is longer than {mib} MiB (the reader's block): a quote never closed, or no line "
    "ends? a row must fit in {mib} MiB"
)
UNNAMED = re.compile(r"\.\d+")  # read_names' name of a repeated empty name
BLOCK_ERRORS = ("straddling object straddles two block boundaries", "header is larger than block")
CSV_BLOCK = 1 << 24  # bytes pyarrow parses at once; the first block decides the column types
# A Parquet file whose row groups average fewer rows is decoded on the reading thread: pyarrow's
# pool costs more than it saves there (a part of 200 rows: 167 against 75 us of CPU; 65,536:
# 854 against 734 us), and the batches are reduced on other cores meanwhile
THREADED_ROWS = 1 << 16

# What a CSV field reads as missing: pandas' read_csv's words (the table loader's, and what a
# notebook reads the same file as) where pyarrow's lack 'None' and '<NA>' (Python's and pandas'
# text of a missing value), and the table loader's EXTRA_MISSING: the layout's words, and blank
CSV_NULLS = ("", *sorted(NO_VALUE_WORDS))

# The group of a row with no sensitive value, as the table loader names it (data.missing_group)
# without importing it: auditor.data's package loads pandas, which this path does without.
MISSING_LEVEL = "(missing)"


def csv_names(path: Path) -> tuple[CsvLayout, list[str], Tail]:
    """The CSV's layout, the names its columns are read under (:func:`read_names`) and the
    unnamed fields ending them, to be checked empty (:func:`checked_tail`)."""
    layout, header = csv_header(path)
    names = read_names(header)
    return layout, names, checked_tail(path, layout, names)


def read_names(header: Sequence[str]) -> list[str]:
    """The names a CSV's columns are read under: its header's (:func:`csv_header`'s), without
    the spaces around them and a ``#`` header line's ``#``, a repeat (a column the audit does
    not read: the header check refuses one it reads) suffixed ``.1``, ``.2``."""
    seen: set[str] = set()
    names = []
    for name in (h.strip() for h in header):
        k, new = 0, name
        while new in seen:
            k, new = k + 1, f"{name}.{k + 1}"
        seen.add(new)
        names.append(new)
    return names


def csv_options(layout: CsvLayout, names: list[str], cols: Columns, *, header: bool,
                column_types: dict[str, Any] | None = None,
                tail: Tail = Tail()) -> tuple[Any, Any, Any]:  # fmt: skip
    """pyarrow's (read, parse, convert) options for the audited columns of a CSV (or of a block
    of its lines, ``header`` False past the first), the same for both engines: a sensitive
    column as dictionary codes, the others typed by ``column_types`` where given, else as
    pyarrow infers them; the ``tail`` (:func:`checked_tail`) as text, to be checked empty
    (:func:`past_header_checked`)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    group = pa.dictionary(pa.int32(), pa.string())  # codes per block, no string per row
    types = {**(column_types or {}), **{s: group for s in cols.sensitive},
             **dict.fromkeys(tail.names, pa.string())}  # fmt: skip
    return (
        pacsv.ReadOptions(block_size=CSV_BLOCK, use_threads=True, column_names=names,
                          skip_rows=layout.skip_rows + layout.header_lines if header else 0,
                          encoding=layout.encoding),  # UTF-16 and -32 decoded as it is read
        # a quoted value may span lines (free text): at no measured cost (3M rows, 62 MB)
        pacsv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=True,
                           invalid_row_handler=blank_row),
        pacsv.ConvertOptions(include_columns=[*cols.names(), *tail.names], column_types=types,
                             strings_can_be_null=True, null_values=CSV_NULLS,
                             decimal_point=layout.decimal_point),
    )  # fmt: skip


def unnamed_tail(names: Sequence[str]) -> list[str]:
    """The names :func:`read_names` gives the empty names ending a CSV's header ("", ".1", ...:
    a delimiter ending every row, Excel's ',,'), none where the header ends in a name."""
    k = 0
    while k < len(names) and (not names[-1 - k] or UNNAMED.fullmatch(names[-1 - k])):
        k += 1
    return list(names[len(names) - k :])


def checked_tail(path: Path, layout: CsvLayout, names: Sequence[str]) -> Tail:
    """The :func:`unnamed_tail` of the CSV at ``path``, to be checked empty in every row
    (:func:`past_header_checked`: a delimiter ending every row, Excel's ',,'), unless most of
    its first :data:`SAMPLE_LINES` data rows hold a value there: then none, an unnamed column
    (the header's last name empty over '1,0,F,0.3'), not read, as one in the middle is not.
    One stray value (a note, a row shifted by an unquoted comma) is refused wherever it is.
    Read once per file: its first rows are read again for it."""
    unnamed = unnamed_tail(names)
    if not unnamed:
        return Tail()
    at = range(len(names) - len(unnamed), len(names))
    held, seen = rows_holding(path, layout, at, CSV_NULLS, SAMPLE_LINES)
    return Tail() if 2 * held > seen else Tail(tuple(unnamed), at, held, seen)


def past_header_checked(batch: Any, tail: Tail, offset: int, source: str) -> Any:
    """The batch (or table) of a CSV's rows from row ``offset`` without the columns ``tail``
    (:func:`checked_tail`), refused (:meth:`Tail.refusal`) where one holds a value (by
    :func:`~auditor.predictions.found_rows.value_in`'s rule: not blank, not null, which the
    words of :data:`CSV_NULLS` read as): the first such row named. Nothing is checked where
    there is no ``tail``."""
    if not tail.names:
        return batch
    import pyarrow.compute as pc

    first: tuple[int, str] | None = None
    for name in tail.names:
        column = batch.column(name)
        if column.null_count == len(column):
            continue
        held = pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(column), ""), False)
        i = pc.index(held, True).as_py()
        if i >= 0 and (first is None or i < first[0]):
            first = (i, column[i].as_py())
    if first is not None:
        message = tail.refusal(offset + first[0], first[1])
        raise AuditorInputError(message, source=source)
    return batch.drop_columns(list(tail.names))


@contextmanager
def quiet_row_decoding() -> Iterator[None]:
    """Within it, keep pyarrow from printing a traceback ("Exception ignored in: blank_row")
    where a row of too few or many fields is not UTF-8 (a file cut short inside a character):
    pyarrow decodes the row for :func:`blank_row` and, failing, prints the error and refuses
    the row, which :func:`unreadable` says in one line. Any other unraisable error is printed
    as before; the hook found (a test's, a notebook's) is put back after, also on an error
    (unless another was put in place meanwhile)."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not (unraisable.object is blank_row
                and isinstance(unraisable.exc_value, UnicodeDecodeError)):  # fmt: skip
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        if sys.unraisablehook is hook:
            sys.unraisablehook = previous


def blank_row(row: Any) -> str:
    """pyarrow's answer to a row of too few or many fields: a line of spaces (or tabs) is
    skipped as pandas' reader skips it, as it is an empty line (an editor's trailing spaces);
    any other is the error :func:`unreadable` words; so is a DOS tool's end-of-file mark
    (Ctrl-Z) on its own line. Module-level: Dask's processes pickle it."""
    return "skip" if blank_line(row.text) else "error"


def iter_batches(path: Path, cols: Columns, *, batch_rows: int, kind: str | None = None,
                 data: Any = None, metadata: Any = None) -> Iterator:  # fmt: skip
    """pyarrow RecordBatches of the needed columns, at most ``batch_rows`` rows each (``kind``:
    the file's, where its name does not say it). ``data``: its bytes, already read (a folder's
    part, hashed from the same bytes; a CSV's header is still read from the file),
    ``metadata``: a Parquet file's footer, already read (neither is read again)."""
    import pyarrow as pa

    kind = kind or file_kind(path)
    header: tuple[CsvLayout, list[str]] | None = None
    tail: Tail | None = None  # a CSV's, read once: its refusal words it too
    if kind == "csv":  # a CSV's header read once, for its check and its reader
        header = csv_header(path)
        checked_kind(path, cols, kind, csv=header)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            # its footer parsed once (where not given), for its check and its reader; checked
            # before the reader's open, whose read_dictionary fails on a nested column
            data = parquet_bytes(path, data)  # a name that is not UTF-8: by its bytes
            metadata = parquet_footer(path, data) if metadata is None else metadata
            checked_kind(path, cols, kind, schema=metadata.schema.to_arrow_schema())
            # pre_buffer off: pyarrow would otherwise buffer every row group it reads ahead
            pf = pq.ParquetFile(path if data is None else pa.BufferReader(data),
                                metadata=metadata, pre_buffer=False,
                                read_dictionary=list(cols.sensitive))  # fmt: skip
            threaded = metadata.num_rows > THREADED_ROWS * max(1, metadata.num_row_groups)
            yield from pf.iter_batches(batch_size=batch_rows, columns=cols.names(),
                                       use_threads=threaded)  # fmt: skip
            return
        header = header or csv_header(path)
        names, offset = read_names(header[1]), 0
        tail = checked_tail(path, header[0], names)
        with quiet_row_decoding():  # while its rows are parsed
            reader = open_rows(path, header[0], names, cols, data, tail)
            for batch in reader:
                batch = past_header_checked(batch, tail, offset, str(path))
                offset += batch.num_rows
                for start in range(0, batch.num_rows, batch_rows):
                    yield batch.slice(start, batch_rows)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        if kind == "parquet":  # a page that does not decode: the file is damaged
            raise parquet_refusal(path, exc, data=data, footer=False) from None
        raise unreadable(path, exc, header, tail) from None


def open_rows(path: Path, layout: CsvLayout, names: list[str], cols: Columns,
              data: Any = None, tail: Tail = Tail()) -> Any:  # fmt: skip
    """pyarrow's streaming reader of the CSV's audited columns, each typed as pyarrow types it
    from the first block (16 MiB), but for a score column of whole numbers there (a file
    sorted by score, its first rows all 1, as R writes 1.0): read as float64, not int64,
    which the first score with decimals further down would fail. ``data``: the file's bytes,
    already read; either gunzipped here where its name ends in ``.gz``, in any case."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    def source() -> Any:
        packed = path.name.lower().endswith(".gz")  # pyarrow's own test is case-sensitive
        if data is None:
            # its bytes: a name that is not UTF-8 (held with surrogates) is opened as named
            return pa.input_stream(pa.OSFile(os.fsencode(path)),
                                   compression="gzip" if packed else None)  # fmt: skip
        raw = pa.BufferReader(data)
        return pa.CompressedInputStream(raw, "gzip") if packed else raw

    def opened(types: dict[str, Any]) -> Any:
        read, parse, convert = csv_options(layout, names, cols, header=True, column_types=types,
                                           tail=tail)  # fmt: skip
        return pacsv.open_csv(source(), read_options=read, parse_options=parse,
                              convert_options=convert)  # fmt: skip

    reader = opened({})
    if cols.y_score and pa.types.is_integer(reader.schema.field(cols.y_score).type):
        reader.close()  # read again (its first block only, once): the scores as numbers
        reader = opened({cols.y_score: pa.float64()})
    return reader


def unreadable(path: Path, exc: BaseException, header: tuple[CsvLayout, list[str]] | None = None,
               tail: Tail | None = None) -> AuditorInputError:  # fmt: skip
    """The one-line error for a file its reader gave up on (pyarrow): text that is not UTF-8
    (a legacy spreadsheet export) says how to fix it; a column's name where its numbers are
    (one of the names ``header``, a CSV's :func:`csv_header`, gives), that a header line is
    repeated. ``tail``: the CSV's :func:`checked_tail`, where it was read (else read here)."""
    text = str(exc)
    if isinstance(exc, UnicodeDecodeError) or "invalid UTF8" in text:
        said = not_text(exc) if isinstance(exc, UnicodeDecodeError) else NOT_UTF8
        return AuditorInputError(ROWS_NOT_TEXT.format(not_text=said), source=str(path))
    conversion = CONVERSION.search(text)
    names = read_names(header[1]) if header else []
    if conversion and header and conversion.group(1).strip() in names:  # a repeated header line
        return AuditorInputError(REPEATED_HEADER.format(where=header_again(path, *header)),
                                 source=str(path))  # fmt: skip
    typed = IN_COLUMN.search(text)
    if conversion and typed and header and int(typed.group(1)) < len(names):
        i, value = int(typed.group(1)), conversion.group(1)
        tail = tail or checked_tail(path, header[0], names)  # a row shifted: said so
        past = value_past(path, header[0], tail.at, CSV_NULLS) if tail.names else None
        if past:
            at = index_of(path, header[0], i, value)
            if at is None or past[0] <= at:
                return AuditorInputError(tail.refusal(past[0], past[1]),
                                         source=str(path))  # fmt: skip
        message = TYPED_ABOVE.format(value=value[:40], row=row_of(path, header[0], i, value),
                                     mib=CSV_BLOCK >> 20,
                                     kind=READ_AS.get(typed.group(2), "numbers"))  # fmt: skip
        return AuditorInputError(message, source=str(path), field=names[i])
    ragged = RAGGED.search(text)
    if ragged:  # pyarrow's "Expected 3 columns, got 4: <the row>"
        want, got, row = ragged.groups()
        shown = " ".join(row.split())[:120]
        spans = len(row.rstrip("\r\n").splitlines()) > 1 and '"' in row  # past a line end
        said = UNCLOSED_QUOTE if spans else RAGGED_ROW
        if shown.startswith("#") and not spans:
            said = COMMENT_ROW if got == "1" else COMMENT_OR_DATA
        where = "a row"
        if header and said is not COMMENT_ROW:  # found again: on the refusal's path only
            past = (past_header(path, header[0], int(want), CSV_NULLS)
                    if said is RAGGED_ROW else None)  # fmt: skip
            if past:
                return AuditorInputError(past, source=str(path))
            where = first_row(path, header[0], lambda fields: len(fields) != int(want))
        return AuditorInputError(said.format(got=got, want=want, row=shown, where=where),
                                 source=str(path))  # fmt: skip
    if "Truncated compressed stream" in text:  # pyarrow's words for a .gz cut short
        return AuditorInputError(GZIP_CUT_SHORT, source=str(path))
    if any(words in text for words in BLOCK_ERRORS):
        return AuditorInputError(LONG_ROW.format(mib=CSV_BLOCK >> 20), source=str(path))
    msg = " ".join(text.split())[:200] if text.strip() else type(exc).__name__
    return AuditorInputError(f"cannot read ({msg})", source=str(path))
