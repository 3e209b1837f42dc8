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
    EPS,
    ClassScoreSums,
    ScoreMetrics,
    auc_interval,
    ece_interval,
    log_loss_interval,
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


def _measured(rows: list, chunks: int) -> tuple[np.ndarray, np.ndarray, ScoreMetrics]:
    """(y, p, their score metrics read in ``chunks`` batches) of hypothesis' (y, p) rows."""
    y = np.array([r[0] for r in rows])
    p = np.array([r[1] for r in rows], dtype=np.float64)
    return y, p, score_metrics(*_sums(y, p, chunks))


scores = st.lists(
    st.tuples(st.integers(0, 1), st.sampled_from([0.0, 1e-6, 2e-6, 0.3, 0.5, 0.7, 1.0])
              | st.floats(0, 1)),
    min_size=2, max_size=200,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(rows=scores, chunks=st.integers(1, 5))
def test_equal_to_sklearn_whatever_the_batching(rows, chunks):
    y, p, m = _measured(rows, chunks)
    assert m.brier == pytest.approx(skm.brier_score_loss(y, p, pos_label=1), abs=1e-12)
    if len(set(y)) == 2:
        assert m.roc_auc == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)
        assert m.log_loss == pytest.approx(skm.log_loss(y, p), rel=1e-9)
    else:
        assert math.isnan(m.roc_auc)


@settings(max_examples=150, deadline=None)
@given(rows=scores, chunks=st.integers(1, 5))
def test_each_class_loss_range_is_its_rows_whatever_the_batching(rows, chunks):
    """The least and largest per-row log loss of each class (what bounds the log loss
    interval's allowance for unseen rows), from each batch's least and largest score."""
    y, p, m = _measured(rows, chunks)
    clipped = np.clip(p, EPS, 1 - EPS)
    loss = np.where(y == 1, -np.log(clipped), -np.log(np.clip(1 - p, EPS, 1 - EPS)))
    for c, k in zip(m.class_losses, (1, 0), strict=True):
        assert c.n == (y == k).sum()
        if c.n:
            assert (c.least, c.most) == pytest.approx((loss[y == k].min(), loss[y == k].max()),
                                                      rel=1e-15)  # fmt: skip
            assert c.least <= c.mean * (1 + 1e-12) and c.mean <= c.most * (1 + 1e-12)
        else:
            assert math.isnan(c.least) and math.isnan(c.most)


@settings(max_examples=150, deadline=None)
@given(rows=scores, level=st.sampled_from([0.8, 0.95, 0.99]))
def test_every_interval_contains_its_estimate(rows, level):
    y, p, m = _measured(rows, 1)
    lo, hi = ece_interval(m.ece, m.reliability, level=level)
    assert 0 <= lo <= m.ece <= hi <= 1 and hi > lo  # never zero width
    lo, hi = log_loss_interval(m.log_loss, m.class_losses, level=level)
    if min(m.n_positive, m.n_negative) >= 2:
        assert 0 <= lo <= m.log_loss <= hi
    else:
        assert math.isnan(lo) and math.isnan(hi)
    if not math.isnan(m.roc_auc):
        lo, hi = auc_interval(m.roc_auc, m.n_positive, m.n_negative, level=level)
        assert 0 <= lo <= m.roc_auc <= hi <= 1 and hi > lo


@pytest.mark.parametrize("rounded", [False, True])
def test_sums_by_code_equal_each_codes_rows_summed_on_their_own(rounded):
    """One partition of a batch by code (logs, squares and bins over the whole batch) gives
    each code exactly the sums of its own rows, in their order: np.sum's, np.digitize's bins
    and np.unique's distinct scores."""
    from auditor.results.classification import N_BINS, bin_edges
    from auditor.results.scores import EPS, sums_by_code

    rng = np.random.default_rng(11)
    p = rng.random(5000)
    p[:6] = [0.0, 1.0, 0.5, 1 / 15, 14 / 15, 0.5]
    if rounded:
        p = np.round(p, 2)
    code = rng.integers(0, 7, 5000)
    code[code == 3] = 4  # a code without rows
    got = sums_by_code(p, code, 7)
    assert sorted(got) == [0, 1, 2, 4, 5, 6]
    for k, s in got.items():
        q = p[code == k]
        lp, l1 = np.log(np.clip(q, EPS, 1 - EPS)), np.log(np.clip(1 - q, EPS, 1 - EPS))
        assert (s.n, s.log_p, s.log_p2, s.log_1mp, s.log_1mp2, s.p, s.p2, s.p_min, s.p_max) == (
            len(q),
            lp.sum(),
            (lp * lp).sum(),
            l1.sum(),
            (l1 * l1).sum(),
            q.sum(),
            (q * q).sum(),
            q.min(),
            q.max(),
        )
        conf = np.maximum(q, 1 - q)
        which = np.clip(np.digitize(conf, bin_edges()[1:-1], right=True), 0, N_BINS - 1)
        assert s.bin_n.tolist() == np.bincount(which, minlength=N_BINS).tolist()
        assert np.array_equal(s.bin_conf, np.bincount(which, weights=conf, minlength=N_BINS))
        assert s.bin_above.tolist() == np.bincount(which[q > 0.5], minlength=N_BINS).tolist()
        values, counts = np.unique(q, return_counts=True)
        assert np.array_equal(s.values, values) and np.array_equal(s.counts, counts)


def _delong_by_cell(y: np.ndarray, p: np.ndarray) -> float:
    """DeLong's variance, row by row, of the scores replaced by their calibration cell, each
    placement spread uniformly over the other class's rows in its cell (a variance of their
    share squared / 12)."""
    from auditor.results.classification import N_BINS, bin_index

    conf = np.maximum(p, 1 - p)
    cell = np.where(p > 0.5, N_BINS + bin_index(conf), N_BINS - 1 - bin_index(conf))
    pos, neg = cell[y == 1], cell[y == 0]
    v10 = ((neg[None, :] < pos[:, None]) + 0.5 * (neg[None, :] == pos[:, None])).mean(axis=1)
    v01 = ((pos[None, :] > neg[:, None]) + 0.5 * (pos[None, :] == neg[:, None])).mean(axis=1)
    same10 = (neg[None, :] == pos[:, None]).mean(axis=1)  # the cell's share of negatives
    same01 = (pos[None, :] == neg[:, None]).mean(axis=1)
    s10 = v10.var(ddof=1) + (same10**2 / 12).sum() / (len(pos) - 1)
    s01 = v01.var(ddof=1) + (same01**2 / 12).sum() / (len(neg) - 1)
    return s10 / len(pos) + s01 / len(neg)


@settings(max_examples=100, deadline=None)
@given(rows=scores, chunks=st.integers(1, 3))
def test_binned_auc_variance_is_delongs_over_the_cells(rows, chunks):
    y, p, m = _measured(rows, chunks)
    if min(m.n_positive, m.n_negative) < 2:
        assert m.auc_var == 0.0
    else:
        assert m.auc_var == pytest.approx(_delong_by_cell(y, p), rel=1e-9, abs=1e-15)


def test_binned_auc_variance_sees_rare_confident_mistakes():
    """Positives at 0.85-0.95, 2% of them at 0.05-0.15 (and the negatives mirrored): the
    placements spread more than Hanley-McNeil's model has it (1.2x its variance), so the
    interval widens to DeLong's."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 2000)
    right = rng.random(2000) >= 0.02
    p = np.where((y == 1) == right, rng.uniform(0.85, 0.95, 2000), rng.uniform(0.05, 0.15, 2000))
    m = score_metrics(*_sums(y, p, 2))
    a, n_pos, n_neg = m.roc_auc, m.n_positive, m.n_negative
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    hanley_mcneil = (a * (1 - a) + (n_pos - 1) * (q1 - a * a) + (n_neg - 1) * (q2 - a * a)) / (
        n_pos * n_neg
    )
    assert m.auc_var > 1.1 * hanley_mcneil
    plain = auc_interval(a, n_pos, n_neg, level=0.95)
    lo, hi = auc_interval(a, n_pos, n_neg, level=0.95, var=m.auc_var)
    half = 1.959963984540054 * math.sqrt(m.auc_var)
    assert hi > plain[1] and (lo, hi) == (min(plain[0], a - half), a + half)


def test_sums_by_code_without_sort_keeps_a_codes_untied_scores_in_row_order():
    """Without ``sort`` (a batch of a file, merged by ``merge_all``), a code whose first
    TIE_SAMPLE scores hold no tie keeps its scores as they came, each counted once (no sort
    that the file's merge would repeat); a code with a tie among them is sorted, as with
    ``sort``; every sum is the same."""
    from auditor.results.scores import sums_by_code

    rng = np.random.default_rng(5)
    p, code = rng.random(6000), rng.integers(0, 2, 6000)
    p[code == 1] = np.round(p[code == 1], 2)
    raw, ref = sums_by_code(p, code, 2, sort=False), sums_by_code(p, code, 2)
    assert np.array_equal(raw[0].values, p[code == 0]) and raw[0].counts.tolist() == [1] * len(
        raw[0].values
    )
    assert np.array_equal(raw[1].values, ref[1].values)
    assert np.array_equal(raw[1].counts, ref[1].counts)
    for k in (0, 1):
        for name in ("n", "log_p", "log_p2", "log_1mp", "log_1mp2", "p", "p2", "p_min", "p_max"):
            assert getattr(raw[k], name) == getattr(ref[k], name)


def test_one_unsorted_pair_is_merged_into_sorted_distinct_values():
    """A batch's unsorted cell (``sums_by_code`` without ``sort``) merged alone, into an empty
    sum, comes back sorted: the one-pair shortcut no longer hands it back as it is."""
    from auditor.results.scores import ClassScoreSums, merge_counts, sums_by_code

    p = np.random.default_rng(5).random(3000)
    part = sums_by_code(p, np.zeros(3000, np.intp), 1, sort=False)[0]
    assert not np.all(np.diff(part.values) > 0)  # the batch's scores as they came
    values, counts = merge_counts([(part.values, part.counts)])
    assert np.array_equal(values, np.sort(p)) and np.array_equal(counts, np.ones(3000))
    total = ClassScoreSums()
    total.merge(part)
    assert np.array_equal(total.values, np.sort(p)) and total.n == 3000
