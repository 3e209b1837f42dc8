"""A performance section's numbers read back (:mod:`auditor.record.performance`): a score
outside its bounds (a ROC AUC of -0.5 or 1e300), a count below 0 or above the split's n (a
confusion cell, a class's support), or a confusion matrix that does not hold the split's
rows was shown by the card and the diff as evidence, none of them held to an interval or a
count; each is refused: exit 2, one line naming the file and the field, nothing written."""

from __future__ import annotations

import json

import pytest

from auditor.api import AuditResult
from tests.builders import predictions_audit
from tests.record._edits import assert_refused, set_at, write_edited

TEST = ("performance", "finetuned", "test")


@pytest.fixture(scope="module")
def audit_file(tmp_path_factory):
    return predictions_audit(tmp_path_factory.mktemp("performance")).run_dir / "audit.json"


@pytest.mark.parametrize(
    ("keys", "value", "field", "words"),
    [
        ((*TEST, "roc_auc"), -0.5, "test/roc_auc", "-0.5 is outside [0, 1], where a rate lies"),
        ((*TEST, "balanced_accuracy"), 1e300, "test/balanced_accuracy", "outside [0, 1]"),
        ((*TEST, "brier"), 2.5, "test/brier", "outside [0, 2], where a Brier score lies"),
        ((*TEST, "log_loss"), -1.0, "test/log_loss", "outside [0, inf]"),
        ((*TEST, "per_class", 0, "recall"), 1.2, "per_class/0/recall", "outside [0, 1]"),
        ((*TEST, "per_class", 1, "support"), 10**15, "per_class/1/support",
         "1000000000000000 is not a count between 0 and n (2000)"),
        ((*TEST, "confusion_matrix", 0, 1), -1, "confusion_matrix/0/1",
         "-1 is not a count between 0 and n (2000)"),
        ((*TEST, "confusion_matrix", 1, 0), "+7", "test/confusion_matrix",
         "holds 2,007 rows, not the split's n (2,000)"),
        ((*TEST, "confusion_matrix", 0, 0), "swap", "test/confusion_matrix",
         "on its diagonal, not n_correct (1,507)"),
        ((*TEST, "reliability", 7, "n"), 1999, "test/reliability",
         "more than the split's n (2,000)"),
    ],
)  # fmt: skip
def test_performance_numbers_out_of_bounds_are_refused(audit_file, tmp_path, keys, value,
                                                       field, words):
    audit = json.loads(audit_file.read_text())
    node = audit
    for key in keys[:-1]:
        node = node[key]
    if value == "+7":  # a cell off the diagonal raised: accuracy and n_correct unchanged
        value = node[keys[-1]] + 7
    if value == "swap":  # the diagonal moved off it, the row's total kept
        node[1] += node[0] - 3
        value = 3
    set_at(audit, keys, value)
    assert_refused(write_edited(audit, tmp_path), audit_file, tmp_path, field, words)


def test_an_untouched_audit_reads_back(audit_file):
    assert AuditResult.load(audit_file).data["performance"]["status"] == "ok"


def test_a_split_s_log_loss_from_logits_reads_back_unbounded(audit_file, tmp_path):
    """A trained model's log loss comes from its logits, unclipped (a run at lr 1e9 held
    3.7e9): unlike a group's (fairness/scores, clipped scores), it has no upper bound."""
    audit = json.loads(audit_file.read_text())
    set_at(audit, (*TEST, "log_loss"), 3.7e9)
    edited = tmp_path / "audit.json"
    edited.write_text(json.dumps(audit))
    assert AuditResult.load(edited).data["performance"]["finetuned"]["test"]["log_loss"] == 3.7e9
