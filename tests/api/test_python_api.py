"""The Python API for notebooks: the documented example runs as written, ``import auditor`` is
light, DataFrames in, results re-judged in memory, written through the run folder's writer
and shown as HTML, and models without a reference trainer get the reference-free attacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import auditor
from auditor.api import AuditResult
from auditor.api._result import json_form
from auditor.config import AuditConfig, PrivacyConfig
from auditor.errors import AuditorInputError
from tests.builders import predictions_frame

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "python-api.md"


def _first_python_block(text: str) -> str:
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


def test_documented_example_runs_as_written(tmp_path):
    code = _first_python_block(DOC.read_text())
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600)  # fmt: skip
    assert res.returncode == 0, res.stderr[-3000:]
    lines = res.stdout.splitlines()
    assert lines[0] in ("pass", "warn", "fail")
    assert any(line.startswith("privacy.attacks.rmia.auc") for line in lines)
    # accuracy 0.885 [0.864, 0.903] meets >= 0.85; the data's license and citation are given,
    # so only the undeclared intended use, limitations, owners, contact and license warn
    assert lines[-1] == "warn"
    run = tmp_path / "reports" / "my-model"
    assert AuditResult.load(run).data["run"]["mode"] == "supplied"


def test_import_auditor_is_light_and_serves_the_api_lazily():
    code = (
        "import sys, auditor\n"
        "assert 'torch' not in sys.modules and 'auditor.api' not in sys.modules\n"
        "assert 'pydantic' not in sys.modules and 'auditor.config' not in sys.modules\n"
        "assert auditor.AuditConfig().name is None and 'auditor.config' in sys.modules\n"
        "assert callable(auditor.audit_model) and 'auditor.api' in sys.modules\n"
        "print(sorted(set(auditor.API_NAMES) - set(dir(auditor))))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"
    with pytest.raises(AttributeError):
        auditor.no_such_name  # noqa: B018


def test_audit_predictions_takes_a_dataframe_in_memory(tmp_path):
    frame = predictions_frame(2000)
    path = tmp_path / "p.parquet"
    frame.to_parquet(path)
    cols = dict(y_true="label", y_pred="pred", y_score="score", sensitive=["sex"],
                positive_label="approved")  # fmt: skip
    from_frame = auditor.audit_predictions(frame, **cols)
    from_file = auditor.audit_predictions(path, **cols)
    assert from_frame.run_dir is None and not list(tmp_path.glob("reports"))
    perf_a, perf_b = (dict(r.data["performance"]) for r in (from_frame, from_file))
    assert perf_a.pop("rows")["file"] == "DataFrame (in memory)"
    perf_b.pop("rows")
    assert perf_a == perf_b
    a, b = from_frame.data["fairness"], from_file.data["fairness"]
    assert json.dumps(a["features"], sort_keys=True) == json.dumps(b["features"], sort_keys=True)
    with pytest.raises(AuditorInputError, match="'nope'"):
        auditor.audit_predictions(frame, y_true="nope", y_pred="pred")


def _without_timings(audit: dict) -> dict:
    """The audit as audit.json holds it (NaN as null) less what the clock says: the run's
    timings and start, each gate's seconds."""
    audit = json_form(audit)
    for key in ("timings_s", "created_at"):
        audit["run"].pop(key)
    for result in audit["gates"]["results"]:
        result.pop("seconds")
    return audit


def test_a_file_read_ahead_gives_the_same_audit(tmp_path):
    """``reading=``: the counts already being read on a thread (as ``auditor audit`` starts
    them) give the audit that reading the file inside ``audit_predictions`` gives."""
    from auditor.predictions.read import Columns, reduce_predictions
    from auditor.runtime import Background

    path = tmp_path / "p.parquet"
    predictions_frame(3000).to_parquet(path)
    cols = Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex", "region"))
    ahead = Background(reduce_predictions, path, cols, batch_rows=700, positive_label="approved")
    read_ahead = auditor.audit_predictions(path, cols, reading=ahead, positive_label="approved")
    read_here = auditor.audit_predictions(path, cols, batch_rows=700, positive_label="approved")
    assert read_ahead.data["run"]["timings_s"]["read_counts"] == ahead.seconds
    assert _without_timings(read_ahead.data) == _without_timings(read_here.data)


def test_gate_rejudges_in_memory_write_and_html(tmp_path):
    frame = predictions_frame(2000)
    result = auditor.audit_predictions(frame, y_true="label", y_pred="pred", y_score="score",
                                       sensitive=["sex"], positive_label="approved")  # fmt: skip
    strict = result.gate([{"metric": "performance.finetuned.test.accuracy", "min": 0.99}])
    assert strict.verdict == "fail" and strict is not result
    assert result.data["gates"]["verdict"] != "fail" or result.verdict == "fail"
    assert len(strict.data["config"]["gates"]["rules"]) == 1
    loose = strict.gate({"use_defaults": False, "rules": []})
    assert loose.data["gates"]["counts"].get("fail", 0) == 0
    written = strict.write(tmp_path / "run")
    assert written.run_dir == tmp_path / "run"
    assert AuditResult.load(written.run_dir).verdict == "fail"
    assert json.loads((tmp_path / "run" / "audit.json").read_text())["gates"]["verdict"] == "fail"
    html = strict.to_html()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert strict._repr_html_().startswith("<iframe srcdoc=")
    with pytest.raises(Exception, match="rules"):
        result.gate([{"metric": "performance.finetuned.test.accuracy"}])  # no bound


class Threshold:
    """A model that is not scikit-learn's: predict_proba from one column, nothing to clone."""

    def predict_proba(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        z = np.asarray(x, dtype=float)[:, 0]
        p = 1 / (1 + np.exp(-z))
        return np.stack([1 - p, p], axis=1)


def test_audit_model_without_a_trainer_runs_the_reference_free_attacks():
    rng = np.random.default_rng(1)
    n = 1200
    df = pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b"], n)})
    df["y"] = (df.x + rng.normal(size=n) > 0).astype(int)
    config = AuditConfig(privacy=PrivacyConfig(n_reference=2))
    result = auditor.audit_model(
        Threshold(), data=df[:400], members=df[400:800], non_members=df[800:], target="y",
        sensitive=["g"], features=["x"], config=config, progress=False,
    )  # fmt: skip
    privacy = result.data["privacy"]
    assert set(privacy["attacks"]) == {"loss", "correctness"}
    assert privacy["attacks"]["loss"]["decision"] is None  # no reference-calibrated threshold
    assert privacy["references"] is None
    assert any("model.train" in note for note in privacy["notes"])
    assert privacy["groups"]["status"] == "not_run"
    explained = result.data["explanations"]  # no gradients: permutation importance
    assert explained["kind"] == "permutation" and explained["n_rows"] == 400
    [x] = explained["feature_importance"]
    assert x["feature"] == "x" and x["accuracy_drop_mean"] > 0.1  # the one column it reads
    assert result.data["performance"]["finetuned"]["test"]["n"] == 400
