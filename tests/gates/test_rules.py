"""The built-in gates of each scenario and the check of every rule path before any work."""

from __future__ import annotations

import pytest

from auditor.config import GateRule, GatesConfig
from auditor.errors import AuditorInputError
from auditor.gates import default_rules, evaluate_gates, validate_rules
from auditor.record import audit_schema
from tests.gates.builders import make_audit


def test_rule_models_check_their_bounds():
    with pytest.raises(ValueError):
        GateRule(metric="a.b")  # no bound
    with pytest.raises(ValueError):
        GateRule(metric="a.b", min=0.9, max=0.1)
    with pytest.raises(ValueError):
        GateRule(metric="a.b", allowed=["met"], max=1)


@pytest.mark.parametrize("bad", ["nonsense.x", "performance..x", "fairness[", " "])
def test_rule_paths_are_checked_before_any_work(bad):
    """validate_rules is what the API calls before training: a malformed path is exit 2
    naming the config file and the rule's field, and every bad rule is listed."""
    rules = [GateRule(metric="performance.x", max=1), GateRule(metric=bad, max=1)]
    config = GatesConfig(rules=[*rules, GateRule(metric=bad, min=0)])
    with pytest.raises(AuditorInputError) as err:
        validate_rules(config, source="audit.toml", schema=None)
    msg = str(err.value)
    assert msg.startswith("audit.toml: gates.rules[1].metric: ")
    assert "gates.rules[2].metric" in msg and "gates.rules[0]" not in msg
    assert msg.count("gates.rules[1].metric") == 1  # the field once, not again before its text
    with pytest.raises(AuditorInputError):  # evaluate_gates checks them too
        evaluate_gates(make_audit(), config)


def test_default_rule_paths_parse():
    for scenario in ("digits", "adult", "mnist", "table", "predictions"):
        rules = default_rules(scenario, dp_claimed=True)
        validate_rules(GatesConfig(use_defaults=False, rules=rules), schema=audit_schema)


def test_default_privacy_gate_reads_the_tpr_estimate_node():
    [privacy] = [r for r in default_rules("digits") if r.metric.startswith("privacy.attacks")]
    assert privacy.metric == 'privacy.attacks.*.tpr_at_fpr."0.01"'
    assert (privacy.max, privacy.mode) == (0.10, "confident-fail")


def test_defaults_never_crash_and_never_pass_what_did_not_run():
    nothing_ran = make_audit(
        fairness={"status": "not_run", "reason": "x"},
        transparency={"status": "not_run", "reason": "y"},
    )
    for scenario in ("digits", "adult", "mnist", "table"):
        nothing_ran["run"]["scenario"] = scenario
        g = evaluate_gates(nothing_ran, GatesConfig())
        assert g["status"] == "ok" and g["counts"]["pass"] >= 1
        for r in g["results"]:
            if r["area"] in ("fairness", "privacy", "transparency"):
                assert r["status"] == "warn" and r["outcome"] == "not_run"
    # a section that ran but has another shape: the built-in gate reports, it does not crash
    odd = make_audit(privacy={"status": "ok", "something": {}})
    g = evaluate_gates(odd, GatesConfig())
    assert any(r["area"] == "privacy" and r["status"] == "warn" for r in g["results"])
    assert default_rules("digits") and default_rules("adult")


def test_predictions_only_audit_gates_what_it_can_measure():
    """No model: no privacy or checklist gate that could only ever warn; the names do not
    speak of a fine-tuned model."""
    rules = default_rules("predictions")
    areas = {r.metric.split(".")[0] for r in rules}
    assert areas == {"performance", "fairness"}
    assert all("fine-tuned" not in (r.name or "") for r in rules)
    assert {r.metric.split(".")[0] for r in default_rules("table")} >= {"privacy", "transparency"}


def _intersection_gates(audit: dict) -> list[dict]:
    return [r for r in evaluate_gates(audit, GatesConfig())["results"]
            if "kind=intersection" in r["id"] or "&" in r["id"]]  # fmt: skip


def test_no_intersection_gate_where_the_audit_has_no_intersection():
    """One sensitive feature (or intersections off): the fairness check ran and has nothing to
    intersect, so the built-in intersection gate is absent rather than a warning that it could
    not read the audit. Where the fairness check did not run, it still warns."""
    one = make_audit()
    for f in one["fairness"]["features"].values():
        f["kind"] = "feature"
    assert _intersection_gates(one) == []
    both = make_audit()
    for f in both["fairness"]["features"].values():
        f["kind"] = "feature"
    both["fairness"]["features"]["sex & age band"] = {
        "kind": "intersection",
        "disparities": {"equalized_odds_difference": {"between_groups": {
            "value": 0.3, "ci_low": 0.25, "ci_high": 0.35, "n": 400}}},
    }  # fmt: skip
    [gate] = _intersection_gates(both)
    assert gate["status"] == "warn" and gate["outcome"] != "not_run"
    not_run = make_audit(fairness={"status": "not_run", "reason": "x"})
    [gate] = _intersection_gates(not_run)
    assert gate["status"] == "warn" and gate["outcome"] == "not_run"


def test_a_multi_class_audit_gates_each_class_gap_against_the_rest():
    """More than two classes: the audit has no single equalized-odds gap, only one per class
    (``equalized_odds_difference@<class>``); the built-in gate reads each, named by its class,
    rather than warning that it cannot read the audit. Class names that need quoting work."""
    classes = ["cat", "dog", "1.5"]
    audit = make_audit()
    gaps = {"cat": 0.05, "dog": 0.30, "1.5": 0.10}
    for f in audit["fairness"]["features"].values():
        f["kind"] = "feature"
        f["disparities"] = {f"equalized_odds_difference@{c}": {"between_groups": {
            "value": v, "ci_low": v - 0.02, "ci_high": v + 0.02, "n": 500}}
            for c, v in gaps.items()}  # fmt: skip
    audit["fairness"]["classes"] = classes
    audit["run"]["scenario"] = "table"
    results = [r for r in evaluate_gates(audit, GatesConfig())["results"]
               if r["area"] == "fairness"]  # fmt: skip
    assert len(results) == 2 * len(classes)  # two features, no intersection
    by_name = {r["name"]: r for r in results}
    assert by_name["sex: equalized-odds gap (class dog vs rest) <= 0.20"]["status"] == "fail"
    assert by_name["sex: equalized-odds gap (class 1.5 vs rest) <= 0.20"]["status"] == "pass"
    assert all(r["outcome"] != "not_run" for r in results)
    for scenario in ("table", "predictions"):
        rules = default_rules(scenario, classes=classes)
        validate_rules(GatesConfig(use_defaults=False, rules=rules), schema=audit_schema)


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (GateRule(metric="transparency.items[data_license].status", allowed=["mett"]), "allowed"),
        (GateRule(metric="transparency.items[kind=automatic].status", allowed=["met"],
                  warn_on=["warning"]), "warn_on"),
        (GateRule(metric="transparency.items[seeds].status", max=1), "max"),
        (GateRule(metric="fairness.features.*.groups[*].status", min=0), "min"),
        (GateRule(metric="performance.finetuned.test.accuracy", allowed=["ok"]), "allowed"),
        (GateRule(metric='privacy.attacks.*.tpr_at_fpr."0.01"', allowed=["ok"]), "allowed"),
        (GateRule(metric="fairness.features.sex.disparities.fnr_difference@1.between_groups",
                  allowed=["ok"]), "allowed"),
        # numbers and a mapping under names the old key list did not hold
        (GateRule(metric="privacy.canaries.epsilon_lower_bound", allowed=["ok"]), "allowed"),
        (GateRule(metric="training.finetune.epochs_run", allowed=["ok"]), "allowed"),
        (GateRule(metric="privacy.attacks.*.tpr_at_fpr.\"0.01\".threshold", allowed=["x"]),
         "allowed"),
        (GateRule(metric="fairness.features.sex.disparities.equalized_odds_difference",
                  max=0.2), "max"),
        (GateRule(metric="fairness.features.sex.groups[Female]", min=0.5), "min"),
    ],
)
def test_a_bound_that_cannot_fit_its_path_is_refused_before_any_work(rule, field):
    """allowed on a number, max on a status or a mapping, or allowed = ["mett"] was accepted
    and only failed (exit 2, or the gate) after the whole run. The kind is the schema's (the
    node's type), not the last key's name: epsilon_lower_bound was let through."""
    with pytest.raises(AuditorInputError) as err:
        first = GateRule(metric="performance.finetuned.test.accuracy", min=0.5)  # a good one
        validate_rules(GatesConfig(rules=[first, rule]), source="audit.toml", schema=audit_schema)
    assert str(err.value).startswith(f"audit.toml: gates.rules[1].{field}: ")
    assert "\n" not in str(err.value)


def _one_field(kind: dict) -> dict:
    return {"type": "object", "properties": {"performance": {"type": "object", "properties": {
        "accuracy": kind, "note": {"anyOf": [{"type": "number"}, {"type": "null"}]}}}}}


def test_the_kind_is_the_nodes_own_not_its_names():
    """A status node under a key named like a number takes allowed; a number under a name
    no metric list holds takes max, not allowed (the old check went by the key's name)."""
    status = _one_field({"type": "object", "properties": {"status": {"type": "string"}}})
    validate_rules(GatesConfig(rules=[GateRule(metric="performance.accuracy", allowed=["ok"])]),
                   schema=lambda: status)  # fmt: skip
    with pytest.raises(AuditorInputError, match="rules.0..max: .*ends at a status"):
        validate_rules(GatesConfig(rules=[GateRule(metric="performance.accuracy", max=1)]),
                       schema=lambda: status)  # fmt: skip
    with pytest.raises(AuditorInputError, match="rules.0..allowed: .*ends at a number"):
        validate_rules(GatesConfig(rules=[GateRule(metric="performance.note", allowed=["a"])]),
                       schema=lambda: status)  # fmt: skip
    # unknown to the schema: no audit has it, refused before any work (it was let through
    # and a misspelt key stopped the run after the whole training, exit 2)
    with pytest.raises(AuditorInputError, match="rules.0..metric: .*'performance' has no 'x' "
                       r"\(it has: accuracy, note\)"):
        validate_rules(GatesConfig(rules=[GateRule(metric="performance.x", allowed=["a"])]),
                       schema=lambda: status)  # fmt: skip


def test_status_words_cover_every_status_a_section_writes():
    """Every ``status: Literal[...]`` a result type declares (the checklist's too) is a word a
    rule's allowed may name; a new one must be added to STATUS_WORDS, or its rules are refused."""
    import re
    from pathlib import Path

    import auditor
    from auditor.checks.checklist import STATUSES
    from auditor.gates.rules import STATUS_WORDS

    written = set(STATUSES)
    for path in Path(auditor.__file__).parent.rglob("*.py"):
        for words in re.findall(r"\bstatus: Literal\[([^\]]*)\]", path.read_text()):
            written |= set(re.findall(r'"([^"]+)"', words))
    assert {"undefined", "insufficient_data", "not_run", "met"} <= written
    assert written <= set(STATUS_WORDS), written - set(STATUS_WORDS)
    for rule in default_rules("adult", dp_claimed=True):
        validate_rules(GatesConfig(rules=[rule]), source="audit.toml", schema=audit_schema)


ACC = "performance.finetuned.test.accuracy"
EOD = "fairness.features[kind=feature].disparities.equalized_odds_difference.between_groups"


@pytest.mark.parametrize(
    ("metric", "bound", "value", "never"),
    [
        (ACC, "min", 80, "pass"),  # a percentage where a fraction is meant
        (ACC, "max", -0.5, "pass"),
        (ACC, "min", -1, "fail"),
        (EOD, "max", 20, "fail"),  # 20 points written as 20: a gap of at most 1 always passes
        (f"{EOD}.ci_low", "min", 1.5, "pass"),
        ('privacy.attacks.*.tpr_at_fpr."0.01"', "max", 10, "fail"),
        ("fairness.features.sex.groups[*].metrics.recall@cat", "min", 2, "pass"),
        ("privacy.attacks.loss.decision.advantage", "max", -2, "pass"),
        ("performance.finetuned.test.log_loss", "max", -0.1, "pass"),
        ("performance.finetuned.test.confusion_matrix[0][1]", "max", -1, "pass"),
    ],
)  # fmt: skip
def test_a_bound_outside_what_the_metric_can_be_is_refused(metric, bound, value, never):
    """Such a rule was accepted and judged after the whole run: never passed (min 80 on an
    accuracy) or never failed (max 20 on a gap). Exit 2 naming the file and the bound."""
    config = GatesConfig(rules=[GateRule(metric=ACC, min=0.5),
                                GateRule(metric=metric, **{bound: value})])  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        validate_rules(config, source="audit.toml", schema=audit_schema)
    assert err.value.source == "audit.toml"
    assert err.value.field == f"gates.rules[1].{bound}"
    assert f"{bound} {value:g} is outside what" in err.value.message
    assert f"could never {never}" in err.value.message
    with pytest.raises(AuditorInputError):  # evaluate_gates checks them too
        evaluate_gates(make_audit(), config)


def test_a_percentage_is_named_as_the_fraction_meant():
    with pytest.raises(AuditorInputError) as err:
        validate_rules(GatesConfig(rules=[GateRule(metric=ACC, min=80)]), schema=None)
    assert err.value.message == (
        "min 80 is outside what accuracy can be ([0, 1]): the rule could never pass (written "
        "as a fraction: 80% is 0.8)"
    )


@pytest.mark.parametrize(
    ("metric", "bounds"),
    [
        (ACC, {"min": 0.0}), (ACC, {"max": 1.0}), (ACC, {"min": 0.0, "max": 1.0}),
        (EOD, {"max": 0.0}), ("privacy.attacks.loss.decision.advantage", {"min": -1.0}),
        ("performance.finetuned.test.log_loss", {"max": 50.0}),
        ("performance.finetuned.test.brier", {"max": 1.5}),  # a multi-class Brier reaches 2
        ("privacy.canaries.epsilon_lower_bound", {"max": 1e6}),
        ("fairness.threshold.value", {"min": -5.0}),  # not a metric of known range: as before
        ("performance.finetuned.test.*", {"max": 5.0}),
    ],
)  # fmt: skip
def test_a_bound_on_or_inside_the_range_stays_legal(metric, bounds):
    validate_rules(GatesConfig(rules=[GateRule(metric=metric, **bounds)]), schema=None)

