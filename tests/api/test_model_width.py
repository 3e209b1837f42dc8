"""An estimator fitted on a matrix (no column names) and rows with more input columns than
it takes: one line naming the columns and the fix, before any check (it was the model's own
ValueError from predict_proba)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.errors import AuditorInputError


def test_more_input_columns_than_the_model_takes_are_named():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x1": rng.normal(size=300), "x2": rng.normal(size=300),
                          "x3": rng.normal(size=300),  # a row_id here: refused as an ID
                          "group": rng.choice(["a", "b"], 300)})  # fmt: skip
    frame["label"] = (frame.x1 > 0).astype(int)
    model = LogisticRegression().fit(frame[["x1", "x2"]].to_numpy(), frame.label)
    kw = {"data": frame, "target": "label", "sensitive": ["group"], "progress": False}
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_model(model, **kw)
    assert err.value.field == "features"
    assert "fitted on 2 input columns" in str(err.value) and "(x1, x2, x3)" in str(err.value)
    result = auditor.audit_model(model, features=["x1", "x2"], **kw)
    assert result.data["performance"]["finetuned"]["test"]["n"] == 300


def test_missing_groups_are_audited_as_one_with_missing_group():
    # the refusal said 'set data.missing_group = true', which audit_model had no way to set
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=400), "group": rng.choice(["a", "b", None], 400)})
    frame["label"] = (frame.x > 0).astype(int)
    model = LogisticRegression().fit(frame[["x"]], frame.label)
    kw = {"data": frame, "target": "label", "sensitive": ["group"], "progress": False}
    with pytest.raises(AuditorInputError, match=r"missing or empty group labels .* fill them, "
                       r"or set missing_group=True to audit"):
        auditor.audit_model(model, **kw)
    result = auditor.audit_model(model, missing_group=True, **kw)
    groups = {g["group"]: g["n"] for g in result.data["fairness"]["features"]["group"]["groups"]}
    assert groups["(missing)"] == int(frame.group.isna().sum()) and sum(groups.values()) == 400


def test_an_empty_path_is_named():
    with pytest.raises(AuditorInputError, match="empty: name a file") as err:
        auditor.audit_model(LogisticRegression(), data="", target="y", sensitive=["g"])
    assert err.value.field == "data"


def test_a_module_trained_on_other_columns_names_them_and_the_layer_given_them():
    # was: "model: 'Sequential.forward' raised RuntimeError: mat1 and mat2 shapes cannot be
    # multiplied (300x2 and 5x2)", PyTorch's words from the middle of the audit
    import torch
    from torch import nn

    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"x1": rng.normal(size=300), "x2": rng.normal(size=300),
                          "group": rng.choice(["a", "b"], 300)})  # fmt: skip
    frame["label"] = (frame.x1 > 0).astype(int)
    torch.manual_seed(0)
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_model(nn.Sequential(nn.Linear(5, 2)), data=frame, target="label",
                            sensitive=["group"], progress=False)  # fmt: skip
    assert err.value.field == "model"
    assert str(err.value).startswith(
        "model: Sequential does not take inputs of shape (rows, 2) (the rows' 2 input columns:"
        " x1, x2): the layer given them, Linear(5 -> 2), takes 5; give it the columns it was "
        "trained on, in their order, in features= (it receives float32 (rows, columns): wrap a "
        "module that takes another shape) (torch: mat1 and mat2 shapes cannot be ")
