"""``auditor gate RUN_DIR``: re-evaluate the gates from ``audit.json`` alone (same or new
config) into a new folder; the run itself is evidence and is never rewritten."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from auditor.commands import EXIT_GATE_FAILED, cli_errors
from auditor.commands.params import RunDirArgument, audit_path, config_path, folder_path
from auditor.runtime import lock_notes


class FailOn(StrEnum):
    failure = "failure"
    warning = "warning"


FAIL_ON_HELP = "'warning': warnings (insufficient data, not run) fail the gate too."
# The option of every command that gates (run, audit, gate): report failed gates, exit 0.
ExitZero = Annotated[bool, typer.Option("--exit-zero", help="Report failed gates but exit 0.")]
# run's and gate's --fail-on ('Warning' is 'warning', as --scenario's and --format's choices)
FailOnOption = Annotated[
    FailOn | None, typer.Option("--fail-on", case_sensitive=False, help=FAIL_ON_HELP)
]
BASELINE_HELP = (
    "A previous audit.json (or run folder): no gated metric may worsen beyond tolerance."
)
EXIT_ZERO = "Gates failed; exit 0 (--exit-zero)"


def fail_on_set_by(flag: FailOn | None, config: Any = None) -> str | None:
    """What this command's user wrote to make warnings fail, for the verdict line: the flag,
    else the key in the config this command read (``config``); None: audit.json's fail_on."""
    if flag is not None:
        return f"--fail-on {flag.value}"
    return "fail_on = warning" if config is not None and config.gates.fail_on == "warning" else None


def report_gates(
    audit: dict[str, Any], *, config_file: str | None, exit_zero: bool, out: Path | None = None,
    set_by: str | None = None,
) -> None:  # fmt: skip
    """Print the gate lines (their verdict is the exit code's; ``set_by``: what this command's
    user wrote to make warnings fail, from :func:`fail_on_set_by`),
    publish GitHub outputs (under Actions; ``out``: the folder of this summary.md), exit 1
    on failure."""
    from auditor.gates import exit_code  # the library: loaded by the command, not at start-up
    from auditor.report.github import publish_github
    from auditor.report.summary import render_summary
    from auditor.report.terminal import gate_lines

    gates = audit["gates"]
    for line in gate_lines(gates, audit=audit, set_by=set_by):
        typer.echo(line)
    summary = out / "summary.md" if out else None
    publish_github(audit, lambda: render_summary(audit), config_file=config_file,
                   summary_path=summary)  # fmt: skip
    failed = exit_code(gates) != 0
    if failed and exit_zero:
        typer.echo(EXIT_ZERO)
    elif failed:
        raise typer.Exit(EXIT_GATE_FAILED)


def gate(
    run_dir: RunDirArgument,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Audit TOML whose gates table to use (default: the run's).",
            parser=config_path, metavar="<path>",
        ),
    ] = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help=BASELINE_HELP, parser=audit_path, metavar="<path>",
    )] = None,  # fmt: skip
    fail_on: FailOnOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the verdict (default: RUN_DIR.gate-<time>).",
                     parser=folder_path, metavar="<path>"),  # fmt: skip
    ] = None,
    exit_zero: ExitZero = False,
) -> None:
    """Re-evaluate gates from audit.json alone; exit 0 pass, 1 a gate failed, 2 bad input
    (the first found of: --config, RUN_DIR's audit.json, --out, the baseline)."""
    with cli_errors(), lock_notes(quiet=False):  # the lock-wait note on stderr
        read = None
        if config is not None:  # read first, as regate does, but before the api's imports
            from auditor.config.predictions_file import load_predictions_config

            read = load_predictions_config(config)[0]  # its error in 0.4-0.7 s, not 1.5
        from auditor import api  # loads torch (the audit's record types and checks)

        result = api.regate(
            run_dir,
            config=read,  # read once: regate takes it as read from config_file
            config_file=config,
            fail_on=fail_on.value if fail_on else None,
            baseline=baseline,
            out_dir=out,
            flags=True,  # errors name --out, --baseline, --config
        )
    from auditor.report.escape import terminal_exact  # a folder name may hold ESC or "\n"

    where = terminal_exact(f"{result.run_dir}/audit.json")
    typer.echo(f"Gates re-evaluated: {where} (the run is unchanged)")
    config_file = str(config) if config else result.data["gates"].get("config_file")
    report_gates(result.data, config_file=config_file, exit_zero=exit_zero, out=result.run_dir,
                 set_by=fail_on_set_by(fail_on, read))  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("gate", short_help="Judge a run's gates again from its audit.json.")(gate)
