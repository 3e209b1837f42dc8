"""The privacy attacks' counts read back (:mod:`auditor.record.privacy_counts`): a decision's
tp or fp outside [0, its members or non-members], a TPR or FPR apart from its counts, an
advantage or balanced accuracy apart from the two, a TPR at a fixed FPR apart from tp / n,
or an AUC's interval past [0, 1] was shown by the card and the diff as evidence; each is
refused: exit 2, one line naming the file and the field, nothing written."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from tests.record._edits import assert_refused, write_edited

runner = CliRunner()
LOSS = ("privacy", "attacks", "loss")
GROUPS = ("privacy", "groups")


@pytest.fixture
def audit_file(privacy_audit):
    return privacy_audit


@pytest.mark.parametrize(
    ("keys", "value", "field", "words"),
    [
        ((*LOSS, "decision", "tp"), -1, "decision/tp", "-1 is not a count between 0 and n_members"),
        ((*LOSS, "decision", "fp"), 10**15, "decision/fp",
         "is not a count between 0 and n_non_members"),
        ((*LOSS, "decision", "tpr", "value"), "+1/n", "decision/tpr/value",
         "is not tp / n_members"),
        ((*LOSS, "decision", "advantage"), 0.9, "decision/advantage",
         "0.9 is not what tpr and fpr give"),
        ((*LOSS, "decision", "balanced_accuracy"), 0.99, "decision/balanced_accuracy",
         "0.99 is not what tpr and fpr give"),
        ((*LOSS, "tpr_at_fpr", "0.01", "tp"), 10**15, "tpr_at_fpr/0.01/tp",
         "is not a count between 0 and n"),
        ((*LOSS, "auc", "ci_high"), 1e300, "loss/auc/ci_high",
         "1e+300 is outside [0, 1], where an AUC and its interval lie"),
        # a decision's TPR and FPR intervals, and a TPR at a fixed FPR no gate reads (R8 #7)
        ((*LOSS, "decision", "tpr", "ci_high"), 1e300, "decision/tpr/ci_high",
         "1e+300 is outside [0, 1], where a rate and its interval lie"),
        ((*LOSS, "decision", "fpr", "ci_low"), -0.5, "decision/fpr/ci_low",
         "-0.5 is outside [0, 1]"),
        ((*LOSS, "tpr_at_fpr", "0.001", "ci_high"), 5, "tpr_at_fpr/0.001/ci_high",
         "5 is outside [0, 1]"),
        # the same attacks per class and per training stage (session 18)
        (("privacy", "per_class", "loss", "even", "auc", "ci_high"), 1e300,
         "per_class/loss/even/auc/ci_high", "where an AUC and its interval lie"),
        (("privacy", "per_class", "loss", "odd", "tpr_at_fpr", "0.01", "tp"), 10**15,
         "per_class/loss/odd/tpr_at_fpr/0.01/tp", "is not a count between 0 and n"),
        (("privacy", "stages", "pretrained", "auc", "ci_low"), -3.0,
         "stages/pretrained/auc/ci_low", "-3.0 is outside [0, 1]"),
        (("privacy", "stages", "finetuned", "tpr_at_fpr", "0.01", "fp"), -1,
         "stages/finetuned/tpr_at_fpr/0.01/fp", "-1 is not a count between 0 and n_non_members"),
        # an attack summary's rows: its AUC over members and non-members, each TPR at a
        # fixed FPR over them (session 18)
        ((*LOSS, "auc", "n"), 10**15, "attacks/loss/auc/n",
         "1000000000000000 is not the attack's n_members + n_non_members (532)"),
        (("privacy", "per_class", "loss", "even", "auc", "n"), 7, "per_class/loss/even/auc/n",
         "7 is not the attack's n_members + n_non_members (264)"),
        (("privacy", "stages", "pretrained", "tpr_at_fpr", "0.001", "n_non_members"), 10**15,
         "stages/pretrained/tpr_at_fpr/0.001/n_non_members",
         "is not the attack's n_non_members (711)"),
        # the leakage by sensitive group (session 18)
        ((*GROUPS, "features", "digit", 0, "tp"), 10**15, "groups/features/digit/0/tp",
         "is not a count between 0 and n_members"),
        ((*GROUPS, "features", "digit", 1, "fpr", "ci_high"), 1e300,
         "groups/features/digit/1/fpr/ci_high", "where a rate and its interval lie"),
        ((*GROUPS, "features", "digit", 0, "test_accuracy"), 7.0,
         "groups/features/digit/0/test_accuracy", "7.0 is outside [0, 1], where an accuracy"),
        ((*GROUPS, "features", "ink_density", 0, "accuracy_gap"), -2.5,
         "groups/features/ink_density/0/accuracy_gap", "-2.5 is outside [-1, 1]"),
        ((*GROUPS, "tpr_gap", "digit"), 1e300, "groups/tpr_gap/digit",
         "where a gap between groups lies"),
        ((*GROUPS, "fairness_gaps", "digit", "demographic_parity_difference"), -0.5,
         "groups/fairness_gaps/digit/demographic_parity_difference", "-0.5 is outside [0, 1]"),
        ((*GROUPS, "overall_tpr", "ci_high"), 2.0, "groups/overall_tpr/ci_high",
         "2.0 is outside [0, 1]"),
        ((*GROUPS, "overall_test_accuracy"), -0.1, "groups/overall_test_accuracy",
         "-0.1 is outside [0, 1]"),
    ],
)  # fmt: skip
def test_attack_numbers_apart_from_their_counts_are_refused(audit_file, tmp_path, keys, value,
                                                            field, words):
    audit = json.loads(audit_file.read_text())
    node = audit
    for key in keys[:-1]:
        node = node[key]
    if value == "+1/n":  # one member more called a member, the count left as it was
        value = (node["value"] * node["n"] + 1) / node["n"] if node["n"] else 1.0
        node["ci_high"] = max(node["ci_high"], value)
    node[keys[-1]] = value
    assert_refused(write_edited(audit, tmp_path), audit_file, tmp_path, field, words)


def test_an_untouched_audit_reads_back(audit_file, tmp_path):
    result = runner.invoke(app, ["card", str(audit_file), "--out", str(tmp_path / "card")])
    assert result.exit_code == 0, result.output
