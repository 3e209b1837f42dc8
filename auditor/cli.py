"""The ``auditor`` command: parses arguments and calls the library, nothing more.

:func:`main` holds the exit-code contract for what happens outside a command (usage errors,
signals, a broken pipe): 0 pass, 1 a gate failed, 2 anything else, 130 SIGINT, 143 SIGTERM.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Annotated

import typer

from auditor import __version__
from auditor.commands import (
    EXIT_BAD_INPUT,
    EXIT_GATE_FAILED,
    audit,
    card,
    diff,
    exit_for,
    gate,
    init,
    usage_error_line,
)
from auditor.commands import run as run_cmd
from auditor.errors import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    interruption,
    note_written,
    signal_exit,
)
from auditor.runtime import prepare_environment, work_in_flight

app = typer.Typer(
    name="auditor",
    help="Audit a pretrained and fine-tuned PyTorch model: performance, fairness, privacy, "
    "transparency; write a model card; gate CI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rendering it with Rich costs more than the rest of --help
    context_settings={"help_option_names": ["-h", "--help"]},  # every command's, as most CLIs
)

for module in (run_cmd, init, audit, card, gate, diff):
    module.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"auditor {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Global options."""


# click's error for a group called with no command (no_args_is_help), matched by name as typer's
# own rich_utils does: it is not part of typer's public API.
NO_ARGS_IS_HELP = "NoArgsIsHelpError"


TOP_HELP = "(see 'auditor --help')"


def usage_line(exc: Exception, args: list[str] | None) -> str:
    """:func:`usage_error_line`, naming the command typed (its first word that is no option)
    where click's error carries none: `auditor run --out` said "(see 'auditor --help')". Only
    where the bad option comes after it: `auditor --version=1 run` is the top level's."""
    line = usage_error_line(exc)
    typed = sys.argv[1:] if args is None else args
    at = next((i for i, a in enumerate(typed) if not a.startswith("-")), None)
    word = None if at is None else typed[at]
    names = {command.name for command in app.registered_commands}
    if getattr(exc, "ctx", None) is None and word in names and line.endswith(TOP_HELP):
        before = [a.split("=", 1)[0] for a in typed[:at]]  # the top level's options
        option = getattr(exc, "option_name", None)
        if (option not in before) if option else not before:
            line = line.removesuffix(TOP_HELP) + f"(see 'auditor {word} --help')"
    return line


def exit_code_of(args: list[str] | None = None) -> int:
    """Run the command line ``args`` (default ``sys.argv[1:]``); its exit code."""
    note_written(None)  # a folder an earlier command (in this process) wrote is not this one's
    try:
        code = app(args=args, standalone_mode=False)
        if code == EXIT_INTERRUPTED:  # typer's for a Ctrl-C anywhere in a command: say it
            typer.echo(signal_exit(KeyboardInterrupt())[0], err=True)
    except typer.TyperException as exc:  # usage errors (typer's click): one line, exit 2
        if type(exc).__name__ == NO_ARGS_IS_HELP:  # plain `auditor`: its help, as click shows it
            typer.echo(exc.format_message(), err=True)
            return EXIT_BAD_INPUT
        typer.echo(usage_line(exc, args), err=True)
        return EXIT_BAD_INPUT
    except typer.Abort:  # end of input at a prompt
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # a broken pipe (typer exits 1 there): not a failed gate
        code = exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
        return EXIT_BAD_INPUT if code == EXIT_GATE_FAILED else code
    except BaseException as exc:  # noqa: BLE001 - every error has its exit code
        return exit_for(interruption(exc) or exc)  # a Ctrl-C wrapped by another error too
    return code if isinstance(code, int) else 0


# Objects a young-generation collection waits for (Python's default: 700). A command makes most
# of its objects importing its libraries, none of them garbage: 141 collections and 0.07 s of
# an audit at 700, 17 and 0.03 s at this (the garbage it leaves waiting is a few MB at most).
GC_YOUNG = 10_000


def main() -> None:
    """The command line, once the entry point (:func:`auditor.__main__.main`) has installed
    the signal handlers and loaded this module."""
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    prepare_environment()  # before anything loads torch's OpenMP runtime
    code = exit_code_of()
    if work_in_flight() or code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        # An error or Ctrl-C before a file read ahead was needed: the interpreter's shutdown
        # would wait for that read, and can crash while a thread is inside pyarrow. A signal
        # can also land inside an import, and finalising the half-imported modules crashed
        # (SIGSEGV after "interrupted" in 4 of 59 Ctrl-C's of `auditor audit` on a 3M-row
        # CSV). Leave at once: every file is closed and staging removed by now.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    # The interpreter's exit collects garbage over every object the command created (about
    # 0.06 s of an audit); frozen, they are freed by reference counting alone.
    gc.freeze()
    sys.exit(code)
