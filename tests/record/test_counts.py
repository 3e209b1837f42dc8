"""A fairness section's counts read back (:mod:`auditor.record.counts`): a group's rate that
is no whole count over its n, a group's n apart from its metrics', a negative n, or groups
that do not add up to the rows audited were shown by the card and the diff and judged by
the gates as evidence; each is refused: exit 2, one line naming the file and the field,
nothing written."""

from __future__ import annotations

import json

import pytest

from auditor.api import AuditResult
from tests.builders import predictions_audit
from tests.record._edits import assert_refused, set_at, write_edited

GROUP = ("fairness", "features", "sex", "groups", 0)
SCORES = ("fairness", "scores", "features", "sex", 0)


@pytest.fixture(scope="module")
def audit_file(tmp_path_factory):
    return predictions_audit(tmp_path_factory.mktemp("counts")).run_dir / "audit.json"


@pytest.mark.parametrize(
    ("keys", "value", "field", "words"),
    [
        ((*GROUP, "metrics", "accuracy", "value"), 0.7301, "accuracy/value",
         "0.7301 is not a whole count over its n"),
        ((*GROUP, "metrics", "precision", "value"), "mid", "precision/value",
         "is not a whole count over its n"),
        ((*GROUP, "metrics", "accuracy", "n"), -5, "accuracy/n", "-5 is not a count (below 0)"),
        ((*GROUP, "metrics", "base_rate", "n"), 7, "base_rate/n", "is not the group's own n"),
        ((*GROUP, "metrics", "count", "value"), 9.0, "count/value", "is not the group's own n"),
        (("fairness", "n"), 10, "overall/count/n", "is not the group's own n (10)"),
        (GROUP[:-1], "drop the first", "sex/groups", "rows audited (fairness/n)"),
        # a rate's interval past [0, 1], or a rate over more rows than its group's: inside the
        # interval and a whole count over its n, the value broke no other check
        ((*GROUP, "metrics", "precision", "ci_high"), 1e300, "precision/ci_high",
         "1e+300 is outside [0, 1], where a rate and its interval lie"),
        ((*GROUP, "metrics", "fpr", "ci_low"), -0.5, "fpr/ci_low", "-0.5 is outside [0, 1]"),
        (("fairness", "overall", "f1", "n"), 10**15, "overall/f1/n",
         "1000000000000000 rows, more than the group's own n"),
        # a group's scores (fairness/scores) past their bounds, as a rate's was (R8 #6)
        ((*SCORES, "roc_auc", "ci_high"), 1e300, "sex/0/roc_auc/ci_high",
         "1e+300 is outside [0, 1], where an AUC and its interval lie"),
        ((*SCORES, "ece", "ci_low"), -0.5, "sex/0/ece/ci_low",
         "-0.5 is outside [0, 1], where an ECE and its interval lie"),
        ((*SCORES, "log_loss", "ci_low"), -0.5, "sex/0/log_loss/ci_low",
         "-0.5 is outside [0, 36.0437], where a group's log loss (its scores clipped to 2^-52) "
         "and its interval lie"),
        # each row loses at most -log(2^-52) = 36.04: a 300-digit ci_high was printed (R13 #1)
        ((*SCORES, "log_loss", "ci_high"), 1e300, "sex/0/log_loss/ci_high",
         "1e+300 is outside [0, 36.0437], where a group's log loss"),
        ((*SCORES, "log_loss", "ci_high"), 36.1, "sex/0/log_loss/ci_high",
         "36.1 is outside [0, 36"),
        ((*SCORES, "ece", "n"), 10**15, "sex/0/ece/n", "rows, more than the group's own n"),
        # a binary audit's positive class made null: the card's table read 'recall@approved'
        (("fairness", "positive_class"), None, "fairness/positive_class",
         "holds no 'recall@approved'"),
    ],
)  # fmt: skip
def test_counts_that_do_not_add_up_are_refused(audit_file, tmp_path, keys, value, field, words):
    audit = json.loads(audit_file.read_text())
    if value == "drop the first":  # a group removed whole: its own counts agree
        value = audit["fairness"]["features"]["sex"]["groups"][1:]
    if value == "mid":  # inside its interval, no whole count over its n
        node = audit["fairness"]["features"]["sex"]["groups"][0]["metrics"]["precision"]
        value = (node["ci_low"] + node["ci_high"]) / 2 + 1e-4
    set_at(audit, keys, value)
    assert_refused(write_edited(audit, tmp_path), audit_file, tmp_path, field, words)


def test_an_untouched_audit_reads_back(audit_file):
    assert AuditResult.load(audit_file).data["fairness"]["status"] == "ok"


def test_a_group_s_log_loss_of_every_row_confidently_wrong_reads_back(audit_file, tmp_path):
    """A group whose every score is 0 for its own class loses MAX_LOSS a row: its log loss and
    interval end are MAX_LOSS, to within a sum's rounding."""
    from auditor.results.score_intervals import MAX_LOSS

    audit = json.loads(audit_file.read_text())
    node = audit["fairness"]["scores"]["features"]["sex"][0]["log_loss"]
    node.update(value=MAX_LOSS * (1 + 1e-12), ci_low=node["ci_low"], ci_high=MAX_LOSS * (1 + 1e-12))
    edited = tmp_path / "audit.json"
    edited.write_text(json.dumps(audit))
    scores = AuditResult.load(edited).data["fairness"]["scores"]["features"]["sex"][0]
    assert scores["log_loss"]["ci_high"] == MAX_LOSS * (1 + 1e-12)


def test_the_estimates_are_walked_once_for_intervals_and_negative_counts(audit_file, monkeypatch):
    """The check for a count below 0 walked every estimate of the file a second time, right
    after the interval check's walk (0.6 s of a 22 MiB audit's read-back): one walk now."""
    import auditor.record as record
    import auditor.record.counts as counts
    from auditor.run_folder import read_audit

    walks = []
    walk = record.each_estimate

    def counted(data):
        walks.append(1)
        return walk(data)

    monkeypatch.setattr(record, "each_estimate", counted)
    monkeypatch.setattr(counts, "each_estimate", counted, raising=False)
    read_audit(audit_file)
    assert len(walks) == 1
