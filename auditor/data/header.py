"""A data file's kind and header, checked before any row is read (no pandas, no torch).

Shared by the table loader (``auditor run`` on your CSV / Parquet) and the predictions reader
(``auditor audit``), so both accept the same files and refuse them with the same one-line
messages: CSV (``.csv``, ``.txt``, ``.tsv``, each also gzip-compressed ``.gz``; UTF-8, with
or without the byte-order mark spreadsheet programs write, or UTF-16 or UTF-32 with theirs:
:mod:`auditor.data.text`), in the layout :mod:`auditor.data.layout` finds, or Parquet
(``.parquet``, ``.pq``); a header that names a column twice is refused (which one would be
read?).
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Callable, Container, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any, Literal

from auditor.config.paths import NO_FILE, no_file  # noqa: F401 - NO_FILE: the message
from auditor.data.damaged import GZIP_CUT_SHORT, MAGIC, parquet_bytes, parquet_refusal
from auditor.data.layout import (  # noqa: F401 - the API here too
    COMMENT,
    HEADER_LINES,
    NUMBERED_SHOWN,
    CsvLayout,
    csv_layout,
)
from auditor.data.spelling import EXTRA_MISSING, canonical  # noqa: F401 - EXTRA_MISSING: API
from auditor.data.text import SAVE_UTF8, open_text, other_file, wide_fields
from auditor.errors import AuditorInputError

IS_DIRECTORY = "is a folder, not a file"
NOT_REGULAR = (
    "not a regular file (a pipe, a device or a socket: it cannot be read twice); save the rows "
    "to a file"
)
PARTS = (" (it holds {n} {suffix} files: a dataset written in parts, as Spark and Dask write "
         "them? join them into one file)")  # fmt: skip
UNSUPPORTED = "unsupported file type (use .csv, .tsv, .csv.gz or .parquet)"
NOT_UTF8 = "not UTF-8 text"
NO_HEADER = "no header line"
NOT_GZIP = (
    "named .gz, but not gzip-compressed (a plain CSV? name it .csv, or compress it with gzip)"
)
NO_ROWS = "no data rows (only the column names)"
HEADER_SPANS = (
    "the header names a column {name!r}, a line break in it: the header spans lines "
    "{start}-{end}; name that column on one line"
)
# Quoted header names holding line breaks, closed, over more than layout.HEADER_LINES lines
HEADER_TOO_LONG = (
    "the header spans lines {start}-{end} (quoted names holding line breaks), more than "
    "{most}; name each column on one line"
)
# A quote opening a header name that closes only at the file's end, or past lines that read
# as rows (holding the delimiter; the layout's header lines aside): no name, a slip
UNCLOSED_QUOTE = (
    "an unclosed quote in the header (line {line}): close it after the name, or delete it"
)
CANNOT_READ = "cannot read ({error})"
TITLE_LINE = (
    "line {line} ({text!r}) is {fields} above rows of more: a title above the header? "
    "delete it, or start it with '#'"
)
# Every row one field over the header, each starting with a larger whole number: R's
# write.table with row.names = TRUE (its default) and quote = FALSE, or a header one name
# short over an ID column (layout.CsvLayout.numbered)
R_ROW_NAMES = (
    "data row 1 has {got} fields where the header has {want} ({row!r}), as do the rows under "
    "it, each first field {order} ({numbers}){empty}: {cause}"
)
R_CAUSE = (
    "R's row names written unquoted, or a header missing the first column's name? write the "
    "file with write.table(..., row.names = FALSE) or quote = TRUE, or name that column in "
    "the header"
)
# Numbered from 0: pandas' index, written without its name (to_csv(index_label=False))
PANDAS_CAUSE = (
    "pandas' index written without its name (index_label=False), or a header missing the "
    "first column's name? write the file with to_csv(..., index=False), or name that column "
    "in the header (index_label='id')"
)
COUNTING = "a number larger than the last"
# Each row ending empty as well: an ID column under the header's first name and a delimiter
# ending each row, or row names over an empty last column (every name read one column left);
# the row names may be R's of shuffled rows (distinct whole numbers in no order)
DISTINCT = "a different whole number"
EMPTY_LAST = " and each last field empty"
COUNTED_CAUSE = (
    "{whose} over an empty last column{last}, or an ID column{first} and a delimiter ending "
    "each row ({rule})? write the file "
    "{fix}, or end the header in the delimiter too"
)
READ_SO = "read so only where the last column is read, the first not"
R_FIX = "with write.table(..., row.names = FALSE)"
PANDAS_FIX = "with to_csv(..., index=False)"
EITHER_FIX = "with row.names = FALSE (R) or index=False (pandas)"
# The rows end in an empty field the header does not name (a delimiter ending every row of
# the first lines, or Excel's ',,'); a value there, in a later row, is the row's own field
# shifted right by an unquoted delimiter, or a column nobody named: both readers refuse it
# in these words (``where``: what the other rows hold there)
PAST_HEADER = (
    "{row} has a value past the header's {n} names ({value!r}), where {where}: a delimiter in "
    "an unquoted value of that row? quote it; a column the header does not name? name it in "
    "the header, or leave the field empty"
)
LONGER_ROW = (
    "a row has more fields than the header's {n} names; quote a value that holds the "
    "delimiter, or write the row in full"
)
DUPLICATE_COLUMN = "column {col!r} appears {n} times in the header; name each column once"
NESTED_COLUMN = (
    "column {col!r} holds {type} values, not one label or number per row: give each its own "
    "column (as a score, P(positive) alone)"
)

NEWLINE = re.compile("[\r\n]")  # a line's end to Python's reader (not str.splitlines')

Kind = Literal["csv", "parquet"]
CSV_SUFFIXES = (".csv", ".txt", ".tsv", ".csv.gz", ".txt.gz", ".tsv.gz")


def one_line(exc: BaseException) -> str:
    """``Type: message`` on one line (parser messages may end in or hold newlines)."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def file_kind(path: Path) -> Kind:
    """``"csv"`` or ``"parquet"`` by the file's suffix; exit 2 for a missing file, a folder, a
    pipe or device, or another suffix."""
    if path.is_dir():
        parts = [p for p in path.iterdir() if p.suffix.lower() in (".parquet", ".pq", ".csv")]
        hint = PARTS.format(n=len(parts), suffix=parts[0].suffix) if parts else ""
        raise AuditorInputError(IS_DIRECTORY + hint, source=str(path))
    if not path.is_file():  # a pipe's reader would wait for a writer (/dev/zero: no end)
        raise AuditorInputError(NOT_REGULAR if path.exists() else no_file(path), source=str(path))
    name = path.name.lower()
    if path.suffix.lower() in (".parquet", ".pq"):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if _starts_parquet(path):  # pandas' own example writes df.parquet.gzip (gzip inside)
        return "parquet"
    raise AuditorInputError(UNSUPPORTED + other_file(name), source=str(path))


def _starts_parquet(path: Path) -> bool:
    """Whether the file starts with Parquet's mark (``PAR1``), as a folder's parts are known
    whatever their names."""
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def not_text(exc: UnicodeDecodeError) -> str:
    """:data:`NOT_UTF8`, or for a file whose byte-order mark says UTF-16 or UTF-32, that."""
    name = exc.encoding.upper().replace("_", "-").replace("UTF", "UTF-").replace("--", "-")[:6]
    return f"not {name} text" if name in ("UTF-16", "UTF-32") else NOT_UTF8


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """A file's read errors as one-line bad input naming ``path``."""
    try:
        yield
    except AuditorInputError:  # a ValueError already said in one line
        raise
    except UnicodeDecodeError as exc:
        raise AuditorInputError(f"{not_text(exc)}; {SAVE_UTF8}", source=str(path)) from None
    except EOFError:  # a .gz cut short (Python's gzip)
        raise AuditorInputError(GZIP_CUT_SHORT, source=str(path)) from None
    except gzip.BadGzipFile:  # an OSError: said in the user's words, not Python's
        raise AuditorInputError(NOT_GZIP, source=str(path)) from None
    except (OSError, csv.Error, ValueError) as exc:  # gzip, csv and parquet errors
        raise AuditorInputError(CANNOT_READ.format(error=one_line(exc)), source=str(path)) from None


def csv_header(path: Path) -> tuple[CsvLayout, list[str]]:
    """The layout of the CSV at ``path`` (:func:`csv_layout`) and its header's names as written
    but for what a reader cannot see (:func:`~auditor.data.spelling.canonical`: a byte-order
    mark, a zero-width space, NFD's 'é', a non-breaking space; 'género' written NFD was "no
    column 'género'"), duplicates kept; a ``#`` header line's ``#`` left out; an unnamed column
    ``""`` first for R's row names, last for a delimiter ending every row; from one look at its
    first lines. A quoted name holding a line break is read (over :attr:`CsvLayout.header_lines`
    lines, as every reader skips them); a quote the header never closes is refused."""
    with _reading(path), wide_fields():
        layout = csv_layout(path)
        with open_text(path, layout.encoding) as fh:
            for _ in range(layout.skip_rows):
                next(fh)
            lines: Iterator[str] = fh
            if layout.hash_header:  # '# y_true': the '#' marks the line, not the name
                lines = chain([next(fh, "").lstrip(COMMENT).lstrip()], fh)
            reader = csv.reader(lines, delimiter=layout.delimiter)
            header = next(reader, None)
            ended = next(fh, None) is None  # the header ran to the file's end
    if not header:
        raise AuditorInputError(NO_HEADER, source=str(path))
    if reader.line_num > 1:  # a quoted name holding a line break: the rows were read from it
        _check_spanning(layout, header, path, lines=reader.line_num, ended=ended)
    if layout.title:
        fields = "one field" if len(header) == 1 else f"{len(header)} fields"
        text = layout.delimiter.join(header).strip()[:60]
        raise AuditorInputError(TITLE_LINE.format(line=layout.skip_rows + 1, text=text,
                                                  fields=fields), source=str(path))  # fmt: skip
    if layout.numbered and not layout.unnamed:
        _refuse_numbered(layout, path, width=len(header))
    header = [canonical(name) for name in header]
    if layout.unnamed == "header":
        header.pop()
    elif layout.unnamed:
        header.insert(0 if layout.unnamed == "first" else len(header), "")
    return layout, header


def _check_spanning(layout: CsvLayout, header: list[str], path: Path, *, lines: int,
                    ended: bool) -> None:
    """A header over ``lines`` lines, the layout's (:attr:`CsvLayout.header_lines`: its
    quotes close), read; else a quote never closed (:data:`UNCLOSED_QUOTE`: to the file's
    end, or past lines that hold the delimiter, as rows do), refused; so are closed names
    over more than :data:`HEADER_LINES` lines (:data:`HEADER_TOO_LONG`) and a name holding a
    line break over other lines than the layout's (:data:`HEADER_SPANS`: a '#' header line,
    a quote inside a name). Lines end at '\n' and '\r' alone, as the reader's."""
    if lines == layout.header_lines and not ended:
        return
    start = layout.skip_rows + 1
    name = next((n for n in header if "\n" in n or "\r" in n), header[-1])
    rows = any(layout.delimiter in line for n in header for line in NEWLINE.split(n)[1:])
    if ended or rows:
        raise AuditorInputError(UNCLOSED_QUOTE.format(line=start), source=str(path))
    if lines > HEADER_LINES:
        raise AuditorInputError(HEADER_TOO_LONG.format(start=start, end=start + lines - 1,
                                                       most=HEADER_LINES), source=str(path))
    if lines != layout.header_lines:
        raise AuditorInputError(HEADER_SPANS.format(name=name, start=start,
                                                    end=start + lines - 1),
                                source=str(path))  # fmt: skip


def check_counted(layout: CsvLayout, header: Sequence[str], path: Path,
                  reads: Container[str] = (), fix: Callable[[str, str], str] | None = None,
                  ) -> None:  # fmt: skip
    """Refuse rows one field over the header that count (1, 2, 3 or 0, 1, 2), or hold a
    distinct whole number each (R's row names of shuffled rows), and end empty
    (:attr:`CsvLayout.numbered` with unnamed "last", ``header``: :func:`csv_header`'s, its
    unnamed last ``""`` added) unless the columns ``reads`` names tell the two writers apart:
    an ID column and a delimiter ending each row (read so) against row names over an empty
    last column (R's write.table, quote = FALSE; pandas' index_label=False: every name one
    column left). Read so only where the header's last name (past its own empty names,
    Excel's ',,') is read (as row names it would be empty) and its first is not (as an ID it
    holds the row numbers). ``fix(first, last)``: the caller's setting that reads so (the
    table's data.drop, the predictions' --y-score), said after the rule; "" for none."""
    if not (layout.numbered and layout.unnamed == "last"):
        return
    named = [name.strip() for name in header[:-1]]
    first, last = named[0], named[len(named) - 1 - trailing_empty(named)]
    if last and last in reads and first not in reads:
        return
    hint = fix(first, last) if fix and first and last else ""
    _refuse_numbered(layout, path, width=len(header) - 1, names=(first, last), hint=hint)


def trailing_empty(header: Sequence[str]) -> int:
    """How many names end the header empty (a delimiter, or Excel's ',,', ending its line),
    all but one where every name is."""
    n = 0
    while n < len(header) - 1 and not header[-1 - n].strip():
        n += 1
    return n


def _column(name: str) -> str:
    """`` 'name'`` to follow "column", nothing for an empty name (no column quoted as '')."""
    return f" {name!r}" if name else ""


def _refuse_numbered(layout: CsvLayout, path: Path, *, width: int,
                     names: tuple[str, str] | None = None, hint: str = "") -> None:
    """R's row names written unquoted, or pandas' index (:attr:`CsvLayout.numbered`: the
    first rows, read by the layout): the first numbers, '...' where there are more;
    ``names``: the header's first and last, where each row ends empty too."""
    rows = layout.numbered
    numbers = [row[0].strip() for row in rows[:NUMBERED_SHOWN]]
    numbers += ["..."] if len(rows) > NUMBERED_SHOWN else []
    pandas = numbers[0] == "0"
    cause = PANDAS_CAUSE if pandas else R_CAUSE
    if names is not None:
        whose, fix = (("R's row names or pandas' index", EITHER_FIX) if not layout.counting
                      else ("pandas' index as row names", PANDAS_FIX) if pandas
                      else ("R's row names", R_FIX))  # fmt: skip
        cause = COUNTED_CAUSE.format(whose=whose, first=_column(names[0]),
                                     last=_column(names[1]), fix=fix,
                                     rule=f"to read it so, {hint}" if hint else READ_SO)
    message = R_ROW_NAMES.format(got=width + 1, want=width, numbers=", ".join(numbers),
                                 row=layout.delimiter.join(rows[0])[:60 if names else 120],
                                 cause=cause,
                                 order=COUNTING if layout.counting else DISTINCT,
                                 empty=EMPTY_LAST if names else "")  # fmt: skip
    raise AuditorInputError(message, source=str(path))


def read_header(path: Path, kind: Kind | None = None, *, schema: Any = None) -> list[str]:
    """The column names as the file writes them (duplicates kept), without reading rows;
    ``kind``: the file's where its name does not say it (Hive's nameless Parquet parts),
    ``schema``: a Parquet file's, already read (:func:`parquet_schema`)."""
    path = Path(path)
    if schema is None and (kind or file_kind(path)) == "csv":
        return csv_header(path)[1]
    header = list((parquet_schema(path) if schema is None else schema).names)
    if not header:
        raise AuditorInputError(NO_HEADER, source=str(path))
    return header


def parquet_schema(path: Path) -> Any:
    """The pyarrow schema of the Parquet file at ``path`` (its footer only; a name that is
    not UTF-8 too: :func:`~auditor.data.damaged.parquet_bytes`); one line where it is no
    Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = parquet_bytes(path)
    try:
        return pq.read_schema(path if data is None else pa.BufferReader(data))
    except (pa.ArrowInvalid, OSError) as exc:  # empty, cut short, a CSV under its name: said
        raise parquet_refusal(path, exc) from None


def check_header(header: Sequence[str], *, source: str) -> None:
    """Refuse a column name that appears more than once (the first such name, with its
    count, as the field)."""
    seen: dict[str, int] = {}
    for name in header:
        seen[name] = seen.get(name, 0) + 1
    for name, n in seen.items():
        if n > 1:
            raise AuditorInputError(DUPLICATE_COLUMN.format(col=name, n=n), source=source,
                                    field=name)  # fmt: skip


def check_flat_columns(path: Path, names: Sequence[str], *, schema: Any = None) -> None:
    """Refuse a Parquet column among ``names`` that holds lists, structs or maps: an audit
    needs one label or number per row (``schema``: the file's, already read)."""
    schema = parquet_schema(path) if schema is None else schema
    for name in names:
        if name in schema.names:
            kind = schema.field(name).type
            if kind.num_fields > 0:  # list, struct, map, union: nested values
                raise AuditorInputError(NESTED_COLUMN.format(col=name, type=kind), source=str(path),
                                        field=name)  # fmt: skip
