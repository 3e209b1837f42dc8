"""``auditor run [CONFIG]``: train, fine-tune, audit and write the run folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.commands import QuietOption, cli_errors, echo_table
from auditor.commands.gate import BASELINE_HELP, FailOnOption, fail_on_set_by, report_gates
from auditor.commands.params import audit_path, folder_path
from auditor.commands.run_options import (
    ConfigArgument,
    DeviceOption,
    Scenario,
    ScenarioOption,
    SeedOption,
    ThreadsOption,
    unread_config_note,
)
from auditor.errors import AuditorInputError
from auditor.numbers import fmt_num
from auditor.report.escape import terminal_exact, terminal_text
from auditor.runtime import lock_notes

if TYPE_CHECKING:
    from auditor.api import AuditResult

CONFIG_AND_SCENARIO = "give a CONFIG file or --scenario, not both"


def run(
    config: ConfigArgument = None,
    scenario: ScenarioOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run folder (default reports/<name>).",
                                  parser=folder_path, metavar="<path>")
    ] = None,
    seed: SeedOption = None,
    device: DeviceOption = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Report failed gates but exit 0.")
    ] = False,
    quiet: QuietOption = False,
    threads: ThreadsOption = None,
    fail_on: FailOnOption = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help=BASELINE_HELP, parser=audit_path, metavar="<path>",
    )] = None,  # fmt: skip
) -> None:
    """Pretrain, fine-tune, audit and write the model card. With no argument: digits.

    To audit your own table or model, `auditor init` writes a commented config
    (auditor.toml) to start from: `auditor init && auditor run auditor.toml`.
    """
    config_file = str(config) if config else None
    note = unread_config_note(config, scenario)
    if note:  # before the demo's seconds of training, so that a Ctrl-C saves them
        typer.echo(note, err=True)
    with cli_errors(), lock_notes(quiet=quiet):  # the lock-wait note: on stderr, not under -q
        from auditor.config import default_config, load_config  # pydantic: not for --help

        if config is not None and scenario is not None:
            raise AuditorInputError(CONFIG_AND_SCENARIO, field="--scenario")
        cfg = (
            load_config(config)
            if config is not None
            else default_config((scenario or Scenario.digits).value)
        )
        cfg = cfg.with_overrides(
            seed=seed, device=device.value if device else None, threads=threads
        )
        from auditor.preflight import check_run  # numpy, the gates: not for a config error

        # rules, features, data, groups, splits, --out, factory: all before torch loads
        check_run(cfg, config_file=config_file, out=out or Path("reports") / cfg.run_name)
        from auditor import api  # loads torch: only once the config is known to be good

        set_by = fail_on_set_by(fail_on, cfg if config is not None else None)
        gates = api.gate_options(cfg.gates, fail_on=fail_on.value if fail_on else None,
                                 baseline=baseline)  # read back by api.run  # fmt: skip
        cfg = cfg.model_copy(update={"gates": gates})
        result = api.run(cfg, out_dir=out, config_file=config_file, progress=not quiet,
                         flags=True)  # errors name --out  # fmt: skip
    _print_summary(result)
    report_gates(result.data, config_file=config_file, exit_zero=exit_zero, out=result.run_dir,
                 set_by=set_by)  # fmt: skip


def _print_summary(result: AuditResult) -> None:
    typer.echo(f"Model card: {terminal_exact(f'{result.run_dir}/model_card.html')}")
    typer.echo(f"Audit:      {terminal_exact(f'{result.run_dir}/audit.json')}")
    rows = [(k.replace("_", " "), fmt_num(v)) for k, v in result.headline().items()]
    typer.echo(result.headline_title())
    echo_table(rows)
    headline = result.headline_rows()
    if headline:
        typer.echo("Fairness gaps and privacy (value [interval] n):")
        echo_table(headline)
    for name in ("fairness", "privacy", "explanations", "transparency"):
        part = result.data[name]
        if part.get("status") != "ok":
            typer.echo(f"  {name}: not run ({terminal_text(part.get('reason'))})")


def register(app: typer.Typer) -> None:
    app.command("run")(run)
