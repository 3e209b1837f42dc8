"""The fairness and privacy headline ``auditor run`` prints beside the performance table
(AuditResult.headline_rows): every gap, a multi-class target's per-class gaps included."""

from __future__ import annotations

import math

import numpy as np

from auditor.api import AuditResult
from tests.builders import predictions_audit


def _node(value: float) -> dict:
    return {"value": value, "ci_low": value / 2, "ci_high": min(1.0, value * 2), "n": 400}


def _audit(disparities: dict) -> dict:
    return {
        "run": {"mode": "run"},
        "fairness": {"features": {
            "sex": {"disparities": disparities},
            "sex & race.x": {"disparities": disparities},  # a name with '&', space and '.'
        }},
        "privacy": {"attacks": {"rmia": {"auc": _node(0.51)}}},
    }  # fmt: skip


def test_a_binary_audit_heads_with_each_features_gaps_and_each_attacks_auc():
    gaps = {
        "equalized_odds_difference": {"between_groups": _node(0.1), "to_overall": _node(0.05)},
        "demographic_parity_difference": {"between_groups": _node(0.2)},
        "accuracy_difference": {"between_groups": _node(0.3)},
    }
    rows = AuditResult(data=_audit(gaps), run_dir=None).headline_rows()
    assert [label for label, _ in rows] == [
        "sex: equalized odds gap",
        "sex: demographic parity gap",
        "sex & race.x: equalized odds gap",
        "sex & race.x: demographic parity gap",
        "rmia: membership AUC",
    ]
    assert rows[0][1] == "0.100 [0.050, 0.200] n=400"


def test_a_headline_interval_is_rounded_outward():
    """A recorded upper end 0.3754926 was printed 0.375 (to the nearest): the printed interval
    was narrower than the recorded one."""
    node = {"value": 0.3, "ci_low": 0.1236, "ci_high": 0.3754926, "n": 1200}
    gaps = {"demographic_parity_difference": {"between_groups": node}}
    rows = AuditResult(data=_audit(gaps), run_dir=None).headline_rows()
    assert rows[0][1] == "0.300 [0.123, 0.376] n=1,200"


def test_a_multi_class_audit_heads_with_each_classs_gap_against_the_rest():
    """With more than two classes the gaps are keyed 'equalized_odds_difference@high': the
    headline showed no fairness gap at all, only the privacy AUCs."""
    gaps = {
        f"{name}@{cls}": {"between_groups": _node(0.1)}
        for name in ("equalized_odds_difference", "demographic_parity_difference")
        for cls in ("high", "0.5")
    }
    rows = AuditResult(data=_audit(gaps), run_dir=None).headline_rows()
    labels = [label for label, _ in rows]
    assert labels[:4] == [
        "sex: equalized odds gap (high vs rest)",
        "sex: equalized odds gap (0.5 vs rest)",
        "sex: demographic parity gap (high vs rest)",
        "sex: demographic parity gap (0.5 vs rest)",
    ]
    assert len(labels) == 9 and labels[-1] == "rmia: membership AUC"


def _whole_walk(data: dict) -> list:
    """The headline as it was read before: every estimate of the whole audit, then filtered."""
    from auditor.api._result import _headline_label, json_form
    from auditor.audit_tree import estimates

    return [(p, e) for p, e in estimates(json_form(data)) if _headline_label(p)]


def test_the_headline_reads_the_same_estimates_as_a_walk_of_the_whole_audit():
    """Only the disparities and attacks subtrees are read; NaN, numpy numbers and tuples in
    memory read as audit.json holds them; estimates elsewhere (groups, scores) are skipped."""
    gaps = {
        "equalized_odds_difference": {"between_groups": {**_node(0.1), "pair": ("a", "b")}},
        "demographic_parity_difference": {"between_groups": {**_node(0.2), "value": math.nan}},
        "demographic_parity_difference@high": {"between_groups": _node(np.float32(0.25))},
        "accuracy_difference": {"between_groups": _node(0.3)},
    }
    data = _audit(gaps)
    data["fairness"]["features"]["sex"]["groups"] = [{"name": "a", "tpr": _node(0.4)}]
    data["fairness"]["scores"] = {"sex": {"auc": {"between_groups": _node(0.1)}}}
    data["fairness"]["features"]["age"] = {"name": "age"}  # no disparities
    data["privacy"]["attacks"]["loss"] = {"auc": _node(0.6), "pooled": {"auc": _node(0.5)}}
    data["training"] = {"between_groups": _node(0.9)}
    got = AuditResult(data=data, run_dir=None).headline_estimates()
    assert got == _whole_walk(data) and len(got) == 8
    assert got[1][1].value is None


def test_a_real_audits_headline_is_the_whole_walks(tmp_path):
    result = predictions_audit(tmp_path)
    got = result.headline_estimates()
    assert got and got == _whole_walk(result.data)


def test_every_fairness_gap_row_has_its_two_groups_counts(tmp_path):
    """'Counts beside every rate': the gap rows had a value and interval but no n, where the
    privacy rows had theirs. The counts are the rows of the gap's pair of groups; the
    predictions audit's terminal lines show them too."""
    from auditor.report.terminal import predictions_lines

    result = predictions_audit(tmp_path)
    features = result.data["fairness"]["features"]
    for label, text in result.headline_rows():
        if label.endswith("AUC"):
            continue
        name, _, gap = label.partition(": ")
        feature = features[name]
        metric = gap.replace(" gap", "_difference").replace(" ", "_")
        pair = feature["disparities"][metric]["between_groups"]["pair"]
        sizes = {g["group"]: g["n"] for g in feature["groups"]}
        assert text.endswith(f" n={sizes[pair[0]]:,} vs {sizes[pair[1]]:,}"), (label, text)
    lines = [line for line in predictions_lines(result.data) if "DP difference" in line]
    assert lines and all(" n=" in line and " vs " in line for line in lines)
