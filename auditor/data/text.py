"""A CSV file's text: gunzipped where its name ends in ``.gz``, decoded in the encoding its
byte-order mark names (UTF-16 or UTF-32, as Excel's 'Unicode Text' and Windows tools save a
file; UTF-8 without one, its own mark dropped), read with fields of any width."""

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


# The first bytes of files that are not text, as each is written (a spreadsheet's workbook, an
# archive, a compressed file under a CSV's name), and what to do with it.
NOT_TEXT_FILES = (
    (b"PK\x03\x04", "a zip archive (an Excel workbook, .xlsx, is one)",
     "export the sheet as CSV (Excel: Save As 'CSV UTF-8'), or unzip the CSV inside"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)",
     "export the sheet as CSV (Excel: Save As 'CSV UTF-8')"),
    (b"\x1f\x8b", "gzip-compressed", "name it .csv.gz, and it is read as it is"),
    (b"BZh", "bzip2-compressed", "decompress it (bunzip2), or gzip it as .csv.gz"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed", "decompress it (zstd -d), or gzip it as .csv.gz"),
    (b"\xfd7zXZ\x00", "xz-compressed", "decompress it (unxz), or gzip it as .csv.gz"),
    (b"PAR1", "a Parquet file", "name it .parquet"),
    (b"ARROW1", "an Arrow IPC (Feather) file",
     "write it as Parquet (pyarrow.parquet.write_table) or CSV"),
)
HEAD = 8  # bytes: the longest mark above


def file_head(path: Path) -> bytes:
    """The first :data:`HEAD` bytes of the file (gunzipped where its name ends in ``.gz``)."""
    with open_bytes(path) as fh:
        return fh.read(HEAD)


def text_encoding(head: bytes) -> str:
    """``utf-16`` or ``utf-32`` where the file's ``head`` (:func:`file_head`) starts with that
    byte-order mark, else ``utf-8`` (Python's and pyarrow's name for each: the mark is dropped
    as the text is decoded, and the byte order read from it)."""
    return next((name for mark, name in BYTE_ORDER_MARKS if head.startswith(mark)), UTF8)


def not_text_file(head: bytes) -> tuple[str, str] | None:
    """(what the file is, what to do) where its ``head`` is one of :data:`NOT_TEXT_FILES`'
    marks, else None."""
    return next(((kind, hint) for mark, kind, hint in NOT_TEXT_FILES if head.startswith(mark)),
                None)  # fmt: skip


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
