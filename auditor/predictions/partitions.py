"""The Dask engine: a predictions file reduced per partition by a Dask scheduler, each partition
parsed by pyarrow exactly as the batch engine parses the whole file (:mod:`.source`), so both
engines read the same values, types and missing values and refuse the same rows in the same
words. A CSV's partitions are blocks of its lines (``dask.bytes.read_bytes``, as
``dask.dataframe.read_csv`` splits a file; a gzip or UTF-16 file is one block), typed as the
batch engine types the file (from its first block); a Parquet file's are its row groups. A
refusal names the file's row as the batch engine does (a CSV partition's: found again by the
batch engine, which reads the file up to it). Each partition is read where its task runs (a
distributed worker needs the file at the same path)."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from auditor.data.header import file_kind
from auditor.data.text import UTF8
from auditor.errors import AuditorInputError
from auditor.predictions.batch import Partial, offsets, reduce_arrow
from auditor.predictions.score_faults import Decimals, ScoreFaults
from auditor.predictions.source import (
    Columns,
    checked_kind,
    csv_names,
    csv_options,
    iter_batches,
    open_rows,
    parquet_bytes,
    parquet_footer,
    past_header_checked,
    quiet_row_decoding,
    unreadable,
)

__all__ = ["dask_partials"]

CSV_PARTITION = 64 * 2**20  # bytes of a CSV per partition
# bytes of a CSV read as one partition where its partitions, split at line ends, cut through a
# quoted value spanning lines (as a .gz or UTF-16 file is read)
ONE_PARTITION = 1 << 30
PARTITION = "{path} (partition {i} of {n}; its rows counted from 1)"
SPANNING_VALUE = (
    "a quoted value spans lines, and the file's partitions, split at line ends, cut through "
    "one (a file over {gib} GiB is not read as one partition); read it without "
    "--dask-scheduler (the batch engine reads such values)"
)


def dask_partials(path: Path, cols: Columns, scheduler: str, batch_rows: int) -> Iterator[Partial]:
    """Each partition's partials (one per ``batch_rows`` rows), reduced by the named scheduler
    ("threads", "processes", "synchronous", or a distributed address like tcp://host:8786)."""
    import dask
    import pyarrow as pa

    try:
        # a Parquet file's footer read as the batch engine reads it (a name not UTF-8 too)
        meta = parquet_footer(path) if file_kind(path) == "parquet" else None
        schema = None if meta is None else meta.schema.to_arrow_schema()
        if checked_kind(path, cols, schema=schema) == "parquet":
            sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
            starts = [sum(sizes[:i]) for i in range(len(sizes))]  # rows numbered as the file's
            tasks = [dask.delayed(_row_group_partials)(path, i, start, cols, batch_rows)
                     for i, start in enumerate(starts)]  # fmt: skip
            computed = _computed(tasks, scheduler)
        else:
            computed = _csv_computed(path, cols, scheduler, batch_rows)
        whole = False  # a CSV partition's faults (rows from its start) read as the file's
        marks = [part.decimals for partials in computed for part in partials]
        mixed = any(d.point for d in marks) and any(d.comma for d in marks)  # commas refused
        for partials in computed:
            for part in partials:
                if whole or _faulted_in_partition(part, path, mixed):
                    part.score_faults = None if whole else _file_faults(path, cols)
                    part.decimals, whole = Decimals(), True  # the file's, in its faults
                yield part
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as exc:  # a partition's parse error
        raise _as_batch_engine_refuses(path, cols, exc) from None
    except AuditorInputError as err:  # a CSV partition's rows are numbered from its start
        if not _in_partition(err, path):
            raise
        raise _as_batch_engine_refuses(path, cols, err) from None


def _csv_computed(path: Path, cols: Columns, scheduler: str,
                  batch_rows: int) -> Sequence[list[Partial]]:  # fmt: skip
    """The partials of the CSV's blocks; where a block fails (one that starts inside a quoted
    value spanning lines, or a row the file holds: either way) and the file is at most
    :data:`ONE_PARTITION` bytes, of the file read as one block: the error of a row the file
    holds is raised from there."""
    import pyarrow as pa

    tasks = _csv_tasks(path, cols, batch_rows)
    try:
        return _computed(tasks, scheduler)
    except (pa.ArrowInvalid, AuditorInputError) as exc:
        in_block = not isinstance(exc, AuditorInputError) or _in_partition(exc, path)
        if not in_block or len(tasks) == 1 or path.stat().st_size > ONE_PARTITION:
            raise
    return _computed(_csv_tasks(path, cols, batch_rows, whole=True), scheduler)


def _in_partition(err: AuditorInputError | str, path: Path) -> bool:
    """The error (or source) is of a partition's rows (numbered from its start, not the
    file's)."""
    source = err if isinstance(err, str) else err.source or ""
    return source.startswith(f"{path} (partition ")


def _csv_tasks(path: Path, cols: Columns, batch_rows: int, *, whole: bool = False) -> list:
    """A task per block of the CSV's lines (one for the ``whole`` file); each block's columns
    typed as pyarrow types the file from its first block (the batch engine's types: text
    further down is refused alike)."""
    import dask
    from dask.bytes import read_bytes

    layout, names, tail = csv_names(path)
    with quiet_row_decoding(), open_rows(path, layout, names, cols, tail=tail) as reader:
        types = {f.name: f.type for f in reader.schema if f.name not in cols.sensitive}
    packed = path.name.lower().endswith(".gz")
    whole = whole or packed or layout.encoding != UTF8  # UTF-16's line ends are not b"\n"
    _, files = read_bytes(str(path), delimiter=b"\n", sample=False,
                          blocksize=None if whole else CSV_PARTITION,
                          compression="gzip" if packed else None)  # fmt: skip
    blocks = files[0]
    return [dask.delayed(_csv_block_partials)(block, (layout, names, types, tail), cols, i == 0,
                                              batch_rows,
                                              PARTITION.format(path=path, i=i + 1, n=len(blocks)))
            for i, block in enumerate(blocks)]  # fmt: skip


def _csv_block_partials(block: bytes, reading: tuple, cols: Columns, first: bool,
                        batch_rows: int, source: str) -> list[Partial]:  # fmt: skip
    """A block of the CSV's lines (the first holding its header) parsed and reduced."""
    import pyarrow.csv as pacsv

    layout, names, types, tail = reading
    if not block.strip():
        return []
    read, parse, convert = csv_options(layout, names, cols, header=first, column_types=types,
                                       tail=tail)  # fmt: skip
    with quiet_row_decoding():  # in the process that parses (a Dask worker's too)
        table = pacsv.read_csv(io.BytesIO(block), read_options=read, parse_options=parse,
                               convert_options=convert)  # fmt: skip
    table = past_header_checked(table, tail, 0, source)  # rows numbered from the block's
    return _reduced(table.to_batches(max_chunksize=batch_rows), cols, source)


def _row_group_partials(path: Path, i: int, start: int, cols: Columns,
                        batch_rows: int) -> list[Partial]:  # fmt: skip
    """Row group ``i`` of the Parquet file at ``path`` (its first row the file's ``start``),
    read as the batch engine reads it: its messages are the batch engine's, word for word."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = parquet_bytes(path)  # a name that is not UTF-8: by its bytes
    pf = pq.ParquetFile(path if data is None else pa.BufferReader(data), pre_buffer=False,
                        read_dictionary=list(cols.sensitive))  # fmt: skip
    batches = pf.iter_batches(batch_size=batch_rows, row_groups=[i], columns=cols.names())
    return _reduced(batches, cols, str(path), start)


def _reduced(batches: Any, cols: Columns, source: str, offset: int = 0) -> list[Partial]:
    return [reduce_arrow(cols, source, None, at, batch) for at, batch in offsets(batches, offset)]


def _faulted_in_partition(part: Partial, path: Path, mixed: bool) -> bool:
    """The partial's score faults, or its first decimal comma where the file's scores are
    ``mixed`` (a decimal point too: the comma is refused), are of a CSV partition's rows
    (numbered from its start). A file of commas alone is not read again (R12 #1)."""
    faults, comma = part.score_faults, part.decimals.comma if mixed else None
    sources = (faults.sources() if faults else set()) | ({comma[0][0]} if comma else set())
    return any(_in_partition(source, path) for source in sources)


def _file_faults(path: Path, cols: Columns) -> ScoreFaults | None:
    """The score faults of the file read by the batch engine (its rows numbered from the
    file's start, wherever the partitions split; read again: on this path only), its batches'
    scores checked, no cell codes, ranges or bins built for them (an Event already set)."""
    import threading

    faults, decimals, faulted = None, Decimals(), threading.Event()
    faulted.set()
    for offset, batch in offsets(iter_batches(path, cols, batch_rows=1 << 20)):
        found = reduce_arrow(cols, str(path), None, offset, batch, faulted=faulted)
        decimals, faults = decimals.then(found.decimals, faults)
        if found.score_faults is not None:
            faults = (faults or ScoreFaults()).added(found.score_faults)
    return None if faults == ScoreFaults() else faults  # a good batch's: ScoreFaults()


def _as_batch_engine_refuses(path: Path, cols: Columns, exc: BaseException) -> AuditorInputError:
    """A partition's error as the batch engine words it for the whole file (its first bad
    row, numbered from the file's start, wherever the partitions split), so both engines
    refuse a file in the same line (read again up to that row: on this path only). Where the
    batch engine reads the file, a partition that failed to parse began inside a quoted value
    spanning lines (a CSV's partitions are split at line ends): said so, with the way on."""
    try:
        for offset, batch in offsets(iter_batches(path, cols, batch_rows=1 << 20)):
            reduce_arrow(cols, str(path), None, offset, batch)
    except AuditorInputError as err:
        return err
    import pyarrow as pa

    if isinstance(exc, AuditorInputError):
        return exc
    if isinstance(exc, pa.ArrowInvalid) and checked_kind(path, cols) == "csv":  # a parse error
        return AuditorInputError(SPANNING_VALUE.format(gib=ONE_PARTITION >> 30), source=str(path),
                                 field="--dask-scheduler")  # fmt: skip
    return unreadable(path, exc)


def _computed(tasks: list, scheduler: str) -> Sequence[list[Partial]]:
    """The partials of the Dask ``tasks`` computed by ``scheduler``."""
    import dask

    if scheduler in ("threads", "processes", "synchronous"):
        return dask.compute(*tasks, scheduler=scheduler)
    from dask.distributed import Client
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(scheduler)
        if scheme in ("tcp", "tls"):  # checked first: a half-made Client hangs at exit
            parse_host_port(location)
        client = Client(scheduler, timeout=10, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise AuditorInputError(
            f"cannot reach Dask scheduler ({exc})", field="--dask-scheduler"
        ) from None
    try:
        return client.gather(client.compute(tasks))
    finally:
        client.close()
