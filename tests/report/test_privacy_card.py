"""The card's privacy section (helper G, session 13): a TPR at an FPR the non-members cannot
resolve reads "insufficient data" beside its counts, not a number; a resolved one shows its
interval and counts; a one-run epsilon bound that no outcome could lift above 0 reads
"insufficient data" with its reason; a canary kind's LOSS AUC has its interval and counts."""

from __future__ import annotations

import re

import numpy as np

from auditor.numbers import fmt_high, fmt_low
from auditor.privacy import summary
from auditor.privacy.canaries import one_run_audit
from auditor.privacy.canary_probe import one_run_fields
from auditor.privacy.roc import roc_counts
from auditor.report.templating import environment
from auditor.results import dump


def _audit(m_canaries: int) -> dict:
    rng = np.random.default_rng(0)
    s_in, s_out = rng.normal(0.3, 1, 266), rng.normal(0, 1, 266)
    counts = roc_counts(s_in, s_out)
    rates = {summary.level_key(a): dump(summary.tpr_node(counts, a, confidence=0.95))
             for a in (0.01, 0.001)}  # fmt: skip
    auc = dump(summary.auc_estimate(s_in, s_out, confidence=0.95))
    attack = {"auc": auc, "tpr_at_fpr": rates, "pooled": None, "description": "LOSS",
              "decision": None, "roc": {"fpr": [0.01, 1.0], "tpr": [0.02, 1.0]}}  # fmt: skip
    inserted = rng.random(m_canaries) < 0.5
    one_run = one_run_audit(inserted.astype(float), inserted, k_plus=m_canaries // 5,
                            k_minus=m_canaries // 5, delta=0.0, confidence=0.95)  # fmt: skip
    kind = {"n_audited": m_canaries, "n_inserted": int(inserted.sum()), "n_candidates": 40,
            "loss_auc": {"value": 0.7, "ci_low": 0.5, "ci_high": 0.85, "n": m_canaries},
            "exposure_bits_max_possible": 5.36, "exposure_bits_mean_inserted": 2.0,
            "exposure_bits_max_inserted": 5.0, "exposure_bits_mean_not_inserted": 1.4}  # fmt: skip
    canaries = {"status": "ok", "m": m_canaries, "source": "mislabelled test rows",
                "inclusion_probability": 0.5, "model": {"n_canaries_inserted": 5},
                "kinds": {"mislabelled": kind}, **one_run_fields(one_run, None)}  # fmt: skip
    privacy = {"status": "ok", "members": {"n": 266}, "non_members": {"n": 266},
               "references": None, "fpr_levels": [0.01, 0.001], "attacks": {"loss": attack},
               "per_class": {}, "notes": [], "groups": {"status": "not_run", "reason": "x"},
               "canaries": canaries, "stages": {"status": "not_run", "reason": "x"},
               "dp": {"enabled": False}}  # fmt: skip
    return {"run": {"mode": "train"}, "privacy": privacy}


def _render(audit: dict, markdown: bool) -> str:
    name = "sections/privacy.md.j2" if markdown else "sections/privacy.html.j2"
    return environment(markdown=markdown).get_template(name).render(audit=audit)


def test_an_unresolvable_tpr_reads_insufficient_data_and_a_resolved_one_its_interval():
    audit = _audit(100)
    rates = audit["privacy"]["attacks"]["loss"]["tpr_at_fpr"]
    at1, at01 = rates["0.01"], rates["0.001"]
    assert at1["resolvable"] and not at01["resolvable"]  # 266 non-members, 0.1%: < 1 allowed
    v, lo, hi = (f"{at1[k]:.3f}" for k in ("value", "ci_low", "ci_high"))
    md, html = _render(audit, True), _render(audit, False)
    assert f"| {v} [{lo}, {hi}] ({at1['tp']}/266, fp {at1['fp']}/266) |" in md
    assert f"| insufficient data ({at01['tp']}/266, fp {at01['fp']}/266) |" in md
    # value [interval] (counts), as every other table of the card orders a cell
    assert f"{v} [{lo}, {hi}] ({at1['tp']}/266; fp {at1['fp']}/266)</td>" in html
    assert not re.search(r"/\d+\) \[", html), "counts before an interval"
    assert f"insufficient data</span> ({at01['tp']}/266; fp {at01['fp']}/266)</td>" in html
    assert "unresolved" not in md + html


def test_a_bound_no_outcome_can_lift_above_0_reads_insufficient_data_with_its_reason():
    for markdown in (True, False):
        tiny = _render(_audit(10), markdown)
        assert "insufficient data" in tiny and "4 guesses on 10 canaries cannot show" in tiny
        enough = _render(_audit(100), markdown)
        assert "cannot show" not in enough and "ceiling 2.55" in enough or not markdown
    md = _render(_audit(100), True)
    assert "LOSS AUC 0.700 [0.500, 0.850] (" in md and " inserted of 100)" in md


def test_summary_gives_counts_insufficient_data_and_the_bounds_own_confidence():
    """summary.md (the pull-request comment): each TPR at an FPR with its counts, an
    unresolvable one as insufficient data; the epsilon bound's line with the audit's own
    confidence (it said 95% whatever privacy.confidence was) and, where no outcome could lift
    it above 0, insufficient data with the reason."""
    from auditor.report.summary import render_summary
    from tests.gates.builders import privacy_section
    from tests.report.test_junit import audit_with_gates

    audit = audit_with_gates()
    audit["privacy"] = part = privacy_section(auc=0.55, tpr=0.02)
    part["canaries"] = {"epsilon_lower_bound": 0.31, "epsilon_ceiling": 2.2, "confidence": 0.9}
    text = render_summary(audit)
    assert "0.020 [0.010, 0.040] (5/266, fp 2/266) | insufficient data" in text
    assert "ε lower bound 0.310 (90% confidence; ceiling for these guesses 2.200)" in text
    tiny = one_run_fields(one_run_audit(np.ones(10), np.ones(10, bool), k_plus=2, k_minus=2,
                                        delta=0.0, confidence=0.95), None)  # fmt: skip
    part["canaries"] = tiny
    text = render_summary(audit)
    assert "ε lower bound insufficient data: 4 guesses on 10 canaries cannot show" in text
    assert "(95% confidence; ceiling for these guesses 0.000)" in text


def test_a_pooled_tpr_the_pooled_non_members_cannot_resolve_reads_insufficient_data():
    """2 reference models: 798 pooled non-members cannot resolve FPR 0.001 either; the pooled
    cell gave its number as if they could."""
    audit = _audit(100)
    rates = audit["privacy"]["attacks"]["loss"]["tpr_at_fpr"]
    pooled = {k: {**v, "tp": 2, "n": 798, "fp": 0, "n_non_members": 798} for k, v in rates.items()}
    pooled["0.01"]["resolvable"], pooled["0.001"]["resolvable"] = True, False
    auc = audit["privacy"]["attacks"]["loss"]["auc"]
    audit["privacy"]["attacks"]["loss"]["pooled"] = {"auc": auc, "tpr_at_fpr": pooled}
    md, html = _render(audit, True), _render(audit, False)
    at1 = pooled["0.01"]
    cell = f"{at1['value']:.4f} [{fmt_low(at1['ci_low'], 4)}, {fmt_high(at1['ci_high'], 4)}]"
    assert f"| {cell}" in md and "(2/798, fp 0/798) | insufficient data (2/798, fp 0/798) |" in md
    assert "insufficient data</span> (2/798; fp 0/798)</td>" in html
