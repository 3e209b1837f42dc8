"""A folder of part files as one predictions table, as Spark, Hive and Dask write one
(``part-00000-*.snappy.parquet``, ``_SUCCESS``, ``.crc`` files, ``key=value/`` partition
folders): every file whose path has no part starting with ``_`` or ``.`` (skipped, as Spark
and pyarrow.dataset skip them), all Parquet or all CSV, read one after the other in sorted
order by the batch engine's own reader (:func:`auditor.predictions.source.iter_batches`), each
part's header checked as a file's is. A partition folder's ``key=value`` gives an audited
column missing from its parts (``sex=Female/part-0.parquet``; Hive's
``__HIVE_DEFAULT_PARTITION__`` is no value).

Provenance: each part's sha256, and one over them all: the sha256 of the lines
``sha256sum`` prints for the parts in sorted order, run in the folder (:func:`folder_sha256`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np

from auditor.errors import AuditorInputError
from auditor.predictions.listing import (
    PARTS_CHANGED,
    check_whole_table,
    part_files,
    parts_kind,
)
from auditor.predictions.source import Columns, header_names, iter_batches, parquet_footer
from auditor.provenance import (
    file_state,
    hashed_as_read,
    sha256_bytes,
    sha256_file,
    stat_state,
)

__all__ = ["Folder", "PartBatch", "folder_of", "folder_sha256", "table_batches"]

HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
# A part up to this size is read into memory once: its batches and its sha256 from the
# same bytes (a larger one is read, then hashed: memory stays bounded)
ONE_PASS_BYTES = 64 << 20
NO_HEADER_PARTS = (
    "; Spark writes CSV parts without a header line unless told to: write them with "
    ".option('header', True)"
)
DISAGREE = (
    "column {column!r} holds {a} in {first} and {b} in {other}: the parts' schemas disagree; "
    "write every part with the same column types"
)
PART_CHANGED = (
    "part {part} changed while it was read: still being written? audit the folder once the "
    "job is complete"
)


@dataclass(frozen=True)
class PartBatch:
    """A batch of one part: the part's path (its rows numbered from its start there)."""

    batch: Any
    source: str
    start: int  # the row of the folder's rows the part starts at

    @property
    def num_rows(self) -> int:
        return int(self.batch.num_rows)


@dataclass(frozen=True)
class Folder:
    path: Path
    kind: str  # "parquet" or "csv"
    parts: tuple[str, ...]  # relative POSIX paths, sorted
    # per Parquet part: its state when its footer was read, the footer and its schema
    footers: dict[str, tuple[Any, Any, Any]] = field(default_factory=dict, compare=False,
                                                     repr=False)  # fmt: skip

    def states(self) -> dict[str, tuple[int, ...] | None]:
        return {part: file_state(str(self.path / part)) for part in self.parts}

    def check_unchanged(self, before: dict[str, tuple[int, ...] | None]) -> None:
        """Refuse the folder when a part changed, or parts came or went, since ``before``."""
        now = part_files(self.path)
        if list(now) != list(self.parts):
            odd = sorted(set(now) ^ set(self.parts))[0]
            raise AuditorInputError(PARTS_CHANGED.format(part=odd), source=str(self.path))
        for part, state in self.states().items():
            if state is None or state != before.get(part):
                raise AuditorInputError(PART_CHANGED.format(part=part), source=str(self.path))

    def batches(self, cols: Columns, *, batch_rows: int,
                hashed: bool = False) -> Iterator[PartBatch]:  # fmt: skip
        """Every part's batches of the audited columns, in the parts' order (each with the
        partition folders' values of an audited column its part lacks). A part of at most
        :data:`ONE_PASS_BYTES` is read once; ``hashed``: its sha256 from the same bytes
        (kept by :func:`~auditor.provenance.hashed_as_read`: :func:`folder_sha256` takes it;
        asked only by a read whose parts are hashed next, so no hash is kept for nothing)."""
        self.check_schemas(cols)
        start = 0
        for part in self.parts:
            path = self.path / part
            keys = _partition_values(part, cols, partial(self._names, part))
            reading = replace(cols, sensitive=tuple(s for s in cols.sensitive if s not in keys))
            first = start  # the part's first row: its rows are named from it, batch by batch
            for batch in self._part_batches(part, reading, batch_rows, hashed):
                yield PartBatch(_with_keys(batch, keys), str(path), first)
                start += batch.num_rows

    def _names(self, part: str) -> list[str]:
        footer = self.footers.get(part)
        schema = None if footer is None else footer[2]
        return header_names(self.path / part, self.kind, schema=schema)

    def _part_batches(self, part: str, cols: Columns, batch_rows: int,
                      hashed: bool) -> Iterator[Any]:  # fmt: skip
        """A part's batches; a CSV part's header that lacks an audited column: said to be
        perhaps no header (Spark's CSV parts have none unless asked for); a part whose read
        fails once it changed: said to have changed."""
        path = self.path / part
        try:
            yield from self._read_batches(part, cols, batch_rows, hashed)
        except AuditorInputError as err:
            footer = self.footers.get(part)
            if footer is not None and file_state(str(path)) != footer[0]:
                raise AuditorInputError(PART_CHANGED.format(part=part),
                                        source=str(self.path)) from None  # fmt: skip
            if self.kind != "csv" or not err.message.startswith("no column "):
                raise
            raise AuditorInputError(err.message + NO_HEADER_PARTS, source=err.source,
                                    field=err.field) from None  # fmt: skip

    def _read_batches(self, part: str, cols: Columns, batch_rows: int,
                      hashed: bool) -> Iterator[Any]:  # fmt: skip
        """A part's batches, a Parquet part's footer as :meth:`check_schemas` read it where
        the part is unchanged since; its bytes read once where they fit
        :data:`ONE_PASS_BYTES` (and, ``hashed``, hashed)."""
        path = self.path / part
        state = file_state(str(path))
        footer = self.footers.get(part)
        metadata = footer[1] if footer is not None and footer[0] == state else None
        data = None
        if state is not None and state[2] <= ONE_PASS_BYTES:
            data = _read_part(path, part, state, folder=str(self.path))
            if hashed:
                hashed_as_read(path, state, data)
        yield from iter_batches(path, cols, batch_rows=batch_rows, kind=self.kind, data=data,
                                metadata=metadata)  # fmt: skip

    def check_schemas(self, cols: Columns) -> None:
        """Refuse Parquet parts whose audited columns hold different kinds of values (text in
        one, numbers in another): pyarrow would refuse or cast them mid-read. Each part's
        footer is kept (:attr:`footers`): the read takes it from there."""
        if self.kind != "parquet":
            return  # a CSV part's types are read from its rows: the labels' checks see them
        seen: dict[str, tuple[str, str]] = {}
        for part in self.parts:
            schema = self._footer(part)[2]
            for name in cols.names():
                if name not in schema.names:
                    continue  # a partition key, or missing: the part's own header check says
                kind = _family(schema.field(name).type)
                if kind == "null":  # every value missing (pandas' None column): any type's
                    continue
                first = seen.setdefault(name, (kind, part))
                if first[0] != kind:
                    raise AuditorInputError(DISAGREE.format(
                        column=name, a=first[0], first=first[1], b=kind, other=part,
                    ), source=str(self.path), field=name)  # fmt: skip

    def rows(self) -> int:
        """The Parquet parts' rows, from their footers (each read once, kept for the read:
        :meth:`check_schemas` and :meth:`batches` take it where the part is unchanged)."""
        return sum(int(self._footer(part)[1].num_rows) for part in self.parts)

    def _footer(self, part: str) -> tuple[Any, Any, Any]:
        """The part's state, Parquet footer and schema, read once (where it changed since,
        again)."""
        path = self.path / part
        state = file_state(str(path))
        footer = self.footers.get(part)
        if footer is None or footer[0] != state:
            metadata = parquet_footer(path)
            footer = (state, metadata, metadata.schema.to_arrow_schema())
            self.footers[part] = footer
        return footer


def folder_of(path: Path) -> Folder | None:
    """The folder of part files at ``path`` (:func:`~auditor.predictions.listing.part_files`,
    all of one kind: :func:`~auditor.predictions.listing.parts_kind`); None where ``path`` is
    no folder."""
    if not path.is_dir():
        return None
    check_whole_table(path)
    parts = part_files(path)
    return Folder(path, parts_kind(path, parts), tuple(parts))


def folder_sha256(folder: Folder) -> tuple[str, dict[str, str]]:
    """The sha256 over the folder's parts (of ``sha256sum``'s lines for them in sorted order,
    run in the folder: ``<hash>  <part>``), and each part's: hashed as it was read
    (:meth:`Folder.batches`) where the part is unchanged since, else read again."""
    each = {part: sha256_file(folder.path / part) for part in folder.parts}
    lines = "".join(f"{digest}  {part}\n" for part, digest in each.items())
    return sha256_bytes(lines.encode()), each


def _read_part(path: Path, part: str, state: tuple[int, ...], *, folder: str) -> bytes:
    """The part's bytes, read while its state is ``state`` (its size, under
    :data:`ONE_PASS_BYTES`, checked before): at most one byte past that size is read, so a
    part replaced or grown since (a larger file renamed over it) is refused as changed, not
    read whole into memory."""
    try:
        with path.open("rb") as fh:
            opened = os.fstat(fh.fileno())
            data = fh.read(state[2] + 1)
    except OSError as exc:
        raise AuditorInputError(f"cannot read part {part} ({exc.strerror})",
                                source=str(path.parent)) from None  # fmt: skip
    if stat_state(opened) != tuple(state) or len(data) != state[2]:
        raise AuditorInputError(PART_CHANGED.format(part=part), source=folder)
    return data


def _family(kind: Any) -> str:
    """What a column of pyarrow type ``kind`` holds, in words: text, numbers, true/false."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind):
        return "text"
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "numbers"
    return "true/false" if pa.types.is_boolean(kind) else str(kind)


def _partition_values(part: str, cols: Columns,
                      header: Callable[[], list[str]]) -> dict[str, str | None]:  # fmt: skip
    """The ``key=value`` folders above ``part`` that give an audited sensitive column its
    file lacks (its ``header``: read only where such a folder is there; Hive's default
    partition: no value)."""
    values: dict[str, str | None] = {}
    names: list[str] | None = None
    for folder in part.split("/")[:-1]:
        key, sep, value = folder.partition("=")
        key = unquote(key)
        if sep and key in cols.sensitive:
            names = header() if names is None else names
            if key not in names:
                text = unquote(value)
                values[key] = None if text == HIVE_NULL else text
    return values


def _with_keys(batch: Any, keys: dict[str, str | None]) -> Any:
    """``batch`` with a column per partition key, its value on every row."""
    if not keys:
        return batch
    import pyarrow as pa

    n = batch.num_rows
    for name, value in keys.items():
        codes = pa.nulls(n, pa.int32()) if value is None else pa.array(np.zeros(n, np.int32))
        column = pa.DictionaryArray.from_arrays(codes, pa.array([value or ""], pa.string()))
        batch = batch.append_column(name, column)
    return batch


def table_batches(path: Path, cols: Columns, *, batch_rows: int) -> Iterator[Any]:
    """The audited columns' batches of a file or a folder of parts."""
    folder = folder_of(path)
    if folder is None:
        yield from iter_batches(path, cols, batch_rows=batch_rows)
        return
    yield from (part.batch for part in folder.batches(cols, batch_rows=batch_rows))
