"""No audit writes a new run folder inside another run's folder: ``auditor audit -o C/sub``,
``auditor run CONFIG -o C/sub`` and the API's ``out_dir`` are refused before any work (exit 2,
one line naming --out and the run folder), as gate, card and diff refuse their --out there."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from auditor import api
from auditor.cli import app
from auditor.errors import AuditorInputError
from auditor.preflight import check_out_dir
from auditor.preflight.run_place import IN_OTHER_RUN, is_run_folder
from tests.builders import folder_bytes, predictions_frame, refusal_line

runner = CliRunner()
ARGS = ["--sensitive", "sex", "--y-true", "label", "--y-pred", "pred",
        "--positive-label", "approved", "--exit-zero"]  # fmt: skip
WORDS = IN_OTHER_RUN.format(folder=repr("c"), field="--out")


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A working folder with preds.csv and a predictions run folder, c."""
    monkeypatch.chdir(tmp_path)
    predictions_frame(n=600).to_csv(tmp_path / "preds.csv", index=False)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "audit.json").write_text(json.dumps({"run": {"mode": "predictions"}}))
    (tmp_path / "c" / "summary.md").write_text("# summary\n")
    return tmp_path


@pytest.mark.parametrize("out", ["c/sub", "c/sub/deeper", "c/sub/../other"])
def test_audit_out_inside_a_run_is_refused_before_any_work(work, out):
    before = folder_bytes(work / "c")
    text = refusal_line(runner.invoke(app, ["audit", "-p", "preds.csv", *ARGS, "-o", out]))
    assert text == f"auditor: error: {out}: --out: {WORDS}"
    assert folder_bytes(work / "c") == before
    assert sorted(os.listdir(work / "c")) == ["audit.json", "summary.md"]


def test_run_out_inside_a_run_is_refused(work):
    (work / "x.toml").write_text('name = "x"\n')
    text = refusal_line(runner.invoke(app, ["run", "x.toml", "-o", "c/sub"]))
    assert text == f"auditor: error: c/sub: --out: {WORDS}"
    assert sorted(os.listdir(work / "c")) == ["audit.json", "summary.md"]


def test_the_python_api_names_out_dir(work):
    with pytest.raises(AuditorInputError, match="out_dir: lies in another run's folder, 'c'"):
        api.audit_predictions("preds.csv", y_true="label", y_pred="pred", sensitive=["sex"],
                              positive_label="approved", out_dir="c/sub")  # fmt: skip
    assert not (work / "c" / "sub").exists()


def test_a_link_into_a_run_is_refused(work):
    (work / "link").symlink_to(work / "c", target_is_directory=True)
    with pytest.raises(AuditorInputError, match="lies in another run's folder, 'c'"):
        check_out_dir("link/sub", mode="predictions")


def test_the_run_itself_is_still_rerun_in_place(work):
    """``auditor audit -o c`` on a predictions run replaces it, as before."""
    done = runner.invoke(app, ["audit", "-p", "preds.csv", *ARGS, "-o", "c", "-q"])
    assert done.exit_code == 0, done.output
    assert (work / "c" / "model_card.html").is_file()


def test_a_lone_audit_json_makes_no_run_folder(work):
    """A baseline saved in a folder (audit.json alone) is no run: an audit below it is written."""
    (work / "base").mkdir()
    (work / "base" / "audit.json").write_text("{}")
    assert not is_run_folder(work / "base") and is_run_folder(work / "c")
    done = runner.invoke(app, ["audit", "-p", "preds.csv", *ARGS, "-o", "base/sub", "-q"])
    assert done.exit_code == 0, done.output
    assert (work / "base" / "sub" / "audit.json").is_file()
