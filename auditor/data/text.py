"""A CSV file's text: gunzipped where its name ends in ``.gz``, decoded in the encoding its
byte-order mark names (UTF-16 or UTF-32, as Excel's 'Unicode Text' and Windows tools save a
file; UTF-8 without one, its own mark dropped), read with fields of any width; a workbook,
archive or compressed file under a CSV's name, and a line over 16 MiB, refused as such."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from auditor.errors import COMPRESSED_FILES, COMPRESSED_NAMES, AuditorInputError

UTF8 = "utf-8"
# UTF-32's marks first: UTF-32 LE's starts with UTF-16 LE's
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
WIDE_FIELD = 2**31 - 1  # characters: Python's csv module refuses a field over 131,072 by default
_wide = threading.Lock()
_wide_state = {"readers": 0, "limit": 0}  # readers in progress; the limit the first found


def open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, gunzipped where its name ends in ``.gz``."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # noqa: SIM115 - closed by caller


def _way_on(kind: str, tool: str) -> tuple[str, str]:
    """What a compressed file or archive (:data:`~auditor.errors.COMPRESSED_FILES`) under a
    CSV's name is, and what to do with it."""
    if tool == "unzip":
        return (f"{kind} (an Excel workbook, .xlsx, is one)",
                "export the sheet as CSV (Excel: Save As 'CSV UTF-8'), or unzip the CSV inside")
    if tool == "gunzip":
        return kind, "name it .csv.gz, and it is read as it is"
    return kind, f"decompress it ({tool}), or gzip it as .csv.gz"


# The first bytes of files that are not text, as each is written (a spreadsheet's workbook, an
# archive, a compressed file under a CSV's name), and what to do with it.
NOT_TEXT_FILES = (
    *((magic, *_way_on(kind, tool)) for magic, kind, tool in COMPRESSED_FILES),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)",
     "export the sheet as CSV (Excel: Save As 'CSV UTF-8')"),
    (b"PAR1", "a Parquet file", "name it .parquet"),
    (b"ARROW1", "an Arrow IPC (Feather) file",
     "write it as Parquet (pyarrow.parquet.write_table) or CSV"),
)
# What to do with a file of a type not read, by its name's ending (a refusal's way on).
OTHER_FILES = (
    ((".xlsx", ".xlsm", ".xls", ".ods"), "export the sheet as CSV (Excel: Save As 'CSV UTF-8')"),
    ((".feather", ".arrow", ".ipc"), "write it as Parquet (pyarrow.parquet.write_table)"),
    ((".json", ".jsonl", ".ndjson"), "write it as CSV or Parquet (pandas: to_csv, to_parquet)"),
    (COMPRESSED_NAMES, "decompress it, or gzip it as .csv.gz"),
)
HEAD = 8  # bytes: the longest mark above
NOT_CSV = "{kind}, not CSV text; {hint}"
LONG_LINE = (
    "line {line} is longer than {mib} MiB: not a CSV file of rows (one row a line)? a row "
    "must fit in {mib} MiB"
)
SAVE_UTF8 = "save it as UTF-8 (a spreadsheet's 'CSV UTF-8')"
NO_MARK = ("not UTF-8 text (NUL bytes at its start: UTF-16 or UTF-32 without its byte-order "
           "mark?); " + SAVE_UTF8)  # fmt: skip
EMPTY_ROW_TEXT = " \t\r\n,;|"  # an empty row's characters: spaces and the delimiters
LONGEST_LINE = 1 << 24  # characters; the predictions reader's pyarrow parses 16 MiB at once


def file_head(path: Path) -> bytes:
    """The first :data:`HEAD` bytes of the file (gunzipped where its name ends in ``.gz``)."""
    with open_bytes(path) as fh:
        return fh.read(HEAD)


def other_file(name: str) -> str:
    """``"; <what to do>"`` for a file named ``name`` of a type :data:`OTHER_FILES` knows,
    else ``""``."""
    name = name.lower()
    return next((f"; {hint}" for ends, hint in OTHER_FILES if name.endswith(ends)), "")


def text_encoding(head: bytes) -> str:
    """``utf-16`` or ``utf-32`` where the file's ``head`` (:func:`file_head`) starts with that
    byte-order mark, else ``utf-8`` (Python's and pyarrow's name for each: the mark is dropped
    as the text is decoded, and the byte order read from it)."""
    return next((name for mark, name in BYTE_ORDER_MARKS if head.startswith(mark)), UTF8)


def text_head(path: Path) -> bytes:
    """:func:`file_head`, once the file is not one of :data:`NOT_TEXT_FILES` (a workbook, an
    archive, a compressed file under a CSV's name: refused for what it is, not as 'not
    UTF-8'), nor UTF-16 or UTF-32 without its byte-order mark (NUL bytes, which no UTF-8 text
    holds: it was read as UTF-8, "no column 'y_true'; the file has y\\x00_\\x00t...")."""
    head = file_head(path)
    for mark, kind, hint in NOT_TEXT_FILES:
        if head.startswith(mark):
            raise AuditorInputError(NOT_CSV.format(kind=kind, hint=hint), source=str(path))
    if b"\0" in head and text_encoding(head) == UTF8:
        raise AuditorInputError(NO_MARK, source=str(path))
    return head


def first_lines(path: Path, encoding: str, n: int, comment: str) -> tuple[int, str, list[str]]:
    """(the number of lines at the top that start with ``comment`` or are blank, the last
    comment, the ``n`` lines after them); blank lines above the header are skipped as pandas
    skips them (an export's empty first line was read as the header: "no header line"), and
    so are a spreadsheet's empty rows (',,,,'; "the file has , , , ,"); a
    line over :data:`LONGEST_LINE` characters is refused before it is read whole (a file with
    no line ends was held in memory whole, and split by each delimiter in turn: minutes for
    200 MB, to be refused by pyarrow in the end)."""
    comments, last = 0, ""
    lines: list[str] = []
    with open_text(path, encoding) as fh:
        while len(lines) < n:
            line = fh.readline(LONGEST_LINE + 1)
            if not line:
                break
            if len(line) > LONGEST_LINE:
                message = LONG_LINE.format(line=comments + len(lines) + 1, mib=LONGEST_LINE >> 20)
                raise AuditorInputError(message, source=str(path))
            if lines or not (line.startswith(comment) or _empty_row(line)):
                lines.append(line)
            else:
                comments, last = comments + 1, line if line.startswith(comment) else last
    return comments, last, lines


def row_numbers(path: Path, encoding: str, skip: int, delimiter: str) -> bool:
    """Whether the first fields of all the rows under the header (``skip`` lines above it) are
    different whole numbers, none above the rows' count: R's row names of shuffled rows (its
    row numbers, always each its own) could be no other column. Rows as Python's reader reads
    them (a quoted line break ends none), blank lines skipped as both readers skip them; the
    file is read to its end only where every first field so far is a new whole number."""
    seen: set[int] = set()
    with wide_fields(), open_text(path, encoding) as fh:
        for _ in range(skip):
            fh.readline()
        reader = csv.reader(fh, delimiter=delimiter)
        next(reader, None)  # the header
        for row in reader:
            name = row[0].strip() if row else None
            if name is None:
                continue
            if not (name.isascii() and name.isdigit()) or int(name) in seen:
                return False
            seen.add(int(name))
    return max(seen, default=0) <= len(seen)


def _empty_row(line: str) -> bool:
    """A line of nothing but spaces and delimiters: an empty line, or a spreadsheet's empty
    row (',,,,': a sheet whose first row is blank)."""
    return not line.strip(EMPTY_ROW_TEXT)


def open_text(path: Path, encoding: str) -> io.TextIOBase:
    """The CSV file as text in ``encoding`` (:func:`text_encoding`'s); a UTF-8 byte-order mark
    is dropped (pyarrow's CSV reader drops it too, so both read the same names)."""
    codec = "utf-8-sig" if encoding == UTF8 else encoding
    return io.TextIOWrapper(open_bytes(path), encoding=codec, newline="")


@contextmanager
def wide_fields() -> Iterator[None]:
    """Python's csv module with no practical limit on a field's length (a free-text field of
    150 KB was refused: "field larger than field limit (131072)"), restored after; the limit is
    the process's, so nested and concurrent readers restore it once, when the last ends."""
    with _wide:
        if not _wide_state["readers"]:
            _wide_state["limit"] = csv.field_size_limit(WIDE_FIELD)
        _wide_state["readers"] += 1
    try:
        yield
    finally:
        with _wide:
            _wide_state["readers"] -= 1
            if not _wide_state["readers"]:
                csv.field_size_limit(_wide_state["limit"])
