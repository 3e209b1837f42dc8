"""``auditor init``: write a commented example audit config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.commands import cli_errors
from auditor.commands.params import file_path
from auditor.errors import AuditorInputError
from auditor.io import write_output

# What the file is and what to edit: as written it audits the built-in digits demo.
WROTE = (
    "Wrote {path}: the digits demo, every setting shown with what it means; for your own "
    "table edit [data] (and [model] for a model trained elsewhere).\n"
    "Run it with: auditor run {path}"
)
# The commented example config, every key with its default and what it means.
EXAMPLE = (Path(__file__).parent / "example.toml").read_text(encoding="utf-8")


def init(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="Where to write the example.", path_type=str,
                             callback=file_path)  # "" and s3://b/a.toml: refused as typed
    ] = Path("auditor.toml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented example audit config."""
    with cli_errors():
        from auditor.preflight import check_out_file  # loads the config models

        check_out_file(path, field="PATH")
        if path.exists() and not force:
            raise AuditorInputError("already exists (use --force to overwrite)", source=str(path))
        write_output(path, EXAMPLE, field="PATH")  # a full disk, a read-only or special one
    typer.echo(WROTE.format(path=path))


def register(app: typer.Typer) -> None:
    app.command("init")(init)
