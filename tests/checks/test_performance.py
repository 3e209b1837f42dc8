import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from auditor.checks.performance import (
    EXACT_AUC,
    classification_performance,
    expected_calibration_error,
    multiclass_brier,
)
from auditor.context import Predictions


def preds(logits, y, names=None):
    k = logits.shape[1]
    return Predictions(
        "finetuned",
        "test",
        "t",
        tuple(names or [str(i) for i in range(k)]),
        logits.astype(np.float32),
        y,
    )


def random_preds(n=300, k=2, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 2.0 * np.eye(k)[y] * rng.random((n, 1))
    return preds(logits, y)


@pytest.mark.parametrize("k", [2, 4])
def test_matches_sklearn(k):
    p = random_preds(k=k)
    m = classification_performance(p)
    y, yp, proba = p.y_true, p.y_pred, p.proba
    assert m.n == len(y) and m.n_correct == int((y == yp).sum())
    assert m.accuracy == pytest.approx(skm.accuracy_score(y, yp))
    assert m.balanced_accuracy == pytest.approx(skm.balanced_accuracy_score(y, yp))
    assert m.f1_macro == pytest.approx(skm.f1_score(y, yp, average="macro"))
    assert m.precision_macro == pytest.approx(skm.precision_score(y, yp, average="macro"))
    assert m.recall_macro == pytest.approx(skm.recall_score(y, yp, average="macro"))
    assert m.log_loss == pytest.approx(skm.log_loss(y, proba, labels=list(range(k))), rel=1e-6)
    if k == 2:
        assert m.roc_auc == pytest.approx(skm.roc_auc_score(y, proba[:, 1]))
        assert m.brier == pytest.approx(skm.brier_score_loss(y, proba[:, 1]))
    else:
        assert m.roc_auc == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr"))
    assert np.array_equal(np.array(m.confusion_matrix), skm.confusion_matrix(y, yp))
    assert sum(c.support for c in m.per_class) == m.n
    assert sum(b.n for b in m.reliability) == m.n


def test_multiclass_brier_is_twice_binary_brier():
    p = random_preds(k=2)
    assert multiclass_brier(p.y_true, p.proba) == pytest.approx(
        2 * skm.brier_score_loss(p.y_true, p.proba[:, 1])
    )


def test_ece_known_values():
    # all predictions at confidence 0.9, 60% correct -> ECE 0.3
    proba = np.tile([[0.9, 0.1]], (10, 1))
    y = np.array([0] * 6 + [1] * 4)
    ece, bins = expected_calibration_error(y, proba)
    assert ece == pytest.approx(0.3)
    full = [b for b in bins if b.n]
    assert len(full) == 1 and full[0].n == 10 and full[0].accuracy == pytest.approx(0.6)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=10_000))
def test_ece_bounds(n, seed):
    p = random_preds(n=n, k=3, seed=seed)
    ece, bins = expected_calibration_error(p.y_true, p.proba)
    assert 0.0 <= ece <= 1.0
    assert sum(b.n for b in bins) == n


def test_single_class_gives_nan_with_reason_not_a_crash():
    y = np.zeros(20, dtype=np.int64)
    logits = np.random.default_rng(0).normal(size=(20, 2))
    m = classification_performance(preds(logits, y, ["neg", "pos"]))
    assert math.isnan(m.roc_auc)
    assert "only one class" in m.undefined["roc_auc"]
    assert "recall[pos]" in m.undefined


def test_probabilities_from_logits_are_stable():
    p = preds(np.array([[1000.0, -1000.0], [-1000.0, 1000.0]]), np.array([0, 0]))
    assert np.isfinite(p.loss).all() and p.loss[0] == pytest.approx(0.0)
    assert p.loss[1] == pytest.approx(2000.0, rel=1e-3)


def test_section_is_typed_on_digits(digits_context):
    from auditor.checks.performance import PerformanceSection, performance_check

    section = performance_check(digits_context, {})
    assert isinstance(section, PerformanceSection)
    assert set(section.finetuned) == {"finetune_train", "holdout", "val", "test"}
    assert set(section.pretrained) == {"pretrain", "test"}
    assert all(p.kind == "classification" for p in section.pretrained.values())
    assert section.finetuned["test"].roc_auc_method == EXACT_AUC


def test_reconstruction_error_of_a_self_supervised_stage(table_context):
    """The pretrained stage's masked-reconstruction error: the same draw twice, and the
    number the privacy stage comparison reads (one mask per split, one named stream)."""
    from auditor.checks.performance import performance_check, reconstruction_performance
    from auditor.training.predict import masked_reconstruction

    section = performance_check(table_context, {})
    test = section.pretrained["test"]
    assert test.kind == "reconstruction" and test.n == len(table_context.bundle["test"])
    assert 0 < test.reconstruction_mse < 10
    assert reconstruction_performance(table_context, "test") == test
    again = masked_reconstruction(
        table_context.pretrained, table_context.pretrain_decoder, table_context.bundle["test"].x,
        mask_ratio=test.mask_ratio, device=table_context.device,
        generator=table_context.rngs.torch("eval/reconstruction_mask/test"),
    )  # fmt: skip
    assert again.pooled == test.reconstruction_mse


def test_from_confusion_equals_from_rows():
    """A predictions file reduced to counts gives the numbers of the rows themselves."""
    from auditor.checks.performance import performance_from_confusion

    p = random_preds(k=3, seed=4)
    rows = classification_performance(p)
    cm = skm.confusion_matrix(p.y_true, p.y_pred)
    counts = performance_from_confusion(
        cm, class_names=list(p.class_names), stage=p.stage, split=p.split, task=p.task
    )
    for key in ("n", "n_correct", "accuracy", "balanced_accuracy", "precision_macro",
                "recall_macro", "f1_macro", "per_class", "confusion_matrix"):  # fmt: skip
        assert getattr(counts, key) == getattr(rows, key), key
    assert math.isnan(counts.roc_auc) and counts.roc_auc_method is None
