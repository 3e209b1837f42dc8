"""The canary audit's ceiling: a DP claim at or above it cannot be tested at this canary count
(null ``exceeds_claim`` with the reason, read by the built-in gate as insufficient data, never a
pass); more canaries raise the ceiling."""

import math

import numpy as np
import pytest
from scipy.stats import binom

from auditor.config import PrivacyConfig
from auditor.gates import evaluate_rule
from auditor.gates.rules import default_rules
from auditor.privacy.canaries import epsilon_lower_bound, one_run_audit
from auditor.privacy.canary_probe import UNTESTABLE, claim_verdict
from tests.gates.builders import make_audit

CLAIM_RULE = "privacy.canaries.exceeds_claim"


def _audit(m, *, correct_share=1.0, seed=0):
    """One-run audit of m canaries with the default guesses (m // 5 per side); the guesses are
    right for ``correct_share`` of the canaries."""
    rng = np.random.default_rng(seed)
    inserted = rng.random(m) < 0.5
    scores = np.where(inserted, 1.0, 0.0) + rng.normal(0, 1e-3, m)
    flip = rng.random(m) > correct_share
    scores[flip] = -scores[flip]
    k = PrivacyConfig(n_canaries=m).canary_guesses or m // 5
    return one_run_audit(scores, inserted, k_plus=k, k_minus=k, delta=0.0, confidence=0.95)


def _gate(exceeds, undefined):
    [rule] = [r for r in default_rules("digits", dp_claimed=True) if r.metric == CLAIM_RULE]
    canaries = {"status": "ok", "exceeds_claim": exceeds, "undefined": undefined}
    [result] = evaluate_rule(make_audit(privacy={"status": "ok", "canaries": canaries}), rule)
    return result


def test_100_canaries_cannot_show_more_than_about_2_55():
    audit = _audit(100)
    assert audit.r == 40 and audit.epsilon_ceiling == pytest.approx(2.554, abs=0.01)
    assert audit.epsilon_lower_bound <= audit.epsilon_ceiling


def test_a_claim_above_the_ceiling_is_untestable_and_never_passes():
    audit = _audit(100)
    status, exceeds, undefined = claim_verdict(8.0, audit)
    assert (status, exceeds) == ("untestable", None)
    why = undefined["exceeds_claim"]
    assert why == UNTESTABLE.format(claim=8.0, ceiling=audit.epsilon_ceiling, r=40, m=100)
    assert "cannot be tested at this canary count" in why and "2.55" in why
    result = _gate(exceeds, undefined)
    assert result.outcome == "insufficient_data" and result.outcome != "pass"
    assert "cannot be tested at this canary count" in result.message
    # the claim exactly at the ceiling cannot be exceeded either
    assert claim_verdict(audit.epsilon_ceiling, audit)[0] == "untestable"


def test_a_claim_below_the_ceiling_is_judged():
    perfect = _audit(100)
    assert perfect.epsilon_lower_bound > 1.0
    assert claim_verdict(1.0, perfect) == ("exceeded", True, {})
    assert _gate(True, {}).outcome == "fail"
    chance = _audit(100, correct_share=0.5)
    assert chance.epsilon_lower_bound < 1.0
    assert claim_verdict(1.0, chance) == ("within", False, {})
    assert _gate(False, {}).outcome == "pass"
    assert claim_verdict(None, chance) == ("no_claim", None, {})


def test_more_canaries_raise_the_ceiling_so_the_claim_becomes_testable():
    ceilings = [_audit(m).epsilon_ceiling for m in (100, 400, 1000)]
    assert ceilings == sorted(ceilings) and ceilings[-1] > 4.0
    assert claim_verdict(4.0, _audit(100))[0] == "untestable"
    assert claim_verdict(4.0, _audit(1000))[0] in ("exceeded", "within")


@pytest.mark.parametrize(("m", "r"), [(100, 40), (1000, 400), (20, 20)])
@pytest.mark.parametrize("eps", [0.0, 0.5, 1.0, 2.0])
def test_the_lower_bound_exceeds_the_true_epsilon_at_most_5_percent(m, r, eps):
    """The worst eps-DP mechanism guesses each canary right with probability e^eps / (1 +
    e^eps), independently (Steinke, Nasr & Jagielski 2023): over every count of right
    guesses, weighed exactly, the 95% lower bound lies above eps at most 5% of the time; at
    eps = 0 (no effect) it is above 0 at most 5% of the time."""
    q = 1 / (1 + math.exp(-eps))
    v = np.arange(r + 1)
    weight = binom.pmf(v, r, q)
    bounds = np.array([epsilon_lower_bound(m, r, int(k)) for k in v])
    assert float(weight[bounds > eps].sum()) <= 0.05
    assert np.all(np.diff(bounds) >= 0)  # more right guesses never lower the bound


def test_a_bound_no_outcome_can_lift_above_0_is_null_and_a_gate_on_it_is_not_a_pass():
    """10 canaries, 2 guesses a side: even 4 of 4 right (0.5^4 = 6.25% > 5%) rejects no
    epsilon, so the bound is 0 whatever the model leaks. It was written as 0.0 and a gate
    ``epsilon_lower_bound <= 1`` passed on an audit that could show nothing; now it is null
    with the reason, and the gate reads insufficient data."""
    from auditor.config.gates import GateRule
    from auditor.privacy.canary_probe import one_run_fields
    from auditor.privacy.section import Canaries

    rule = GateRule(metric="privacy.canaries.epsilon_lower_bound", max=1.0)
    tiny = _audit(10)
    assert (tiny.r, tiny.correct, tiny.epsilon_ceiling) == (4, 4, 0.0)
    fields = one_run_fields(tiny, None)
    why = fields["undefined"]["epsilon_lower_bound"]
    assert fields["epsilon_lower_bound"] is None and "cannot show any epsilon above 0" in why
    assert "at 95% confidence" in why  # the level as the card and summary print it, not 0.95
    [result] = evaluate_rule(make_audit(privacy={"status": "ok", "canaries": fields}), rule)
    assert result.outcome == "insufficient_data" and "cannot show any epsilon" in result.message
    assert Canaries.model_fields.keys() >= fields.keys()
    # 100 canaries (40 guesses) can show up to 2.55: a number, judged
    fields = one_run_fields(_audit(100, correct_share=0.5), None)
    assert fields["epsilon_lower_bound"] == 0.0 and fields["undefined"] == {}
    [result] = evaluate_rule(make_audit(privacy={"status": "ok", "canaries": fields}), rule)
    assert result.outcome == "pass"
