"""``auditor card RUN_DIR``: re-render every report format from ``audit.json`` alone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.commands import cli_errors


def card(
    run_dir: Annotated[Path, typer.Argument(help="A run folder (or its audit.json).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of RUN_DIR.")
    ] = None,
) -> None:
    """Re-render model_card.html and model_card.md from audit.json, without retraining."""
    from auditor.io import staged_dir
    from auditor.report import render_all
    from auditor.result import AuditResult

    with cli_errors():
        result = AuditResult.load(run_dir)
        target = out or result.run_dir
        with staged_dir(target) as stage:
            written = render_all(result.data, stage)
        for path in written:
            typer.echo(str(target / path.name))


def register(app: typer.Typer) -> None:
    app.command("card")(card)
