"""`auditor run` on a scikit-learn pipeline a user fitted and saved with skops (a
ColumnTransformer with an imputer, a one-hot encoder and a scaler: numpy dtypes inside), with
the first of its classes as the positive one: the run folder holds the per-row predictions,
and they are the model's own probabilities of that class."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.record import validate_audit

CONFIG = """\
name = "pipeline"
[data]
source = "table"
path = "eval.csv"
members = "members.csv"
non_members = "non_members.csv"
target = "outcome"
sensitive = ["group"]
positive_label = "approved"
[model]
kind = "sklearn"
path = "model.skops"
[privacy]
probes = ["loss"]
"""


def rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "income": rng.normal(50, 15, n).round(1),
        "region": rng.choice(["north", "south", "east", None], n),
        "group": rng.choice(["a", "b"], n),
    })  # fmt: skip
    score = (frame.income - 50) / 15 + np.where(frame.region == "north", 0.8, 0)
    frame["outcome"] = np.where(score + rng.normal(0, 0.8, n) > 0, "approved", "denied")
    return frame


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    import skops.io as sio
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    base = tmp_path_factory.mktemp("pipeline")
    for i, name in enumerate(("eval", "members", "non_members")):
        rows(300, i).to_csv(base / f"{name}.csv", index=False)
    members = pd.read_csv(base / "members.csv")
    encode = make_pipeline(SimpleImputer(strategy="most_frequent"),
                           OneHotEncoder(handle_unknown="ignore"))  # fmt: skip
    pre = ColumnTransformer([("num", StandardScaler(), ["income"]), ("cat", encode, ["region"])])
    model = make_pipeline(pre, LogisticRegression())
    model.fit(members[["income", "region"]], members["outcome"])
    assert list(model.classes_) == ["approved", "denied"]  # the positive class comes first
    sio.dump(model, base / "model.skops")
    assert "numpy.dtype" in sio.get_untrusted_types(file=base / "model.skops")
    (base / "audit.toml").write_text(CONFIG)
    return base, model


def test_a_pipeline_with_encoders_is_audited_from_its_own_probabilities(folder):
    base, model = folder
    out = base / "run"
    res = CliRunner().invoke(app, ["run", str(base / "audit.toml"), "--out", str(out),
                                   "--quiet", "--exit-zero"])  # fmt: skip
    assert res.exit_code == 0, res.output  # refused before: 'numpy.dtype' is not sklearn's
    audit = json.loads((out / "audit.json").read_text())
    validate_audit(audit)
    assert audit["performance"]["rows"]["status"] == "ok"  # no predictions.parquet before
    table = pd.read_parquet(out / "predictions.parquet")
    test = table[table.split == "test"].sort_values("row_id")
    evaluation = pd.read_csv(base / "eval.csv")
    own = model.predict_proba(evaluation[["income", "region"]])[:, 0]  # P(approved)
    assert np.abs(test.score.to_numpy() - own).max() < 1e-6
    assert test.label_name.tolist() == evaluation.outcome.tolist()
    assert audit["fairness"]["positive_class"] == "approved"


FACTORY = """\
from torch import nn


def build(input_shape, n_classes):
    return nn.Linear(input_shape[0], 1)  # one logit: trained with BCEWithLogitsLoss
"""
CHECKPOINT = """\
name = "one-logit"
[data]
source = "table"
path = "eval.csv"
target = "outcome"
sensitive = ["group"]
features = ["income"]
positive_label = "approved"
[model]
kind = "checkpoint"
path = "model.pt"
factory = "onelogit:build"
"""


def test_a_one_logit_checkpoint_is_audited_by_its_sigmoid(folder):
    import torch

    base, _ = folder
    (base / "onelogit.py").write_text(FACTORY)
    layer = torch.nn.Linear(1, 1)
    with torch.no_grad():
        layer.weight[:], layer.bias[:] = 0.08, -4.0
    torch.save(layer.state_dict(), base / "model.pt")
    (base / "checkpoint.toml").write_text(CHECKPOINT)
    out = base / "one"
    res = CliRunner().invoke(app, ["run", str(base / "checkpoint.toml"), "--out", str(out),
                                   "--quiet", "--exit-zero"])  # fmt: skip
    assert res.exit_code == 0, res.output  # refused before: returns (2, 1), not (2, 2)
    table = pd.read_parquet(out / "predictions.parquet")
    test = table[table.split == "test"].sort_values("row_id")
    income = pd.read_csv(base / "eval.csv")["income"].to_numpy()
    # the module's one logit is P(class 1): positive_label "approved", last in the audit
    assert np.abs(test.score.to_numpy() - 1 / (1 + np.exp(-(0.08 * income - 4.0)))).max() < 1e-5


def test_an_id_column_the_model_does_not_take_is_left_to_it(folder):
    """The training table's rule (a column unique per row is refused unless named) refused
    a supplied pipeline's rows for a column the model never sees: it names its columns."""
    base, _ = folder
    for name in ("eval", "members", "non_members"):
        frame = pd.read_csv(base / f"{name}.csv")
        frame.insert(0, "applicant_id", [f"{name}-{i}" for i in range(len(frame))])
        frame.to_csv(base / f"id_{name}.csv", index=False)
    text = CONFIG
    for name in ("eval", "members", "non_members"):
        text = text.replace(f'"{name}.csv"', f'"id_{name}.csv"')
    (base / "ids.toml").write_text(text)
    res = CliRunner().invoke(app, ["run", str(base / "ids.toml"), "--out", str(base / "ids"),
                                   "--quiet", "--exit-zero"])  # fmt: skip
    assert res.exit_code == 0, res.output


def test_a_missing_model_file_is_refused_before_torch_is_imported(folder, tmp_path):
    import subprocess
    import sys

    base, _ = folder
    (base / "gone.toml").write_text(CONFIG.replace("model.skops", "gone.skops"))
    code = (
        "import sys\nfrom pathlib import Path\nfrom auditor.config import load_config\n"
        "from auditor.errors import AuditorInputError\nfrom auditor.preflight import check_run\n"
        f"cfg = load_config(Path({str(base / 'gone.toml')!r}))\n"
        f"try:\n    check_run(cfg, config_file=None, out=Path({str(tmp_path / 'o')!r}))\n"
        "except AuditorInputError as exc:\n    print(exc)\nprint('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [f"{base / 'gone.skops'}: model.path: no such file", "False"]
