"""The one write (and read) path of a run folder: validate -> audit.json -> every rendering,
swapped in whole; :func:`load_audit` reads a run's audit.json back, validated (defined in
:mod:`auditor.record.read_back`, imported from here or there alike).

A run folder is built complete in a staging folder beside the target (``.NAME.<random>.staging``)
and then swapped in as one unit: the old folder is renamed to a trash name, the staging folder
is renamed to the target, the trash is deleted; the trash name shares the staging folder's
random stem (``.NAME.<random>.trash``). Each rename is atomic, so a reader sees the
whole old folder or the whole new one, never a mix. A lock beside the target (``flock`` on
``.NAME.lock``, removed by its holder when done) makes a second writer to the same folder
wait (exit 2 after a timeout).
Staging and trash folders left by a killed writer are removed by the next writer, under the lock
(a trash folder beside the staging folder of its stem and no run folder, a writer killed
between the two renames, is the previous run: it is put back first).
"""

from __future__ import annotations

import contextlib
import errno
import glob
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from auditor.errors import (
    DISK_FULL,
    AuditorInputError,
    note_written,
    printable_line,
)
from auditor.io import atomic_write_text, lock_path, make_folders, open_lock, to_json_text
from auditor.preflight import check_out_dir  # --out is checked before any work
from auditor.record import prepare_validator, validate_audit
from auditor.record.read_back import (  # noqa: F401 - the read-back is this module's API too
    NOT_A_FILE,
    NOT_AN_OBJECT,
    WRONG_SCHEMA,
    audit_file,
    load_audit,
    read_audit,
)
from auditor.report.render import prepare_templates, render_all
from auditor.runtime import LOCK_LOG

LOCK_TIMEOUT_S = 3600.0
LOCK_POLL_S = 0.05
STAGING_SUFFIX = ".staging"
TRASH_SUFFIX = ".trash"
RUN_LOG = "run.log"  # one line per stage of the run, with its seconds
NO_SPACE = "{error} while writing the run folder; nothing was replaced (free some space)"
# Said once (runtime.LOCK_LOG) when the lock is still taken after WAIT_NOTE_AFTER_S (a writer of
# one --out, or a hung one): a run waiting up to an hour in silence looks hung itself.
WAIT_NOTE_AFTER_S = 2.0
WAITING = (
    "waiting for another auditor writing {out} (it holds {lock}); "
    "giving up after {seconds:g} s"
)
LOCKED = "another auditor is writing this run folder; gave up waiting after {seconds:g} s"
NO_FLOCK = (
    "this filesystem has no file locks ({why}), which keep two writers of one run folder "
    "apart: write --out to a local folder"
)


def remove_stale(out_dir: Path) -> list[Path]:
    """Delete staging and trash folders of ``out_dir`` left by killed writers (call under the
    lock: no live writer of this folder exists then). Returns what was removed."""
    removed = []
    if not out_dir.parent.is_dir():
        return removed
    prefix = f".{out_dir.name}."
    _restore_trash(out_dir, prefix)
    for path in out_dir.parent.iterdir():
        if _is_ours(path.name, prefix, (STAGING_SUFFIX, TRASH_SUFFIX)):
            if path.is_symlink():  # rmtree refuses links
                path.unlink()
            else:
                shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _restore_trash(out_dir: Path, prefix: str) -> None:
    """A writer killed between the two renames of :func:`swap_in` left no ``out_dir``, its
    staging folder, and the previous run whole under the trash name of the same stem
    (``.NAME.<stem>.staging`` and ``.NAME.<stem>.trash``): put that one back. A trash without
    its staging folder is a swap done and may be half deleted: it stays out."""
    if os.path.lexists(out_dir):
        return
    for staging in sorted(out_dir.parent.glob(f"{glob.escape(prefix)}*{STAGING_SUFFIX}")):
        if not _is_ours(staging.name, prefix, (STAGING_SUFFIX,)):
            continue
        trash = paired_trash(staging)
        if trash.is_dir() and not trash.is_symlink():
            os.replace(trash, out_dir)
            return


# The stem tempfile.mkdtemp draws: 8 of "a-z0-9_" (tempfile._RandomNameSequence).
MKDTEMP_STEM = re.compile(r"[a-z0-9_]{8}")


def _is_ours(name: str, prefix: str, suffixes: tuple[str, ...]) -> bool:
    """``.NAME.<stem>.staging`` or ``.trash`` of this run folder, ``<stem>`` as mkdtemp draws
    it: ``.run.x.<stem>.staging`` is the folder ``run.x``'s (maybe its live writer's), and a
    user's own ``.run.backup.trash`` or ``.run.staging`` is no folder auditor wrote."""
    if not (name.startswith(prefix) and name.endswith(suffixes)):
        return False
    return MKDTEMP_STEM.fullmatch(name[len(prefix) :].rsplit(".", 1)[0]) is not None


def paired_trash(stage: Path) -> Path:
    """The trash name :func:`swap_in` gives the old run while ``stage`` replaces it."""
    return stage.with_name(stage.name.removesuffix(STAGING_SUFFIX) + TRASH_SUFFIX)


def _new_staging(out: Path) -> Path:
    """A fresh staging folder whose trash name (:func:`paired_trash`) is free too: a trash a
    killed writer left that rmtree could not remove may hold a stem mkdtemp picks again."""
    while True:
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=STAGING_SUFFIX,
                                      dir=out.parent))  # fmt: skip
        if not os.path.lexists(paired_trash(stage)):
            return stage
        stage.rmdir()


def _try_lock(path: Path) -> int | None:
    """One try at the lock: an open descriptor holding ``flock`` on the file now at ``path``,
    or None (another writer holds it, or it was unlinked by the writer before us)."""
    fd = open_lock(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if _is_at(fd, path):
            return fd
    except BlockingIOError:
        pass
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return None


def _is_at(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.lstat(path))
    except FileNotFoundError:
        return False


def _wait_for_lock(path: Path, out_dir: Path, timeout: float) -> int | None:
    """A descriptor holding the lock, polling until ``timeout``; None where this system has no
    ``flock`` (Windows: filelock's lock then). A filesystem without it (flock's ENOSYS, ENOLCK,
    EOPNOTSUPP) is one line: filelock's Unix lock is the same flock, and its soft lock would
    read the file just made as held and wait out ``timeout`` (an hour) to a wrong message."""
    if fcntl is None:
        return None
    start = time.monotonic()
    noted = False
    try:
        while (fd := _try_lock(path)) is None:
            waited = time.monotonic() - start
            if waited >= timeout:
                raise _gave_up(out_dir, timeout)
            if not noted and waited >= WAIT_NOTE_AFTER_S:
                noted = True
                note = WAITING.format(out=out_dir, lock=path, seconds=timeout)
                LOCK_LOG.warning(printable_line(note))
            time.sleep(LOCK_POLL_S)
    except OSError as exc:
        if exc.errno in (errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP):
            path.unlink(missing_ok=True)  # made by _try_lock; no writer can hold it here
            raise AuditorInputError(NO_FLOCK.format(why=os.strerror(exc.errno)),
                                    source=str(out_dir), field="--out") from None  # fmt: skip
        raise
    return fd


def _gave_up(out_dir: Path, timeout: float) -> AuditorInputError:
    return AuditorInputError(LOCKED.format(seconds=timeout), source=str(out_dir), field="--out")


@contextlib.contextmanager
def locked(out_dir: Path, *, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the run folder's lock; exit 2 (AuditorInputError) if it stays taken ``timeout`` s.

    ``flock`` on ``.NAME.lock`` beside the folder, unlinked by its holder before it lets go,
    so no lock file stays beside the run: a waiter that then gets the unlinked file sees it is
    no longer at the path and tries again on the path's new file (flock alone cannot tell).
    The folders made for it (``reports/``) are removed again, where empty, if the run fails:
    a run stopped after its training left an empty ``reports/``."""
    made = _missing(out_dir.parent)
    make_folders(out_dir.parent)  # or none of them: a refused --out leaves nothing behind
    try:
        with _held(out_dir, timeout):
            yield
    except BaseException:
        for folder in made:  # the deepest first; another writer's file in one: it stays
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _missing(folder: Path) -> list[Path]:
    """``folder`` and its parents that do not exist, the deepest first."""
    missing = []
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


@contextlib.contextmanager
def _held(out_dir: Path, timeout: float) -> Iterator[None]:
    path = lock_path(out_dir)
    fd = _wait_for_lock(path, out_dir, timeout)
    if fd is None:  # filelock: on Windows it removes its file itself
        with _file_lock(path, out_dir, timeout):
            yield
        return
    try:
        yield
    finally:
        try:
            if _is_at(fd, path):
                path.unlink()  # under the lock: the next writer creates the path's next file
        except OSError:
            pass
        finally:
            os.close(fd)  # lets go of the lock


@contextlib.contextmanager
def _file_lock(path: Path, out_dir: Path, timeout: float) -> Iterator[None]:
    from filelock import FileLock, Timeout  # only where there is no flock (Windows)

    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise _gave_up(out_dir, timeout) from None
    try:
        yield
    finally:
        lock.release()


def swap_in(stage: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by the complete folder ``stage`` with renames only."""
    trash = paired_trash(stage) if out_dir.exists() else None  # stage's stem: see remove_stale
    try:  # a Ctrl-C between the two renames too: the old folder goes back in its place
        if trash is not None:
            os.replace(out_dir, trash)
        os.replace(stage, out_dir)
    except BaseException:
        if trash is not None and os.path.lexists(trash) and not os.path.lexists(out_dir):
            os.replace(trash, out_dir)
        raise
    note_written(out_dir)  # a signal from here on: the new folder is in place, say so
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)


@contextlib.contextmanager
def staged_run(out_dir: str | Path, *, lock_timeout: float = LOCK_TIMEOUT_S) -> Iterator[Path]:
    """Lock ``out_dir``, remove stale staging, yield a fresh staging folder; on success swap it
    in whole, on any error (Ctrl-C and SIGTERM included) delete it and leave ``out_dir`` as it
    was."""
    # through links: `--out latest` linked to a run folder replaces that folder and keeps the
    # link (the link was renamed to a trash name that no rmtree removes, a folder in its place)
    out = Path(os.path.realpath(check_out_dir(out_dir)))
    note_written(None)  # until this write's swap: "no report was written" holds
    with locked(out, timeout=lock_timeout):
        remove_stale(out)
        stage = _new_staging(out)
        os.chmod(stage, 0o777 & ~_umask())  # mkdtemp makes 0700; a report is for sharing
        try:
            yield stage
            swap_in(stage, out)
        except OSError as exc:
            shutil.rmtree(stage, ignore_errors=True)
            if exc.errno in DISK_FULL:  # the previous run stays: one line naming the folder
                raise AuditorInputError(NO_SPACE.format(error=os.strerror(exc.errno)),
                                        source=str(out), field="--out") from None  # fmt: skip
            raise
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def prepare_writing() -> None:
    """Load what writing a run folder needs (the schema's validator, every card template)
    now, e.g. while a file is being read, rather than when the audit is ready."""
    prepare_validator()
    prepare_templates()


def write_audit(
    audit: Mapping[str, Any], folder: Path, *, source: str, log: list[str] | None = None,
    text: str | None = None,
) -> list[Path]:  # fmt: skip
    """validate -> ``audit.json`` -> every rendering, into ``folder``; ``log``: the run's
    stage lines, written as ``run.log``; ``text``: ``audit`` as :func:`read_audit` read it
    (validated there), written as it is. Returns the files."""
    if text is None:
        text = to_json_text(audit)  # NaN -> null, numpy numbers -> JSON numbers
        # the JSON form, as a reader gets it: validated, and rendered as `auditor card` renders
        # it (a name's byte that is not UTF-8 is its escape's text there, R15 #2)
        audit = json.loads(text)
        validate_audit(audit, source=source)
    atomic_write_text(folder / "audit.json", text)
    files = [folder / "audit.json", *render_all(dict(audit), folder)]
    if log is not None:
        (folder / RUN_LOG).write_text("\n".join([*log, ""]), encoding="utf-8")
        files.append(folder / RUN_LOG)
    return files


def write_run(
    audit: Mapping[str, Any], out_dir: str | Path, *, lock_timeout: float = LOCK_TIMEOUT_S,
    log: list[str] | None = None, text: str | None = None,
) -> Path:  # fmt: skip
    """Write a whole run folder as one unit: validate -> audit.json -> renderings (and
    ``run.log``), then swap in (see :func:`staged_run`). Returns ``out_dir``. A writer with
    more files (checkpoints) uses :func:`staged_run` and :func:`write_audit` itself."""
    out = Path(out_dir)
    with staged_run(out, lock_timeout=lock_timeout) as stage:
        write_audit(audit, stage, source=str(out / "audit.json"), log=log, text=text)
    return out
