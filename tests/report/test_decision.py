"""The first screen (auditor.report.decision): failing then warning gates, headline numbers
with intervals, and every status read from the gate on the same number (no tile contradicts
a gate)."""

from __future__ import annotations

import pytest

from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from auditor.report import decision
from tests.gates.builders import make_audit, node, privacy_section


def _audit(rules=None, **changes):
    audit = make_audit(privacy=privacy_section(tpr=0.02))
    audit["fairness"]["features"]["sex"]["kind"] = "feature"
    audit["fairness"]["features"]["sex"]["disparities"]["equalized_odds_difference"] = {
        "between_groups": node(0.30, 0.18, 0.42, pair=["F", "M"])
    }
    audit.update(changes)
    cfg = GatesConfig(use_defaults=rules is None, rules=rules or [])
    audit["gates"] = evaluate_gates(audit, cfg)
    return audit


def test_problems_fail_first_then_warnings():
    rules = [
        GateRule(metric="fairness.features.sex.groups[*].metrics.tpr", min=0.1),  # 1 warn
        GateRule(metric="performance.finetuned.test.accuracy", min=0.95, name="acc"),  # fail
    ]
    rows = decision.problems(_audit(rules))
    assert [r["status"] for r in rows] == ["fail", "warn"]
    assert decision.problem_line(rows[0]).startswith("acc — 0.9 [0.8666, 0.9258] (n=400) breaks")


def test_headlines_carry_intervals_and_the_gates_status():
    audit = _audit()
    heads = {h.key: h for h in decision.headlines(audit)}
    acc = heads["accuracy"]
    assert acc.value == pytest.approx(0.9) and acc.ci_low < 0.9 < acc.ci_high and acc.n == 400
    gates = {r["metric"]: r for r in audit["gates"]["results"]}
    assert acc.status == gates["performance.finetuned.test.accuracy"]["status"]
    gap = heads["fairness"]
    assert (gap.value, gap.ci_low, gap.ci_high) == (0.30, 0.18, 0.42)
    assert gap.note.startswith("sex (F vs M, n=")
    path = "fairness.features.sex.disparities.equalized_odds_difference.between_groups"
    assert gap.status == gates[path]["status"]  # the tile says what the gate says
    assert "straddles" in gap.note  # [0.18, 0.42] straddles 0.20: confident-fail passes
    tpr = heads["privacy"]
    assert tpr.value == 0.02 and tpr.note.startswith("LOSS")
    assert tpr.status == gates['privacy.attacks.loss.tpr_at_fpr."0.01"']["status"]


def test_checklist_and_disjointness_tiles_read_the_gates():
    audit = make_audit()
    audit["transparency"]["items"][0]["status"] = "warn"  # split_disjointness with a finding
    audit["run"]["scenario"] = "digits"
    audit["gates"] = evaluate_gates(audit, GatesConfig())
    assert decision.item_status(audit, "split_disjointness") == "warn"
    assert decision.checklist_status(audit) == "warn"
    audit["transparency"]["items"][0]["status"] = "met"
    audit["transparency"]["items"][1]["status"] = "declared"
    for item in ("limitations", "owners", "contact"):
        entry = {"id": item, "kind": "declared", "status": "declared"}
        audit["transparency"]["items"].append(entry)
    audit["gates"] = evaluate_gates(audit, GatesConfig())
    assert decision.item_status(audit, "split_disjointness") == "pass"
    assert decision.checklist_status(audit) == "pass"
    assert decision.item_status(audit, "users") is None  # not gated


def test_reason_does_not_repeat_the_value():
    rules = [GateRule(metric="performance.finetuned.test.accuracy", min=0.95)]
    [r] = _audit(rules)["gates"]["results"]
    assert decision.reason(r) == "breaks >= 0.95; interval beyond the bound (point)"


def test_nothing_ran():
    audit = make_audit()
    audit["gates"] = {"status": "not_run", "reason": "off"}
    audit["performance"] = {"status": "not_run", "reason": "off"}
    assert decision.problems(audit) == [] and decision.checklist_status(audit) is None
    assert [h.key for h in decision.headlines(audit)] == []


def test_label_determined_features_and_small_groups_on_the_audited_split():
    audit = make_audit()
    feats = audit["fairness"]["features"]
    feats["sex"]["kind"] = "feature"
    for g, rate in zip(feats["sex"]["groups"], (0.0, 1.0), strict=True):
        g["metrics"]["base_rate"] = node(rate, rate, rate, g["n"])
    feats["sex & x"] = {"kind": "intersection", "groups": feats["sex"]["groups"]}
    assert decision.label_determined(audit) == ["sex"]
    assert decision.small_groups(audit) == [("sex", "M", 12)]  # the fairness split's count
    feats["sex"]["groups"][0]["metrics"]["base_rate"] = node(0.4, 0.3, 0.5, 250)
    assert decision.label_determined(audit) == []


@pytest.mark.parametrize(("mode", "label"), [
    ("trained", "Test accuracy"), ("predictions", "Accuracy over every row"),
])  # fmt: skip
def test_the_accuracy_tile_names_the_rows_it_was_taken_on(mode, label):
    """A predictions file has no test split: its accuracy is over every row of the file (the
    tile said 'Test accuracy' there too)."""
    audit = _audit()
    audit["run"]["mode"] = mode
    assert {h.key: h for h in decision.headlines(audit)}["accuracy"].label == label
