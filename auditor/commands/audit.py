"""``auditor audit --predictions FILE --sensitive COL ...``: the model-agnostic audit.

Fairness and performance of any model from a CSV or Parquet of its predictions; see
:func:`auditor.api.audit_predictions`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.commands import QuietOption, cli_errors
from auditor.commands.audit_options import (
    ConfigOption,
    DaskOption,
    IntersectionsOption,
    IntervalOption,
    MinGroupOption,
    MissingFlag,
    MitigationFlag,
    PredictionsOption,
    SeedOption,
    SensitiveOption,
)
from auditor.commands.gate import ExitZero, fail_on_set_by, report_gates
from auditor.commands.params import folder_path
from auditor.report.escape import terminal_exact
from auditor.runtime import Background, lock_notes


def audit(
    predictions: PredictionsOption,
    sensitive: SensitiveOption,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run folder (default reports/<file stem>).",
                                  parser=folder_path, metavar="<path>")
    ] = None,
    y_true: Annotated[str, typer.Option("--y-true", help="Column of true labels.")] = "y_true",
    y_pred: Annotated[str, typer.Option("--y-pred", help="Column of predicted labels.")] = "y_pred",
    y_score: Annotated[str | None, typer.Option("--y-score", help="Column of P(positive).")] = None,
    positive_label: Annotated[
        str | None,
        typer.Option("--positive-label", help="The class y_score is the probability of "
                     "(default: the larger of two number labels; text labels need it)."),
    ] = None,
    config: ConfigOption = None,
    intersections: IntersectionsOption = None,
    min_group_size: MinGroupOption = None,
    interval: IntervalOption = None,
    favourable_label: Annotated[
        str | None,
        typer.Option("--favourable-label", help="The class a person wants (default: positive)."),
    ] = None,
    seed: SeedOption = 0,
    mitigation_preview: MitigationFlag = None,
    missing_group: MissingFlag = None,
    batch_rows: Annotated[int, typer.Option("--batch-rows", min=1, help="Rows per batch.")] = 10**6,
    dask_scheduler: DaskOption = None,
    exit_zero: ExitZero = False,
    quiet: QuietOption = False,  # as `auditor run`'s: this audit draws no progress bar
) -> None:
    """Audit fairness and performance from a predictions file of any model."""
    with cli_errors(), lock_notes(quiet=quiet):  # the lock-wait note: on stderr, not under -q
        from auditor.provenance import hash_ahead

        hash_ahead(predictions)  # on the core the imports below leave free
        from auditor.config import AuditConfig, name_from_file  # pydantic models
        from auditor.config.predictions_file import load_predictions_config

        config_file = str(config) if config else None
        name = name_from_file(predictions)
        cfg, said = load_predictions_config(config) if config else (AuditConfig(name=name), None)
        missing_group = said if missing_group is None else missing_group
        from auditor.preflight import check_predictions  # numpy: not for a config error

        out = out or Path("reports") / name  # the file's stem, as --help says
        check_predictions(cfg, sensitive=sensitive, config_file=config_file, out=out)
        from auditor.predictions import audit as pa  # numpy, pyarrow
        from auditor.predictions.read import reduce_predictions

        cfg = pa.predictions_config(cfg, sensitive=sensitive, intersections=intersections,
                                    min_group_size=min_group_size, interval=interval,
                                    favourable_label=favourable_label,
                                    mitigation_preview=mitigation_preview)  # fmt: skip
        cols = pa.audit_columns(cfg, y_true=y_true, y_pred=y_pred, y_score=y_score,
                                sensitive=sensitive, missing_group=missing_group)  # fmt: skip
        # every argument checked: the file is read while the report code loads (no GIL held)
        reading = None if dask_scheduler else Background(
            reduce_predictions, predictions, cols, batch_rows=batch_rows,
            positive_label=positive_label, specs=pa.audited_specs(cols, cfg),
        )  # fmt: skip
        from auditor import api

        result = api.audit_predictions(
            predictions, cols, config=cfg, seed=seed, batch_rows=batch_rows, out_dir=out,
            positive_label=positive_label, dask_scheduler=dask_scheduler, reading=reading,
            flags=True,  # errors name the flags (--positive-label), not Python's arguments
            config_file=config_file,
        )  # fmt: skip
    from auditor.predictions.notes import record_notes
    from auditor.report.terminal import predictions_lines

    typer.echo(f"Model card: {terminal_exact(f'{result.run_dir}/model_card.html')}")
    typer.echo(f"Audit:      {terminal_exact(f'{result.run_dir}/audit.json')}")
    notes = record_notes(result.data, sensitive, cols.missing_group)
    for line in [*predictions_lines(result.data), *(f"Note: {note}" for note in notes)]:
        typer.echo(line)
    # the same gate lines, GitHub outputs and exit code as `auditor run` and `auditor gate`
    report_gates(result.data, config_file=config_file, exit_zero=exit_zero, out=result.run_dir,
                 set_by=fail_on_set_by(None, cfg if config else None))  # fmt: skip


def register(app: typer.Typer) -> None:
    short = "Audit fairness and performance from any model's predictions."
    app.command("audit", short_help=short)(audit)
