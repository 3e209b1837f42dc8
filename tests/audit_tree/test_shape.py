"""path_kinds: what a metric path reaches in audit.json's schema, as the reader reads it."""

from __future__ import annotations

import pytest

from auditor.audit_tree.shape import path_kinds
from auditor.record import audit_schema


@pytest.mark.parametrize(
    ("path", "kinds"),
    [
        ("performance.finetuned.test.accuracy", {"number"}),  # a plain number
        ('privacy.attacks.*.tpr_at_fpr."0.01"', {"number"}),  # an estimate node
        ("privacy.canaries.epsilon_lower_bound", {"number"}),
        ("privacy.canaries.exceeds_claim", {"text"}),  # a boolean reads as text
        ("transparency.items[kind=automatic].status", {"text"}),
        ("fairness.features.sex.groups[Female]", {"text"}),  # a status node: its status
        ("fairness.features.sex.disparities.equalized_odds_difference", {"mapping"}),
        ("gates.results[*].value", {"number", "text"}),  # either, by the rule
        ("gates.results[*]", {"number", "text"}),  # a node reads as its value, whatever it is
        ("run.library_versions.torch", {"text"}),  # a free mapping's value
    ],
)
def test_the_kind_of_what_a_path_reaches(path, kinds):
    assert path_kinds(audit_schema(), path) == kinds


def test_a_path_no_audit_has_is_unknown():
    assert path_kinds(audit_schema(), "performance.finetuned.test.accuracyy") is None
    assert path_kinds(audit_schema(), "privacy.references.k.more") is None
