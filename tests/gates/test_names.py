"""Gate names: made from the rule and the node (bound included), never from the worst-off
group; a rule's own name as written; unique within an audit."""

from __future__ import annotations

import pytest

from auditor.config import GateRule, GatesConfig
from auditor.gates import judge_audit
from auditor.gates.names import attack_name, fpr_text, human_name, words
from tests.gates.builders import make_audit, privacy_section


@pytest.mark.parametrize(
    ("rule", "picked", "name"),
    [
        (GateRule(metric="fairness.features.*.disparities.equalized_odds_difference."
                  "between_groups", max=0.2), ("sex",), "sex: equalized-odds gap <= 0.20"),
        (GateRule(metric='fairness.features."sex & race".disparities.'
                  "demographic_parity_ratio", min=0.8), (), "sex & race: demographic-parity "
                  "ratio >= 0.80"),
        (GateRule(metric='privacy.attacks.*.tpr_at_fpr."0.01"', max=0.1), ("lira_online",),
         "LiRA (online): membership TPR at 1% FPR <= 0.10"),
        (GateRule(metric="performance.pretrained.val.f1_macro", min=0.75), (),
         "pretrained val macro F1 >= 0.75"),
        (GateRule(metric="transparency.items[license].status", allowed=["met", "declared"]),
         ("license",), "checklist: license declared"),
        (GateRule(metric="transparency.items[kind=automatic].status",
                  allowed=["met", "not_applicable"]), ("seeds",), "checklist: seeds met"),
        (GateRule(metric="fairness.features.sex.groups[*].metrics.tpr", min=0.1), ("F",),
         "sex = F: TPR >= 0.10"),
        (GateRule(metric="fairness.features.*.disparities.equalized_odds_difference", max=0.2,
                  name="my gap"), ("sex",), "my gap (sex)"),
        (GateRule(metric="run.seed", max=5.0), (), "run seed <= 5"),
        # nothing picked (privacy did not run): the wildcard in words, not "*: membership ..."
        (GateRule(metric='privacy.attacks.*.tpr_at_fpr."0.01"', max=0.1), (),
         "every attack: membership TPR at 1% FPR <= 0.10"),
        (GateRule(metric="fairness.features.*.disparities.equalized_odds_difference."
                  "between_groups", max=0.2), (), "every feature: equalized-odds gap <= 0.20"),
        (GateRule(metric="fairness.features.*.disparities.equalized_odds_difference", max=0.2),
         ("*",), "*: equalized-odds gap <= 0.20"),  # a feature named "*" keeps its name
    ],
)  # fmt: skip
def test_human_name(rule, picked, name):
    assert human_name(rule, picked) == name


def test_words():
    assert attack_name("rmia") == "RMIA" and attack_name("new_attack") == "new attack"
    assert fpr_text("0.001") == "0.1%" and fpr_text("x") == "x"
    assert words("equalized_odds_difference") == "equalized-odds gap"


def test_names_are_unique_and_never_name_the_worst_off_group():
    audit = make_audit(privacy=privacy_section())
    rules = [
        GateRule(metric="fairness.features.sex.disparities.equalized_odds_difference", max=0.5),
        GateRule(metric="fairness.features.sex.disparities.equalized_odds_difference", max=0.5,
                 mode="confident-fail"),
    ]  # fmt: skip
    section = judge_audit(audit, GatesConfig(use_defaults=False, rules=rules))
    names = [r.name for r in section.results]
    assert names == ["sex: equalized-odds gap <= 0.50", "sex: equalized-odds gap <= 0.50 #2"]
    assert len({r.id for r in section.results}) == 2
    assert all("M" not in n.split(":")[0] for n in names)  # M is the worst-off group


def test_checklist_missing_and_warn_items_warn_and_fail_fails():
    audit = make_audit()
    audit["run"]["scenario"] = "digits"
    items = audit["transparency"]["items"]
    items[0]["status"] = "warn"  # split_disjointness with a finding
    items.append({"id": "data_provenance", "kind": "automatic", "status": "fail"})
    items.append({"id": "owners", "kind": "declared", "status": "missing",
                  "reason": "set transparency.declared.owners in the config"})  # fmt: skip
    section = judge_audit(audit, GatesConfig())
    by_name = {r.name: r for r in section.results}
    assert by_name["checklist: split disjointness met"].status == "warn"
    assert by_name["checklist: data provenance met"].status == "fail"
    owners = by_name["checklist: owners declared"]
    assert owners.status == "warn" and owners.message.endswith(
        ": set transparency.declared.owners in the config"
    )
    assert "checklist: users declared" not in by_name  # not required: not gated, not passed


def test_warn_on_needs_allowed():
    with pytest.raises(ValueError, match="warn_on"):
        GateRule(metric="performance.finetuned.test.accuracy", min=0.5, warn_on=["x"])
