"""Gates against a previous audit: new, unchanged, worse, fixed, matched by stable identity."""

from __future__ import annotations

import copy

import pytest

from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from tests.gates.builders import make_audit
from tests.gates.builders import node as _node


def test_baseline_findings_new_unchanged_worse_fixed():
    old = make_audit()
    new = copy.deepcopy(old)
    dis = new["fairness"]["features"]["sex"]["disparities"]
    dis["demographic_parity_difference"] = _node(0.19, 0.15, 0.23, worst_group="F")  # worse by 0.07
    dis["equalized_odds_difference"] = _node(0.10, 0.05, 0.15, worst_group="M")  # fixed
    new["fairness"]["features"]["age band"]["disparities"]["equalized_odds_difference"] = _node(
        0.055, 0.01, 0.1
    )
    new["fairness"]["features"]["race"] = {
        "disparities": {"equalized_odds_difference": _node(0.1, 0.0, 0.2)}
    }
    cfg = GatesConfig(
        use_defaults=False,
        baseline_tolerance=0.02,
        rules=[
            GateRule(metric="fairness.features.*.disparities.equalized_odds_difference", max=0.2),
            GateRule(
                metric="fairness.features.sex.disparities.demographic_parity_difference", max=0.25
            ),
        ],
    )
    g = evaluate_gates(new, cfg, baseline=old, baseline_file="old/audit.json")
    base = {r["metric"]: r for r in g["results"] if r["source"] == "baseline"}
    finding = {
        k.split(".")[2]: v["baseline"]["finding"] for k, v in base.items() if "equalized" in k
    }
    assert finding == {"sex": "fixed", '"age band"': "unchanged", "race": "new"}
    dp = base["fairness.features.sex.disparities.demographic_parity_difference"]
    assert dp["baseline"]["finding"] == "worse" and dp["status"] == "fail"
    assert dp["baseline"]["delta"] == pytest.approx(0.07)
    assert g["baseline"]["findings"] == {"new": 1, "unchanged": 1, "worse": 1, "fixed": 1}
    assert g["verdict"] == "fail"
    # a looser tolerance forgives the same change
    loose = cfg.model_copy(update={"baseline_tolerance": 0.1})
    g = evaluate_gates(new, loose, baseline=old)
    assert g["baseline"]["findings"]["worse"] == 0


def test_baseline_direction_follows_the_bound():
    old = make_audit()
    new = copy.deepcopy(old)
    new["performance"]["finetuned"]["test"].update(accuracy=0.95, n_correct=380)
    cfg = GatesConfig(
        use_defaults=False, rules=[GateRule(metric="performance.finetuned.test.accuracy", min=0.5)]
    )
    g = evaluate_gates(new, cfg, baseline=old)
    assert g["results"][-1]["baseline"]["finding"] == "unchanged"  # better is not worse
    g = evaluate_gates(old, cfg, baseline=new)
    assert g["results"][-1]["baseline"]["finding"] == "worse"


def test_baseline_confident_fail_compares_the_whole_interval():
    old = make_audit()
    new = copy.deepcopy(old)
    path = "fairness.features.sex.disparities.demographic_parity_difference"
    dis = new["fairness"]["features"]["sex"]["disparities"]
    rule = GateRule(metric=path, max=0.5, mode="confident-fail")
    cfg = GatesConfig(use_defaults=False, baseline_tolerance=0.02, rules=[rule])
    # the estimate moved by 0.05, but the interval still reaches the old estimate: noise
    dis["demographic_parity_difference"] = _node(0.17, 0.10, 0.24, worst_group="F")
    g = evaluate_gates(new, cfg, baseline=old)
    assert g["results"][-1]["baseline"]["finding"] == "unchanged"
    point = cfg.model_copy(update={"rules": [rule.model_copy(update={"mode": "point"})]})
    assert evaluate_gates(new, point, baseline=old)["results"][-1]["baseline"]["finding"] == "worse"
    # the whole interval is above the old estimate + tolerance: worse
    dis["demographic_parity_difference"] = _node(0.25, 0.15, 0.35, worst_group="F")
    g = evaluate_gates(new, cfg, baseline=old)
    assert g["results"][-1]["baseline"]["finding"] == "worse" and g["verdict"] == "fail"


def _gap_rule_config() -> GatesConfig:
    return GatesConfig(
        use_defaults=False,
        rules=[
            GateRule(metric="performance.finetuned.test.accuracy", min=0.8),
            GateRule(
                metric="fairness.features.sex.disparities.demographic_parity_difference", max=0.25
            ),  # fmt: skip
        ],
    )


def test_a_gap_over_other_groups_is_new_not_worse():
    """The baseline's sex gap was over {F} (M too small); this run's is over {F, M}: a wider
    gap there is no regression of the model, so its baseline gate is "new" and says why,
    while accuracy still compares."""
    old = make_audit()
    new = copy.deepcopy(old)
    new["fairness"]["features"]["sex"]["groups"][1].update(n=120, status="ok")
    new["fairness"]["features"]["sex"]["disparities"]["demographic_parity_difference"] = _node(
        0.24, 0.22, 0.25, worst_group="M"
    )  # 0.12 -> 0.24: "worse" if it were comparable
    new["performance"]["finetuned"]["test"]["accuracy"] = 0.85  # worse, comparable
    g = evaluate_gates(new, _gap_rule_config(), baseline=old)
    base = {r["metric"].split(".")[-1]: r for r in g["results"] if r["source"] == "baseline"}
    gap = base["demographic_parity_difference"]
    assert gap["baseline"]["finding"] == "new" and gap["status"] == "pass"
    assert "other groups" in gap["message"] and "this run only: M" in gap["message"]
    assert base["accuracy"]["baseline"]["finding"] == "worse" and g["verdict"] == "fail"


@pytest.mark.parametrize(
    "change",
    [
        lambda a: a["run"].update(scenario="digits"),
        lambda a: a["fairness"].update(positive_class="denied"),
        lambda a: a.update(data={"finetune_task": {"name": "odd", "class_names": ["e", "o"]}}),
    ],
    ids=["scenario", "positive-class", "task"],
)
def test_a_baseline_of_another_question_compares_no_gate(change):
    """A baseline of another scenario, task or positive class: its numbers answer another
    question, so no gate is "worse" than it (exit 1 would be a regression invented)."""
    old = make_audit()
    old["fairness"]["positive_class"] = "approved"
    old["data"] = {"finetune_task": {"name": "label", "class_names": ["approved", "denied"]}}
    new = copy.deepcopy(old)
    change(new)
    new["performance"]["finetuned"]["test"]["accuracy"] = 0.81  # far below the old 0.9
    g = evaluate_gates(new, _gap_rule_config(), baseline=old)
    base = [r for r in g["results"] if r["source"] == "baseline"]
    assert base and all(r["baseline"]["finding"] == "new" for r in base)
    assert all("audit different things" in r["message"] for r in base)
    assert g["verdict"] == "pass"


def test_a_baseline_through_a_loop_of_links_says_so(tmp_path):
    """It was "no audit.json at this baseline path" (Path.is_file answers False there)."""
    from auditor.errors import AuditorInputError
    from auditor.gates import load_baseline
    from tests.builders import link_loop

    with pytest.raises(AuditorInputError, match="symbolic links"):
        load_baseline(link_loop(tmp_path, "a.json"))
    with pytest.raises(AuditorInputError, match="not a regular file"):
        load_baseline("/dev/null")
