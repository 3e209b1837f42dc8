"""A path or an argument holding bytes that are not UTF-8 (Python holds each as a lone
surrogate, 'c\\udcff.csv'): never a traceback (exit 1 is a failed gate's alone). The crash log
wrote the command line as strict UTF-8 and failed in its turn (R9 #7); the predictions reader,
audit.json and the cards could not take such a path either."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from auditor import commands
from auditor.cli import exit_code_of
from auditor.commands import EXIT_BAD_INPUT
from auditor.run_folder import read_audit
from tests.builders import PREDICTION_ARGS, predictions_csv

NOT_UTF8 = os.fsdecode(b"c\xff")  # 'c\udcff'


def test_a_crash_log_takes_a_command_line_that_is_not_utf8(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["auditor", "audit", "-p", f"{NOT_UTF8}.csv"])
    assert commands.exit_for(RuntimeError(f"boom {NOT_UTF8}")) == EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("auditor: internal error: RuntimeError: boom c\\udcff;")
    log = Path(line.rsplit("traceback in ", 1)[1])
    text = log.read_text(encoding="utf-8")
    log.unlink()
    assert "command: auditor audit -p c\\udcff.csv" in text and "boom c\\udcff" in text


def test_an_audit_of_a_file_and_folder_named_not_utf8_is_written_and_read_back(
    tmp_path, monkeypatch, capsys
):
    csv = predictions_csv(tmp_path, n=300)
    data = csv.rename(tmp_path / f"{NOT_UTF8}.csv")
    out = tmp_path / f"run-{NOT_UTF8}"
    args = ["audit", "-p", str(data), *PREDICTION_ARGS, "-o", str(out), "-q"]
    monkeypatch.setattr(sys, "argv", ["auditor", *args])
    assert exit_code_of(args) == 0, capsys.readouterr().err
    audit, _ = read_audit(out / "audit.json")  # no lone surrogate: it reads back
    assert f"-o $'{tmp_path}/run-c\\xff'" in audit["run"]["command"]
    card = (out / "model_card.md").read_text(encoding="utf-8")
    assert "c\\udcff.csv" in card  # shown as the terminal shows it
    assert exit_code_of(["gate", str(out)]) == 0


def test_the_command_line_says_one_line_for_a_path_not_utf8(tmp_path):
    """As a user runs it: a missing file named so is one line, exit 2."""
    name = os.fsencode(tmp_path) + b"/c\xff.csv"
    done = subprocess.run([sys.executable, "-m", "auditor", "audit", "-p", name,
                           *PREDICTION_ARGS], capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == EXIT_BAD_INPUT
    [line] = done.stderr.decode().splitlines()
    assert line.endswith("c\\udcff.csv: no such file") and b"Traceback" not in done.stderr
