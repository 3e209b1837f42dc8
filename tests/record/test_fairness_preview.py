"""The fairness previews read back (:mod:`auditor.record.fairness_preview`): a threshold
sweep's rate past [0, 1], over no rows, no whole count of its rows or missing a threshold, a
group's n apart from its positives and negatives, or a mitigation preview's accuracy or gap
past [0, 1] was drawn by the card and shown by the diff; each is refused: exit 2, one line
naming the file and the field, nothing written."""

from __future__ import annotations

import json

import pytest

from auditor.errors import AuditorInputError
from auditor.record.fairness_preview import _all_shares, _rate
from tests.record._edits import assert_refused, set_at, write_edited

SWEEP = ("fairness", "threshold_sweep", "features")
DIGIT_0 = (*SWEEP, "digit", 0)  # the digit 0: odd is the positive class, no positive rows
MITIGATION = ("fairness", "mitigation", "features", "ink_density")


@pytest.mark.parametrize(
    ("keys", "value", "field", "words"),
    [
        ((*SWEEP, "ink_density", 0, "tpr", 3), 7.0, "ink_density/0/tpr/3",
         "7.0 is outside [0, 1], where a rate lies"),
        ((*SWEEP, "ink_density", 1, "selection_rate", 0), 0.5001, "ink_density/1/selection_rate/0",
         "0.5001 is not a whole count over n (161)"),
        ((*DIGIT_0, "tpr", 2), 0.5, "digit/0/tpr/2",
         "0.5 is a rate over no rows (n_positive is 0)"),
        ((*DIGIT_0, "fpr", 2), None, "digit/0/fpr/2", "null, but n_negative is 44"),
        ((*DIGIT_0, "n"), 10**15, "digit/0/n", "is not n_positive + n_negative (44)"),
        ((*DIGIT_0, "n_negative"), -44, "digit/0/n_negative", "-44 is outside [0, inf]"),
        ((*DIGIT_0, "selection_rate"), [0.5], "digit/0/selection_rate",
         "holds 1 rates, not one at each of the grid's 19 thresholds"),
        ((*MITIGATION, "before", "accuracy", "ci_high"), 1e300, "before/accuracy/ci_high",
         "1e+300 is outside [0, 1], where a rate or a gap between groups and its interval lie"),
        ((*MITIGATION, "constraints", "demographic_parity", "after",
          "equalized_odds_difference", "ci_low"), -0.5,
         "demographic_parity/after/equalized_odds_difference/ci_low", "-0.5 is outside [0, 1]"),
    ],
)  # fmt: skip
def test_preview_numbers_out_of_bounds_are_refused(privacy_audit, tmp_path, keys, value, field,
                                                   words):  # fmt: skip
    audit = json.loads(privacy_audit.read_text())
    set_at(audit, keys, value)
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, field, words)


def _grid_point_at_7(audit):
    audit["fairness"]["threshold_sweep"]["grid"][5] = 7.0


def _grid_point_repeated(audit):
    grid = audit["fairness"]["threshold_sweep"]["grid"]
    grid[13] = grid[12]


def _minimum_apart_from_the_config(audit):
    audit["fairness"]["threshold_sweep"]["min_group_size"] = 10**6


def _minimum_raised_with_the_config(audit):
    audit["fairness"]["threshold_sweep"]["min_group_size"] = 10**6
    audit["config"]["fairness"]["min_group_size"] = 10**6


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (_grid_point_at_7, "fairness/threshold_sweep/grid/5",
         "7.0 is outside [0, 1], where a threshold on P(positive) lies"),
        (_grid_point_repeated, "fairness/threshold_sweep/grid/13",
         "0.65 is not above the threshold before it (0.65)"),
        (_minimum_apart_from_the_config, "fairness/threshold_sweep/min_group_size",
         "1000000 is not config/fairness/min_group_size (30)"),
        (_minimum_raised_with_the_config, "fairness/threshold_sweep/features/digit/0/n",
         "rows, fewer than min_group_size (1000000): the sweep leaves such a group out"),
    ],
)  # fmt: skip
def test_a_sweep_grid_or_minimum_apart_is_refused(privacy_audit, tmp_path, edit, field, words):
    """r5 #1: a grid point of 7 or -2 was drawn far off the chart and a minimum group size of
    10^6 beside groups of 44 rows was read back."""
    audit = json.loads(privacy_audit.read_text())
    edit(audit)
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, field, words)


@pytest.mark.parametrize("n", [0, 1, 3, 44, 10**9])
def test_the_fast_path_passes_exactly_what_the_named_check_passes(n):
    """r5 #2: _all_shares (every rate at once) and _rate (each, named) keep one rule."""
    values = [None, 0.0, 1.0, 0.5, 1 / 3, 2 / 3, 0.5001, -0.0, -1e-12, 1 + 1e-12, 1.5, -0.25,
              7.0, 1e300, 3 / 44, 17 / 10**9]  # fmt: skip
    for rate in values:
        try:
            _rate(rate, "n", n, "at", "f")
            named = True
        except AuditorInputError:
            named = False
        assert _all_shares([rate], n) is named, (rate, n)
