"""``auditor diff A B``: what changed between two audits (metrics with intervals, gate
verdicts, checklist items, provenance hashes), as Markdown or a terminal table."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor.commands import cli_errors
from auditor.commands.params import file_path, run_argument
from auditor.io import write_output


class DiffFormat(StrEnum):
    markdown = "markdown"
    text = "text"


def diff(
    a: Annotated[Path, typer.Argument(
        metavar="A", help="The earlier run folder (or its audit.json).",
        path_type=str, callback=run_argument,
    )],  # fmt: skip
    b: Annotated[Path, typer.Argument(
        metavar="B", help="The later run folder (or its audit.json).",
        path_type=str, callback=run_argument,
    )],  # fmt: skip
    fmt: Annotated[
        DiffFormat,
        typer.Option(
            "--format", "-f", case_sensitive=False, help="markdown (for a pull request) or text."
        ),
    ] = DiffFormat.markdown,
    changed_only: Annotated[
        bool, typer.Option("--changed-only", help="Only rows that differ.")
    ] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write here, not stdout.", parser=file_path, metavar="<path>",
    )] = None,  # fmt: skip
) -> None:
    """Compare two audits: metrics with intervals, gate verdicts, checklist, provenance."""
    with cli_errors():
        from auditor.preflight import check_out_file  # loads the config models

        if out is not None:
            check_out_file(out, field="--out")
        from auditor import api  # the record types (pydantic, pandas): after the arguments
        from auditor.diff import diff_audits, render_markdown, render_text
        from auditor.report.escape import terminal_exact, workflow_inert

        if out is not None:  # not in A's or B's run folder, nor any other run's
            api.refuse_rewrite(out, a, b, own_run=None, field="--out")

        left, right = api.AuditResult.load(a), api.AuditResult.load(b)
        d = diff_audits(left.data, right.data)
        render = render_markdown if fmt == DiffFormat.markdown else render_text
        text = render(d, changed_only=changed_only)
        if out is not None:
            write_output(out, text, field="--out")  # a full disk, /proc: one line
            typer.echo(terminal_exact(str(out)))
        else:  # a CI log reads workflow commands from it: labels must not start one
            typer.echo(workflow_inert(text), nl=False)


def register(app: typer.Typer) -> None:
    app.command("diff", short_help="Compare two audits: metrics, gates, checklist.")(diff)
