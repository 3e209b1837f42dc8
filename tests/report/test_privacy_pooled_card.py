"""The pooled columns (the target plus its reference models as attacked models) give their
intervals, at the record's level, in the HTML card, model_card.md and summary.md: the cards
showed a pooled TPR as ``0.0234 (106/4522)`` and no pooled AUC, summary.md neither, though
audit.json holds both intervals (clustered by row since 4dcbc30). The DP row gives the canary
audit's ceiling beside the empirical bound where the record has it, and renders as before
where an older record has none."""

from __future__ import annotations

import numpy as np

from auditor.privacy.pooled import pooled_fields
from auditor.report.summary import render_summary
from auditor.results import dump
from tests.report.test_privacy_card import _audit, _render


def _pooled_audit(confidence: float = 0.9) -> dict:
    """A record whose one attack has pooled columns over 4 models of 200 rows each."""
    rng = np.random.default_rng(1)
    rows = np.arange(200)
    row_in, row_out = np.tile(rows, 2), np.tile(rows, 2)
    p_in, p_out = rng.normal(0.4, 1, 400), rng.normal(0, 1, 400)
    fields = pooled_fields(p_in, p_out, row_in, row_out, levels=[0.01, 0.001],
                           confidence=confidence)  # fmt: skip
    pooled = {"n_models": 4, **dump(fields)}
    audit = _audit(100)
    audit["privacy"]["confidence"] = confidence
    audit["privacy"]["attacks"]["loss"]["pooled"] = pooled
    return audit


def _ends(node: dict, digits: int) -> tuple[str, str]:
    from auditor.numbers import fmt_high, fmt_low

    return fmt_low(node["ci_low"], digits), fmt_high(node["ci_high"], digits)


def test_each_pooled_tpr_and_the_pooled_auc_show_their_interval_and_its_level():
    audit = _pooled_audit()
    pooled = audit["privacy"]["attacks"]["loss"]["pooled"]
    at1, at01, auc = pooled["tpr_at_fpr"]["0.01"], pooled["tpr_at_fpr"]["0.001"], pooled["auc"]
    assert at1["resolvable"] and not at01["resolvable"]  # 400 non-members, 0.1%: < 1 allowed
    assert at1["ci_low"] < at1["ci_high"]
    lo, hi = _ends(at1, 4)
    counts = f"({at1['tp']}/400; fp {at1['fp']}/400)"
    a_lo, a_hi = _ends(auc, 3)
    html, md = _render(audit, False), _render(audit, True)
    assert f"{at1['value']:.4f} [{lo}, {hi}] {counts}</td>" in html
    assert f"{auc['value']:.3f} [{a_lo}, {a_hi}]</td>" in html
    assert "Pooled AUC [90% CI]" in html and "Pooled TPR @ FPR 0.01 [90% CI]" in html
    assert f"insufficient data</span> ({at01['tp']}/400; fp {at01['fp']}/400)</td>" in html
    md_counts = counts.replace(";", ",")
    cells = f"| {auc['value']:.3f} [{a_lo}, {a_hi}] | {at1['value']:.4f} [{lo}, {hi}] {md_counts} |"
    assert cells in md
    assert "pooled AUC [90% CI] | pooled TPR @ FPR 0.01 [90% CI] (tp/n) |" in md


def test_summary_gives_a_pooled_row_with_its_intervals():
    from tests.report.test_junit import audit_with_gates

    audit = audit_with_gates()
    part = _pooled_audit()["privacy"]
    audit["privacy"] = part
    pooled = part["attacks"]["loss"]["pooled"]
    at1, auc = pooled["tpr_at_fpr"]["0.01"], pooled["auc"]
    text = render_summary(audit)
    assert "### Privacy (membership inference on the fine-tuning set, intervals at 90%)" in text
    lo, hi = _ends(at1, 3)
    a_lo, a_hi = _ends(auc, 3)
    row = (f"| loss, pooled over 4 models | {auc['value']:.3f} [{a_lo}, {a_hi}] | "
           f"{at1['value']:.3f} [{lo}, {hi}] ({at1['tp']}/400, fp {at1['fp']}/400) | "
           "insufficient data (too few non-members to resolve)")  # fmt: skip
    assert row in text


def test_the_dp_row_gives_the_ceiling_beside_the_bound_where_the_record_has_it():
    audit = _audit(100)
    dp = {"enabled": True, "target_epsilon": 8.0, "target_delta": 1e-5, "max_grad_norm": 1.0,
          "accountant_epsilon": 7.9, "noise_multiplier": 0.6, "empirical_epsilon_lower_bound": 0.41,
          "lower_bound_exceeds_claim": False, "canary_claim_status": "within"}  # fmt: skip
    audit["privacy"]["dp"] = dict(dp)  # an older record: no ceiling
    old_html, old_md = _render(audit, False), _render(audit, True)
    assert "ceiling" not in old_html.split("Differential privacy")[1]
    assert "empirical lower bound 0.41 (95% confidence)." in old_md
    audit["privacy"]["dp"] = {**dp, "empirical_epsilon_ceiling": 2.55}
    html, md = _render(audit, False), _render(audit, True)
    assert "empirical lower bound <strong>0.41</strong> (95% confidence) (ceiling 2.55:" in html
    assert "empirical lower bound 0.41 (95% confidence) (ceiling 2.55:" in md
    audit["privacy"]["dp"] = {**dp, "empirical_epsilon_ceiling": None}
    assert "ceiling" not in _render(audit, True).split("DP-SGD")[1]


def test_the_caption_says_when_a_pooled_tpr_reads_insufficient_data():
    # a pooled TPR is resolvable by its distinct non-member rows (4fdc515), not its copies
    html = _render(_pooled_audit(), False)
    assert "a pooled TPR reads insufficient data where its distinct non-member rows" in html
