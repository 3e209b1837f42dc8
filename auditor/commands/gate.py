"""``auditor gate RUN_DIR``: re-evaluate the gates from ``audit.json`` alone (same or new
config), rewrite the gates section, junit.xml, summary.md and the card, without retraining."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from auditor.commands import EXIT_GATE_FAILED, cli_errors


class FailOn(StrEnum):
    failure = "failure"
    warning = "warning"


FAIL_ON_HELP = "'warning': warnings (insufficient data, not run) fail the gate too."
BASELINE_HELP = (
    "A previous audit.json (or run folder): no gated metric may worsen beyond tolerance."
)


def gates_overrides(
    gates, *, fail_on: FailOn | None, baseline: Path | None, config_file: Path | None = None
):
    """The gates config with the command line's --fail-on / --baseline applied. The baseline
    (from the command line, or the config's, relative to the config file) is read and
    validated now, so a bad one is exit 2 before any work."""
    from auditor.gates import load_baseline

    update: dict[str, Any] = {}
    if fail_on is not None:
        update["fail_on"] = fail_on.value
    if baseline is not None:
        load_baseline(baseline)
        update["baseline"] = baseline.resolve()
    elif gates.baseline is not None:
        base = config_file.parent if config_file is not None else None
        path = gates.baseline
        if not path.is_absolute() and base is not None and (base / path).exists():
            path = base / path
        load_baseline(path)
        update["baseline"] = path.resolve()
    return gates.model_copy(update=update) if update else gates


def report_gates(audit: dict[str, Any], *, config_file: str | None, exit_zero: bool) -> None:
    """Print the gate lines, publish GitHub outputs (under Actions), exit 1 on failure."""
    from auditor.gates import exit_code, gate_lines
    from auditor.report.summary import publish_github, render_summary

    gates = audit["gates"]
    for line in gate_lines(gates):
        typer.echo(line)
    publish_github(audit, render_summary(audit), config_file=config_file)
    if exit_code(gates) and not exit_zero:
        raise typer.Exit(EXIT_GATE_FAILED)


def gate(
    run_dir: Annotated[Path, typer.Argument(help="A run folder (or its audit.json).")],
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Audit TOML whose gates table to use (default: the run's)."
        ),
    ] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help=BASELINE_HELP)] = None,
    fail_on: Annotated[FailOn | None, typer.Option("--fail-on", help=FAIL_ON_HELP)] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Report failed gates but exit 0.")
    ] = False,
) -> None:
    """Re-evaluate gates from audit.json alone; exit 0 pass, 1 a gate failed, 2 bad input."""
    from auditor.config import GatesConfig, load_config
    from auditor.errors import AuditorInputError
    from auditor.gates import evaluate_gates
    from auditor.io import atomic_write_json, staged_dir
    from auditor.report import render_all
    from auditor.result import AuditResult, validate_audit

    with cli_errors():
        result = AuditResult.load(run_dir)
        audit = dict(result.data)
        if config is not None:
            gates_cfg = load_config(config).gates
            config_file = str(config)
        else:
            try:
                gates_cfg = GatesConfig.model_validate(audit["config"].get("gates", {}))
            except ValueError as exc:
                raise AuditorInputError(
                    f"invalid gates config ({exc.errors()[0]['msg']})",
                    source=str(result.run_dir / "audit.json"),
                    field="config.gates",
                ) from None
            config_file = (audit.get("gates") or {}).get("config_file") or audit["run"].get(
                "config_file"
            )
        gates_cfg = gates_overrides(
            gates_cfg, fail_on=fail_on, baseline=baseline, config_file=config
        )
        audit["gates"] = evaluate_gates(audit, gates_cfg, config_file=config_file)
        audit["config"] = {**audit["config"], "gates": gates_cfg.model_dump(mode="json")}
        validate_audit(audit, source=str(result.run_dir / "audit.json"))
        with staged_dir(result.run_dir) as stage:
            atomic_write_json(stage / "audit.json", audit)
            render_all(audit, stage)
        if audit["gates"].get("status") != "ok":
            # No gates: a junit.xml from an earlier evaluation would report stale verdicts.
            (result.run_dir / "junit.xml").unlink(missing_ok=True)
    typer.echo(f"Gates re-evaluated: {result.run_dir / 'audit.json'}")
    report_gates(audit, config_file=config_file, exit_zero=exit_zero)


def register(app: typer.Typer) -> None:
    app.command("gate")(gate)
