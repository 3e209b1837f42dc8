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


def text_encoding(path: Path) -> str:
    """``utf-16`` or ``utf-32`` where the file starts with that byte-order mark, else
    ``utf-8`` (Python's and pyarrow's name for each: the mark is dropped as the text is
    decoded, and the byte order read from it)."""
    with open_bytes(path) as fh:
        head = fh.read(4)
    return next((name for mark, name in BYTE_ORDER_MARKS if head.startswith(mark)), UTF8)


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
