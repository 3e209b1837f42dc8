"""A supplied model's rows read in one spelling, as a table's and a predictions file's: an
estimator fitted on a file's 'yes ' (its classes_) names the evaluation rows' 'yes'; groups
'a ' and 'a' are one group, named on the card; a model whose two classes read alike is
refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.config import AuditConfig
from auditor.errors import AuditorInputError
from tests.api.test_model_exact_inputs import skops_audit


def _frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = np.where(x + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    return pd.DataFrame({"x": x, "g": rng.choice(["a", "b"], n), "y": y})


def _config() -> AuditConfig:
    return AuditConfig(privacy={"enabled": False})


@pytest.mark.parametrize("dtype", [object, "category", "string"])
def test_an_estimators_spaced_class_names_the_rows_class(dtype):
    frame = _frame()
    fitted_on = frame.assign(y=frame["y"].replace({"yes": "yes "}))  # the training file's
    model = LogisticRegression().fit(fitted_on[["x"]], fitted_on["y"])
    assert list(model.classes_) == ["no", "yes "]
    own = float((model.predict(frame[["x"]]) == fitted_on["y"]).mean())
    rows = frame.assign(g=frame["g"].where(frame.index % 5 > 0, frame["g"] + " ").astype(dtype))
    got = auditor.audit_model(model, data=rows, target="y", sensitive=["g"], positive_label="yes",
                              config=_config(), progress=False).data  # fmt: skip
    assert got["data"]["finetune_task"]["class_names"] == ["no", "yes"]
    assert got["performance"]["finetuned"]["test"]["accuracy"] == pytest.approx(own)
    assert got["fairness"]["positive_class"] == "yes"
    groups = got["fairness"]["features"]["g"]["groups"]
    assert sorted(g["group"] for g in groups) == ["a", "b"]
    assert sum(g["n"] for g in groups) == len(frame)
    assert "g: 'a', 'a ' are read as one label 'a'" in got["data"]["description"]


def test_a_model_whose_classes_read_alike_is_refused():
    frame = _frame()
    labels = frame["y"].where(frame.index % 2 > 0, frame["y"] + " ")  # 'yes' and 'yes '
    model = LogisticRegression().fit(frame[["x"]], labels)
    with pytest.raises(AuditorInputError, match="the model's classes 'no' and 'no ' read as one"):
        auditor.audit_model(model, data=frame, target="y", sensitive=["g"], config=_config(),
                            progress=False)  # fmt: skip


def test_the_command_line_reads_a_skops_models_spaced_classes(tmp_path):
    frame = _frame()
    fitted_on = frame.assign(y=frame["y"] + "\u00a0")
    model = LogisticRegression().fit(fitted_on[["x"]], fitted_on["y"])
    audit = skops_audit(tmp_path, model, frame)
    assert audit["data"]["finetune_task"]["class_names"] == ["no", "yes"]
    assert audit["performance"]["finetuned"]["test"]["accuracy"] > 0.7


def test_audit_model_refuses_a_group_named_missing_beside_missing_group():
    frame = _frame()
    frame.loc[[3], "g"] = "(missing)"
    frame.loc[[4], "g"] = None
    model = LogisticRegression().fit(frame[["x"]], frame["y"])
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_model(model, data=frame, target="y", sensitive=["g"], missing_group=True,
                            config=_config(), progress=False)  # fmt: skip
    text = str(err.value)
    assert "column 'g' holds a group named '(missing)'" in text and "\n" not in text
    assert "fill the rows with no value" in text and err.value.field == "sensitive"
