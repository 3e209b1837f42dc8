"""The one small digits run whose privacy section the read-back tests of tests/record edit
(attacks, per class, per stage, groups, canaries), run once a session."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from auditor.cli import app

SMALL = ('name = "attacks"\n[pretrain]\nepochs = 5\n[finetune]\nepochs = 10\n'
         "[privacy]\nn_reference = 2\n")  # fmt: skip


@pytest.fixture(scope="session")
def privacy_audit(tmp_path_factory):
    """audit.json of a small digits run with every privacy probe (read it, never write it)."""
    base = tmp_path_factory.mktemp("attacks")
    (base / "a.toml").write_text(SMALL)
    args = ["run", str(base / "a.toml"), "--out", str(base / "run"), "--quiet", "--exit-zero"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return base / "run" / "audit.json"
