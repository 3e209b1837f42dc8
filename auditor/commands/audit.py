"""``auditor audit --predictions FILE --sensitive COL ...``: the model-agnostic audit.

Fairness and performance of any model from a CSV or Parquet of its predictions; see
:func:`auditor.api.audit_predictions`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from auditor.commands import cli_errors
from auditor.commands.gate import ExitZero, report_gates
from auditor.config import MAX_SEED, AuditConfig, load_config
from auditor.preflight import check_predictions
from auditor.report.escape import terminal_text

MitigationFlag = Annotated[
    bool | None,
    typer.Option(
        "--mitigation-preview/--no-mitigation-preview",
        help="fairlearn's ThresholdOptimizer preview (default: off, or the config's).",
        show_default=False,
    ),
]


def audit(
    predictions: Annotated[Path, typer.Option("--predictions", "-p", help="CSV or Parquet file.")],
    sensitive: Annotated[list[str], typer.Option("--sensitive", help="Sensitive column (repeat).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run folder (default reports/<file stem>).")
    ] = None,
    y_true: Annotated[str, typer.Option("--y-true", help="Column of true labels.")] = "y_true",
    y_pred: Annotated[str, typer.Option("--y-pred", help="Column of predicted labels.")] = "y_pred",
    y_score: Annotated[str | None, typer.Option("--y-score", help="Column of P(positive).")] = None,
    positive_label: Annotated[
        str | None,
        typer.Option("--positive-label", help="Positive class (default: the larger label)."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="An audit TOML file; its fairness and gates tables apply."),
    ] = None,
    intersections: Annotated[
        str | None, typer.Option("--intersections", help="pairs (default) or none.")
    ] = None,
    min_group_size: Annotated[int | None, typer.Option("--min-group-size", min=1)] = None,
    interval: Annotated[
        str | None, typer.Option("--interval", help="wilson (default), jeffreys, clopper-pearson.")
    ] = None,
    favourable_label: Annotated[
        str | None,
        typer.Option("--favourable-label", help="The class a person wants (default: positive)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED)] = 0,
    mitigation_preview: MitigationFlag = None,
    batch_rows: Annotated[int, typer.Option("--batch-rows", min=1, help="Rows per batch.")] = 10**6,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            "--dask-scheduler",
            help="Reduce per Dask partition with this scheduler: threads, processes, "
            "synchronous or a distributed address (tcp://host:8786).",
        ),
    ] = None,
    exit_zero: ExitZero = False,
) -> None:
    """Audit fairness and performance from a predictions file of any model."""
    with cli_errors():
        config_file = str(config) if config else None
        cfg = load_config(config) if config is not None else AuditConfig(name=predictions.stem)
        out = out or Path("reports") / (cfg.name or predictions.stem)
        check_predictions(cfg, sensitive=sensitive, config_file=config_file, out=out)
        from auditor import api  # numpy, pandas, pyarrow: only once the input is known good
        from auditor.predictions.read import Columns

        cfg = api.predictions_config(cfg, sensitive=sensitive, intersections=intersections,
                                     min_group_size=min_group_size, interval=interval,
                                     favourable_label=favourable_label,
                                     mitigation_preview=mitigation_preview)  # fmt: skip
        cols = Columns(y_true=y_true, y_pred=y_pred, y_score=y_score, sensitive=tuple(sensitive))
        result = api.audit_predictions(
            predictions, cols, config=cfg, seed=seed, batch_rows=batch_rows,
            out_dir=out,
            positive_label=positive_label, dask_scheduler=dask_scheduler,
        )  # fmt: skip
    typer.echo(f"Model card: {result.run_dir}/model_card.html")
    typer.echo(f"Audit:      {result.run_dir}/audit.json")
    fair = result.data["fairness"]
    read_s = result.data["run"]["timings_s"]["read_counts"]
    typer.echo(f"Rows: {fair['n']:,}; read in {read_s:.2f} s")
    if fair["positive_class"] is not None:
        side = "favourable" if fair["positive_favourable"] else "unfavourable"
        typer.echo(f"Positive class: {terminal_text(fair['positive_class'])} ({side})")
    for name, feature in fair["features"].items():
        typer.echo(terminal_text(_feature_line(name, feature)))  # labels are the data's text
    # the same gate lines, GitHub outputs and exit code as `auditor run` and `auditor gate`
    report_gates(result.data, config_file=config_file, exit_zero=exit_zero)


def _feature_line(name: str, feature: dict[str, Any]) -> str:
    disparities = feature["disparities"]
    d = disparities.get("demographic_parity_difference") or next(iter(disparities.values()))
    b = d["between_groups"]
    if b["status"] != "ok":
        return f"  {name}: {b['status']} ({b['reason']})"
    return (
        f"  {name}: DP difference {b['value']:.3f} [{b['ci_low']:.3f}, {b['ci_high']:.3f}], "
        f"worst-off {b['worst_group']}; {feature['n_insufficient']} of {feature['n_groups']} "
        "groups insufficient"
    )


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
