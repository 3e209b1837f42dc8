"""The ``auditor`` command: parses arguments and calls the library, nothing more."""

from __future__ import annotations

from typing import Annotated

import typer

from auditor import __version__
from auditor.commands import audit, card, diff, gate, init
from auditor.commands import run as run_cmd

app = typer.Typer(
    name="auditor",
    help="Audit a pretrained and fine-tuned PyTorch model: performance, fairness, privacy, "
    "transparency; write a model card; gate CI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
