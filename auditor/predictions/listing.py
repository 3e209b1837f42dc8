"""The part files of a folder read as one predictions table (:mod:`.folder`): which files
are parts (links followed, ``_*`` and ``.*`` names skipped, as Spark and pyarrow.dataset skip
them), of which kind, and the folders refused before any is read (no parts, parts of two
kinds, a file of neither, a link to nothing, a loop, a table format's folder)."""

from __future__ import annotations

import os
from pathlib import Path

from auditor.data.damaged import MAGIC
from auditor.errors import COMPRESSED_NAMES, AuditorInputError

__all__ = ["PARTS_CHANGED", "check_whole_table", "part_files", "parts_kind"]

PARQUET_NAMES = (".parquet", ".pq")
# a CSV part's names; Dask's to_csv names its parts 0.part, 1.part, ...
CSV_NAMES = (".csv", ".txt", ".tsv", ".csv.gz", ".txt.gz", ".tsv.gz", ".part")
NO_PARTS = (
    "the folder holds no data files (names starting with _ or . are skipped, as Spark writes "
    "_SUCCESS and .crc files, and empty files, as empty partitions): is the job still "
    "running, or did it write no rows?"
)
MIXED = (
    "the folder holds Parquet parts ({parquet}) and CSV parts ({csv}): read as one table, "
    "its parts must be all Parquet or all CSV; move the others out"
)
NOT_DATA = "part {part} is neither Parquet nor CSV (.csv, .tsv, .txt, .gz, .part); move it out"
PACKED = (
    "part {part} is compressed as {codec}, which is not read: write the parts uncompressed or "
    "with gzip (Spark: .option('compression', 'gzip')), or decompress them"
)
DANGLING = (
    "part {part} is a link to {target}, which does not exist: its rows would be left out; "
    "restore its target, or remove the link"
)
LOOP = "{part} is a link to a folder above it (a loop): remove the link"
TWICE = (
    "{part} is a second way into the {kind} {first} (a link): its rows would be read twice; "
    "remove the link"
)
NOT_A_FILE = (
    "part {part} is not a regular file (a pipe, a device or a socket): it cannot be read as "
    "a part; move it out"
)
# an entry listed, gone when looked at: a job still writing (or cleaning up) the folder
PARTS_CHANGED = (
    "parts were added or removed while it was read ({part}): still being written? audit the "
    "folder once the job is complete"
)
UNFINISHED = (
    "the Spark job writing it has not finished (its _temporary/ folder is there, no _SUCCESS): "
    "its parts may be some of the rows; audit it once the job is complete (or, where it "
    "failed, write it again)"
)
# A table format's log beside its data files: they hold its older versions' files too
TABLE_LOGS = (("_delta_log", "Delta Lake"), (".hoodie", "Hudi"), ("metadata", "Iceberg"))
TABLE_FOLDER = (
    "a {name} table ({log}/): its folder also holds the files of older versions (rows since "
    "deleted or rewritten), which reading every part would count; write its current version "
    "out as Parquet (Spark: spark.read.table(...).write.parquet(...)) and audit that"
)


def parts_kind(path: Path, parts: list[str]) -> str:
    """"parquet" or "csv", the kind of every one of the folder's ``parts`` (refused in one line
    where it holds none, or parts of two kinds, or a file of neither: at the first such file,
    in sorted order, so a folder that is no dataset, ``-p .``, is refused without opening all
    of it)."""
    if not parts:
        raise AuditorInputError(NO_PARTS, source=str(path))
    first: dict[str, str] = {}
    for part in parts:
        kind = _kind(path / part, part)
        if kind is None:
            codec = next((c for c in COMPRESSED_NAMES if part.lower().endswith(c)), None)
            said = PACKED.format(part=part, codec=codec) if codec else NOT_DATA.format(part=part)
            raise AuditorInputError(said, source=str(path))
        first.setdefault(kind, part)
        if len(first) > 1:
            raise AuditorInputError(MIXED.format(**first), source=str(path))
    return next(iter(first))


def check_whole_table(path: Path) -> None:
    """Refuse a Spark job's folder still written (or left by a failed job): its parts are
    some of the rows; and a Delta Lake, Hudi or Iceberg table's, or a folder in one (a
    partition, Iceberg's data/): its parts are of every version."""
    if (path / "_temporary").is_dir() and not (path / "_SUCCESS").exists():
        raise AuditorInputError(UNFINISHED, source=str(path))
    real = Path(os.path.realpath(path))
    for table in (real, *real.parents):  # a partition or data folder of a table: its parents
        for log, name in TABLE_LOGS:
            found = table / log
            if found.is_dir() and (name != "Iceberg" or any(found.glob("*.metadata.json"))):
                shown = log if table == real else str(found)
                said = TABLE_FOLDER.format(name=name, log=shown)
                raise AuditorInputError(said, source=str(path))


def part_files(path: Path) -> list[str]:
    """The data files under ``path`` (relative POSIX paths, sorted), none under or named
    ``_*`` or ``.*``, none empty (an empty partition: Spark's and Dask's writers leave them;
    one written to while the folder is read is a part added) but a ``.parquet`` (no Parquet
    file, its read refuses it: a write that failed). Links are followed, to files
    and folders (a partition folder linked in), as pandas' ``read_parquet`` follows them; a
    link to nothing, a link to a folder above it (a loop), a second way into a folder already
    walked (its rows counted twice; a chain of links walked exponentially), what is
    no file or folder (a FIFO, a device) and a folder that cannot be listed are refused,
    naming them; an entry gone while it is listed is a part removed."""
    found: list[str] = []
    try:
        seen = {_key(os.stat(path)): "."}  # each real folder walked: its name
    except OSError as exc:
        raise _unlisted(path, "", exc) from None
    folders: list[tuple[str, str, tuple[str, ...]]] = [(str(path), "", ())]
    while folders:
        where, prefix, above = folders.pop()
        try:
            entries = list(os.scandir(where))
            above = (*above, os.path.realpath(where) + os.sep)  # the walk's folders, as found
        except OSError as exc:
            raise _unlisted(path, prefix, exc) from None
        for entry in entries:
            if entry.name.startswith(("_", ".")):
                continue
            name = prefix + entry.name
            try:
                if _walked(path, entry, name, above, seen) == "folder":
                    folders.append((entry.path, f"{name}/", above))
                elif entry.is_file():
                    if entry.stat().st_size > 0 or name.lower().endswith(PARQUET_NAMES):
                        found.append(name)  # an empty .parquet: no empty partition, refused
            except OSError as exc:
                raise _unlisted(path, name, exc) from None
    return sorted(found)


def _key(found: os.stat_result) -> tuple[int, int]:
    return (found.st_dev, found.st_ino)


def _walked(path: Path, entry: os.DirEntry[str], name: str, above: tuple[str, ...],
            seen: dict[tuple[int, int], str]) -> str:  # fmt: skip
    """"folder" or "file" for an entry to walk or read, refused where it is a loop, a second
    way into a folder walked (``seen``: each real folder so far, by device and inode, and its
    name), a link to nothing, or neither file nor folder. A file reached twice is not refused:
    DVC's cache links identical parts (an empty or header-only partition) to one object."""
    if entry.is_dir():
        real = os.path.realpath(entry.path) if entry.is_symlink() else ""
        if real and any(a.startswith(real.rstrip(os.sep) + os.sep) for a in above):
            raise AuditorInputError(LOOP.format(part=name), source=str(path))
        kind = "folder"
    elif entry.is_file():
        kind = "file"
    elif entry.is_symlink() and not os.path.exists(entry.path):
        target = os.readlink(entry.path)
        raise AuditorInputError(DANGLING.format(part=name, target=target), source=str(path))
    else:
        raise AuditorInputError(NOT_A_FILE.format(part=name), source=str(path))
    if kind == "folder":  # a file reached twice is read twice, as pandas reads it (DVC links
        first = seen.setdefault(_key(entry.stat()), name)  # identical parts to one object)
        if first != name:
            raise AuditorInputError(TWICE.format(part=name, kind=kind, first=f"{first}/"),
                                    source=str(path))  # fmt: skip
    return kind


def _unlisted(path: Path, name: str, exc: OSError) -> AuditorInputError:
    """A folder's entry (``name``; "" the folder itself) that cannot be read, in one line."""
    if name and isinstance(exc, FileNotFoundError):
        return AuditorInputError(PARTS_CHANGED.format(part=name.rstrip("/")), source=str(path))
    what = f"{name.rstrip('/')} under it" if name else "it"
    return AuditorInputError(f"cannot list {what} ({exc.strerror or exc})", source=str(path))


def _kind(path: Path, part: str) -> str | None:
    """"parquet" (by its name, else its first bytes Parquet's: Hive writes ``000000_0``),
    "csv" (by its name), else None."""
    if part.lower().endswith(PARQUET_NAMES):
        return "parquet"  # not opened: its footer is read (and refused there if not Parquet)
    try:
        with path.open("rb") as fh:
            head = fh.read(len(MAGIC))
    except OSError as exc:
        raise AuditorInputError(f"cannot read part {part} ({exc.strerror})",
                                source=str(path.parent)) from None  # fmt: skip
    if head == MAGIC:
        return "parquet"
    return "csv" if part.lower().endswith(CSV_NAMES) else None
