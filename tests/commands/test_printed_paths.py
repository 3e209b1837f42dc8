"""What ``auditor gate`` and ``auditor card`` print is one line a terminal (or a CI log) shows
as text per path: an --out folder whose name holds ESC or a line break (a CI variable put
into it) printed the bytes raw, a colour code or a second line that could start a workflow
command."""

from __future__ import annotations

import pytest

from auditor.cli import exit_code_of
from tests.builders import predictions_audit


@pytest.mark.parametrize("command", ["gate", "card"])
def test_printed_paths_are_terminal_text(tmp_path, capsys, command):
    predictions_audit(tmp_path, n=600)
    out = tmp_path / "out\x1b[31m\n::error::x"
    assert exit_code_of([command, str(tmp_path / "run"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert (out / "audit.json").is_file()
    assert "\x1b" not in printed and "\n::error" not in printed
    assert "out\\u001b[31m\\u000a" in printed  # as every writer shows a path (R6 #4)


def test_diff_prints_its_out_file_as_terminal_text(tmp_path, capsys):
    predictions_audit(tmp_path, n=600)
    run = str(tmp_path / "run")
    out = tmp_path / "diff\x1b[31m\n::error::x.md"
    assert exit_code_of(["diff", run, run, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert out.is_file() and "\x1b" not in printed and "\n::error" not in printed
