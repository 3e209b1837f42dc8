"""Score metrics from mergeable sums: equal to scikit-learn's whatever the batching and ties;
every interval contains its estimate."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from auditor.results.scores import (
    ClassScoreSums,
    auc_interval,
    ece_interval,
    mean_interval,
    merged,
    score_metrics,
)


def _sums(y: np.ndarray, p: np.ndarray, chunks: int) -> tuple[ClassScoreSums, ClassScoreSums]:
    parts = []
    for idx in np.array_split(np.arange(len(y)), chunks):
        pos, neg = ClassScoreSums(), ClassScoreSums()
        pos.add(p[idx][y[idx] == 1])
        neg.add(p[idx][y[idx] == 0])
        parts.append((pos, neg))
    return merged([a for a, _ in parts]), merged([b for _, b in parts])


scores = st.lists(
    st.tuples(st.integers(0, 1), st.sampled_from([0.0, 1e-6, 2e-6, 0.3, 0.5, 0.7, 1.0])
              | st.floats(0, 1)),
    min_size=2, max_size=200,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(rows=scores, chunks=st.integers(1, 5))
def test_equal_to_sklearn_whatever_the_batching(rows, chunks):
    y = np.array([r[0] for r in rows])
    p = np.array([r[1] for r in rows], dtype=np.float64)
    m = score_metrics(*_sums(y, p, chunks))
    assert m.brier == pytest.approx(skm.brier_score_loss(y, p, pos_label=1), abs=1e-12)
    if len(set(y)) == 2:
        assert m.roc_auc == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)
        assert m.log_loss == pytest.approx(skm.log_loss(y, p), rel=1e-9)
    else:
        assert math.isnan(m.roc_auc)


@settings(max_examples=150, deadline=None)
@given(rows=scores, level=st.sampled_from([0.8, 0.95, 0.99]))
def test_every_interval_contains_its_estimate(rows, level):
    y = np.array([r[0] for r in rows])
    p = np.array([r[1] for r in rows], dtype=np.float64)
    m = score_metrics(*_sums(y, p, 1))
    lo, hi = ece_interval(m.ece, m.reliability, level=level)
    assert 0 <= lo <= m.ece <= hi <= 1 and hi > lo  # never zero width
    lo, hi = mean_interval(m.log_loss, m.log_loss_sd, m.n, level=level)
    assert 0 <= lo <= m.log_loss + 1e-12 and m.log_loss <= hi
    if not math.isnan(m.roc_auc):
        lo, hi = auc_interval(m.roc_auc, m.n_positive, m.n_negative, level=level)
        assert 0 <= lo <= m.roc_auc <= hi <= 1 and hi > lo
