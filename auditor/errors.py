"""Errors that the CLI maps to exit codes.

``AuditorInputError`` is bad input or usage (exit 2): its message is one line that names
the file and the field. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import stat
from typing import TYPE_CHECKING

from auditor import invisible

if TYPE_CHECKING:  # annotations only: nothing more is imported before the signal handlers
    from collections.abc import Callable
    from pathlib import Path
    from types import FrameType

EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + the signal's number, as a shell reports
INTERRUPTED = "auditor: interrupted; no report was written"
TERMINATED = "auditor: terminated (SIGTERM); no report was written"
# A signal after the command's folder was swapped in whole (the summary printing): it is there.
INTERRUPTED_AFTER = "auditor: interrupted; the report was written: {path}"
TERMINATED_AFTER = "auditor: terminated (SIGTERM); the report was written: {path}"
_WRITTEN: list[str] = []  # the folder this command swapped in (auditor.run_folder), if any
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)  # a full disk or quota: the machine's state, not a bug
# A path no file system resolves (a name past 255 bytes, a link loop): the user's input.
BAD_PATH = (errno.ENAMETOOLONG, errno.ELOOP)
# The first bytes of a compressed file or an archive, what it is and the command that opens it:
# the CSV reader (data.text) and the audit.json reader (audit_tree.jsonfile) name such a file,
# each with its own way on.
COMPRESSED_FILES = (
    (b"PK\x03\x04", "a zip archive", "unzip"),
    (b"\x1f\x8b", "gzip-compressed", "gunzip"),
    (b"BZh", "bzip2-compressed", "bunzip2"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed", "zstd -d"),
    (b"\xfd7zXZ\x00", "xz-compressed", "unxz"),
)
# The name endings of a file compressed or archived other than by gzip (which is read): a
# predictions file's and a folder's part's alike, refused saying so (data.text, listing).
COMPRESSED_NAMES = (".bz2", ".zst", ".zstd", ".xz", ".zip", ".7z", ".deflate", ".lz4",
                    ".snappy", ".br")  # fmt: skip


class Terminated(BaseException):
    """SIGTERM in the main thread, so staging is cleaned up (not swallowed by Exception)."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def install_signal_handlers() -> None:
    """SIGTERM -> :class:`Terminated` (exit 143). SIGINT stays KeyboardInterrupt (exit 130)."""
    signal.signal(signal.SIGTERM, _raise_terminated)


class AuditorInputError(ValueError):
    """Bad input: a config key, a data column, a checkpoint. Exit code 2, one line:
    ``source: field: message`` (``message`` kept bare, to re-raise naming another source or
    field). ``source``, a file, is written as every path a user copies is (``\\u00ad``,
    :func:`escapes_shown` ``copied``): one folder is spelled one way on one terminal."""

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        self.message = message
        self.source = source
        self.field = field
        shown = source and escapes_shown(source, copied=True)
        parts = [p for p in (shown, field) if p]
        prefix = ": ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)

    def with_field(self, field: str) -> AuditorInputError:
        """This error, or where it names no field (``/x/nope: no such file``), the same naming
        ``field``: the argument, flag or key that named its file."""
        if self.field is not None:
            return self
        return AuditorInputError(self.message, source=self.source, field=field)


def data_row(index: int) -> str:
    """How a message names the row at 0-based ``index`` of the data: ``data row 4`` is the
    4th row under the header (a spreadsheet's row 5, under its header row 1), whatever the
    comment lines above the header."""
    return f"data row {index + 1}"


def rows_text(n: int) -> str:
    """``n`` rows in words, for a message: "1 row", "1,200 rows"."""
    return "1 row" if n == 1 else f"{n:,} rows"


def interruption(exc: BaseException) -> BaseException | None:
    """The Ctrl-C or SIGTERM (an exception that is not an ``Exception``) in ``exc`` or among
    its causes and contexts, else None: Python 3.11 turns a KeyboardInterrupt that lands in a
    class body's ``__set_name__`` (a module imported late) into a RuntimeError."""
    seen: set[int] = set()
    found: BaseException | None = exc
    while found is not None and id(found) not in seen:
        if not isinstance(found, Exception):
            return found
        seen.add(id(found))
        found = found.__cause__ or found.__context__
    return None


def note_written(path: object | None) -> None:
    """Record the folder the command has swapped in (None: none yet, at a command's start),
    so that a signal landing later says so (:func:`signal_exit`)."""
    _WRITTEN[:] = [] if path is None else [str(path)]


def signal_exit(exc: BaseException) -> tuple[str, int] | None:
    """(the one line, the exit code) of a Ctrl-C or SIGTERM in ``exc`` (:func:`interruption`:
    even wrapped by another error), else None; the line names the folder written, if any."""
    found = interruption(exc)
    written = "".join(_WRITTEN)
    if isinstance(found, KeyboardInterrupt):
        line = INTERRUPTED_AFTER.format(path=written) if written else INTERRUPTED
        return printable_line(line), EXIT_INTERRUPTED
    if isinstance(found, Terminated):
        line = TERMINATED_AFTER.format(path=written) if written else TERMINATED
        return printable_line(line), EXIT_TERMINATED
    return None


def read_capped(path: Path, limit: int, *, too_large: Callable[..., str],
                cannot_read: str) -> bytes:  # fmt: skip
    """The bytes of the file ``path``, refused (:class:`AuditorInputError` naming it) past
    ``limit`` bytes: ``too_large(size=...)``, by the open file's size before the read, and by
    what the read got (at most ``limit + 1`` bytes: a file that grew since, a device); an
    ``OSError`` is ``cannot_read.format(error=...)``. A config file and an audit.json are each
    read so."""
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size  # the file opened: no second look at the path
            if size > limit:
                raise AuditorInputError(too_large(size=size), source=str(path))
            data = fh.read(limit + 1)
    except OSError as exc:  # permission denied, a broken link, a file that vanished
        why = exc.strerror or type(exc).__name__
        raise AuditorInputError(cannot_read.format(error=why), source=str(path)) from None
    if len(data) > limit:
        raise AuditorInputError(too_large(size=len(data)), source=str(path))
    return data


NO_SUCH_FILE = "no such file"
CANNOT_LOOK = "cannot read ({error})"


def regular_file(
    path: Path, *, is_a_folder: str, not_a_file: str, missing: str = NO_SUCH_FILE,
    field: str | None = None,
) -> None:  # fmt: skip
    """Refuse (:class:`AuditorInputError` naming ``path`` and ``field``) a missing file
    (``missing``), one that cannot be looked at saying why (a link loop, a name too long, no
    permission: ``Path.is_file`` and ``exists`` answer False there, which read as "no such
    file"), a folder (``is_a_folder``) and what is no regular file (``not_a_file``:
    ``/dev/zero`` is endless, a FIFO blocks)."""
    try:
        found = path.stat()
    except FileNotFoundError:
        raise AuditorInputError(missing, source=str(path), field=field) from None
    except OSError as exc:
        why = CANNOT_LOOK.format(error=exc.strerror or type(exc).__name__)
        raise AuditorInputError(why, source=str(path), field=field) from None
    if stat.S_ISDIR(found.st_mode):
        raise AuditorInputError(is_a_folder, source=str(path), field=field)
    if not stat.S_ISREG(found.st_mode):
        raise AuditorInputError(not_a_file, source=str(path), field=field)


# The OSErrors that are the machine's state or the user's path, not auditor's fault, and the
# way on each line gives: a full disk or quota (the file, where named), a path no file system
# resolves (a name past 255 bytes, a loop of links: only with the path it concerns).
_INPUT_OS_ERRORS = {**dict.fromkeys(DISK_FULL, "free some space"),
                    **dict.fromkeys(BAD_PATH, "no file system resolves this path")}  # fmt: skip


def way_on(exc: OSError) -> str | None:
    """What to do about ``exc`` where it is one of :data:`_INPUT_OS_ERRORS` ("free some
    space"), else None: every line on a full disk or an unresolvable path says the same."""
    return _INPUT_OS_ERRORS.get(exc.errno) if exc.errno is not None else None


def _said(exc: OSError) -> str:
    return f"{os.strerror(exc.errno or 0)} ({way_on(exc)})"


def input_os_error(exc: BaseException) -> BaseException:
    """``exc``; where it is one of :data:`_INPUT_OS_ERRORS`, an :class:`AuditorInputError`
    naming the file (one line, exit 2, no crash log: a full disk, or a 300-byte ``--out``,
    was an internal error with a crash log)."""
    if not isinstance(exc, OSError) or exc.errno not in _INPUT_OS_ERRORS:
        return exc
    where = None if exc.filename is None else os.fsdecode(exc.filename)
    if where is None and exc.errno in BAD_PATH:
        return exc  # a path error naming no path: nothing to show the user
    return AuditorInputError(_said(exc), source=where)


def check_resolvable(path: Path, *, field: str | None = None) -> None:
    """Refuse a path no file system resolves (a loop of links on the way, a name past 255
    bytes) before it is used, naming ``field``: ``exists`` and ``is_dir`` answer False there,
    so an ``--out`` through a link loop went on to a crash making the folder."""
    try:
        path.stat()
    except OSError as exc:
        if exc.errno in BAD_PATH:
            raise AuditorInputError(_said(exc), source=str(path), field=field) from None


# The most characters of an error line; a longer one keeps its start (what is wrong, where)
# and its end (the way on), and says how much was left out between them.
MAX_LINE, LINE_END = 500, 200


def cut_middle(
    line: str, limit: int = MAX_LINE, end: int = LINE_END, *, whole: re.Pattern[str] | None = None
) -> str:
    """``line`` whole, or past ``limit`` characters its start and last ``end`` characters
    with the count of those left out between them (at most ``limit`` characters in all).
    ``whole``: a pattern of what the cut leaves whole or leaves out whole (an escape)."""
    if len(line) <= limit:
        return line
    note = " […{:,} characters left out…] ".format
    head = limit - end - len(note(len(line)))  # the widest note: the rest fits beside it
    tail = len(line) - end
    if whole is not None:
        head, tail = _outside(line, head, whole, back=True), _outside(line, tail, whole)
    return line[:head] + note(tail - head) + line[tail:]


def _outside(line: str, at: int, whole: re.Pattern[str], *, back: bool = False) -> int:
    """``at``, or where it falls inside a match of ``whole``, that match's start (``back``)
    or end: matches are looked for from a few characters before it."""
    for match in whole.finditer(line, max(0, at - 16), at + 16):
        if match.start() < at < match.end():
            return match.start() if back else match.end()
    return at


# GitHub Actions reads a workflow command from its job's output: "::name::" at the start of
# a line (after spaces) and the old "##[name]" anywhere in it.
_WORKFLOW_START = re.compile(r"^([^\S\n]*):(?=:)", re.M)
_WORKFLOW_OLD = re.compile(r"(?<=##)\[")


def workflow_inert(text: str) -> str:
    """``text`` (any number of lines) with no GitHub Actions workflow command in it: a line's
    leading ``::`` becomes ``\\x3a:`` and ``##[`` becomes ``##\\x5b``; what a command prints
    to the job's log (a diff in Markdown holds labels in code spans, where nothing else
    can be escaped)."""
    return _WORKFLOW_OLD.sub(r"\\x5b", _WORKFLOW_START.sub(r"\1\\x3a", text))


# What reads as an escape a writer shows a character as (``\x0a``, ``\u202e``, ``\U000e0001``).
_ESCAPE_LIKE = re.compile(r"x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}")
_BACKSLASHES = re.compile(r"\\+")


def backslashes_doubled(text: str, shown: Callable[[str], object]) -> str:
    """``text`` with each run of its own backslashes doubled, as Python's repr shows them, where
    it comes before what reads as an escape (``x`` and 2 hex digits, ``u`` and 4, ``U`` and 8)
    or before a character ``shown`` says is shown as one: a name typed 'a\\x0ab' is then shown
    'a\\\\x0ab', never as 'a<LF>b' is ('a\\x0ab'). Every report writer's step for a name
    (report.escape), once, before its characters are shown; never for a path or a command a
    user copies, nor for an error line (:func:`printable_line` keeps its backslashes)."""
    if "\\" not in text:
        return text

    def doubled(run: re.Match[str]) -> str:
        at = run.end()
        before = at < len(text) and (shown(text[at]) or _ESCAPE_LIKE.match(text, at))
        return run.group(0) * 2 if before else run.group(0)

    return _BACKSLASHES.sub(doubled, text)


def shown_char(char: str, *, copied: bool = False) -> str:
    """A character as the escape a writer shows it as: ``\\x09``, ``\\u202e``, ``\\U000e0001``;
    ``copied`` (a path a reader copies): as a TOML, JSON or Python string reads it, ``\\u0009``."""
    code = ord(char)
    if code <= 0xFF and not copied:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


# What every writer shows as its escape, in a name, a path, a command and an error line
# (report.escape, api._trained.shell_quoted, printable_line): auditor.invisible, one set.
SHOWN_AS_ESCAPE = invisible.SHOWN_AS_ESCAPE


def escape_of(m: re.Match[str]) -> str:
    """A matched character as the escape a name shows it as (:func:`shown_char`): ``\\x1b``."""
    return shown_char(m.group(0))


def _copied_escape_of(m: re.Match[str]) -> str:
    return shown_char(m.group(0), copied=True)


def escapes_shown(text: str, *, copied: bool = False) -> str:
    """``text`` with each of :data:`SHOWN_AS_ESCAPE` shown as its escape (:func:`shown_char`),
    nothing else changed. ``copied``: a path a reader copies (a metric path, a file), in the
    one form every writer of one uses (``\\u00ad``: a gate rule's TOML string reads it)."""
    if invisible.holds_none(text):  # most names, at C speed (str.isprintable)
        return text
    return SHOWN_AS_ESCAPE.sub(_copied_escape_of if copied else escape_of, text)


# An escape printable_line writes (a control's, workflow_inert's), or one a line holds:
# the cut keeps it whole (and the HTML card's <wbr>, report.escape).
ESCAPE_RUN = re.compile(rf"\\+(?:{_ESCAPE_LIKE.pattern})")


def printable_line(text: str) -> str:
    """``text`` as one line for stderr or a CI log: each of :data:`SHOWN_AS_ESCAPE` (a
    control, a line break, a tab, an invisible character) shown as its escape, as the reports
    show one (``\\x09``, not ``\\t``), no workflow command (:func:`workflow_inert`), its
    middle cut past :data:`MAX_LINE` characters (:func:`cut_middle`). Its own backslashes
    stay as they are: a line holds paths a user copies (``C:\\build\\x64``) and names quoted
    by repr, which shows their backslashes already (R9 #1, #2). Every line auditor says
    about an error, a signal or a wait goes through it (``commands.one_line``: an error's
    first line)."""
    line = workflow_inert(escapes_shown(text))
    return cut_middle(line, whole=ESCAPE_RUN)  # cut last: inert ``##\x5b`` is longer than ``##[``
