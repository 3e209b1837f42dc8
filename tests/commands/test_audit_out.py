"""``auditor audit``'s run folder: the default is the predictions file's stem (as --help
says), and a predictions audit never replaces a run folder of another kind."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from auditor import api
from auditor.cli import app
from auditor.errors import AuditorInputError
from tests.builders import predictions_frame

runner = CliRunner()
ARGS = ["--sensitive", "sex", "--y-true", "label", "--y-pred", "pred",
        "--positive-label", "approved", "--exit-zero"]  # fmt: skip


@pytest.fixture
def preds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    predictions_frame().to_csv(tmp_path / "preds.csv", index=False)
    return tmp_path / "preds.csv"


def test_with_a_config_the_default_is_still_the_file_stem(preds, tmp_path):
    (tmp_path / "loans.toml").write_text('name = "loans"\n')
    done = runner.invoke(app, ["audit", "-p", str(preds), *ARGS, "--config", "loans.toml"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "reports" / "preds" / "audit.json").is_file()
    assert not (tmp_path / "reports" / "loans").exists()


def _run_folder(folder, mode, *, checkpoints):
    folder.mkdir(parents=True)
    run = {"name": "c"} if mode is None else {"mode": mode}  # a trained run's: no mode
    (folder / "audit.json").write_text(json.dumps({"run": run}))
    if checkpoints:
        (folder / "checkpoints").mkdir()
        (folder / "checkpoints" / "finetuned.pt").write_bytes(b"weights")


@pytest.mark.parametrize(("mode", "checkpoints", "said"), [
    ("run", True, "checkpoints/"), ("supplied", False, "'supplied' audit"),
    ("predictions", True, "checkpoints/"), (None, False, "'run' audit"),
])  # fmt: skip
def test_a_run_folder_of_another_kind_is_refused_and_kept(preds, tmp_path, mode, checkpoints,
                                                          said):  # fmt: skip
    run = tmp_path / "reports" / "preds"
    _run_folder(run, mode, checkpoints=checkpoints)
    before = sorted(p.name for p in run.rglob("*"))
    done = runner.invoke(app, ["audit", "-p", str(preds), *ARGS])
    assert done.exit_code == 2, done.output
    line = done.output.strip()
    assert "\n" not in line and line.startswith("auditor: error: reports/preds: --out:")
    assert said in line and "a predictions audit would replace" in line
    assert sorted(p.name for p in run.rglob("*")) == before
    with pytest.raises(AuditorInputError, match="would replace the folder whole"):
        api.audit_predictions(preds, y_true="label", y_pred="pred", sensitive=["sex"],
                              positive_label="approved", out_dir=run)  # fmt: skip


def test_a_predictions_folder_is_rerun_in_place(preds, tmp_path):
    first = runner.invoke(app, ["audit", "-p", str(preds), *ARGS])
    again = runner.invoke(app, ["audit", "-p", str(preds), *ARGS])
    assert first.exit_code == again.exit_code == 0, again.output


def test_the_mode_is_read_from_the_head_of_the_file_alone(tmp_path):
    """The old audit.json may be huge (a 1,000-group audit, or a hostile 3 GB file) or
    nested past Python's recursion limit: its run section is read from the first MiB."""
    from auditor.preflight import RUN_HEAD_BYTES, _run_mode

    path = tmp_path / "audit.json"
    path.write_text('{"schema_version": "2.0", "run": {"mode": "supplied", "seed": 0},\n'
                    + '"x": "' + "a" * (2 * RUN_HEAD_BYTES) + '"}')  # fmt: skip
    assert _run_mode(path) == "supplied"
    path.write_text('{"run": {"name": "c"}, "fairness": {}}')
    assert _run_mode(path) == "run"
    for text in ['{"run": ' + '{"a":' * 100_000 + "1" + "}" * 100_001, "not json", '{"run": 5}',
                 '{"runs": {"mode": "x"}}', '{"x": "' + "a" * RUN_HEAD_BYTES + '", "run": {}}']:
        path.write_text(text)
        assert _run_mode(path) is None, text[:40]


@pytest.mark.parametrize(("mode", "said"), [("predictions", "'predictions' audit"),
                                            ("supplied", "'supplied' audit")])  # fmt: skip
def test_a_training_run_refuses_a_folder_of_another_kind_and_keeps_it(tmp_path, monkeypatch,
                                                                       mode, said):  # fmt: skip
    """The other direction: `auditor run` replaced a predictions audit's folder whole."""
    monkeypatch.chdir(tmp_path)
    run = tmp_path / "out"
    _run_folder(run, mode, checkpoints=False)
    done = runner.invoke(app, ["run", "--out", "out", "--exit-zero"])
    assert done.exit_code == 2, done.output
    line = done.output.strip()
    assert "\n" not in line and line.startswith("auditor: error: out: --out:")
    assert said in line and "a run audit would replace" in line
    assert sorted(p.name for p in run.iterdir()) == ["audit.json"]


def test_a_training_runs_own_folder_with_checkpoints_is_not_refused(tmp_path):
    from auditor.preflight import check_out_dir

    _run_folder(tmp_path / "r", None, checkpoints=True)
    assert check_out_dir(tmp_path / "r", mode="run") == tmp_path / "r"
    with pytest.raises(AuditorInputError, match="a trained model's checkpoints/"):
        check_out_dir(tmp_path / "r", mode="supplied")


def test_a_results_write_keeps_a_folder_of_another_kind(preds, tmp_path):
    """AuditResult.write(folder) replaced any run folder: it is checked for its own kind."""
    result = api.audit_predictions(preds, y_true="label", y_pred="pred", sensitive=["sex"],
                                   positive_label="approved")  # fmt: skip
    _run_folder(tmp_path / "r", None, checkpoints=True)
    with pytest.raises(AuditorInputError, match="a predictions audit would replace"):
        result.write(tmp_path / "r")
    assert (tmp_path / "r" / "checkpoints" / "finetuned.pt").is_file()
    assert result.write(tmp_path / "p").write(tmp_path / "p").run_dir == tmp_path / "p"
