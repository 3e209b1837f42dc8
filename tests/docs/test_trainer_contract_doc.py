"""What README.md and docs/python-api.md say ``model.train`` receives is what it receives:
called with the keywords x, y and seed; x a numpy float32 (n, F) array for a PyTorch module
and what ``predict_proba`` receives for an estimator (a DataFrame of its input columns when
it was fitted with their names); y int64 class indices (n,) into the model's classes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from torch import nn

import auditor
from auditor.config import AuditConfig
from tests.models.user_code import importable

SOURCE = """
import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

SEEN = []


def fit_module(x, y, *, seed):
    SEEN.append((x, y, seed))
    model = torch.nn.Linear(x.shape[1], 2)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.0, 0.0], [4.0, 0.0]]))
        model.bias.zero_()
    return model


def fit_estimator(x, y, *, seed):
    SEEN.append((x, y, seed))
    return LogisticRegression().fit(x, y)
"""


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    yield from importable(tmp_path, monkeypatch, "d_trainer_contract", SOURCE)


def _rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n),
                          "g": rng.choice(["p", "q"], size=n)})  # fmt: skip
    frame["label"] = np.where(frame.a + rng.normal(scale=0.3, size=n) > 0, "yes", "no")
    return frame


def _audit(model: object, train: str) -> None:
    config = AuditConfig.model_validate({"privacy": {"n_reference": 2}})
    auditor.audit_model(
        model, data=_rows(200, 0), members=_rows(200, 1), non_members=_rows(200, 2),
        target="label", sensitive=["g"], positive_label="yes", train=train, config=config,
        progress=False,
    )  # fmt: skip


def _check_y(y: object, x_rows: int) -> None:
    assert isinstance(y, np.ndarray) and y.dtype == np.int64 and y.shape == (x_rows,)
    assert set(np.unique(y)) <= {0, 1}  # indices into the classes (no, yes), not the labels


def test_a_module_trainer_gets_float32_arrays_and_class_indices(user_module):
    import importlib

    module = nn.Linear(2, 2)
    with torch.no_grad():  # scores 'yes' by a (random weights may rank the classes backwards)
        module.weight[:] = torch.tensor([[-1.0, 0.0], [1.0, 0.0]])
    _audit(module, f"{user_module}:fit_module")
    seen = importlib.import_module(user_module).SEEN
    assert len(seen) == 2  # n_reference
    for x, y, seed in seen:
        assert isinstance(x, np.ndarray) and x.dtype == np.float32 and x.shape[1] == 2
        assert isinstance(seed, int)
        _check_y(y, len(x))
        torch.from_numpy(x)  # the README's conversion works as written


def test_an_estimator_trainer_gets_what_predict_proba_receives(user_module):
    import importlib

    fitted = _rows(200, 1)
    estimator = LogisticRegression().fit(fitted[["a", "b"]], fitted["label"])
    _audit(estimator, f"{user_module}:fit_estimator")
    seen = importlib.import_module(user_module).SEEN
    assert len(seen) == 2
    for x, y, _ in seen:
        assert isinstance(x, pd.DataFrame) and list(x.columns) == ["a", "b"]
        _check_y(y, len(x))
