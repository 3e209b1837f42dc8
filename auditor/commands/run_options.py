"""The options of ``auditor run`` that take more than a line to declare (typer's ``Annotated``
forms), kept out of the command's module so it stays thin; and the note a bare ``auditor run``
prints beside the config ``auditor init`` wrote."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor.commands import MAX_SEED
from auditor.commands.params import config_argument


class Scenario(StrEnum):
    digits = "digits"
    adult = "adult"
    mnist = "mnist"


class Device(StrEnum):
    cpu = "cpu"
    cuda = "cuda"
    auto = "auto"


ConfigArgument = Annotated[Path | None, typer.Argument(
    metavar="CONFIG", help="An audit TOML file (or pyproject.toml with a tool.auditor table).",
    path_type=str, callback=config_argument,  # "" refused, not read as the working folder
)]  # fmt: skip
ScenarioOption = Annotated[Scenario | None, typer.Option(
    "--scenario", "-s", case_sensitive=False, help="A built-in scenario (default digits).",
)]  # fmt: skip
SeedOption = Annotated[int | None, typer.Option(
    "--seed", min=0, max=MAX_SEED, help="Seed for data splits and training.",
)]  # fmt: skip
DeviceOption = Annotated[Device | None, typer.Option(
    "--device", case_sensitive=False, help="cpu (default), cuda or auto.",
)]  # fmt: skip
# auditor.config.privacy.MAX_PROCESSES (AuditConfig.threads' bound; tests/commands hold them
# equal), so that --threads 0 and --threads 10**9 are refused in one wording, naming the flag.
MAX_THREADS = 1024
ThreadsOption = Annotated[int | None, typer.Option(
    "--threads", min=1, max=MAX_THREADS, help="torch threads outside training (default: free).",
)]  # fmt: skip

# What `auditor init` writes: a user who edits it and types a bare `auditor run` gets the demo.
INIT_CONFIG = Path("auditor.toml")
UNREAD_CONFIG = (
    "Note: {path} is not read: a bare `auditor run` is the digits demo "
    "(`auditor run {path}` audits that config)"
)


def unread_config_note(config: Path | None, scenario: Scenario | None) -> str | None:
    """The note for a bare ``auditor run`` (no CONFIG, no ``--scenario``) in a folder that holds
    ``auditor.toml``; None otherwise."""
    if config is None and scenario is None and INIT_CONFIG.is_file():
        return UNREAD_CONFIG.format(path=INIT_CONFIG)
    return None
