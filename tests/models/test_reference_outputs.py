"""A reference model from ``model.train`` whose outputs are not one column per class is bad
input naming model.train (a 1-D predict_proba crashed inside the privacy code)."""

from __future__ import annotations

import numpy as np
import pytest
from torch import nn

from auditor.errors import AuditorInputError
from auditor.models.supplied import proba_logits, user_trainer
from tests.models.user_code import importable

SOURCE = """
import numpy as np
from sklearn.linear_model import LogisticRegression


class OneColumn:  # predict_proba(x)[:, 1]: the positive class's column alone
    def __init__(self, model):
        self.model = model

    def predict_proba(self, x):
        return self.model.predict_proba(x)[:, 1]


class ThreeColumns:
    def predict_proba(self, x):
        return np.full((len(x), 3), 1 / 3)


def fit_one_column(x, y, *, seed):
    return OneColumn(LogisticRegression().fit(x, y))


def fit_three(x, y, *, seed):
    return ThreeColumns()


def fit_good(x, y, *, seed):
    return LogisticRegression().fit(x, y)

"""


@pytest.fixture
def trainers(tmp_path, monkeypatch):
    yield from importable(tmp_path, monkeypatch, "a2_reference_code", SOURCE)


def _xy() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64)


@pytest.mark.parametrize(
    ("fit", "words"),
    [
        ("fit_one_column", "'OneColumn.predict_proba' returned shape (60,) on 60 rows"),
        ("fit_three", "'ThreeColumns.predict_proba' returned shape (60, 3) on 60 rows; it must "
                      "return one column per class, shape (60, 2)"),
    ],
)
def test_a_reference_model_of_the_wrong_shape_names_model_train(trainers, fit, words):
    x, y = _xy()
    train = user_trainer(f"{trainers}:{fit}", lambda v: v, nn.Linear(1, 1).weight.device,
                         n_classes=2)  # fmt: skip
    predict = train(x, y, 0)
    with pytest.raises(AuditorInputError) as err:
        predict(x)
    assert err.value.field == "model.train" and words in str(err.value)
    good = user_trainer(f"{trainers}:fit_good", lambda v: v, nn.Linear(1, 1).weight.device,
                        n_classes=2)(x, y, 0)  # fmt: skip
    assert good(x).shape == (60, 2) and np.isfinite(good(x)).all()


def test_a_1d_predict_proba_is_refused_where_it_is_read(trainers):
    import importlib

    from sklearn.linear_model import LogisticRegression

    x, y = _xy()
    model = importlib.import_module(trainers).OneColumn(LogisticRegression().fit(x, y))
    with pytest.raises(AuditorInputError, match=r"one class's column alone") as err:
        proba_logits(model, lambda v: v, x)
    assert err.value.field == "model"


def test_audit_model_refuses_a_1d_reference_model_naming_model_train(trainers):
    # the real entry point: it crashed in the privacy code with a numpy axis error
    from sklearn.linear_model import LogisticRegression

    from tests.builders import audit_split, two_feature_frame

    data = two_feature_frame(0)
    fitted = LogisticRegression().fit(data[["x1", "x2"]], data["label"])
    with pytest.raises(AuditorInputError) as err:
        audit_split(fitted, data, train=f"{trainers}:fit_one_column")
    assert err.value.field == "train" and "shape (900,) on 900 rows" in str(err.value)


class _Borderline(nn.Module):
    """Softmax probabilities on rows whose first input is >= 0, raw scores on the others:
    the first PROBE_ROWS evaluation rows decide how its outputs are read."""

    def forward(self, x):
        import torch

        z = torch.stack([x[:, 0], -x[:, 0]], dim=1)
        return torch.where(x[:, :1] >= 0, z.softmax(dim=1), z)


def test_a_reference_module_is_read_by_the_audited_modules_rule():
    # one rule (with_logits on the first PROBE_ROWS rows) for the audited module and the
    # reference modules of model.train: a module read as logits for one and as
    # probabilities for the other would give the attacks scores of another kind
    import torch

    from auditor.models.outputs import PROBE_ROWS, LogOf, with_logits
    from auditor.models.supplied import _predictor, module_logits

    x = np.abs(np.random.default_rng(0).normal(size=(PROBE_ROWS + 200, 2)))
    x[PROBE_ROWS:, 0] *= -1  # raw scores past the probe rows
    audited = with_logits(_Borderline(), torch.as_tensor(x, dtype=torch.float32), n_classes=2)
    assert isinstance(audited, LogOf)
    predictor = _predictor(_Borderline(), lambda v: v, torch.device("cpu"), 2)
    want = module_logits(audited, x[:PROBE_ROWS], device=torch.device("cpu"))
    np.testing.assert_array_equal(predictor(x[:PROBE_ROWS]), want)
    # past them, both refuse the raw scores read as probabilities (they were clamped)
    for read in (lambda: module_logits(audited, x, device=torch.device("cpu")),
                 lambda: predictor(x)):  # fmt: skip
        with pytest.raises(AuditorInputError, match="is not one; if its outputs are logits"):
            read()


def test_a_reference_module_on_an_estimators_float64_rows_gets_float32():
    import torch

    from auditor.models.supplied import _predictor

    x, _ = _xy()
    module = nn.Linear(2, 2)
    got = _predictor(module, lambda v: v, torch.device("cpu"), 2)(x.astype(np.float64))
    with torch.no_grad():
        want = module(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(got, want)


def test_a_reference_module_is_read_by_the_audited_models_width():
    # one logit per row where the audited model has 3 classes: refused naming the shape it
    # returned, (n, 1); it was wrapped as a binary model's one logit and named as (n, 2)
    import torch

    from auditor.models.supplied import _predictor

    x, _ = _xy()
    with pytest.raises(AuditorInputError, match=r"returned shape \(\d+, 1\)") as err:
        _predictor(nn.Linear(2, 1), lambda v: v, torch.device("cpu"), 3)(x)
    assert err.value.field == "model.train" and ", 3)" in str(err.value)
