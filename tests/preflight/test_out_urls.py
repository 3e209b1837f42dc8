"""An output typed as a URL (``-o s3://bucket/run``, ``-o https:/bucket/run``: a scheme, ':/',
as a read calls a URL) is refused; any other path with a colon is a local folder, written there
whole, from the command line and from Python (R1 #1, #4; R4 #3, #5).
- `-o s3://x` was written into ./s3:/x where a folder of that name was there (one an older
  auditor's `-o s3://x` made) and refused on a clean folder: it is refused either way.
- `-o https:/bucket/run` (one slash) was written locally, where the same text read was refused
  as a URL: both directions now call it one; the refusal names ./ and what was typed
  (`./backup:/r`), the way to write such a folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import auditor
from auditor.cli import exit_code_of
from auditor.commands import EXIT_BAD_INPUT
from auditor.errors import AuditorInputError

LOCAL = ["runs/10:30", "C:/x", "C:\\x", "./s3://x", "./backup:/r", "s3:x"]


def writes(typed: str) -> str:
    return ("a URL: auditor writes local files; write them here, then upload them "
            f"(./{typed} names a local folder)")  # fmt: skip


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


@pytest.fixture(params=["s3://x", "backup:/r"])
def old_run(request, frame, tmp_path, monkeypatch):
    """./s3:/x (./backup:/r) holding a run, as an older auditor's `-o s3://x` left it."""
    monkeypatch.chdir(tmp_path)
    _audit(frame, f"./{request.param}")
    record = tmp_path / Path(request.param) / "audit.json"
    before = record.read_bytes()
    yield request.param
    assert record.read_bytes() == before  # not rewritten


def test_a_url_is_refused_from_python_though_its_folder_is_there(old_run, frame):
    with pytest.raises(AuditorInputError) as err:
        _audit(frame, old_run)
    assert str(err.value) == f"{old_run}: out_dir: {writes(old_run)}"


@pytest.mark.parametrize("command", [["audit", "-p", "p.csv", "--sensitive", "g"], ["card", "r"]])
def test_a_url_is_refused_from_the_command_line_though_its_folder_is_there(
    command, old_run, frame, capsys
):
    frame.to_csv("p.csv", index=False)
    _audit(frame, "r")
    capsys.readouterr()
    assert exit_code_of([*command, "-o", old_run]) == EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"auditor: error: Invalid value for '--out' / '-o': {old_run}: "
                    f"{writes(old_run)} (see 'auditor {command[0]} --help')")  # fmt: skip


@pytest.mark.parametrize("out", ["https:/bucket/run", "s3:/x"])
def test_a_url_with_one_slash_is_refused_as_a_read_refuses_it(out, frame, tmp_path, monkeypatch,
                                                              capsys):  # fmt: skip
    """`auditor gate https:/bucket/run` is refused as a URL; `-o https:/bucket/run` was written
    to ./https:/bucket/run without a word (R4 #3). Nothing is written now."""
    monkeypatch.chdir(tmp_path)
    frame.to_csv("p.csv", index=False)
    assert exit_code_of(["audit", "-p", "p.csv", "--sensitive", "g", "-o", out]) == EXIT_BAD_INPUT
    assert f"{out}: {writes(out)}" in capsys.readouterr().err
    with pytest.raises(AuditorInputError):
        _audit(frame, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]
