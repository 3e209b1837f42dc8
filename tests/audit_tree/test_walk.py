"""Walking a whole audit: every estimate node and plain number, with a path that resolves
back to it; every interval no reader can see is named."""

from __future__ import annotations

from dataclasses import replace

import pytest

from auditor.audit_tree import (
    each_estimate,
    estimate_nodes,
    estimate_paths,
    estimates,
    evidence_of,
    has_interval,
    nodes,
    read,
    resolve,
    unreadable,
)
from auditor.audit_tree.walk import MSG_FLAT_INTERVAL, MSG_INTERVAL_WITHOUT_VALUE
from tests.gates.builders import make_audit, privacy_section


def test_privacy_numbers_are_estimate_nodes_every_reader_sees():
    """The bug of issue 10: privacy's AUC and TPR were invisible to diff and summary."""
    found = dict(estimates(privacy_section(auc=0.61, tpr=0.04), "privacy"))
    auc = found["privacy.attacks.loss.auc"]
    assert (auc.value, auc.ci_low, auc.ci_high, auc.n) == pytest.approx((0.61, 0.56, 0.66, 532))
    tpr = found['privacy.attacks.loss.tpr_at_fpr."0.01"']
    assert (tpr.value, tpr.ci_low, tpr.ci_high, tpr.n) == pytest.approx((0.04, 0.02, 0.08, 266))
    assert found['privacy.attacks.loss.tpr_at_fpr."0.001"'].resolvable is False


def test_every_path_resolves_back_to_the_same_reading():
    audit = make_audit(privacy=privacy_section())
    walked = list(nodes(audit))
    assert len(walked) > 20
    for path, ev in walked:
        [match] = resolve(audit, path)
        # the same numbers (the label a selector picked on the way is the match's own)
        assert replace(evidence_of(match), group=ev.group) == ev, path


def test_nodes_yields_plain_numbers_and_the_extras_of_an_estimate_node():
    section = privacy_section()
    paths = [p for p, _ in nodes(section, "privacy")]
    assert "privacy.fpr_levels[0]" in paths and "privacy.canaries.epsilon_lower_bound" in paths
    i = paths.index('privacy.attacks.loss.tpr_at_fpr."0.01"')
    assert paths[i + 1 : i + 4] == [
        'privacy.attacks.loss.tpr_at_fpr."0.01".fpr',
        'privacy.attacks.loss.tpr_at_fpr."0.01".tp',
        'privacy.attacks.loss.tpr_at_fpr."0.01".fp',
    ]
    assert not any(p.endswith((".value", ".ci_low", ".ci_high", ".n")) for p in paths)
    assert all(ev.interval == "reported" for _, ev in estimates(section, "privacy"))


def test_lists_are_addressed_by_their_items_labels():
    audit = make_audit()
    paths = [p for p, _ in estimates(audit["fairness"], "fairness")]
    assert "fairness.features.sex.groups[F].metrics.tpr" in paths
    assert 'fairness.features."age band".disparities.equalized_odds_difference' in paths


def test_unreadable_names_flat_intervals_and_intervals_without_value():
    legacy = {
        "attacks": {"loss": {"auc": 0.5, "auc_ci_low": 0.4, "auc_ci_high": 0.6,
                             "tpr_at_fpr_detail": {"0.01": {"tpr": 0.1, "ci_low": 0.0}}}},
    }  # fmt: skip
    assert unreadable(legacy, "privacy") == [
        MSG_FLAT_INTERVAL.format(path="privacy.attacks.loss.auc_ci_low"),
        MSG_FLAT_INTERVAL.format(path="privacy.attacks.loss.auc_ci_high"),
        MSG_INTERVAL_WITHOUT_VALUE.format(path='privacy.attacks.loss.tpr_at_fpr_detail."0.01"'),
    ]
    assert unreadable(privacy_section(), "privacy") == []
    assert unreadable(make_audit()) == []


def test_the_three_estimate_walks_visit_the_same_nodes_in_the_same_order():
    """each_estimate (no keys), estimate_nodes (JSON pointer steps) and estimate_paths (metric
    paths) are one walk: same nodes, same order; each key path and metric path reaches it."""
    audit = make_audit(privacy=privacy_section())
    audit["fairness"]["extra"] = [{"name": "g.1", "tpr": {"value": 0.5}}, 3, "text", None]
    plain = list(each_estimate(audit))
    keyed = list(estimate_nodes(audit))
    paths = list(estimate_paths(audit))
    assert len(plain) > 5 and any(n["value"] == 0.5 for n in plain)
    assert [id(n) for n in plain] == [id(n) for _, n in keyed] == [id(n) for _, n in paths]
    for (keys, node), (path, _) in zip(keyed, paths, strict=True):
        reached = audit
        for key in keys:
            reached = reached[key]
        assert reached is node
        [match] = resolve(audit, path)
        assert match.node is node
    assert list(each_estimate(3)) == list(estimate_paths("text")) == []


@pytest.mark.parametrize(
    "node",
    [
        {"value": 0.5, "ci_low": 0.4, "ci_high": 0.6},
        {"value": 0.5, "ci_low": 0.4},
        {"value": 0.5, "ci_low": None, "ci_high": 0.6},
        {"value": 0.5, "ci_low": float("nan"), "ci_high": 0.6},
        {"value": 0.5, "ci_low": True, "ci_high": 0.6},
        {"value": 0.5, "ci_low": "0.4", "ci_high": 0.6},
        {"value": None, "ci_low": 0.0, "ci_high": 1.0},
    ],
)
def test_has_interval_is_the_readers_own_rule(node):
    assert has_interval(node) == (read(node).interval == "reported")
