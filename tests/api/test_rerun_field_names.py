"""Each refusal of run's, regate's, rerender's and AuditResult's arguments names the argument
and shows a URL as written:
- a config URL named none ('s3://b/c.toml: a URL: ...') where a config not there said
  'config: no such file', and a run folder not there none ('nope: no such file') where a URL
  given as run_dir said 'run_dir: a URL' (r13 #3); run's config not there named none either;
  an audit.json that is not JSON, or no object, named no field (R17 #3).
- A URL was read as a local path and shown with one '/' of its '//' (`regate('o2',
  baseline='https://x.org/a.json')` said "<cwd>/https:/x.org/a.json: baseline: no such
  file"): it is said to be a URL, as audit_predictions' source and the command line's path
  options are (r8 #4). An out_dir (or write's folder) given as a URL made a local folder
  s3:/bucket/run: refused (R21 #3).
The command line's RUN_DIR is named by its file, as before."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import auditor
from auditor.api import AuditResult, audit_predictions
from auditor.cli import app
from auditor.errors import AuditorInputError
from tests.builders import predictions_csv, small_digits_config

URL = "https://x.org/run/audit.json"
SAID = "a URL: auditor reads a local file; download it first"
WRITES = ("a URL: auditor writes local files; write them here, then upload them "
          "(./s3://bucket/run names a local folder)")  # fmt: skip
OUT = "s3://bucket/run"
NOT_JSON = ("not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2"
            " (char 1))")  # json's own words for "{x"  # fmt: skip


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
        (lambda run: auditor.run("s3://b/c.toml"), "config", f"s3://b/c.toml: config: {SAID}"),
        (lambda run: auditor.run("nope.toml"), "config", "nope.toml: config: no such file"),
        (lambda run: auditor.regate(run, config="s3://b/c.toml"), "config",
         f"s3://b/c.toml: config: {SAID}"),
        (lambda run: auditor.regate(run, config="nope.toml"), "config",
         "nope.toml: config: no such file"),
        (lambda run: auditor.rerender("nope"), "run_dir", "nope: run_dir: no such file"),
        (lambda run: auditor.regate("nope"), "run_dir", "nope: run_dir: no such file"),
        (lambda run: auditor.rerender(run.parent / "empty"), "run_dir",
         "{dir}/empty/audit.json: run_dir: no such file"),
        # an audit.json that is not JSON, or no object, named no field (R17 #3)
        (lambda run: auditor.rerender(run.parent / "badj"), "run_dir",
         f"{{dir}}/badj/audit.json: run_dir: {NOT_JSON}"),
        (lambda run: auditor.regate(run.parent / "badj"), "run_dir",
         f"{{dir}}/badj/audit.json: run_dir: {NOT_JSON}"),
        (lambda run: auditor.rerender(run.parent / "list"), "run_dir",
         "{dir}/list/audit.json: run_dir: not a JSON object"),
        # a URL shown as written (r8 #4)
        (lambda run: auditor.regate(URL), "run_dir", f"{URL}: run_dir: {SAID}"),
        (lambda run: auditor.regate(run, baseline=URL), "baseline", f"{URL}: baseline: {SAID}"),
        (lambda run: auditor.rerender(URL), "run_dir", f"{URL}: run_dir: {SAID}"),
        # said "https:/x.org/run/audit.json: no such file" (R21 #2)
        (lambda run: AuditResult.load(URL), "path", f"{URL}: path: {SAID}"),  # as regate's
        # each wrote the local folder s3:/bucket/run (R21 #3)
        (lambda run: auditor.rerender(run, out_dir=OUT), "out_dir", f"{OUT}: out_dir: {WRITES}"),
        (lambda run: auditor.regate(run, out_dir=OUT), "out_dir", f"{OUT}: out_dir: {WRITES}"),
        (lambda run: AuditResult.load(run).write(OUT), "folder", f"{OUT}: folder: {WRITES}"),
        (lambda run: audit_predictions(run.parent / "preds.csv", y_true="label", y_pred="pred",
                                       sensitive=["sex"], positive_label="approved",
                                       out_dir=OUT), "out_dir", f"{OUT}: out_dir: {WRITES}"),
        (lambda run: auditor.run(small_digits_config(), out_dir=OUT), "out_dir",
         f"{OUT}: out_dir: {WRITES}"),
    ],
)  # fmt: skip
def test_each_refusal_names_its_argument(run, call, field, shown, tmp_path, monkeypatch):
    """The whole message ({dir}: the run's parent folder), its field, and no folder left."""
    monkeypatch.chdir(tmp_path)
    (run.parent / "empty").mkdir(exist_ok=True)
    for name, text in (("badj", "{x"), ("list", "[1]")):
        (run.parent / name).mkdir(exist_ok=True)
        (run.parent / name / "audit.json").write_text(text)
    before = sorted(p.name for p in run.parent.iterdir())
    with pytest.raises(AuditorInputError) as err:
        call(run)
    assert str(err.value) == shown.format(dir=run.parent) and err.value.field == field
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
