"""``auditor card RUN_DIR``: re-render every report format from ``audit.json`` alone, into a
new folder (the run itself is never rewritten)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.commands import cli_errors
from auditor.commands.params import RunDirArgument, folder_path
from auditor.runtime import lock_notes


def card(
    run_dir: RunDirArgument,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write here (default: RUN_DIR.card-<time> beside it).",
                     parser=folder_path, metavar="<path>"),  # fmt: skip
    ] = None,
) -> None:
    """Write a run's reports again from its audit.json alone, without retraining, into a new
    folder: model_card.html, model_card.md, summary.md, junit.xml and audit.json."""
    with cli_errors(), lock_notes(quiet=False):  # the lock-wait note on stderr, as gate's
        from auditor import api  # loads torch (the audit's record types and checks)

        result = api.rerender(run_dir, out_dir=out, flags=True)  # errors name --out
    from auditor.report.escape import terminal_exact  # a folder name may hold ESC or "\n"

    for path in sorted(Path(result.run_dir or ".").iterdir()):
        typer.echo(terminal_exact(str(path)))


def register(app: typer.Typer) -> None:
    app.command("card", short_help="Write the model card again from a run's audit.json.")(card)
