"""Reading an audit back names what is wrong with its path: a link loop is not "no such file"
(``Path.is_file`` and ``exists`` answer False for it), and a refused ``--out`` leaves no
folder behind."""

from __future__ import annotations

import pytest

from auditor.errors import AuditorInputError
from auditor.run_folder import read_audit


def test_a_link_loop_says_it_cannot_be_read(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(AuditorInputError, match="cannot read .*symbolic links"):
        read_audit(tmp_path / "a")


def test_a_missing_file_and_a_device_say_so(tmp_path):
    with pytest.raises(AuditorInputError, match="no such file"):
        read_audit(tmp_path / "nothing.json")
    with pytest.raises(AuditorInputError, match="not a regular file"):
        read_audit("/dev/null")


def test_an_out_through_a_link_loop_is_one_line_and_nothing_is_written(tmp_path):
    """exists() and is_dir() answer False on a loop of links, so such an --out passed the
    checks and crashed making the folder (FileExistsError; RuntimeError from resolve() in
    auditor card and gate)."""
    from typer.testing import CliRunner

    from auditor.cli import app
    from tests.builders import PREDICTION_ARGS, predictions_csv

    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    csv = predictions_csv(tmp_path)
    run = tmp_path / "run"
    assert CliRunner().invoke(app, ["audit", "-p", str(csv), *PREDICTION_ARGS, "--out",
                                    str(run), "--exit-zero"]).exit_code == 0  # fmt: skip
    before = sorted(p.name for p in tmp_path.iterdir())
    for args in (["audit", "-p", str(csv), *PREDICTION_ARGS], ["card", str(run)],
                 ["gate", str(run)]):  # fmt: skip
        result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "a" / "x")])
        lines = result.output.strip().splitlines()
        assert result.exit_code == 2 and len(lines) == 1, result.output
        assert "--out: Too many levels of symbolic links" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
