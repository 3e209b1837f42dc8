"""Each refusal of run's, regate's and rerender's arguments names the argument: a config URL
named none ('s3://b/c.toml: a URL: ...') where a config not there said 'config: no such
file', and a run folder not there none ('nope: no such file') where a URL given as run_dir
said 'run_dir: a URL' (r13 #3); run's config not there named none either. The command
line's RUN_DIR is named by its file, as before."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import auditor
from auditor.api import audit_predictions
from auditor.cli import app
from auditor.errors import AuditorInputError
from tests.builders import predictions_csv


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("fields")
    predictions_csv(base, n=300)
    audit_predictions(base / "preds.csv", y_true="label", y_pred="pred", sensitive=["sex"],
                      positive_label="approved", out_dir=base / "run")  # fmt: skip
    return base / "run"


@pytest.mark.parametrize(
    ("call", "field", "shown"),
    [
        (lambda run: auditor.run("s3://b/c.toml"), "config", "s3://b/c.toml: config: a URL"),
        (lambda run: auditor.run("nope.toml"), "config", "nope.toml: config: no such file"),
        (lambda run: auditor.regate(run, config="s3://b/c.toml"), "config",
         "s3://b/c.toml: config: a URL"),
        (lambda run: auditor.regate(run, config="nope.toml"), "config",
         "nope.toml: config: no such file"),
        (lambda run: auditor.rerender("nope"), "run_dir", "nope: run_dir: no such file"),
        (lambda run: auditor.regate("nope"), "run_dir", "nope: run_dir: no such file"),
        (lambda run: auditor.rerender(run.parent / "empty"), "run_dir", "audit.json: run_dir: "),
        # an audit.json that is not JSON, or no object, named no field (R17 #3)
        (lambda run: auditor.rerender(run.parent / "badj"), "run_dir",
         "audit.json: run_dir: not valid JSON"),
        (lambda run: auditor.regate(run.parent / "badj"), "run_dir",
         "audit.json: run_dir: not valid JSON"),
        (lambda run: auditor.rerender(run.parent / "list"), "run_dir",
         "list/audit.json: run_dir: not a JSON object"),
    ],
)  # fmt: skip
def test_each_refusal_names_its_argument(run, call, field, shown, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (run.parent / "empty").mkdir(exist_ok=True)
    for name, text in (("badj", "{x"), ("list", "[1]")):
        (run.parent / name).mkdir(exist_ok=True)
        (run.parent / name / "audit.json").write_text(text)
    before = sorted(p.name for p in run.parent.iterdir())
    with pytest.raises(AuditorInputError) as err:
        call(run)
    assert err.value.field == field and shown in str(err.value), str(err.value)
    assert sorted(p.name for p in run.parent.iterdir()) == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("text", "said"), [(None, "nope: no such file"),
                                           ("{x", "nope/audit.json: not valid JSON (")])
def test_the_command_line_names_the_file(text, said, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if text is not None:
        (tmp_path / "nope").mkdir()
        (tmp_path / "nope" / "audit.json").write_text(text)
    res = CliRunner().invoke(app, ["card", "nope"])
    assert res.exit_code == 2 and f"error: {said}" in res.output, res.output
