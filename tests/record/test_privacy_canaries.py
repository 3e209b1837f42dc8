"""The canaries read back (:mod:`auditor.record.privacy_canaries`): a count of correct guesses
past r, r past m or apart from k_plus + k_minus, an epsilon lower bound below 0 or past the
ceiling, a kind's inserted canaries past its audited ones, a loss AUC past [0, 1] or an
exposure past [0, its maximum] was shown by the card and the diff; each is refused: exit 2,
one line naming the file and the field, nothing written."""

from __future__ import annotations

import json

import pytest

from auditor.api import AuditResult
from tests.record._edits import assert_refused, set_at, write_edited

CANARIES = ("privacy", "canaries")
MISLABELLED = (*CANARIES, "kinds", "mislabelled")


@pytest.mark.parametrize(
    ("keys", "value", "field", "words"),
    [
        ((*CANARIES, "correct"), 10**15, "canaries/correct", "is not a count between 0 and r"),
        ((*CANARIES, "r"), 101, "canaries/r", "101 is not a count between 0 and m (100)"),
        ((*CANARIES, "r"), 39, "canaries/r", "39 is not k_plus + k_minus (40)"),
        ((*CANARIES, "m"), -5, "canaries/m", "-5 is outside [0, inf], where a count lies"),
        ((*CANARIES, "epsilon_lower_bound"), 1e300, "canaries/epsilon_lower_bound",
         "where an epsilon lower bound lies"),
        ((*CANARIES, "epsilon_lower_bound"), -1.0, "canaries/epsilon_lower_bound",
         "-1.0 is outside [0,"),
        ((*CANARIES, "epsilon_ceiling"), -2.0, "canaries/epsilon_ceiling", "-2.0 is outside"),
        ((*CANARIES, "delta"), 3.0, "canaries/delta", "3.0 is outside [0, 1]"),
        ((*CANARIES, "model", "n_canaries_inserted"), 10**9, "model/n_canaries_inserted",
         "is not a count between 0 and n_train"),
        ((*MISLABELLED, "n_inserted"), 51, "mislabelled/n_inserted",
         "51 is not a count between 0 and n_audited (50)"),
        ((*MISLABELLED, "n_candidates"), -1, "mislabelled/n_candidates", "-1 is outside [0,"),
        ((*MISLABELLED, "loss_auc", "ci_high"), 1e300, "mislabelled/loss_auc/ci_high",
         "where an AUC and its interval lie"),
        ((*MISLABELLED, "exposure_bits_max_inserted"), 99.0,
         "mislabelled/exposure_bits_max_inserted", "where an exposure in bits lies"),
        ((*MISLABELLED, "exposure_bits_mean_not_inserted"), -0.5,
         "mislabelled/exposure_bits_mean_not_inserted", "-0.5 is outside [0,"),
    ],
)  # fmt: skip
def test_canary_numbers_out_of_bounds_are_refused(privacy_audit, tmp_path, keys, value, field,
                                                  words):  # fmt: skip
    audit = json.loads(privacy_audit.read_text())
    set_at(audit, keys, value)
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, field, words)


def test_a_bound_at_its_ceiling_reads_back(privacy_audit, tmp_path):
    """Every guess right: the lower bound is the ceiling, within the bisection's 1e-6."""
    audit = json.loads(privacy_audit.read_text())
    canaries = audit["privacy"]["canaries"]
    canaries["correct"] = canaries["r"]
    canaries["epsilon_lower_bound"] = canaries["epsilon_ceiling"] + 5e-7
    AuditResult.load(write_edited(audit, tmp_path))
