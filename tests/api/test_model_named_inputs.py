"""The inputs a supplied model is audited on are the ones the user named or the model was
fitted on, never a silent choice between them, and never the target itself.

- ``features=`` beside an estimator's ``feature_names_in_`` was ignored: the audit recorded
  the user's list while the model received its own columns.
- The target as a model input (named in ``features``, or among the columns an estimator was
  fitted on) was audited: a table auditor trains refuses it (``data.table``)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.errors import AuditorInputError
from tests.builders import two_feature_frame


@pytest.fixture(scope="module")
def frame():
    return two_feature_frame(0, n=300)


def audit(model, rows, **kw):
    kw = {"target": "label", "sensitive": ["group"], "progress": False, **kw}
    return auditor.audit_model(model, data=rows, **kw)


@pytest.mark.parametrize(
    ("features", "words"),
    [
        (["x1"], "features leaves out x2;"),
        (["x1", "x2", "group"], "features names columns it was not fitted on: group;"),
        (["x1", "label"], "not fitted on: label; leaves out x2;"),
    ],
)
def test_features_other_than_the_estimators_own_are_refused(frame, features, words):
    model = LogisticRegression().fit(frame[["x1", "x2"]], frame.label)
    with pytest.raises(AuditorInputError) as err:
        audit(model, frame, features=features)
    assert err.value.field == "features"
    assert words in str(err.value)
    assert "LogisticRegression was fitted on 2 columns (feature_names_in_)" in str(err.value)


def test_features_naming_the_estimators_own_columns_in_any_order_are_used(frame):
    model = LogisticRegression().fit(frame[["x1", "x2"]], frame.label)
    result = audit(model, frame, features=["x2", "x1"])
    expected = model.predict(frame[["x1", "x2"]])
    accuracy = float(np.mean(expected == frame.label))
    assert result.data["performance"]["finetuned"]["test"]["accuracy"] == pytest.approx(
        accuracy, abs=1e-12
    )


def test_an_estimator_fitted_on_the_target_is_refused(frame):
    model = LogisticRegression().fit(frame[["x1", "label"]], frame.label)
    with pytest.raises(AuditorInputError) as err:
        audit(model, frame)
    assert err.value.field == "model"
    assert "target column 'label' cannot be a model input" in str(err.value)
    assert "feature_names_in_" in str(err.value)


def test_the_target_named_in_features_is_refused_for_any_model(frame):
    import torch

    class Proba:  # a predict_proba object without column names: it takes a matrix
        classes_ = np.array([0, 1])

        def predict_proba(self, x):
            p = 1 / (1 + np.exp(-np.asarray(x, dtype=float)[:, 0]))
            return np.c_[1 - p, p]

    for model in (Proba(), torch.nn.Linear(2, 2)):
        with pytest.raises(AuditorInputError) as err:
            audit(model, frame, features=["x1", "label"])
        assert err.value.field == "features"
        assert "target column 'label' cannot be a model input" in str(err.value)
