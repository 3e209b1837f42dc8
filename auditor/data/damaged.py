"""What is wrong with a file cut short or damaged, in a user's words: a ``.gz`` that ends
mid-stream (:data:`GZIP_CUT_SHORT`), a file pyarrow could not read as Parquet.

pyarrow says "Parquet file size is 0 bytes", "Parquet magic bytes not found in footer" or
"Couldn't deserialize thrift" for a file that is empty, cut short while it was written or
copied, another kind of file under a Parquet name (a CSV, a gzip), or damaged. The file's
first and last bytes tell which: a Parquet file starts and ends with ``PAR1``, its footer's
length in the four bytes before the end.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from auditor.errors import COMPRESSED_FILES, AuditorInputError

__all__ = ["EMPTY", "GZIP_CUT_SHORT", "NOT_COMPLETE", "parquet_bytes", "parquet_footer",
           "parquet_refusal"]

MAGIC = b"PAR1"
HEAD = 1024  # bytes looked at: a text file's first line, a compressed file's mark
AGAIN = "export it again"
EMPTY = "the file is empty (0 bytes), not a Parquet file: its export failed? " + AGAIN
NOT_COMPLETE = (
    "not a complete Parquet file: it ends before its footer (cut short while it was written "
    "or copied?); " + AGAIN
)
BAD_FOOTER = (
    "a damaged Parquet file: its footer (the schema and row counts) cannot be read ({error}); "
)
BAD_ROWS = "a damaged Parquet file: its rows cannot be read ({error}); "
TEXT = "text, not a Parquet file (a CSV file named .parquet?); name it .csv"
ARROW = (
    "an Arrow IPC (Feather) file, not Parquet; write it as Parquet "
    "(pyarrow.parquet.write_table)"
)
OTHER = (
    "not a Parquet file (it does not start with Parquet's mark, PAR1); export it as Parquet "
    "again, or name it for what it is"
)
GZIP_CUT_SHORT = (
    "not a complete gzip file: it ends mid-stream (cut short while it was written or "
    "copied?); " + AGAIN
)
ZEROS = "not a Parquet file: it starts with zero bytes (a file never written?); " + AGAIN
ENCRYPTED = "an encrypted Parquet file (its footer is encrypted); export it unencrypted"
# A footer past this is no writer's (1,000 columns in 50 row groups: a few MiB): pyarrow would
# read all of it into memory (a sparse file claiming 2 GiB: 2.2 GB and 10-27 s) to refuse it
MAX_FOOTER = 256 << 20
HUGE_FOOTER = (
    "a damaged Parquet file: its footer claims {claimed:,} bytes, more than any writer's "
    "(256 MiB); " + AGAIN
)


def parquet_footer(path: Path, data: Any = None) -> Any:
    """The Parquet footer (pyarrow's FileMetaData) of the file at ``path`` (``data``: its
    bytes, already read; a name that is not UTF-8: :func:`parquet_bytes`), its ends looked at
    first (:func:`_what_it_is`: a footer's length past the file or :data:`MAX_FOOTER` refused
    unread); refused in one line where pyarrow cannot read it (:func:`parquet_refusal`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = parquet_bytes(path, data)
    try:
        said = _what_it_is(*_ends(path, data))
    except OSError as exc:
        raise parquet_refusal(path, exc, data=data) from None
    if said is not None:
        raise AuditorInputError(said, source=str(path))
    try:
        return pq.read_metadata(path if data is None else pa.BufferReader(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise parquet_refusal(path, exc, data=data) from None


def parquet_bytes(path: Path, data: Any = None) -> Any:
    """What pyarrow reads the Parquet file at ``path`` from: ``data`` (its bytes) where
    given; else None (pyarrow opens it by its name) where its name is UTF-8; else (a name
    that is not, held with surrogates, which pyarrow cannot encode) the file memory-mapped,
    opened by its name's bytes. One line where it cannot be opened."""
    import pyarrow as pa

    if data is not None:
        return data
    try:
        str(path).encode()
        return None
    except UnicodeEncodeError:
        pass
    try:
        return pa.memory_map(os.fsencode(path)).read_buffer()
    except OSError as exc:
        raise parquet_refusal(path, exc) from None


def parquet_refusal(path: Path, exc: BaseException, *, data: Any = None,
                    footer: bool = True) -> AuditorInputError:  # fmt: skip
    """The one-line refusal of the file at ``path`` (``data``: its bytes, already read) whose
    footer (``footer``), else rows, pyarrow could not read, raising ``exc``: what the file
    is, where its bytes tell, else that it is damaged (pyarrow's words in brackets)."""
    try:
        said = _what_it_is(*_ends(path, data))
    except OSError as err:  # no such file any more, a read error: the system's words
        said = f"cannot read ({type(err).__name__}: {' '.join(str(err).split())})"
    if said is None:
        shown = "".join(c if c.isprintable() else " " for c in str(exc))  # thrift's bytes
        error = " ".join(shown.split())[:160] or type(exc).__name__
        said = (BAD_FOOTER if footer else BAD_ROWS).format(error=error) + AGAIN
    return AuditorInputError(said, source=str(path))


def _what_it_is(size: int, head: bytes, tail: bytes) -> str | None:
    """What a file of ``size`` bytes is, by its first and last bytes (:func:`_ends`), where
    it is no whole Parquet file (or an encrypted one); None where it looks whole."""
    if size == 0:
        return EMPTY
    if not head.startswith(MAGIC):
        return _other_kind(head)
    if size < 12 or tail[-4:] not in (MAGIC, b"PARE"):
        return NOT_COMPLETE
    if tail[-4:] == b"PARE":
        return ENCRYPTED
    claimed = int.from_bytes(tail[-8:-4], "little")  # the footer's length
    if claimed > size - 12:  # past the start
        return NOT_COMPLETE
    return HUGE_FOOTER.format(claimed=claimed) if claimed > MAX_FOOTER else None


def _ends(path: Path, data: Any) -> tuple[int, bytes, bytes]:
    """The file's size, its first :data:`HEAD` bytes and its last 8."""
    if data is not None:
        raw = bytes(memoryview(data)[:HEAD]), bytes(memoryview(data)[-8:])
        return len(data), *raw
    with path.open("rb") as fh:
        head = fh.read(HEAD)
        size = fh.seek(0, 2)
        fh.seek(max(0, size - 8))
        return size, head, fh.read(8)


def _other_kind(head: bytes) -> str:
    """What a file that does not start as Parquet does is, by its first bytes."""
    for magic, kind, tool in COMPRESSED_FILES:
        if head.startswith(magic):
            return f"{kind}, not a Parquet file; decompress it ({tool})"
    if head.startswith(b"ARROW1"):
        return ARROW
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # text cut mid-character at HEAD bytes is still text
        text = head[: exc.start].decode("utf-8-sig") if exc.start > HEAD - 4 else ""
    if text and all(c.isprintable() or c in "\t\r\n" for c in text):
        return TEXT
    return OTHER if head.strip(b"\0") else ZEROS
