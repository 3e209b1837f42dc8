"""CLI command groups. Each module has ``register(app)``; :mod:`auditor.cli` calls them."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import typer

from auditor.errors import AuditorInputError

EXIT_OK, EXIT_GATE_FAILED, EXIT_BAD_INPUT = 0, 1, 2


@contextlib.contextmanager
def cli_errors() -> Iterator[None]:
    """Map bad input to one line on stderr and exit 2; Ctrl-C to exit 130. Nothing partial
    is left behind: writers stage their files and move them only on success."""
    try:
        yield
    except AuditorInputError as exc:
        typer.echo(f"auditor: error: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except KeyboardInterrupt:
        typer.echo("auditor: interrupted; no report was written", err=True)
        raise typer.Exit(130) from None


def echo_table(rows: list[tuple[str, str]], *, file=None) -> None:
    width = max((len(k) for k, _ in rows), default=0)
    for key, value in rows:
        typer.echo(f"  {key.ljust(width)}  {value}", file=file or sys.stdout)
