"""Metrics from a confusion matrix and top-label calibration (one definition for a trained
model's rows and for a predictions file reduced to counts) against scikit-learn."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from auditor.results.classification import (
    NO_PREDICTED,
    NO_SUPPORT,
    bin_index,
    calibration_from_bins,
    expected_calibration_error,
    metrics_from_confusion,
)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 5), st.integers(1, 200), st.integers(0, 10_000))
def test_metrics_from_confusion_equal_sklearn(k, n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    yp = np.where(rng.random(n) < 0.6, y, rng.integers(0, k, n))
    labels = list(range(k))
    m = metrics_from_confusion(skm.confusion_matrix(y, yp, labels=labels), [str(c) for c in labels])
    p, r, f, support = skm.precision_recall_fscore_support(
        y, yp, labels=labels, zero_division=np.nan
    )
    np.testing.assert_allclose([c.precision for c in m.per_class], p, equal_nan=True)
    np.testing.assert_allclose([c.recall for c in m.per_class], r, equal_nan=True)
    np.testing.assert_allclose([c.f1 for c in m.per_class], f, equal_nan=True)
    assert [c.support for c in m.per_class] == support.tolist()
    assert m.accuracy == pytest.approx(skm.accuracy_score(y, yp))
    with warnings.catch_warnings():  # sklearn warns when a class is absent from y
        warnings.simplefilter("ignore")
        assert m.balanced_accuracy == pytest.approx(skm.balanced_accuracy_score(y, yp))
    assert m.n == n and m.n_correct == int((y == yp).sum())


def test_undefined_values_say_why():
    cm = np.array([[5, 0, 0], [2, 0, 0], [0, 0, 0]])  # class b never predicted, c absent
    m = metrics_from_confusion(cm, ["a", "b", "c"])
    assert math.isnan(m.per_class[1].precision) and m.undefined["precision[b]"] == NO_PREDICTED
    assert math.isnan(m.per_class[2].recall) and m.undefined["recall[c]"] == NO_SUPPORT
    assert m.per_class[1].f1 == 0.0  # defined: b has support
    assert math.isnan(metrics_from_confusion(np.zeros((2, 2), int), ["a", "b"]).accuracy)


def test_calibration_from_streamed_bins_equals_rows():
    """Bin sums merged over batches give the ECE of the rows in one piece."""
    rng = np.random.default_rng(3)
    proba = rng.dirichlet([1, 1, 1], 500)
    y = rng.integers(0, 3, 500)
    ece, bins = expected_calibration_error(y, proba)
    n, conf, correct = np.zeros(15), np.zeros(15), np.zeros(15)
    for part in np.array_split(np.arange(500), 7):
        c = proba[part].max(axis=1)
        b = bin_index(c)
        n += np.bincount(b, minlength=15)
        conf += np.bincount(b, weights=c, minlength=15)
        correct += np.bincount(b, weights=proba[part].argmax(1) == y[part], minlength=15)
    streamed, streamed_bins = calibration_from_bins(n, conf, correct)
    assert streamed == pytest.approx(ece, abs=1e-12)
    assert [b.n for b in streamed_bins] == [b.n for b in bins]
    assert math.isnan(calibration_from_bins(np.zeros(15), np.zeros(15), np.zeros(15))[0])


@pytest.mark.parametrize("n_bins", [1, 2, 3, 7, 10, 15, 20, 100])
def test_bin_index_equals_digitize_on_every_edge_and_its_neighbours(n_bins):
    """The arithmetic binning gives np.digitize's bin (the upper edge inside the bin) for
    the edges, k / n_bins computed afresh, their float neighbours, the ends, values just
    outside [0, 1], NaN and random floats."""
    from auditor.results.classification import bin_edges

    edges = bin_edges(n_bins)
    exact = np.array([k / n_bins for k in range(n_bins + 1)])
    points = np.concatenate([
        edges, exact, *(np.nextafter(e, t) for e in (edges, exact) for t in (-1.0, 2.0)),
        [0.0, -0.0, 1.0, 5e-324, -5e-324, -0.25, 1.25, np.nan, np.inf, -np.inf],
        np.random.default_rng(n_bins).random(20_000),
    ])  # fmt: skip
    expected = np.clip(np.digitize(points, edges[1:-1], right=True), 0, n_bins - 1)
    assert bin_index(points, n_bins).tolist() == expected.tolist()
