"""``auditor gate``: not implemented yet (the command is not registered)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Registers nothing until the command exists: an unknown command is a usage error."""
