"""`auditor audit` starts in a blink (issue 15 item 4): the predictions path imports neither
torch, scikit-learn, scipy nor pandas, and the ThresholdOptimizer preview (fairlearn, on
scikit-learn) is off there unless asked for, saying so and how to turn it on."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditor.config import AuditConfig, FairnessConfig
from auditor.predictions.audit import PREVIEW_OFF, predictions_config
from tests.builders import predictions_csv

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "sklearn", "scipy", "pandas", "fairlearn", "statsmodels", "captum")
CHILD = """
import sys
from auditor.cli import exit_code_of
code = exit_code_of(sys.argv[1:])
print("loaded:", ",".join(m for m in {heavy!r} if m in sys.modules) or "none")
sys.exit(code)
"""
ARGS = ["--sensitive", "sex", "--sensitive", "region", "--y-true", "label", "--y-pred", "pred",
        "--y-score", "score", "--positive-label", "approved", "--exit-zero"]  # fmt: skip


def test_predictions_audit_imports_no_heavy_library_and_skips_the_preview(tmp_path):
    path = predictions_csv(tmp_path, n=3000)
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD.format(heavy=HEAVY)), "audit", "-p",
         str(path), *ARGS, "--out", str(tmp_path / "out")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert child.returncode == 0, child.stderr
    assert "loaded: none" in child.stdout
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert audit["fairness"]["mitigation"] == {"status": "not_run", "reason": PREVIEW_OFF}
    assert "--mitigation-preview" in PREVIEW_OFF and "mitigation_preview = true" in PREVIEW_OFF
    card = (tmp_path / "out" / "model_card.md").read_text()
    assert "--mitigation-preview" in card.replace("\\-", "-")


@pytest.mark.parametrize(
    ("configured", "flag", "expected"),
    [("auto", None, "auto"), ("auto", True, True), (True, None, True), (True, False, False)],
)
def test_the_flag_overrides_the_config_and_auto_stays_auto(configured, flag, expected):
    config = AuditConfig(fairness=FairnessConfig(mitigation_preview=configured))
    got = predictions_config(config, sensitive=["sex"], mitigation_preview=flag)
    assert got.fairness.mitigation_preview == expected


def test_auto_is_the_default():
    """A trained run reads "auto" as on (tests/checks/test_fairness.py: the digits preview)."""
    assert FairnessConfig().mitigation_preview == "auto"


def test_the_command_line_loads_no_pydantic_numpy_or_pyarrow_before_a_command_runs():
    """``auditor --help`` and the first steps of every command: typer and light modules only
    (pydantic, numpy and pyarrow load inside the command that needs them)."""
    code = (
        "import sys, auditor.cli\n"
        "print(','.join(m for m in ('pydantic', 'numpy', 'pyarrow', 'jinja2', 'auditor.config',"
        " 'auditor.gates') if m in sys.modules) or 'none')\n"
    )
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=300, env=env)  # fmt: skip
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "none"


def test_the_seed_range_of_the_command_line_is_the_seeding_one():
    from auditor.commands import MAX_SEED
    from auditor.config import MAX_SEED as CONFIG_MAX_SEED
    from auditor.seeding import MAX_SEED as SEEDING_MAX_SEED

    assert MAX_SEED == SEEDING_MAX_SEED == CONFIG_MAX_SEED


def test_a_parquet_audit_without_a_score_loads_no_pyarrow_compute(tmp_path):
    """pyarrow.compute takes a tenth of a second to import (its kernels' registry): a Parquet
    file whose labels need no merging is read and counted without it (issue 15: Parquet
    without a score against a bare read)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 400
    table = pa.table({"label": [i % 2 for i in range(rows)],
                      "pred": [i % 3 % 2 for i in range(rows)],
                      "sex": ["f", "m"] * (rows // 2),
                      "region": ["n", "s", "e", "w"] * (rows // 4)})  # fmt: skip
    pq.write_table(table, tmp_path / "preds.parquet")
    code = CHILD.format(heavy=(*HEAVY, "pyarrow.compute"))
    args = ["audit", "-p", str(tmp_path / "preds.parquet"), "--sensitive", "sex", "--sensitive",
            "region", "--y-true", "label", "--y-pred", "pred", "--out", str(tmp_path / "out"),
            "--exit-zero"]  # fmt: skip
    child = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300,
                           env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                "HOME": str(tmp_path)})  # fmt: skip
    assert child.returncode == 0, child.stderr
    assert "loaded: none" in child.stdout
