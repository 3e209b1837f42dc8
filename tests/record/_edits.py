"""An audit.json edited by hand and read back: the edit written beside the original, and each
reader (``auditor gate``, ``card``, ``diff`` and ``AuditResult.load``) refusing it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from auditor.api import AuditResult
from auditor.cli import app
from auditor.errors import AuditorInputError

runner = CliRunner()


def set_at(audit: Any, keys: tuple, value: Any) -> None:
    """``audit[keys[0]][keys[1]]...[keys[-1]] = value``."""
    node = audit
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value


def write_edited(audit: dict, tmp_path: Path) -> Path:
    """``audit`` written as tmp_path/edited/audit.json."""
    edited = tmp_path / "edited" / "audit.json"
    edited.parent.mkdir()
    edited.write_text(json.dumps(audit))
    return edited


def assert_refused(edited: Path, original: Path, tmp_path: Path, field: str, words: str) -> None:
    """``auditor gate``, ``card`` and ``diff`` (against ``original``) each refuse ``edited``:
    exit 2, one line naming the file and ``field`` with ``words``, nothing written; and
    ``AuditResult.load`` names ``field``."""
    diff = ["diff", str(edited), str(original)]
    for args in (["gate", str(edited)], ["card", str(edited)], diff):
        out = tmp_path / f"out-{args[0]}"
        result = runner.invoke(app, [*args, "--out", str(out)])
        assert result.exit_code == 2, result.output
        line = result.output.strip()
        assert "\n" not in line and f"{field}: " in line and words in line, line
        assert str(edited) in line and not out.exists()
    with pytest.raises(AuditorInputError) as caught:
        AuditResult.load(edited)
    assert caught.value.field.endswith(field)
