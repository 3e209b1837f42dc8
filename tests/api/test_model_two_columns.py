"""A binary module with two outputs per row and text classes it does not name is read in the
classes' sorted order; one trained with them numbered otherwise (by hand, {"yes": 0, "no": 1},
or by first appearance) was audited inverted, with a confident verdict (accuracy 0.16, ROC
AUC 0.09 of a model at 0.91). Refused now, as a one-output module scoring the other class
is, saying how to name its order. So are numbers other than 0 / 1 with the positive class 1
(and booleans with False positive). Those are read alike either way: never refused, so a
random-weight module on 0 / 1 labels is audited whatever its draw."""

from __future__ import annotations

import pytest
from sklearn.linear_model import LogisticRegression

from auditor import AuditorInputError
from auditor.api._direction import TWO_COLUMNS_BACKWARDS
from tests.api.test_model_outputs import linear
from tests.builders import audit_split, two_feature_frame

# the score of class 1 (label is x1 + noise > 0) in its second output
RIGHT = ([[-1.0, -0.25], [1.0, 0.25]], [0.0, 0.0])


@pytest.fixture(scope="module")
def frame():
    return two_feature_frame(5)


def worded(frame, mapping):
    out = frame.copy()
    out["label"] = out["label"].map(mapping)
    return out


def test_text_classes_numbered_otherwise_are_refused_naming_the_order(frame):
    rows = worded(frame, {0: "yes", 1: "no"})  # its output 1 is 'no'; sorted, 'yes' is 1
    with pytest.raises(AuditorInputError) as err:
        audit_split(linear(*RIGHT), rows)
    assert err.value.field == "model" and err.value.source is None
    head = TWO_COLUMNS_BACKWARDS.split("{auc")[0].format(first="no", second="yes",
                                                         positive="yes")  # fmt: skip
    assert err.value.message.startswith(head)
    assert "over 300 evaluation rows" in err.value.message
    assert "name them in its order (model.classes_ = ['yes', 'no'];" in err.value.message


def test_naming_its_order_audits_it_the_right_way_round(frame):
    rows = worded(frame, {0: "yes", 1: "no"})
    model = linear(*RIGHT)
    model.classes_ = ["yes", "no"]
    test = audit_split(model, rows)["performance"]["finetuned"]["test"]
    assert test["roc_auc"] > 0.85 and test["accuracy"] > 0.8
    model.classes_ = ["no", "yes"]  # the sorted order named: the user's word, worse than chance
    test = audit_split(model, rows)["performance"]["finetuned"]["test"]
    assert test["roc_auc"] < 0.15


def test_numbers_as_classes_are_indices_never_refused(frame):
    backwards = linear([[1.0, 0.25], [-1.0, -0.25]], [0.0, 0.0])  # scores class 0 in output 1
    test = audit_split(backwards, frame)["performance"]["finetuned"]["test"]
    assert test["roc_auc"] < 0.15  # audited as the model worse than chance it is
    bools = worded(frame, {0: False, 1: True})
    assert audit_split(backwards, bools)["performance"]["finetuned"]["test"]["roc_auc"] < 0.15


def test_text_classes_in_sorted_order_and_an_estimators_classes_are_audited(frame):
    rows = worded(frame, {0: "no", 1: "yes"})
    assert audit_split(linear(*RIGHT), rows)["performance"]["finetuned"]["test"]["roc_auc"] > 0.85
    flipped = worded(frame, {0: "yes", 1: "no"})[:300]
    estimator = LogisticRegression().fit(flipped[["x1", "x2"]], flipped["label"])
    test = audit_split(estimator, rows)["performance"]["finetuned"]["test"]  # its classes_
    assert test["roc_auc"] < 0.15


@pytest.mark.parametrize(
    "mapping, positive",
    [({0: 2, 1: 1}, 1), ({0: 1, 1: -1}, -1), ({0: 1, 1: 0}, 0), ({0: True, 1: False}, False)],
    ids=["1-2", "minus-1-1", "0-1-positive-0", "bool-positive-false"],
)
def test_numbers_not_their_outputs_indices_are_refused_when_backwards(frame, mapping, positive):
    # trained on y = (label == positive), as before f1fc611 they were read: output 1 the
    # positive class's; read sorted ({1, 2}, or 0 / False first) it was audited inverted, exit 0
    rows = worded(frame, mapping)
    with pytest.raises(AuditorInputError) as err:
        audit_split(linear(*RIGHT), rows, positive_label=positive)
    assert "rank the classes backwards" in err.value.message
    model = linear(*RIGHT)
    negative = next(v for v in mapping.values() if v != positive)
    model.classes_ = [negative, positive]  # named: audited the right way round
    test = audit_split(model, rows, positive_label=positive)["performance"]["finetuned"]["test"]
    assert test["roc_auc"] > 0.85
