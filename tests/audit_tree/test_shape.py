"""path_kinds: what a metric path reaches in audit.json's schema, as the reader reads it."""

from __future__ import annotations

import pytest

from auditor.audit_tree.shape import path_kinds, unknown_key
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
        # below a free-form node (additionalProperties: true): anything, at any depth
        ("transparency.items[split_disjointness].details.pairs[0].n_content_overlap", {"any"}),
        ('privacy.attacks.rmia.params.a_grid_auc."0.0"', {"any"}),
    ],
)
def test_the_kind_of_what_a_path_reaches(path, kinds):
    assert path_kinds(audit_schema(), path) == kinds


def test_a_path_no_audit_has_is_unknown():
    assert path_kinds(audit_schema(), "performance.finetuned.test.accuracyy") is None
    assert path_kinds(audit_schema(), "privacy.references.k.more") is None


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("transparency.items.foo", "'transparency.items' is a list, with no key 'foo'"),
        ("run.library_versions.torch.x", "'run.library_versions.torch' is a value"),
        ("performance.finetuned.test.acuracy", "'performance.finetuned.test' has no 'acuracy'"),
    ],
)
def test_an_unknown_key_is_named_with_what_holds_it(path, says):
    assert says in unknown_key(audit_schema(), path)
