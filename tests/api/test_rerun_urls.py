"""A URL given to the Python API's run, regate, rerender or AuditResult.load was read as a
local path and shown with one '/' of its '//' (`regate('o2', baseline='https://x.org/a.json')`
said "<cwd>/https:/x.org/a.json: baseline: no such file"). Text is shown as written and said
to be a URL, as audit_predictions' source and the command line's path options are (r8 #4).
An out_dir (or write's folder) given as a URL made a local folder s3:/bucket/run: refused."""

from __future__ import annotations

import pytest

import auditor
from auditor.api import AuditResult, audit_predictions
from auditor.errors import AuditorInputError
from tests.builders import predictions_csv, small_digits_config

URL = "https://x.org/run/audit.json"
SAID = "a URL: auditor reads a local file; download it first"
WRITES = "a URL: auditor writes local files; write them here, then upload them"
OUT = "s3://bucket/run"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("urls")
    predictions_csv(base, n=300)
    audit_predictions(base / "preds.csv", y_true="label", y_pred="pred", sensitive=["sex"],
                      positive_label="approved", out_dir=base / "run")  # fmt: skip
    return base / "run"


@pytest.mark.parametrize(
    ("call", "shown"),
    [
        (lambda run: auditor.run("s3://b/c.toml"), f"s3://b/c.toml: config: {SAID}"),
        (lambda run: auditor.regate(URL), f"{URL}: run_dir: {SAID}"),
        (lambda run: auditor.regate(run, config="s3://b/c.toml"),
         f"s3://b/c.toml: config: {SAID}"),
        (lambda run: auditor.regate(run, baseline=URL), f"{URL}: baseline: {SAID}"),
        (lambda run: auditor.rerender(URL), f"{URL}: run_dir: {SAID}"),
        # said "https:/x.org/run/audit.json: no such file" (R21 #2)
        (lambda run: AuditResult.load(URL), f"{URL}: {SAID}"),
        # each wrote the local folder s3:/bucket/run (R21 #3)
        (lambda run: auditor.rerender(run, out_dir=OUT), f"{OUT}: out_dir: {WRITES}"),
        (lambda run: auditor.regate(run, out_dir=OUT), f"{OUT}: out_dir: {WRITES}"),
        (lambda run: AuditResult.load(run).write(OUT), f"{OUT}: folder: {WRITES}"),
        (lambda run: audit_predictions(run.parent / "preds.csv", y_true="label", y_pred="pred",
                                       sensitive=["sex"], positive_label="approved",
                                       out_dir=OUT), f"{OUT}: out_dir: {WRITES}"),
        (lambda run: auditor.run(small_digits_config(), out_dir=OUT),
         f"{OUT}: out_dir: {WRITES}"),
    ],
)
def test_a_url_is_shown_as_written(run, call, shown, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in run.parent.iterdir())
    with pytest.raises(AuditorInputError) as err:
        call(run)
    assert str(err.value) == shown
    assert sorted(p.name for p in run.parent.iterdir()) == before  # no folder left
    assert list(tmp_path.iterdir()) == []
