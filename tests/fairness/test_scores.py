"""Per-group score metrics with their intervals: each group's estimates as the results'
functions give them, and a reason wherever an interval is not available."""

from __future__ import annotations

import math

import numpy as np

from auditor.fairness.scores import ONE_CLASS, add_cells, scores_by_group
from auditor.results.score_intervals import (
    NOT_TWO_PER_CLASS,
    ONE_CLASS_LOSS,
    SCORE_INTERVALS,
    log_loss_missing,
)


def _scores(y: np.ndarray, p: np.ndarray, g: np.ndarray):
    cells: dict = {}
    add_cells(cells, p, y, [g])
    return scores_by_group(cells, features=["g"], specs=[("g",)], positive=1, positive_name="1",
                           min_group_size=30, level=0.95).features["g"]  # fmt: skip


def test_a_group_of_one_class_has_no_log_loss_interval_and_says_why():
    """A group whose rows are all negatives (a label fixed by the group, or a rare class
    absent from the sample): its log loss is the negatives' alone, and nothing bounds the
    positives' share or losses."""
    rng = np.random.default_rng(3)
    p = rng.random(300)
    y = (rng.random(300) < p).astype(int)
    g = np.array(["mixed"] * 200 + ["negatives"] * 99 + ["one positive"])
    y[200:299] = 0
    y[299] = 1
    y[298] = 0
    g[298] = "one positive"  # a group of 2 rows: 1 positive, 1 negative
    by = {s.group: s for s in _scores(y, p, g)}
    mixed, negatives, tiny = by["mixed"], by["negatives"], by["one positive"]
    assert mixed.log_loss.reason is None and mixed.log_loss.ci_low < mixed.log_loss.value
    assert math.isnan(negatives.log_loss.ci_low) and negatives.log_loss.reason == ONE_CLASS_LOSS
    assert negatives.roc_auc.reason == ONE_CLASS and not math.isnan(negatives.log_loss.value)
    assert tiny.log_loss.reason == NOT_TWO_PER_CLASS and tiny.status == "insufficient_data"
    for s in by.values():  # ECE always has its interval, containing the estimate
        assert s.ece.ci_low <= s.ece.value <= s.ece.ci_high


def test_every_groups_intervals_contain_their_estimates_on_ties_and_extreme_scores():
    rng = np.random.default_rng(4)
    p = np.round(rng.random(2000), 1)  # ties, and scores of exactly 0 and 1
    y = (rng.random(2000) < p).astype(int)
    g = rng.choice(["a", "b", "c", "d"], 2000, p=[0.7, 0.2, 0.09, 0.01])
    for s in _scores(y, p, g):
        for e in (s.roc_auc, s.log_loss, s.ece):
            if not math.isnan(e.ci_low):
                assert 0 <= e.ci_low <= e.value <= e.ci_high and e.ci_low < e.ci_high


def test_the_method_names_the_intervals_and_the_reasons_are_precise():
    cells: dict = {}
    add_cells(cells, np.array([0.2, 0.7]), np.array([0, 1]), [np.array(["x", "x"])])
    result = scores_by_group(cells, features=["g"], specs=[("g",)], positive=1,
                             positive_name="1", min_group_size=1, level=0.95)  # fmt: skip
    assert result.method == SCORE_INTERVALS
    assert log_loss_missing([(0, math.nan, math.nan), (5, 0.1, 0.01)]) == ONE_CLASS_LOSS
    assert log_loss_missing([(1, 0.3, math.nan), (5, 0.1, 0.01)]) == NOT_TWO_PER_CLASS
    assert log_loss_missing([(2, 0.3, 0.0), (5, 0.1, 0.01)]) is None
