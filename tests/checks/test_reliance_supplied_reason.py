"""The reliance check of a supplied model whose inputs hold no sensitive column says so in
the supplied model's terms: it named ``sensitive_as_features = false``, a key that only
chooses the inputs of a model auditor trains (a supplied model's inputs are its own)."""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression

from tests.builders import audit_split, two_feature_frame


def test_a_supplied_models_reliance_reason_names_its_own_inputs():
    rows = two_feature_frame(2, n=900)
    model = LogisticRegression().fit(rows[["x1", "x2"]], rows.label)
    reliance = audit_split(model, rows)["explanations"]["reliance"]
    assert reliance["status"] == "not_run"
    assert reliance["reason"] == "no sensitive feature is an input of the supplied model"
