"""The entry point: verdict, counts, exit codes, config errors, stable and unique gate ids."""

from __future__ import annotations

import pytest

from auditor.config import GateRule, GatesConfig
from auditor.errors import AuditorInputError
from auditor.gates import evaluate_gates, exit_code
from tests.gates.builders import make_audit


def test_verdict_and_exit_codes():
    audit = make_audit()
    passing = GatesConfig(
        use_defaults=False, rules=[GateRule(metric="performance.finetuned.test.accuracy", min=0.5)]
    )
    g = evaluate_gates(audit, passing)
    assert g["verdict"] == "pass" and exit_code(g) == 0
    warn = passing.model_copy(
        update={"rules": [*passing.rules, GateRule(metric="privacy.x", max=1)]}
    )
    g = evaluate_gates(audit, warn)
    assert g["verdict"] == "warn" and exit_code(g) == 0 and exit_code(g, fail_on="warning") == 1
    assert exit_code(evaluate_gates(audit, warn.model_copy(update={"fail_on": "warning"}))) == 1
    severity = GateRule(metric="performance.finetuned.test.accuracy", min=0.99, severity="warning")
    g = evaluate_gates(audit, passing.model_copy(update={"rules": [severity]}))
    assert g["verdict"] == "warn" and g["results"][0]["outcome"] == "fail"
    failing = passing.model_copy(
        update={"rules": [GateRule(metric="performance.finetuned.test.accuracy", min=0.95)]}
    )
    g = evaluate_gates(audit, failing)
    assert (
        g["verdict"] == "fail"
        and exit_code(g) == 1
        and g["counts"] == {"pass": 0, "warn": 0, "fail": 1}
    )
    assert evaluate_gates(audit, GatesConfig(enabled=False))["status"] == "not_run"


def test_unknown_path_is_config_error_exit_2():
    cfg = GatesConfig(
        use_defaults=False, rules=[GateRule(metric="performance.finetuned.test.acuracy", min=0.5)]
    )
    with pytest.raises(AuditorInputError) as err:
        evaluate_gates(make_audit(), cfg, config_file="audit.toml")
    msg = str(err.value)
    assert "audit.toml" in msg and "gates.rules[0].metric" in msg and "acuracy" in msg
    assert "accuracy" in msg  # says what exists
    for bad in ("fairness.features.race.disparities.x", "transparency.items[nope]"):
        cfg = GatesConfig(use_defaults=False, rules=[GateRule(metric=bad, max=1)])
        with pytest.raises(AuditorInputError):
            evaluate_gates(make_audit(), cfg)


def test_a_path_into_nothing_computed_is_not_run_never_a_config_error():
    """A predictions audit has no pretrained model (``performance.pretrained`` is ``{}``):
    a rule shared with full runs was exit 2 ("has no 'test' (it has: )") where the same rule
    with a wildcard warned; both are now "not run" (a warning, never a pass), and a key
    missing beside others is still a config error."""
    audit = make_audit()
    audit["performance"]["pretrained"] = {}
    rules = [GateRule(metric="performance.pretrained.test.accuracy", min=0.5),
             GateRule(metric="performance.pretrained.*.accuracy", min=0.5)]  # fmt: skip
    g = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules))
    assert [r["outcome"] for r in g["results"]] == ["not_run", "not_run"]
    assert g["verdict"] == "warn"
    assert "performance.pretrained is empty" in g["results"][0]["message"]
    assert g["results"][0]["metric"] == "performance.pretrained.test.accuracy"
    strict = GateRule(metric="performance.pretrained.test.accuracy", min=0.5, not_run="fail")
    g = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=[strict]))
    assert g["verdict"] == "fail"
    with pytest.raises(AuditorInputError):  # finetuned holds "test" only: a typo stays exit 2
        bad = GateRule(metric="performance.finetuned.tset.accuracy", min=0.5)
        evaluate_gates(audit, GatesConfig(use_defaults=False, rules=[bad]))


def test_text_where_number_expected_is_config_error():
    cfg = GatesConfig(
        use_defaults=False, rules=[GateRule(metric="transparency.items[license].status", max=1)]
    )
    with pytest.raises(AuditorInputError):
        evaluate_gates(make_audit(), cfg)


def _eod(worst: str, value: float) -> dict:
    return {"value": value, "ci_low": value - 0.05, "ci_high": value + 0.05, "n": 300,
            "worst_group": worst, "status": "ok"}  # fmt: skip


def test_gate_identity_is_fixed_by_rule_and_feature_never_by_the_worst_off_group():
    """Issue 11 item 4: under another seed the worst-off group changes (8 -> 4); the gate
    keeps its id and name, and the baseline compares it instead of calling it new."""
    path = "disparities.equalized_odds_difference.between_groups"

    def audit(worst: str, value: float) -> dict:
        a = make_audit()
        a["fairness"]["features"] = {
            "digit": {"kind": "feature", "disparities": {
                "equalized_odds_difference": {"between_groups": _eod(worst, value)}}},
        }  # fmt: skip
        return a

    rule = GateRule(metric=f"fairness.features[kind=feature].{path}", max=0.2)
    cfg = GatesConfig(use_defaults=False, rules=[rule])
    seed0 = evaluate_gates(audit("8", 0.07), cfg)["results"][0]
    seed1 = evaluate_gates(audit("4", 0.12), cfg, baseline=audit("8", 0.07))["results"]
    assert (seed0["group"], seed1[0]["group"]) == ("8", "4")
    assert seed0["id"] == seed1[0]["id"] == f"fairness.features.digit.{path} (<= 0.2, point)"
    assert seed0["name"] == seed1[0]["name"] and "@" not in seed0["name"]
    assert "worst-off group 4" in seed1[0]["message"]
    # compared with the baseline's value (a real regression), not reported as a "new" gate
    assert seed1[1]["baseline"]["finding"] == "worse"
    assert seed1[1]["baseline"]["delta"] == pytest.approx(0.05)


def test_gate_ids_are_unique():
    """Two rules on the same node with the same bound (a default and a config copy of it)
    still give two distinguishable gates."""
    rule = GateRule(metric="transparency.items[license].status", allowed=["met"])
    cfg = GatesConfig(use_defaults=False, rules=[rule, rule])
    ids = [r["id"] for r in evaluate_gates(make_audit(), cfg)["results"]]
    assert ids == [
        "transparency.items[license].status (in {met}, point)",
        "transparency.items[license].status (in {met}, point) #2",
    ]
    digits = make_audit(run={"name": "t", "scenario": "digits", "created_at": "x", "seed": 0})
    defaults = evaluate_gates(digits, GatesConfig())
    ids = [r["id"] for r in defaults["results"]]
    assert len(ids) == len(set(ids))


def test_section_is_typed_and_its_schema_generated():
    from pydantic import TypeAdapter

    from auditor.gates import GatesSection, judge_audit

    rule = GateRule(metric="performance.finetuned.test.accuracy", min=0.5)
    cfg = GatesConfig(use_defaults=False, rules=[rule])
    section = judge_audit(make_audit(), cfg)
    assert isinstance(section, GatesSection) and section.results[0].outcome == "pass"
    schema = TypeAdapter(GatesSection).json_schema(mode="serialization")
    assert {"verdict", "results", "counts"} <= set(schema["properties"])
    GatesSection.model_validate(evaluate_gates(make_audit(), cfg))  # the dump reads back
    with pytest.raises(ValueError):
        section.model_copy(update={}).__setattr__("verdict", "fail")  # frozen
