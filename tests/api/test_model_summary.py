"""The model summary of a supplied estimator is the estimator as scikit-learn prints
it (its steps and parameters) in audit.json, not the wrapper auditor calls it through
('ProbaModule()')."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import auditor


def test_an_estimators_summary_is_its_own_repr():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=200), "group": rng.choice(["a", "b"], 200)})
    frame["label"] = (frame.x > 0).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.5))
    model.fit(frame[["x"]], frame.label)
    result = auditor.audit_model(model, data=frame, target="label", sensitive=["group"],
                                 progress=False)  # fmt: skip
    summary = result.data["model"]["summary"]
    assert summary == repr(model) and "LogisticRegression(C=0.5)" in summary
