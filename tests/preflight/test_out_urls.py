"""An output typed as a URL (``-o s3://bucket/run``) is refused; any other path with a colon
is a local folder, written there whole, from the command line and from Python (R1 #1, #2, #4).
- `-o s3://x` was written into ./s3:/x where a folder of that name was there (one an older
  auditor's `-o s3://x` made) and refused on a clean folder: it is refused either way.
- `-o backup:/r` (one slash, as a name ending in ':' makes it) was refused as a URL, and said
  nothing of how to get past it: it is the local folder backup:/r."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import auditor
from auditor.cli import exit_code_of
from auditor.commands import EXIT_BAD_INPUT
from auditor.errors import AuditorInputError

WRITES = ("a URL: auditor writes local files; write them here, then upload them "
          "(./s3://x names a local folder)")  # fmt: skip
LOCAL = ["runs/10:30", "C:/x", "./s3://x", "backup:/r", "Run.v2:/z"]


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"y_true": rng.integers(0, 2, 200), "y_pred": rng.integers(0, 2, 200),
                         "g": rng.choice(["a", "b"], 200)})  # fmt: skip


def _audit(frame: pd.DataFrame, out: str) -> None:
    auditor.audit_predictions(frame, y_true="y_true", y_pred="y_pred", sensitive=["g"],
                              out_dir=out)  # fmt: skip


def _holds_a_run(folder: Path) -> bool:
    return (folder / "audit.json").is_file() and (folder / "model_card.md").is_file()


@pytest.mark.parametrize("out", LOCAL)
def test_a_path_with_a_colon_is_written_locally_from_python(out, frame, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _audit(frame, out)
    assert _holds_a_run(tmp_path / out)


@pytest.mark.parametrize("out", LOCAL)
def test_a_path_with_a_colon_is_written_locally_from_the_command_line(out, frame, tmp_path,
                                                                       monkeypatch):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    frame.to_csv("p.csv", index=False)
    assert exit_code_of(["audit", "-p", "p.csv", "--sensitive", "g", "-o", out]) in (0, 1)
    assert _holds_a_run(tmp_path / out)


@pytest.fixture
def old_run(frame, tmp_path, monkeypatch):
    """./s3:/x holding a run, as an older auditor's `-o s3://x` left it."""
    monkeypatch.chdir(tmp_path)
    _audit(frame, "./s3://x")
    before = (tmp_path / "s3:" / "x" / "audit.json").read_bytes()
    yield tmp_path
    assert (tmp_path / "s3:" / "x" / "audit.json").read_bytes() == before  # not rewritten


def test_a_url_is_refused_from_python_though_its_folder_is_there(old_run, frame):
    with pytest.raises(AuditorInputError) as err:
        _audit(frame, "s3://x")
    assert str(err.value) == f"s3://x: out_dir: {WRITES}"


@pytest.mark.parametrize("command", [["audit", "-p", "p.csv", "--sensitive", "g"], ["card", "r"]])
def test_a_url_is_refused_from_the_command_line_though_its_folder_is_there(
    command, old_run, frame, capsys
):
    frame.to_csv("p.csv", index=False)
    _audit(frame, "r")
    capsys.readouterr()
    assert exit_code_of([*command, "-o", "s3://x"]) == EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"auditor: error: Invalid value for '--out' / '-o': s3://x: {WRITES} "
                    f"(see 'auditor {command[0]} --help')")  # fmt: skip
