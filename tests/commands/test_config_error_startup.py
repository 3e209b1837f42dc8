"""A config error answers in a blink (issue 15: under 1 s): ``auditor run`` and ``auditor audit
--config`` refuse a bad config before the preflight loads numpy and the gates (0.19 s of CPU
where it was 0.37-0.42 s)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LATER = ("numpy", "pandas", "torch", "auditor.preflight", "auditor.gates")
CHILD = """
import sys
from auditor.cli import exit_code_of
code = exit_code_of(sys.argv[1:])
print("loaded:", ",".join(m for m in {later!r} if m in sys.modules) or "none")
sys.exit(code)
"""


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("sede = 3\n", ["run", "bad.toml"]),
        ('[data]\nsource = "table"\nsensitive = "sex"\n', ["run", "bad.toml"]),
        ("sede = 3\n", ["audit", "-p", "preds.csv", "--sensitive", "sex", "--config", "bad.toml"]),
    ],
)
def test_a_config_error_loads_neither_numpy_nor_the_preflight(text, args, tmp_path):
    (tmp_path / "bad.toml").write_text(text)
    (tmp_path / "preds.csv").write_text("y_true,y_pred,sex\n1,1,F\n")
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD.format(later=LATER)), *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert child.returncode == 2, child.stderr
    [line] = child.stderr.splitlines()
    assert line.startswith("auditor: error: bad.toml: "), line
    assert "loaded: none" in child.stdout, child.stdout
