"""A supplied estimator's positive_label may be any of its classes: the audit reads the
predict_proba column of that class (matched by value), whatever its place in ``classes_``."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score, roc_auc_score

import auditor


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(3)
    n = 700
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                          "group": rng.choice(["a", "b"], n)})  # fmt: skip
    frame["label"] = np.where(frame.x1 + rng.normal(scale=0.7, size=n) > 0.3, "yes", "no")
    train, test = frame[:400], frame[400:].reset_index(drop=True)
    model = LogisticRegression().fit(train[["x1", "x2"]], train["label"])
    assert list(model.classes_) == ["no", "yes"]  # "no" first: not the last class
    return model, test


def audit(model, test, **kw):
    return auditor.audit_model(model, data=test, target="label", sensitive=["group"],
                               progress=False, **kw)  # fmt: skip


def mirrored(model):
    """The same model with its classes in the other order: P(yes), P(no) as its columns."""
    other = copy.deepcopy(model)
    other.coef_, other.intercept_ = -model.coef_, -model.intercept_
    other.classes_ = np.array(["yes", "no"], dtype=object)
    return other


def numbers(node, path=""):
    """Every number under ``node``, by path (NaN as the text 'nan', names dropped)."""
    if isinstance(node, dict):
        return {k: v for key, sub in node.items() for k, v in numbers(sub, f"{path}/{key}").items()}
    if isinstance(node, list):
        return {k: v for i, sub in enumerate(node) for k, v in numbers(sub, f"{path}/{i}").items()}
    if isinstance(node, bool) or not isinstance(node, int | float):
        return {}
    return {path: "nan" if math.isnan(node) else float(node)}


def test_the_first_class_as_positive_equals_a_model_with_it_last(fitted):
    model, test = fitted
    first = audit(model, test, positive_label="no")  # refused before: not the last class
    last = audit(mirrored(model), test, positive_label="no")
    for section in ("performance", "fairness"):
        a, b = numbers(first.data[section]), numbers(last.data[section])
        assert a.keys() == b.keys()
        for key in a:
            assert a[key] == pytest.approx(b[key], abs=1e-9), (section, key)
    fair = first.data["fairness"]
    assert fair["positive_class"] == "no" and fair["classes"] == ["yes", "no"]
    # and the numbers are those of "no" as the positive class, by scikit-learn
    proba_no = model.predict_proba(test[["x1", "x2"]])[:, 0]
    truth = (test.label == "no").to_numpy()
    assert fair["overall"]["recall"]["value"] == pytest.approx(
        recall_score(truth, proba_no > 0.5), abs=1e-12
    )
    perf = first.data["performance"]["finetuned"]["test"]
    assert perf["roc_auc"] == pytest.approx(roc_auc_score(truth, proba_no), abs=1e-12)
    assert perf["confusion_matrix"][1][1] == int((truth & (proba_no > 0.5)).sum())


def test_the_positive_class_mirrors_the_other_one(fitted):
    """positive_label = "yes" and = "no" on one model: each one's recall is the other's
    true negative rate (1 - fpr), overall and in every group."""
    model, test = fitted
    yes = audit(model, test, positive_label="yes").data["fairness"]
    no = audit(model, test, positive_label="no").data["fairness"]
    assert yes["positive_class"] == "yes" and no["positive_class"] == "no"
    assert yes["overall"]["recall"]["value"] == pytest.approx(1 - no["overall"]["fpr"]["value"])
    for g_yes, g_no in zip(yes["features"]["group"]["groups"], no["features"]["group"]["groups"],
                           strict=True):  # fmt: skip
        assert g_yes["group"] == g_no["group"]
        assert g_yes["metrics"]["selection_rate"]["value"] == pytest.approx(
            1 - g_no["metrics"]["selection_rate"]["value"]
        )


def test_the_privacy_probes_do_not_depend_on_which_class_is_positive(fitted):
    """Membership is read from each row's loss on its own label (and reference models fitted
    by clone().fit, their columns aligned by class): the same for either positive class."""
    from auditor.config import AuditConfig

    model, rows = fitted
    config = AuditConfig(privacy={"n_reference": 2, "probes": ["loss", "rmia", "lira"]})
    auc = {}
    for positive in ("yes", "no"):
        result = audit(model, rows[:150], members=rows[150:225], non_members=rows[225:],
                       positive_label=positive, config=config)  # fmt: skip
        auc[positive] = {k: v["auc"]["value"] for k, v in result.data["privacy"]["attacks"].items()}
    assert auc["yes"].keys() >= {"loss", "rmia", "lira_offline"}
    assert auc["yes"] == pytest.approx(auc["no"], abs=1e-12)


def test_a_positive_label_none_of_its_classes_names_the_argument_not_the_rows(fitted):
    # it was 'dataframe: data.positive_label: ...' from Python and 'eval.csv:
    # data.positive_label: ...' from a config: a data file that holds no positive_label
    model, test = fitted
    with pytest.raises(auditor.AuditorInputError) as err:
        auditor.audit_model(model, data=test, target="label", sensitive=["group"],
                            positive_label="maybe", progress=False)  # fmt: skip
    assert err.value.source is None
    assert str(err.value) == ("positive_label: positive_label 'maybe' is not one of the "
                              "model's classes (no, yes)")  # fmt: skip
