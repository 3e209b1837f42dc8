"""``audit_predictions`` given a path as a notebook writes it: ``~/preds.csv`` (pandas'
readers expand it) and a URL (``s3://``), which auditor does not fetch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor.api import audit_predictions
from auditor.config.paths import model_file
from auditor.errors import AuditorInputError
from tests.builders import predictions_csv

KW = {"y_true": "label", "y_pred": "pred", "sensitive": ["sex"], "positive_label": "approved"}


def test_a_path_under_home_written_with_a_tilde_is_read(tmp_path, monkeypatch):
    """'~/preds.csv' was 'no such file' (read as a folder named '~'), where pandas reads it."""
    monkeypatch.setenv("HOME", str(tmp_path))
    predictions_csv(tmp_path, n=300)
    result = audit_predictions("~/preds.csv", **KW)
    assert result.data["fairness"]["source"]["file"] == str(tmp_path / "preds.csv")
    assert result.data["data"]["splits"]["test"]["n_rows"] == 300


@pytest.mark.parametrize("url", ["s3://bucket/preds.parquet", "https://example.org/p.csv"])
@pytest.mark.parametrize("kind", [str, Path])
def test_a_url_is_one_line_saying_to_download_it(url, kind):
    """A URL was 's3:/bucket/preds.parquet: no such file' (a path, one slash lost); then
    's3:/bucket/...: a URL' for the text too. Text is shown as written; a Path keeps one
    slash (Python's Path drops the other), and is a URL all the same."""
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(kind(url), **KW)
    shown = f"{url}: source" if kind is str else str(Path(url))  # text: io.read_path's check
    assert str(err.value) == f"{shown}: a URL: auditor reads a local file; download it first"


def test_the_command_line_says_a_url_is_to_be_downloaded(tmp_path):
    run = subprocess.run([sys.executable, "-m", "auditor", "audit", "-p", "s3://b/preds.csv",
                          "--sensitive", "sex", "-o", str(tmp_path / "out")],
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines() == [  # as typed: it was shown 's3:/b/preds.csv'
        "auditor: error: Invalid value for '--predictions' / '-p': s3://b/preds.csv: a URL: "
        "auditor reads a local file; download it first (see 'auditor audit --help')"
    ]
    assert not (tmp_path / "out").exists()


def test_a_model_path_that_is_a_url_says_so_too():
    with pytest.raises(AuditorInputError, match="model.path: a URL: auditor reads a local file"):
        model_file(Path("https://example.org/model.pt"))


def test_a_home_of_no_user_is_one_line_naming_the_file_argument():
    """``~name`` of no such user: pathlib raised RuntimeError, an internal error in auditor
    audit and a bare RuntimeError in Python (found by a reader)."""
    import pytest
    from typer.testing import CliRunner

    import auditor
    from auditor.cli import app
    from auditor.errors import AuditorInputError

    result = CliRunner().invoke(app, ["audit", "-p", "~nouser_zz9/x.csv", "--sensitive", "s"])
    assert result.exit_code == 2  # as the parser refuses -p (io.as_path, every path's '~' rule)
    assert result.output.strip().endswith(
        "Error: Invalid value for '--predictions' / '-p': ~nouser_zz9 names no home folder on "
        "this machine (write the folder out)"
    ), result.output
    with pytest.raises(AuditorInputError, match="^source: ~nouser_zz9 names no home"):
        auditor.audit_predictions("~nouser_zz9/x.csv", sensitive=["s"])


@pytest.mark.parametrize("blank", ["", "  "])
def test_an_empty_path_is_one_line_naming_source(blank, tmp_path, monkeypatch):
    """"" was read as the working folder: "part notes.txt is neither Parquet nor CSV", of a
    folder never named (auditor audit -p "" says what this says)."""
    (tmp_path / "notes.md").write_text("x")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(blank, **KW, out_dir="run")
    assert str(err.value) == "source: an empty path: name a predictions file or folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md"]
