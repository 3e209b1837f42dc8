"""A binary module's one output per row is read as the positive class's score; one that
scores the other class (a logit trained on class 0) was audited inverted, with a confident
verdict (accuracy 0.12, ROC AUC 0.05 of a model at 0.95). Refused now, as audit_predictions
refuses a y_score ranking the classes backwards, with the two ways to say which class it
scores."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from auditor import AuditorInputError
from tests.api.test_model_outputs import Squeezed, linear
from tests.builders import audit_split, two_feature_frame


@pytest.fixture(scope="module")
def frame():
    return two_feature_frame(5)


def backwards(kind: str) -> nn.Module:
    """A model whose one output is the score of class 0 (label is x1 + noise > 0)."""
    layer = linear([[-2.0, -0.5]], [0.1])
    if kind == "sigmoid":
        return nn.Sequential(layer, nn.Sigmoid())
    return Squeezed(layer) if kind == "vector" else layer


@pytest.mark.parametrize("kind", ["logit", "vector", "sigmoid"])
def test_a_one_output_model_scoring_the_other_class_is_refused(frame, kind):
    with pytest.raises(AuditorInputError) as err:
        audit_split(backwards(kind), frame)
    assert err.value.field == "model"
    message = err.value.message
    assert "ranks the classes backwards" in message
    assert "looks like the score of '0'" in message and "positive_label='0'" in message
    assert "99.9% interval" in message and "300 evaluation rows" in message
    assert "model.classes_ = ['0', '1']" in message


def test_a_one_output_model_whose_classes_are_named_is_audited_as_named(frame):
    # classes_ [0, 1]: its one output scores 1 by the user's word, a model worse than chance
    model = backwards("logit")
    model.classes_ = [0, 1]
    test = audit_split(model, frame)["performance"]["finetuned"]["test"]
    assert test["roc_auc"] < 0.2 and test["accuracy"] < 0.3


def test_naming_the_class_it_scores_audits_it_the_right_way_round(frame):
    audit = audit_split(backwards("logit"), frame, positive_label=0)
    test = audit["performance"]["finetuned"]["test"]
    assert test["roc_auc"] > 0.8 and test["accuracy"] > 0.7


def test_its_negative_audits_as_the_model_it_is(frame):
    class Negated(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = backwards("logit")

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return -self.inner(x)

    test = audit_split(Negated(), frame)["performance"]["finetuned"]["test"]
    assert test["roc_auc"] > 0.8


def test_a_one_logit_model_near_chance_is_audited(frame):
    # it scores x2, which the label does not depend on: an AUC near 0.5 either side is no
    # evidence of the other class, so the audit runs and says what it measured
    test = audit_split(linear([[0.0, -1.0]], [0.0]), frame)["performance"]["finetuned"]["test"]
    assert 0.4 < test["roc_auc"] < 0.6


@pytest.mark.parametrize("file", [True, False])
def test_each_refusal_fits_the_clis_one_line_with_its_way_on(file):
    # the CLI prints one line of at most 500 characters: the two-output refusal was 517 bytes
    # for 'approved' / 'denied' and lost its way on ('... is worse than chanc'), FIX_FILE's
    # template alone was 511
    from auditor.api._direction import (
        FIX_FILE,
        FIX_PYTHON,
        ONE_OUTPUT_BACKWARDS,
        _two_columns_message,
    )
    from auditor.commands import one_line

    evidence = dict(auc=0.0861, level=0.999, low=0.0512, high=0.1234, n=1_234_567)
    negative, positive = "not_approved", "approved"  # 12 characters
    fix = (FIX_FILE if file else FIX_PYTHON).format(positive=positive, other=negative)
    one = ONE_OUTPUT_BACKWARDS.format(positive=positive, other=negative, fix=fix, **evidence)
    two = _two_columns_message([positive, negative], positive=positive, file=file, **evidence)
    where = "models/credit_default_classifier_v2.pt: model.path: " if file else "model: "
    for message in (one, two):
        line = f"auditor: error: {one_line(where + message)}"
        assert line == f"auditor: error: {where}{message}" and len(line) <= 500
        assert "worse than chance" in line.rsplit(": ", 1)[1]  # the last way on, whole
