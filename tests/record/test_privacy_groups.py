"""The sensitive groups' numbers read back (:mod:`auditor.record.privacy_groups`), each edited
with the counts and rates beside it so that no bound of its own breaks (r3 #4, #5): a group's
members or non-members of 10^15 (its tp and TPR too), test rows past the test split, a test
accuracy no share of its rows, an accuracy gap, a TPR gap or a fairness gap apart from what
gives it, a group's status apart from its members; each is refused: exit 2, one line naming
the file and the field, nothing written."""

from __future__ import annotations

import json

import pytest

from auditor.api import AuditResult
from tests.record._edits import assert_refused, write_edited

BIG = 10**15


def _members_and_tp_10_15(audit):
    groups = audit["privacy"]["groups"]
    row = groups["features"]["digit"][0]
    row["n_members"] = row["tp"] = BIG
    row["tpr"] = {"value": 1.0, "ci_low": 0.99, "ci_high": 1.0, "n": BIG, "reason": None}


def _non_members_10_15(audit):
    groups = audit["privacy"]["groups"]
    row = groups["features"]["digit"][0]
    row["n_non_members"], row["fp"] = BIG, 0
    row["fpr"] = {"value": 0.0, "ci_low": 0.0, "ci_high": 0.01, "n": BIG, "reason": None}


def _test_rows_10_15(audit):
    groups = audit["privacy"]["groups"]
    groups["features"]["ink_density"][0]["n_test"] = BIG


def _accuracy_not_a_share(audit):
    groups = audit["privacy"]["groups"]
    row = groups["features"]["digit"][0]
    row["test_accuracy"] = (round(row["test_accuracy"] * row["n_test"]) - 0.5) / row["n_test"]
    row["accuracy_gap"] = row["test_accuracy"] - groups["overall_test_accuracy"]


def _accuracy_dropped(audit):
    groups = audit["privacy"]["groups"]
    row = groups["features"]["digit"][0]
    row["test_accuracy"] = row["accuracy_gap"] = None


def _gap_apart(audit):
    groups = audit["privacy"]["groups"]
    groups["features"]["digit"][0]["accuracy_gap"] = -0.9


def _tpr_gap_apart(audit):
    groups = audit["privacy"]["groups"]
    groups["tpr_gap"]["digit"] = 0.9


def _made_insufficient(audit):
    groups = audit["privacy"]["groups"]
    row = groups["features"]["digit"][0]
    row["status"] = "insufficient_data"
    row["tpr"]["value"] = row["tpr"]["ci_low"] = row["tpr"]["ci_high"] = None


def _minimum_raised(audit):
    groups = audit["privacy"]["groups"]
    fewest = groups["features"]["digit"][0]["n_members"] + 1
    groups["min_group_members"] = audit["config"]["privacy"]["min_group_members"] = fewest


def _small_group_rate(audit):
    groups = audit["privacy"]["groups"]
    groups["min_group_members"] = 10**6  # a group's check comes before the config's
    for rows in groups["features"].values():
        for row in rows:
            row["status"] = "insufficient_data"


def _fairness_gap_apart(audit):
    groups = audit["privacy"]["groups"]
    gaps = groups["fairness_gaps"]["ink_density"]
    gaps["demographic_parity_difference"] = round(1 - gaps["demographic_parity_difference"], 3)


def _threshold_1e300(audit):
    groups = audit["privacy"]["groups"]
    groups["threshold"] = 1e300


def _overall_tpr_apart(audit):
    groups = audit["privacy"]["groups"]
    groups["overall_tpr"]["value"] = groups["overall_tpr"]["ci_high"]


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (_threshold_1e300, "privacy/groups/threshold",
         "1e+300 is not privacy/attacks/lira_online/calibrated_at_fpr/0.01/threshold"),
        (_overall_tpr_apart, "privacy/groups/overall_tpr",
         "is not privacy/attacks/lira_online/calibrated_at_fpr/0.01/tpr"),
        (_members_and_tp_10_15, "groups/features/digit",
         "the rows' n_members sum to 1000000000000"),
        (_non_members_10_15, "groups/features/digit", "the rows' n_non_members sum to 10000000"),
        (_test_rows_10_15, "groups/features/ink_density",
         "more than data/splits/test/n_rows"),
        (_accuracy_not_a_share, "groups/features/digit/0/test_accuracy",
         "is not a share of n_test"),
        (_accuracy_dropped, "groups/features/digit/0/test_accuracy",
         "null, but n_test is"),
        (_gap_apart, "groups/features/digit/0/accuracy_gap",
         "-0.9 is not test_accuracy less overall_test_accuracy"),
        (_tpr_gap_apart, "groups/tpr_gap/digit",
         "0.9 is not the largest less the smallest TPR of the ok rows"),
        (_made_insufficient, "groups/features/digit/0/status",
         "'insufficient_data', but n_members"),
        (_minimum_raised, "groups/features/digit/0/status",
         "'ok', but n_members"),
        (_small_group_rate, "groups/features/digit/0/tpr/value",
         "for a group under min_group_members: auditor writes null"),
        (_fairness_gap_apart, "groups/fairness_gaps/ink_density/demographic_parity_difference",
         "is not fairness/features/ink_density/disparities/demographic_parity_difference's"),
    ],
)  # fmt: skip
def test_group_numbers_apart_from_their_sources_are_refused(privacy_audit, tmp_path, edit, field,
                                                            words):  # fmt: skip
    audit = json.loads(privacy_audit.read_text())
    edit(audit)
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, field, words)


def test_a_minimum_apart_from_the_config_is_refused(privacy_audit, tmp_path):
    """Every group made too small by a raised minimum (each as the writer writes a small
    group): the minimum is not the config's."""
    audit = json.loads(privacy_audit.read_text())
    _all_too_small(audit)
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path,
                   "privacy/groups/min_group_members",
                   "1000000 is not config/privacy/min_group_members (20)")  # fmt: skip


def test_a_group_too_small_with_no_rate_reads_back(privacy_audit, tmp_path):
    """The same with the config's minimum raised too (the run that config makes): read
    back."""
    audit = json.loads(privacy_audit.read_text())
    audit["config"]["privacy"]["min_group_members"] = 10**6
    _all_too_small(audit)
    AuditResult.load(write_edited(audit, tmp_path))


def _all_too_small(audit):
    groups = audit["privacy"]["groups"]
    groups["min_group_members"] = 10**6
    for feature, rows in groups["features"].items():
        groups["tpr_gap"][feature] = None
        for row in rows:
            row["status"] = "insufficient_data"
            row["tpr"] = {"value": None, "ci_low": None, "ci_high": None,
                          "n": row["n_members"], "reason": "too few"}  # fmt: skip
