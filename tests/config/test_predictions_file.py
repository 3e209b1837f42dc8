"""config.predictions_file: auditor audit's and auditor gate's --config."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from auditor.cli import app

PYPROJECT = '[project]\nname = "p"\n'


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("nope.toml", None, "no such file"),
        ("empty.toml", "", "holds no setting (empty, or comments only)"),
        ("pyproject.toml", PYPROJECT, "no [tool.auditor] table"),
    ],
)
def test_a_refused_config_file_names_the_flag_in_audit_as_in_gate(tmp_path, name, text, said):
    """`auditor gate --config` named --config in a refusal of the file as a whole where
    `auditor audit --config` did not: both name the flag that gave the file now."""
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    preds = tmp_path / "p.csv"
    preds.write_text("y_true,y_pred,g\n1,1,a\n0,0,b\n", encoding="utf-8")
    audit = CliRunner().invoke(app, ["audit", "-p", str(preds), "--sensitive", "g", "--config",
                                     str(path), "--out", str(tmp_path / "a")])  # fmt: skip
    assert audit.exit_code == 2, audit.output
    assert f"auditor: error: {path}: --config: {said}" in audit.output, audit.output
    assert not (tmp_path / "a").exists()
