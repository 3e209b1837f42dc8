"""The diff tests' runs: two small digits runs (seeds 1 and 2), made once a session."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from auditor.cli import app

runner = CliRunner()

SMALL = """
name = "diff"
[pretrain]
epochs = 10
[finetune]
epochs = 30
[privacy]
n_reference = 2
n_canaries = 10
"""


@pytest.fixture(scope="session")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("diff")
    cfg = base / "a.toml"
    cfg.write_text(SMALL)
    outs = []
    for seed in (1, 2):
        out = base / f"seed{seed}"
        args = ["run", str(cfg), "--out", str(out), "--seed", str(seed), "--quiet", "--exit-zero"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        outs.append(out)
    return outs
