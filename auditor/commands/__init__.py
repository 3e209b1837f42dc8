"""CLI command groups. Each module has ``register(app)``; :mod:`auditor.cli` calls them.

Exit codes, the contract CI relies on: 0 every gate passed, 1 a gate failed and nothing else,
2 bad input or any error (one line; an unexpected error also names a crash log holding its
traceback), 130 on Ctrl-C (SIGINT), 143 on SIGTERM. Writers stage their files and swap them
in whole, so an error or a signal leaves no partial report.

Command modules import only typer and light modules at the top, so ``auditor --help`` loads
neither pydantic nor numpy and ``auditor audit`` starts reading its file before the config
models load. The library (config, preflight, gates) is imported inside each command, and
:mod:`auditor.api` after the arguments and the config are checked: the api loads torch
(through the checks), and a config error must not wait for it.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import traceback
from collections.abc import Iterator
from typing import Annotated, TextIO

import typer

from auditor import __version__
from auditor.errors import (
    AuditorInputError,
    Terminated,
    input_os_error,
    interruption,
    printable_line,
    signal_exit,
)
from auditor.report.escape import terminal_text

EXIT_OK, EXIT_GATE_FAILED, EXIT_BAD_INPUT = 0, 1, 2
# auditor.seeding.MAX_SEED (tests/commands hold them equal), for --seed's range without numpy.
MAX_SEED = 2**63 - 1
# `auditor run`'s and `auditor audit`'s --quiet (a predictions audit draws no progress bar: the
# flag is taken so that one CI line's flags serve both commands).
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]
INTERNAL_ERROR = "auditor: internal error: {error}; traceback in {log}"
USAGE_ERROR = "auditor: error: {message} (see '{command} --help')"
# typer's choice errors come from pydantic, which puts its error kind before the message
# ("Invalid value for '--scenario': Value error, 'x' is not one of ..."): not for a user.
PYDANTIC_KIND = ": Value error, "


def one_line(text: str) -> str:
    """The first line, controls made visible, no ``##[``, its middle cut past 500 characters
    (:func:`auditor.errors.printable_line`)."""
    return printable_line(text.partition("\n")[0])


def write_crash_log(exc: BaseException) -> str:
    """Write the traceback of ``exc`` to a new temp file (a byte not UTF-8: ``\\udcff``)."""
    fd, path = tempfile.mkstemp(prefix="auditor-crash-", suffix=".log")
    with open(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
        fh.write(f"auditor {__version__}\ncommand: {' '.join(sys.argv)}\n\n")
        fh.write("".join(traceback.format_exception(exc)))
    return path


def exit_for(exc: BaseException, *, err: TextIO | None = None) -> int:
    """Print the one line for ``exc`` on stderr and return its exit code."""
    exc = input_os_error(exc)
    if isinstance(exc, AuditorInputError):
        from auditor.config.toml_file import named_in_pyproject  # no pydantic

        text = str(named_in_pyproject(exc)).rstrip("\n")  # a line break in it: a label's
        typer.echo(f"auditor: error: {printable_line(text)}", err=True, file=err)
        return EXIT_BAD_INPUT
    said = signal_exit(exc)
    if said is not None:
        typer.echo(said[0], err=True, file=err)
        return said[1]
    if isinstance(exc, BrokenPipeError):  # `--out /dev/stdout | head`: the reader left
        return EXIT_BAD_INPUT
    error = one_line(f"{type(exc).__name__}: {exc}")
    try:
        log = write_crash_log(exc)
    except OSError as why:  # no writable temp folder: say so, still one line
        log = f"(none: {one_line(str(why))})"
    typer.echo(INTERNAL_ERROR.format(error=error, log=log), err=True, file=err)
    return EXIT_BAD_INPUT


def usage_error_line(exc: Exception) -> str:
    """A command-line usage error (typer's click: a bad option value, a missing option, an
    unknown command) as one line naming the option and where the help is."""
    format_message = getattr(exc, "format_message", None)
    message = format_message() if callable(format_message) else str(exc)
    message = message.replace(PYDANTIC_KIND, ": ", 1)
    ctx, words = getattr(exc, "ctx", None), []
    while ctx is not None and ctx.parent is not None:  # not the root: `python -m auditor` too
        words.insert(0, ctx.info_name)
        ctx = ctx.parent
    return USAGE_ERROR.format(message=one_line(message), command=" ".join(["auditor", *words]))


@contextlib.contextmanager
def cli_errors() -> Iterator[None]:
    """Map every error of a command to its one line and exit code (see the module doc)."""
    try:
        yield
    except typer.Exit:
        raise
    except (Exception, Terminated) as exc:
        if isinstance(interruption(exc), KeyboardInterrupt):  # a Ctrl-C that an error wrapped
            raise KeyboardInterrupt from None  # typer's exit 130, as anywhere in a command
        raise typer.Exit(exit_for(interruption(exc) or exc)) from None  # SIGTERM, even wrapped


def echo_table(rows: list[tuple[str, str]], *, file: TextIO | None = None) -> None:
    """Two aligned columns; keys and values shown as text (no escape sequence acts)."""
    rows = [(terminal_text(k), terminal_text(v)) for k, v in rows]
    width = max((len(k) for k, _ in rows), default=0)
    for key, value in rows:
        typer.echo(f"  {key.ljust(width)}  {value}", file=file or sys.stdout)
