"""Atomic file writes: a crash or Ctrl-C never leaves a half-written file.

Each file goes to a temporary file in the same folder, is flushed and fsynced, then renamed
over the target (``os.replace`` is atomic on POSIX and Windows). A whole run folder is swapped
in as one unit by :mod:`auditor.run_folder`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import math
import os
import re
import stat
import tempfile
import time
from collections.abc import Collection, Iterable
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any

from auditor.errors import DISK_FULL, AuditorInputError, way_on
from auditor.invisible import SURROGATES

# Everything auditor writes in a run folder (report.render.RENDERERS, run_folder.RUN_LOG,
# checks.rows.PREDICTIONS_FILE, the trained run's checkpoints; tests/run_folder and
# tests/commands/test_run.py hold them equal): a rerun replaces these and refuses a folder
# holding anything else, which swapping the folder in whole would delete.
RUN_FOLDER_FILES = frozenset({"audit.json", "model_card.html", "model_card.md", "junit.xml",
                              "summary.md", "run.log", "predictions.parquet"})  # fmt: skip
CHECKPOINTS = "checkpoints"
CHECKPOINT_FILES = frozenset({"pretrained.pt", "finetuned.pt"})
HOLDS_OTHERS = (
    "holds {names}, which auditor did not write, and a run folder is replaced whole (move "
    "{them} out, or choose another folder)"
)
NOT_A_PATH = "a path (str or pathlib.Path), got {found}"
EMPTY_PATH = "empty: name a folder"
SHOW_FOREIGN = 3


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def as_path(value: Any, *, field: str, empty: str = EMPTY_PATH) -> Path:
    """``value`` as a Path, or one line naming ``field`` (an int or None given from Python;
    a blank one, as Path("") is ".", the working folder: ``empty``): :func:`path_text`. A
    leading ``~`` (or ``~name``) is the home folder, as pandas reads and writes it: the one
    place where every path auditor takes, read or written, from the command line or Python,
    is expanded (``write("~/runs/x")`` wrote ./~/runs/x; a folder named ``~`` is ``./~``)."""
    text = path_text(value, field=field, empty=empty)
    if "~" not in text:
        return Path(text)
    from auditor.config.paths import home_path  # pydantic: only for a path holding a ~

    return home_path(text, field=field)  # as typed: './~/x', whose Path is ~/x, stays here


def read_path(value: Any, *, field: str, empty: str = EMPTY_PATH) -> Path:
    """The input ``value`` as a Path (:func:`as_path`); a URL typed as text, not there, is
    refused as typed, naming ``field`` (its Path keeps one '/'): preflight.out_path's twin."""
    from auditor.config.paths import as_written  # pydantic: only once an input is given

    path = as_path(value, field=field, empty=empty)
    as_written(value, path, field=field)
    return path


def path_text(value: Any, *, field: str, message: str = NOT_A_PATH,
              empty: str | None = None) -> str:  # fmt: skip
    """``value``'s text where it is a str or an os.PathLike giving a str, not blank; else one
    line naming ``field``: ``empty`` for a blank one where given, else ``message`` with what
    was found (its type, "a bytes path", "an empty path"). The one check of every path given
    from Python (a PathLike giving bytes failed in Path() as a raw TypeError)."""
    try:
        text = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    except TypeError:  # its __fspath__ gives neither str nor bytes
        text = None
    if isinstance(text, str) and text.strip():
        return text
    if isinstance(text, str) and empty is not None:
        raise AuditorInputError(empty, field=field)
    found = ("an empty path" if isinstance(text, str) else
             "a bytes path" if isinstance(text, bytes) else type(value).__name__)  # fmt: skip
    raise AuditorInputError(message.format(found=found), field=field)


def foreign_files(run_dir: Path) -> list[Path]:
    """What the run folder ``run_dir`` holds that auditor does not write, sorted."""
    found = []
    for path in Path(run_dir).iterdir():
        if path.name == CHECKPOINTS and path.is_dir() and not path.is_symlink():
            found += [p for p in path.iterdir() if p.name not in CHECKPOINT_FILES]
        elif path.name not in RUN_FOLDER_FILES:
            found.append(path)
    return sorted(found)


def refuse_foreign_files(run_dir: Path, *, field: str) -> None:
    """One line naming ``field`` if ``run_dir`` holds a file auditor did not write (a user's
    notes in a run folder): replacing the folder would delete it."""
    found = foreign_files(run_dir)
    if found:
        names = ", ".join(repr(str(p.relative_to(run_dir))) for p in found[:SHOW_FOREIGN])
        more = f" and {len(found) - SHOW_FOREIGN} more" if len(found) > SHOW_FOREIGN else ""
        message = HOLDS_OTHERS.format(names=names + more, them="it" if len(found) == 1 else "them")
        raise AuditorInputError(message, source=str(run_dir), field=field)


# The run folder's lock (see auditor.run_folder.locked): a file beside the folder, opened
# without following a link planted in its place.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
BAD_LOCK = (
    "not usable as the run folder's lock ({why}); auditor makes this file while it writes "
    "and removes it after: remove what is there"
)


def lock_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.lock"


def open_lock(path: Path, *, create: bool = True) -> int:
    """A read-write descriptor on the lock file at ``path`` (made where missing, with
    ``create``); a folder, a link or a file that cannot be opened there is one line naming
    it (BAD_LOCK, ``--out``). FileNotFoundError where it is missing and not ``create``."""
    flags = os.O_RDWR | _NOFOLLOW | os.O_CLOEXEC | (os.O_CREAT if create else 0)
    try:
        return os.open(path, flags, 0o644)
    except OSError as exc:  # a folder or a link in its place, no permission
        if exc.errno in DISK_FULL or (not create and isinstance(exc, FileNotFoundError)):
            raise
        why = exc.strerror or type(exc).__name__
        raise AuditorInputError(BAD_LOCK.format(why=why), source=str(path),
                                field="--out") from None  # fmt: skip


def check_lock(out_dir: Path) -> None:
    """Refuse, before any work, a run folder whose lock could not be taken when the folder is
    written (after training): a folder, a link or an unopenable file in its place. Opens an
    existing lock file only, and makes none (nothing is left behind)."""
    path = lock_path(Path(os.path.realpath(out_dir)))
    if not os.path.lexists(path):
        return  # made by the writer: the folder's parent is writable (check_out_dir)
    with contextlib.suppress(FileNotFoundError):  # its writer removed it just now
        os.close(open_lock(path, create=False))


def _target(path: Path) -> Path | None:
    """Where writing ``path`` goes: the file a link names (the link stays a link), or None
    for what is not a file to replace (a pipe, a terminal, ``/dev/stdout``, ``/dev/null``:
    written into as it is)."""
    try:
        mode = os.stat(path).st_mode  # through links, /proc's included
    except FileNotFoundError:
        return Path(os.path.realpath(path))  # a new file, or the one a dangling link names
    return Path(os.path.realpath(path)) if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else None


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (see the module doc). A link is written
    through (``--out latest.md`` linked to a file replaces that file, not the link) and a
    pipe or device written into (``--out /dev/stdout`` was replaced by a regular file)."""
    target = _target(Path(path))
    if target is None:
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as exc:  # /dev/full: the write's error names no file; name it
            if exc.filename is not None:
                raise
            raise OSError(exc.errno, exc.strerror, os.fspath(path)) from exc
        return
    path = target
    make_folders(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is for sharing
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def to_json_text(obj: Any) -> str:
    """``obj`` as ``audit.json`` holds it: the bytes of ``json.dumps(jsonable(obj), indent=2,
    allow_nan=False) + "\\n"`` (``jsonable``: NaN and infinities as null, numpy numbers and
    arrays as JSON numbers and lists, tuples as lists, a path as its text, each key as
    ``str(key)``), written in one walk. Python's ``json`` indents with its pure-Python encoder
    (a generator per level and item; its C encoder does not indent): 3.1 s for the 23 MB
    audit.json of 5,000 groups after a walk making the tree JSON-safe; here scalars are
    written inline and only containers recurse, 1.1 s (tests/test_io.py: byte for byte equal)."""
    out: list[str] = []
    _value(obj, out, "\n")
    out.append("\n")
    return "".join(out)


# Lone surrogates, as a regex character range (auditor.invisible: the cards show them as
# escapes too): a byte of a path or an argument that is not UTF-8 (os.fsdecode's 'c\\udcff').
_LONE = re.compile(f"[{SURROGATES}]")


def _text(v: str) -> str:
    """A JSON string; a lone surrogate (a byte of a path or an argument that is not UTF-8, as
    Python holds it: 'c<0xff>.csv') written as its escape's text ('c\\\\udcff.csv'): JSON
    would hold it as a surrogate, which :func:`auditor.record.read_back.read_audit` refuses
    as no text, so the run could not be read back."""
    if not v.isascii() and _LONE.search(v):
        v = _LONE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", v)
    return encode_basestring_ascii(v)


_INF = (math.inf, -math.inf)
NOT_JSON = "Object of type {kind} is not JSON serializable"


def _scalar(v: Any) -> str | None:
    """The text of a JSON scalar (None for a container or anything else)."""
    kind = type(v)
    if kind is float:
        return "null" if v != v or v in _INF else float.__repr__(v)
    if kind is str:
        return _text(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if kind is int:
        return int.__repr__(v)
    return None


def _value(v: Any, out: list[str], nl: str) -> None:
    """Append ``v``'s text to ``out``; ``nl``: a newline and the indent of ``v``'s line."""
    text = _scalar(v)
    if text is not None:
        out.append(text)
    elif isinstance(v, dict):
        _mapping(v, out, nl)
    elif isinstance(v, (list, tuple)):
        _items(v, out, nl)
    else:
        _other(v, out, nl)


def _mapping(node: dict[Any, Any], out: list[str], nl: str) -> None:
    if not node:
        out.append("{}")
        return
    inner = nl + "  "
    sep = "{" + inner
    for key, v in node.items():
        text = _scalar(v)
        if text is not None:
            out.append(f"{sep}{_text(str(key))}: {text}")
        else:
            out.append(f"{sep}{_text(str(key))}: ")
            _value(v, out, inner)
        sep = "," + inner
    out.append(nl + "}")


def _items(node: list[Any] | tuple[Any, ...], out: list[str], nl: str) -> None:
    if not node:
        out.append("[]")
        return
    inner = nl + "  "
    sep = "[" + inner
    for v in node:
        text = _scalar(v)
        out.append(sep)
        if text is not None:
            out.append(text)
        else:
            _value(v, out, inner)
        sep = "," + inner
    out.append(nl + "]")


def _other(v: Any, out: list[str], nl: str) -> None:
    """Subclasses of the JSON types, numpy numbers and arrays, paths; else TypeError."""
    import numpy as np  # only reached for what the fast checks do not know

    if isinstance(v, str):  # a StrEnum, numpy's str_
        out.append(_text(v))
    elif isinstance(v, np.ndarray):
        _value(v.tolist(), out, nl)
    elif isinstance(v, np.generic):
        _value(v.item(), out, nl)
    elif isinstance(v, float):
        out.append("null" if not math.isfinite(v) else float.__repr__(v))
    elif isinstance(v, int):  # bool is handled by _scalar; an IntEnum is its number
        out.append(int.__repr__(v))
    elif isinstance(v, Path):
        out.append(_text(str(v)))
    else:
        raise TypeError(NOT_JSON.format(kind=type(v).__name__))


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, to_json_text(obj))


def make_folders(folder: Path) -> None:
    """``folder`` and its missing parents made, or none of them: where one cannot be made (a
    name past 255 bytes, no space), the parents made before it are removed again, so a refused
    ``--out`` leaves nothing behind (``mkdir(parents=True)`` left them)."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    made: list[Path] = []
    try:
        for path in reversed(missing):
            path.mkdir(exist_ok=True)
            made.append(path)
    except BaseException:
        for path in reversed(made):
            with contextlib.suppress(OSError):  # another writer's file in it: it stays
                path.rmdir()
        raise


def user_cache_dir(name: str) -> Path | None:
    """``$XDG_CACHE_HOME/auditor/<name>`` (else ``~/.cache/auditor/<name>``), made private
    (0700) where missing; None when it cannot be made or written (a read-only home, no home):
    callers then work without a cache."""
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = Path(base) / "auditor" / name
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except (OSError, RuntimeError):  # RuntimeError: no home directory
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return None
    return folder


def cache_entries(folder: Path) -> list[Path]:
    """The files of a cache folder; none where it cannot be listed (gone, unreadable)."""
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def prune_cache_files(
    entries: Iterable[Path], *, names: str, keep: Collection[Path], count: int, temporary: str
) -> None:
    """Of a cache folder's ``entries``, delete all but the ``count`` last used files whose
    name matches the pattern ``names`` (those in ``keep``, just used, first), and the writers'
    temporary files (``temporary``) left for an hour (a writer killed before its rename).
    Last used: the newest modification time (a read that counts as a use touches its file).
    Beside another run: a file deleted as it reads it is made again there, one that vanished
    meanwhile is skipped."""
    now, kept = time.time(), []
    for path in entries:
        with contextlib.suppress(OSError):  # deleted meanwhile by another run: skipped
            name, used = path.name, path.stat().st_mtime
            if fnmatch.fnmatchcase(name, names):
                kept.append((path in keep, used, path))
            elif fnmatch.fnmatchcase(name, temporary) and now - used > 3600:
                path.unlink(missing_ok=True)
    for _, _, path in sorted(kept, reverse=True)[count:]:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


CANNOT_WRITE = "cannot write the file here ({reason})"


def write_output(path: Path, text: str, *, field: str) -> None:
    """Write a single output file (``init PATH``, ``diff --out``) whole; a file system that
    refuses it (read-only, ``/proc``, a full disk or ``/dev/full``) is one line naming
    ``field``, not an internal error."""
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        way = way_on(exc)  # a full disk: as every other line on one says
        reason += f"; {way}" if way else ""
        raise AuditorInputError(CANNOT_WRITE.format(reason=reason), source=str(path),
                                field=field) from None  # fmt: skip
