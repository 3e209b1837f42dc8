"""Judging one rule: every mode against intervals that clear, straddle and cross the bound,
insufficient data, sections that did not run, the shapes the evidence comes in."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.audit_tree import resolve, wilson_interval
from auditor.config import GateRule
from auditor.gates import evaluate_rule, judge
from tests.gates.builders import make_audit, rate_at_fpr
from tests.gates.builders import node as _node

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
    inside = where in ("clear", "straddle_point_in")
    verb = ("meets" if expected else "breaks") if inside == expected else (
        "is not confidently past" if expected else "is not confidently within")
    assert f" {verb} " in r.message  # never 'meets' for an estimate past the bound


@pytest.mark.parametrize(("value", "bound", "shown"), [
    (0.94996, {"min": 0.95}, "0.94996 [0.9499, 0.94996] (n=500) breaks"),
    (0.20004, {"max": 0.2}, "0.20004 [0.20004, 0.2001] (n=500) breaks"),
    (0.2, {"max": 0.2}, "0.2 [0.2, 0.2] (n=500) meets"),
    (0.123456, {"max": 0.2}, "0.1235 [0.1234, 0.1235] (n=500) meets"),  # ends outward
])  # fmt: skip
def test_a_gate_message_never_prints_its_value_across_or_on_the_bound(value, bound, shown):
    """4 significant digits, more where 4 would print the value on the other side of the bound
    or on a bound it is not on (0.94996 breaking >= 0.95 was printed '0.95 breaks >= 0.95')."""
    audit = make_audit()
    audit["fairness"]["features"]["sex"]["disparities"]["x"] = _node(value, value, value)
    rule = GateRule(metric="fairness.features.sex.disparities.x", mode="point", **bound)
    [r] = evaluate_rule(audit, rule)
    assert r.message.startswith(shown), r.message


def test_a_gate_messages_interval_is_rounded_outward_never_narrower_than_recorded():
    """[0.771180, 0.840124] read [0.7712, 0.8401], an interval narrower than the recorded one
    (its ends rounded to the nearest); the value itself stays to the nearest."""
    audit = make_audit()
    audit["fairness"]["features"]["sex"]["disparities"]["x"] = _node(0.80006, 0.771180, 0.840124)
    rule = GateRule(metric="fairness.features.sex.disparities.x", mode="confident-pass", min=0.5)
    [r] = evaluate_rule(audit, rule)
    assert r.message.startswith("0.8001 [0.7711, 0.8402] (n=500)"), r.message


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


def test_a_gap_without_a_count_gets_a_verdict_its_interval_decides():
    """Issue 11 item 3: a gap's interval carries the uncertainty of small groups, so a gap
    node without ``n`` is judged (no "smallest count" suppression); a node with a count below
    min_n is still insufficient."""
    audit = make_audit()
    eod = audit["fairness"]["features"]["sex"]["disparities"]["equalized_odds_difference"]
    del eod["n"]
    rule = GateRule(
        metric="fairness.features.sex.disparities.equalized_odds_difference",
        max=0.1,
        mode="confident-fail",
    )
    [r] = evaluate_rule(audit, rule, min_count=30)
    assert r.outcome == "fail" and r.n is None and r.relation == "beyond"
    eod["n"] = 8
    [r] = evaluate_rule(audit, rule, min_count=30)
    assert r.outcome == "insufficient_data" and r.status == "warn"
    assert "n=8 below the minimum count 30" in r.message


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


def test_wilson_interval_beside_accuracy():
    [r] = evaluate_rule(
        make_audit(),
        GateRule(metric="performance.finetuned.test.accuracy", min=0.85, mode="confident-pass"),
    )
    lo, hi = wilson_interval(360, 400)
    assert r.interval == "wilson" and (r.ci_low, r.ci_high) == (lo, hi) and r.n == 400
    assert lo < 0.9 < hi and r.outcome == ("pass" if lo >= 0.85 else "fail")


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


def test_section_not_run_is_warning_or_failure_never_pass():
    for maps_to in ("warn", "fail"):
        rule = GateRule(metric="privacy.attacks.loss.auc", max=0.6, not_run=maps_to)
        [r] = evaluate_rule(make_audit(), rule)
        assert r.outcome == "not_run" and r.status == maps_to and "disabled in config" in r.message


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
    """The default privacy gate reads each attack's TPR at 1% FPR, an estimate node."""
    rates = {
        "0.01": rate_at_fpr(0.2, 0.15, 0.26),
        "0.001": rate_at_fpr(0.0, 0.0, 0.01, resolvable=False),
    }
    audit = make_audit(privacy={"status": "ok", "attacks": {"loss": {"tpr_at_fpr": rates}}})
    [r] = evaluate_rule(audit, GateRule(metric='privacy.attacks.*.tpr_at_fpr."0.01"',
                                        max=0.1, mode="confident-fail"))  # fmt: skip
    assert (r.value, r.ci_low, r.ci_high, r.n, r.group) == (0.2, 0.15, 0.26, 266, "loss")
    assert r.outcome == "fail" and r.relation == "beyond"
    assert r.metric == 'privacy.attacks.loss.tpr_at_fpr."0.01"'
    [r] = evaluate_rule(audit, GateRule(metric='privacy.attacks.loss.tpr_at_fpr."0.001"', max=0.1))
    assert r.outcome == "insufficient_data" and "resolvable" in r.message


def test_disparity_names_its_worst_off_group_in_the_message_not_the_name():
    rule = GateRule(metric="fairness.features.*.disparities.equalized_odds_difference", max=0.5)
    by_path = {r.metric: r for r in evaluate_rule(make_audit(), rule)}
    sex = by_path["fairness.features.sex.disparities.equalized_odds_difference"]
    assert sex.group == "M" and "worst-off group M" in sex.message
    assert sex.name == "sex: equalized-odds gap <= 0.50"
    assert "M" not in sex.id.split(" (")[0].split(".")[-1]
    named = rule.model_copy(update={"name": "EO gap"})
    names = sorted(r.name for r in evaluate_rule(make_audit(), named))
    assert names == ["EO gap (age band)", "EO gap (sex)"]


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


@pytest.mark.parametrize("path", ["demographic_parity_difference",
                                  "equalized_odds_difference"])  # fmt: skip
def test_a_gap_needs_two_groups_that_reach_the_minimum_count(path):
    """``min_count = 3000`` in a gate config over a race gap taken with groups of 30 rows:
    the gap (set by a group of 84 rows) passed, though the gate gives none of those groups
    a verdict. A gap where fewer than two of the feature's groups reach the minimum count
    is insufficient data (docs/ci.md says so); with two it is judged by its interval."""
    audit = make_audit()  # sex: F 250 rows (ok), M 12 rows (insufficient); X: 200 rows
    x = {"group": "X", "n": 200, "status": "ok", "metrics": {"tpr": _node(0.65, 0.55, 0.75, 200)}}
    audit["fairness"]["features"]["sex"]["groups"].append(x)
    audit["fairness"]["min_group_size"] = 30  # what the gaps were taken with
    rule = GateRule(metric=f"fairness.features.sex.disparities.{path}", max=0.9)
    [judged] = evaluate_rule(audit, rule, min_count=200)
    assert judged.outcome == "pass"
    [r] = evaluate_rule(audit, rule, min_count=201)
    assert r.outcome == "insufficient_data" and r.status == "warn"
    assert "1 of the 3 groups of sex reach the minimum count 201" in r.message
    strict = rule.model_copy(update={"insufficient": "fail", "min_n": 251})
    [r] = evaluate_rule(audit, strict, min_count=30)
    assert r.outcome == "insufficient_data" and r.status == "fail" and "0 of the 3" in r.message
    del audit["fairness"]["min_group_size"]  # an audit that does not say: judged as before
    [r] = evaluate_rule(audit, rule, min_count=201)
    assert r.outcome == "pass"
    groups = GateRule(metric="fairness.features.sex.groups[F].metrics.tpr", min=0.1)
    [r] = evaluate_rule(audit, groups, min_count=201)  # a group's own rate: its own count
    assert r.outcome == "pass"


@pytest.mark.parametrize("feature", ["sex\\", "a.b]\\", 'x"y'])
def test_a_gap_of_a_feature_whose_path_does_not_parse_back_still_needs_two_groups(feature):
    """The gap check re-parsed the gap's concrete path and skipped a feature whose quoted key
    ends in a backslash (``"sex\\"`` does not parse back): its gap set by a group of 12 rows
    passed a gate whose minimum count none of the other groups reached."""
    audit = make_audit()
    features = audit["fairness"]["features"]
    features[feature] = features.pop("sex")
    audit["fairness"]["min_group_size"] = 10
    rule = GateRule(metric="fairness.features.*.disparities.equalized_odds_difference", max=0.9)
    [r] = [r for r in evaluate_rule(audit, rule, min_count=201) if feature in r.name]
    assert r.outcome == "insufficient_data" and "1 of the 2 groups" in r.message, r.message


@pytest.mark.parametrize("metric", ["ece", "roc_auc", "log_loss", "brier"])
def test_a_score_metric_of_a_file_without_scores_is_not_run_naming_y_score(metric):
    """A predictions file without --y-score computes no ECE (null, and why): its gate said
    'insufficient data', as if the rows were too few; nothing was computed, so it is not run
    (a warning by default, a failure where not_run = "fail"; never a pass)."""
    from auditor.results.classification import NO_SCORE

    audit = make_audit()
    test = audit["performance"]["finetuned"]["test"]
    test[metric] = None
    test["undefined"] = {metric: NO_SCORE}
    rule = GateRule(metric=f"performance.finetuned.test.{metric}", max=0.1)
    [r] = evaluate_rule(audit, rule)
    assert (r.outcome, r.status) == ("not_run", "warn") and "--y-score" in r.message, r.message
    strict = rule.model_copy(update={"not_run": "fail"})
    assert evaluate_rule(audit, strict)[0].status == "fail"
    test["undefined"] = {metric: "only one class in y_true"}  # undefined by the data
    assert evaluate_rule(audit, rule)[0].outcome == "insufficient_data"


@pytest.mark.parametrize("reason", ["short", "a very long reason " * 30])
def test_a_failed_checklist_gate_keeps_the_items_way_on(reason):
    """The 200-character cap cut NO_DATA_LICENSE's way on ("(or mark
    transparency.not_applicable.…"): a tool message fits whole; a long one (a section's
    reason inside it) is cut in its middle, so the key to set that ends it stays."""
    from auditor.checks.transparency import DID_NOT_RUN, NO_DATA_LICENSE
    from auditor.gates.judge import WHY_MAX

    assert len(NO_DATA_LICENSE) <= WHY_MAX
    did_not_run = DID_NOT_RUN.format(what="privacy probes", reason=reason, key="privacy_probes")
    items = [{"id": "data_license", "kind": "automatic", "status": "missing",
              "evidence": NO_DATA_LICENSE, "reason": None},
             {"id": "privacy_probes", "kind": "automatic", "status": "missing",
              "evidence": did_not_run, "reason": None}]  # fmt: skip
    audit = {**make_audit(), "transparency": {"status": "ok", "items": items}}
    rule = GateRule(metric="transparency.items[kind=automatic].status",
                    allowed=["met", "not_applicable"])  # fmt: skip
    lic, priv = evaluate_rule(audit, rule)
    assert lic.status == "fail" and lic.message.endswith(": " + NO_DATA_LICENSE)
    assert priv.message.endswith("(or mark transparency.not_applicable.privacy_probes with why)")
    assert len(priv.message.split(": ", 1)[1]) <= WHY_MAX


def test_an_undefined_disparity_in_memory_gives_its_reason():
    # audit_predictions' result holds NaN (not null) for a ratio of rates that are all 0
    import numpy as np
    import pandas as pd

    import auditor

    rng = np.random.default_rng(0)
    y = rng.choice(["low", "mid", "high"], 600)
    pred = np.where(y == "high", "mid", y)  # 'high' is never predicted
    df = pd.DataFrame({"y": y, "p": pred, "g": rng.choice(["a", "b"], 600)})
    result = auditor.audit_predictions(df, y_true="y", y_pred="p", sensitive=["g"])
    path = 'fairness.features.g.disparities."demographic_parity_ratio@high".between_groups'
    [r] = evaluate_rule(result.data, GateRule(metric=path, min=0.8))
    assert r.outcome == "insufficient_data" and r.group == "all"
    assert r.message == (
        "insufficient data: selection_rate@high is 0 in every compared group: their ratio "
        "(0 / 0) is undefined, so no verdict; the difference compares them"
    )
