"""Real cases of models trained outside auditor: a sample of UCI Adult split into evaluation,
member (training) and non-member rows; a scikit-learn pipeline (ordinal encoding +
HistGradientBoostingClassifier) saved with skops; a tiny PyTorch MLP trained here and saved as
a state dict."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

HERE = Path(__file__).parent
NUMERIC = ["age", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CATEGORICAL = ["workclass", "education", "marital-status", "occupation", "relationship"]
SENSITIVE = ["sex", "race"]
TARGET = "income"
N_EACH = 500


@pytest.fixture(scope="session")
def adult_rows() -> dict[str, pd.DataFrame]:
    """1,500 Adult rows (seeded sample): evaluation, members and non-members, 500 each."""
    from auditor.data.adult import SHIPPED, read_adult

    frame = read_adult(SHIPPED).sample(3 * N_EACH, random_state=0).reset_index(drop=True)
    frame = frame[[*NUMERIC, *CATEGORICAL, *SENSITIVE, TARGET]]
    names = ("eval", "members", "non_members")
    return {name: frame.iloc[i * N_EACH : (i + 1) * N_EACH].reset_index(drop=True)
            for i, name in enumerate(names)}  # fmt: skip


def invoked(folder: Path) -> Any:
    """The CLI result of ``auditor run folder/audit.toml --out folder/run --quiet --exit-zero``."""
    from typer.testing import CliRunner

    from auditor.cli import app

    return CliRunner().invoke(app, ["run", str(folder / "audit.toml"), "--out",
                                    str(folder / "run"), "--quiet", "--exit-zero"])  # fmt: skip


def audited(folder: Path) -> tuple[Any, dict]:
    """:func:`invoked`'s result and its audit.json, which must exit 0 and pass the schema."""
    from auditor.record import validate_audit

    res = invoked(folder)
    assert res.exit_code == 0, res.output
    audit = json.loads((folder / "run" / "audit.json").read_text())
    validate_audit(audit)
    return res, audit


def write_rows(rows: dict[str, pd.DataFrame], folder: Path) -> None:
    for name, frame in rows.items():
        frame.to_csv(folder / f"{name}.csv", index=False)


@pytest.fixture(scope="session")
def sklearn_pipeline(adult_rows):
    """Ordinal-encoded categories + HistGradientBoostingClassifier, fitted on the members."""
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder

    encode = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                            encoded_missing_value=-1)  # fmt: skip
    model = make_pipeline(
        make_column_transformer((encode, CATEGORICAL), remainder="passthrough"),
        HistGradientBoostingClassifier(max_iter=20, early_stopping=False, random_state=0),
    )
    members = adult_rows["members"]
    return model.fit(members[NUMERIC + CATEGORICAL], members[TARGET])


@pytest.fixture
def sklearn_folder(tmp_path, adult_rows, sklearn_pipeline) -> Path:
    """eval / members / non_members CSVs, model.skops and audit.toml in one folder."""
    import skops.io as sio

    write_rows(adult_rows, tmp_path)
    sio.dump(sklearn_pipeline, tmp_path / "model.skops")
    (tmp_path / "audit.toml").write_text(CONFIG.format(features="", model=SKLEARN_MODEL))
    return tmp_path


@pytest.fixture(scope="session")
def tiny_state(adult_rows, tmp_path_factory) -> Path:
    """A tiny MLP trained here (outside auditor) on the members, saved as a state dict."""
    import torch

    from tests.supplied import tiny_mlp

    members = adult_rows["members"]
    y = (members[TARGET] == ">50K").to_numpy().astype(np.int64)
    model = tiny_mlp.fit(members[NUMERIC].to_numpy(np.float32), y, seed=0)
    path = tmp_path_factory.mktemp("tiny") / "model.pt"
    torch.save(model.state_dict(), path)
    return path


@pytest.fixture
def checkpoint_folder(tmp_path, adult_rows, tiny_state) -> Path:
    """The rows, model.pt, tiny_mlp.py (factory + train function) and audit.toml."""
    write_rows(adult_rows, tmp_path)
    shutil.copy(tiny_state, tmp_path / "model.pt")
    shutil.copy(HERE / "tiny_mlp.py", tmp_path / "tiny_mlp.py")
    features = f"features = {NUMERIC!r}".replace("'", '"')
    (tmp_path / "audit.toml").write_text(CONFIG.format(features=features, model=CHECKPOINT_MODEL))
    return tmp_path


CONFIG = """\
name = "supplied"

[data]
source = "table"
path = "eval.csv"
members = "members.csv"
non_members = "non_members.csv"
target = "income"
sensitive = ["sex", "race"]
positive_label = ">50K"
{features}

{model}
[privacy]
n_reference = 2
probes = ["loss", "rmia", "lira", "groups", "canaries", "stages"]

[transparency]
ig_steps = 16
"""
SKLEARN_MODEL = """[model]
kind = "sklearn"
path = "model.skops"
"""
CHECKPOINT_MODEL = """[model]
kind = "checkpoint"
path = "model.pt"
factory = "tiny_mlp:build"
train = "tiny_mlp:fit"
"""
