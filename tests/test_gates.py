"""Gates over audit.json: the path language, every mode against intervals that clear,
straddle and cross the bound, insufficient data, sections that did not run, baselines."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.config import GateRule, GatesConfig
from auditor.errors import AuditorInputError
from auditor.gates import (
    default_rules,
    evaluate_gates,
    evaluate_rule,
    exit_code,
    judge,
    parse_path,
    resolve,
    wilson_interval,
)


def _node(value, lo, hi, n=500, **extra):
    return {"value": value, "ci_low": lo, "ci_high": hi, "n": n, **extra}


def make_audit(**sections):
    audit = {
        "run": {"name": "t", "scenario": "table", "created_at": "2026-01-01T00:00:00+00:00"},
        "performance": {
            "status": "ok",
            "finetuned": {
                "test": {
                    "n": 400,
                    "n_correct": 360,
                    "accuracy": 0.9,
                    "ece": 0.05,
                    "roc_auc": None,
                    "undefined": {"roc_auc": "only one class in y_true"},
                },
            },
        },
        "fairness": {
            "status": "ok",
            "features": {
                "sex": {
                    "disparities": {
                        "demographic_parity_difference": _node(0.12, 0.08, 0.16, worst_group="F"),
                        "equalized_odds_difference": _node(0.30, 0.18, 0.42, worst_group="M"),
                    },
                    "groups": [
                        {
                            "group": "F",
                            "n": 250,
                            "status": "ok",
                            "metrics": {"tpr": _node(0.7, 0.6, 0.8, 250)},
                        },
                        {
                            "group": "M",
                            "n": 12,
                            "status": "insufficient_data",
                            "metrics": {"tpr": _node(0.5, 0.2, 0.8, 12)},
                        },
                    ],
                },
                "age band": {"disparities": {"equalized_odds_difference": _node(0.05, 0.01, 0.09)}},
            },
        },
        "privacy": {"status": "not_run", "reason": "disabled in config"},
        "transparency": {
            "status": "ok",
            "items": [
                {"id": "intended_use", "status": "missing"},
                {"id": "license", "status": "met"},
            ],
        },
    }
    audit.update(sections)
    return audit


# --------------------------------------------------------------------------- the gate table

# Bound 0.20 as a maximum. Intervals: clear (wholly within), straddle (crosses the bound),
# beyond (wholly past it); the point estimate sits inside the interval.
INTERVALS = {
    "clear": (0.10, 0.05, 0.15),
    "straddle_point_in": (0.18, 0.12, 0.26),
    "straddle_point_out": (0.23, 0.15, 0.31),
    "beyond": (0.30, 0.25, 0.35),
}
# mode -> interval -> pass?
TABLE = {
    "point": {
        "clear": True,
        "straddle_point_in": True,
        "straddle_point_out": False,
        "beyond": False,
    },
    "confident-fail": {
        "clear": True,
        "straddle_point_in": True,
        "straddle_point_out": True,
        "beyond": False,
    },
    "confident-pass": {
        "clear": True,
        "straddle_point_in": False,
        "straddle_point_out": False,
        "beyond": False,
    },
}
RELATION = {
    "clear": "within",
    "straddle_point_in": "straddles",
    "straddle_point_out": "straddles",
    "beyond": "beyond",
}


def _mirror(v):  # the same geometry around a minimum bound of 0.80 (value 1 - x)
    return 1.0 - v


@pytest.mark.parametrize("mode", list(TABLE))
@pytest.mark.parametrize("where", list(INTERVALS))
@pytest.mark.parametrize("bound", ["max", "min"])
def test_gate_table(mode, where, bound):
    value, lo, hi = INTERVALS[where]
    if bound == "min":
        value, lo, hi = _mirror(value), _mirror(hi), _mirror(lo)
        rule = GateRule(metric="fairness.features.sex.disparities.x", min=0.80, mode=mode)
    else:
        rule = GateRule(metric="fairness.features.sex.disparities.x", max=0.20, mode=mode)
    audit = make_audit()
    audit["fairness"]["features"]["sex"]["disparities"]["x"] = _node(value, lo, hi, worst_group="F")
    [r] = evaluate_rule(audit, rule)
    expected = TABLE[mode][where]
    assert (r.outcome, r.status) == (("pass", "pass") if expected else ("fail", "fail"))
    assert r.relation == RELATION[where]
    assert (r.value, r.ci_low, r.ci_high, r.n, r.group) == (value, lo, hi, 500, "F")
    assert judge(value, lo, hi, mode=mode, max=rule.max, min=rule.min) is expected


@pytest.mark.parametrize("mode", list(TABLE))
@pytest.mark.parametrize("maps_to", ["warn", "fail"])
def test_insufficient_data_below_min_count(mode, maps_to):
    rule = GateRule(
        metric="fairness.features.sex.groups[*].metrics.tpr",
        min=0.5,
        mode=mode,
        insufficient=maps_to,
    )
    audit = make_audit()
    audit["fairness"]["features"]["sex"]["groups"][1]["status"] = "ok"  # the count decides
    results = evaluate_rule(audit, rule, min_count=30)
    by_group = {r.group: r for r in results}
    assert set(by_group) == {"F", "M"}
    assert by_group["F"].outcome == "pass"
    small = by_group["M"]
    assert small.outcome == "insufficient_data" and small.status == maps_to
    assert "n=12" in small.message and "30" in small.message
    assert small.value == 0.5  # the estimate is kept as evidence, never judged


def test_min_n_on_the_rule_overrides_min_count():
    audit = make_audit()
    rule = GateRule(
        metric="fairness.features.sex.disparities.demographic_parity_difference",
        max=0.2,
        min_n=1000,
    )
    [r] = evaluate_rule(audit, rule, min_count=30)
    assert r.outcome == "insufficient_data" and r.min_n == 1000


def test_disparity_resting_on_few_rows_is_insufficient_and_says_whose():
    """A gap whose interval is wholly beyond the bound, but decided by a rate on 8 positives:
    no confident verdict, and the message names the group and rate behind the count."""
    audit = make_audit()
    audit["fairness"]["features"]["sex"]["disparities"]["equalized_odds_difference"].update(
        n=8, n_source="M: recall on 8 positives"
    )
    rule = GateRule(
        metric="fairness.features.sex.disparities.equalized_odds_difference",
        max=0.1,
        mode="confident-fail",
    )
    [r] = evaluate_rule(audit, rule, min_count=30)
    assert r.outcome == "insufficient_data" and r.status == "warn"
    assert "n=8" in r.message and "M: recall on 8 positives" in r.message


def test_group_status_insufficient_is_respected_even_above_min_count():
    audit = make_audit()
    audit["fairness"]["features"]["sex"]["groups"][1]["metrics"]["tpr"]["n"] = 100
    audit["fairness"]["features"]["sex"]["groups"][1]["metrics"]["tpr"]["status"] = (
        "insufficient_data"
    )
    rule = GateRule(metric="fairness.features.sex.groups[M].metrics.tpr", min=0.1)
    [r] = evaluate_rule(audit, rule)
    assert r.outcome == "insufficient_data" and r.status == "warn"


def test_undefined_value_is_insufficient_with_its_reason():
    [r] = evaluate_rule(
        make_audit(), GateRule(metric="performance.finetuned.test.roc_auc", min=0.8)
    )
    assert r.outcome == "insufficient_data" and "only one class" in r.message


# --------------------------------------------------------------------------- paths


def test_parse_path_forms():
    steps = parse_path('fairness.features."age band".groups[group=F].metrics[*]')
    assert [s.kind for s in steps] == ["key", "key", "key", "key", "match", "key", "any"]
    assert steps[2].key == "age band" and (steps[4].key, steps[4].value) == ("group", "F")
    for bad in ("", "a..b", "a.", "a[", "a.[1]"):
        with pytest.raises(ValueError):
            parse_path(bad)


def test_wildcard_and_quoted_keys():
    audit = make_audit()
    matches = resolve(audit, "fairness.features.*.disparities.equalized_odds_difference")
    assert [m.path for m in matches] == [
        "fairness.features.sex.disparities.equalized_odds_difference",
        'fairness.features."age band".disparities.equalized_odds_difference',
    ]
    [m] = resolve(audit, 'fairness.features."age band".disparities.equalized_odds_difference')
    assert m.node["value"] == 0.05


def test_wilson_interval_beside_accuracy():
    [r] = evaluate_rule(
        make_audit(),
        GateRule(metric="performance.finetuned.test.accuracy", min=0.85, mode="confident-pass"),
    )
    lo, hi = wilson_interval(360, 400)
    assert r.interval == "wilson" and (r.ci_low, r.ci_high) == (lo, hi) and r.n == 400
    assert lo < 0.9 < hi and r.outcome == ("pass" if lo >= 0.85 else "fail")


def test_wilson_interval_matches_statsmodels_formula():
    lo, hi = wilson_interval(45, 50)
    assert lo == pytest.approx(0.7864, abs=1e-4) and hi == pytest.approx(0.9565, abs=1e-4)


def test_no_interval_in_confident_mode_says_the_point_decided():
    [r] = evaluate_rule(
        make_audit(),
        GateRule(metric="performance.finetuned.test.ece", max=0.04, mode="confident-fail"),
    )
    assert r.outcome == "fail" and "point estimate decided" in r.message


def test_checklist_item_status():
    rule = GateRule(metric="transparency.items[intended_use].status", allowed=["met", "declared"])
    [r] = evaluate_rule(make_audit(), rule)
    assert r.outcome == "fail" and r.value == "missing"
    [r] = evaluate_rule(
        make_audit(), rule.model_copy(update={"metric": "transparency.items[license]"})
    )
    assert r.outcome == "pass"


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


def test_section_not_run_is_warning_or_failure_never_pass():
    for maps_to in ("warn", "fail"):
        rule = GateRule(metric="privacy.attacks.loss.auc", max=0.6, not_run=maps_to)
        [r] = evaluate_rule(make_audit(), rule)
        assert r.outcome == "not_run" and r.status == maps_to and "disabled in config" in r.message


def test_text_where_number_expected_is_config_error():
    cfg = GatesConfig(
        use_defaults=False, rules=[GateRule(metric="transparency.items[license].status", max=1)]
    )
    with pytest.raises(AuditorInputError):
        evaluate_gates(make_audit(), cfg)


def test_rule_validation():
    for bad in ("nonsense.x", "performance..x", "fairness[", ""):
        with pytest.raises(ValueError):
            GateRule(metric=bad, max=1)  # caught when the config is read, before training
    with pytest.raises(ValueError):
        GateRule(metric="a.b")  # no bound
    with pytest.raises(ValueError):
        GateRule(metric="a.b", min=0.9, max=0.1)
    with pytest.raises(ValueError):
        GateRule(metric="a.b", allowed=["met"], max=1)


# --------------------------------------------------------------------------- verdict


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


# --------------------------------------------------------------------------- baseline


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


# --------------------------------------------------------------------------- shapes of the sections


def test_mapping_selectors_and_enclosing_insufficient_group():
    audit = make_audit()
    feats = audit["fairness"]["features"]
    feats["sex"]["kind"], feats["age band"]["kind"] = "feature", "intersection"
    matches = resolve(
        audit, "fairness.features[kind=feature].disparities.equalized_odds_difference"
    )
    assert [m.path for m in matches] == [
        "fairness.features.sex.disparities.equalized_odds_difference"
    ]
    [m] = resolve(audit, "fairness.features[sex].disparities.equalized_odds_difference")
    assert m.node["value"] == 0.30
    # the group says insufficient_data; its metric node has a large n: still insufficient
    audit["fairness"]["features"]["sex"]["groups"][1]["metrics"]["tpr"]["n"] = 500
    [r] = evaluate_rule(
        audit, GateRule(metric="fairness.features.sex.groups[M].metrics.tpr", min=0.1)
    )
    assert r.outcome == "insufficient_data" and "groups[M]" in r.message


def test_rate_at_fixed_fpr_node_and_resolvable():
    detail = {
        "0.01": {"tpr": 0.2, "ci_low": 0.15, "ci_high": 0.26, "n_members": 266, "resolvable": True},
        "0.001": {
            "tpr": 0.0,
            "ci_low": 0.0,
            "ci_high": 0.01,
            "n_members": 266,
            "resolvable": False,
        },
    }
    audit = make_audit(privacy={"status": "ok", "attacks": {"loss": {"tpr_at_fpr_detail": detail}}})
    [r] = evaluate_rule(audit, GateRule(metric='privacy.attacks.*.tpr_at_fpr_detail."0.01"',
                                        max=0.1, mode="confident-fail"))  # fmt: skip
    assert (r.value, r.ci_low, r.ci_high, r.n, r.group) == (0.2, 0.15, 0.26, 266, "loss")
    assert r.outcome == "fail" and r.relation == "beyond"
    [r] = evaluate_rule(
        audit, GateRule(metric='privacy.attacks.loss.tpr_at_fpr_detail."0.001"', max=0.1)
    )
    assert r.outcome == "insufficient_data" and "resolvable" in r.message


def test_boolean_and_null_for_allowed():
    audit = make_audit(privacy={"status": "ok", "canaries": {"exceeds_claim": True}})
    rule = GateRule(metric="privacy.canaries.exceeds_claim", allowed=["false"])
    assert evaluate_rule(audit, rule)[0].outcome == "fail"
    audit["privacy"]["canaries"]["exceeds_claim"] = None
    assert evaluate_rule(audit, rule)[0].outcome == "insufficient_data"


@settings(max_examples=300, deadline=None)
@given(
    a=st.floats(-5, 5),
    b=st.floats(-5, 5),
    c=st.floats(-5, 5),
    bound=st.floats(-5, 5),
    upper=st.booleans(),
)
def test_modes_are_ordered(a, b, c, bound, upper):
    """For an estimate inside its interval: confident-pass passing implies point passing,
    which implies confident-fail passing (the modes only move the burden of proof)."""
    lo, value, hi = sorted((a, b, c))
    kw = {"max": bound, "min": None} if upper else {"max": None, "min": bound}
    strict = judge(value, lo, hi, mode="confident-pass", **kw)
    point = judge(value, lo, hi, mode="point", **kw)
    lenient = judge(value, lo, hi, mode="confident-fail", **kw)
    assert (not strict or point) and (not point or lenient)
    assert judge(value, value, value, mode="confident-pass", **kw) == point  # no width: same


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
