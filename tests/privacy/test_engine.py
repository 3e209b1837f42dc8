"""The privacy engine's scheduling: the canary model trains beside the attacks where two cores
are available, with the same numbers as one after the other."""

import dataclasses
import json

import torch

import auditor.privacy.engine as engine
from auditor.config import PrivacyConfig
from auditor.io import to_json_text
from auditor.results import dump


def _without_times(obj):
    if isinstance(obj, dict):
        return {k: _without_times(v) for k, v in obj.items()
                if "seconds" not in k and k != "timings_s"}  # fmt: skip
    if isinstance(obj, list):
        return [_without_times(v) for v in obj]
    return obj


def test_canaries_beside_the_attacks_give_the_numbers_of_one_after_the_other(
    digits_context, monkeypatch
):
    pc = PrivacyConfig(probes=["loss", "canaries"], n_reference=2, n_canaries=40)
    ctx = dataclasses.replace(
        digits_context, _cache={}, config=digits_context.config.model_copy(update={"privacy": pc})
    )
    sections, threads = [], torch.get_num_threads()
    for cores in (1, 2):  # one free core: in this thread; two: in a second one
        monkeypatch.setattr(engine, "free_cores", lambda c=cores: c)
        section = engine.audit_privacy(ctx)
        assert torch.get_num_threads() == threads  # restored after the canary model
        assert set(section.timings_s) == {"reference_models", "attacks", "canaries"}
        sections.append(json.loads(to_json_text(dump(section))))
    assert sections[0]["canaries"]["m"] == 40
    for s in sections:  # how many stacks ran at once depends on the free cores at that time
        s["references"].pop("n_jobs")
    assert _without_times(sections[0]) == _without_times(sections[1])


def _scored(n_scores, rows, level="0.002"):
    """An attack's stub with a pooled column of n_scores non-member scores from ``rows``
    distinct rows, resolving ``level`` where the rows allow a false positive."""
    from types import SimpleNamespace as NS

    node = NS(resolvable=rows * float(level) >= 1)
    pooled = NS(n_non_members=n_scores, tpr_at_fpr={"0.01": None, level: node})
    return NS(report=NS(pooled=pooled), pooled_rows=rows)


def test_the_note_names_the_attacks_whose_pooled_columns_fall_short():
    """266 non-members cannot resolve FPR 0.002. With 2 reference models, LiRA's pooled column
    has scores of all 532 rows (resolved), RMIA's, one reference left out, of 400 (not). The
    note took every pooled column as one ('nor can the pooled columns ...: 532 non-members in
    all. Both read insufficient data') while LiRA's cell showed a number."""
    from types import SimpleNamespace as NS

    import numpy as np

    pool = NS(y=np.zeros(532), n_members=266)
    pc = PrivacyConfig(n_reference=2, fpr_levels=[0.01, 0.002])
    both = {"lira_online": _scored(798, 532), "rmia": _scored(532, 400)}
    [note] = engine._notes(pc, pool, both)
    assert "nor can the pooled column of rmia" in note and "It reads insufficient data" in note
    assert "which adds reference models as attacked models (leave-one-out): 532 " in note
    assert "532 non-member scores of 400 distinct rows" in note and "500 distinct" in note
    assert note.endswith(
        "The pooled column of lira_online resolves it (798 non-member scores of 532 distinct rows)."
    )
    [short] = engine._notes(pc, pool, {"loss": _scored(798, 400), "rmia": _scored(532, 400)})
    assert "pooled columns of loss and rmia, which add" in short and "They read" in short
    assert "loss: 798 non-member scores of 400 distinct rows; rmia: 532 " in short
    assert "resolves it" not in short
    [enough] = engine._notes(pc, pool, {"lira_online": _scored(798, 532)})
    assert "which resolves it (798 non-member scores of 532 distinct rows)" in enough
    assert engine._notes(pc, pool, {}) == []
    assert engine._notes(pc.model_copy(update={"fpr_levels": [0.01]}), pool, both) == []
    # no pooled column (not reached today): the target alone, not a pooled count made up
    [alone] = engine._notes(pc, pool, {"loss": NS(report=NS(pooled=None), pooled_rows=None)})
    assert "pooled" not in alone and "266 non-members" in alone


def test_the_dp_record_carries_the_ceiling_a_gate_on_its_bound_needs():
    """A gate 'empirical_epsilon_lower_bound <= x' with x at or above the audit's ceiling (the
    bound with every guess right) cannot fail: the dp node now says what that ceiling is (it
    was only in the canaries node), and an older record without it still reads."""
    from types import SimpleNamespace as NS

    from auditor.config import DPConfig
    from auditor.privacy.section import DpReport

    pc = PrivacyConfig(probes=["canaries"], dp=DPConfig(target_epsilon=8.0))
    ctx = NS(config=NS(privacy=pc), finetune_record=NS(dp={"epsilon": 7.9}))
    canaries = NS(epsilon_lower_bound=0.4, epsilon_ceiling=2.55, model=NS(dp_epsilon=7.9),
                  exceeds_claim=None, claim_status="untestable", undefined={})  # fmt: skip
    dp = engine._dp_report(ctx, canaries)
    assert dp.empirical_epsilon_lower_bound == 0.4 and dp.empirical_epsilon_ceiling == 2.55
    old = dp.model_dump()
    old.pop("empirical_epsilon_ceiling")
    assert DpReport.model_validate(old).empirical_epsilon_ceiling is None


def test_a_powerless_bound_in_the_dp_node_carries_its_reason_to_a_gate():
    """10 canaries, 4 guesses: no outcome lifts the bound above 0, so the dp node's copy is
    null. The canaries node said why, the dp node did not: a gate on
    privacy.dp.empirical_epsilon_lower_bound read 'the value is undefined (null) in
    audit.json'. Now both gates give the reason (and the untestable claim's)."""
    from types import SimpleNamespace as NS

    from auditor.config import DPConfig
    from auditor.config.gates import GateRule
    from auditor.gates import evaluate_rule
    from auditor.privacy.canary_probe import one_run_fields
    from auditor.privacy.section import Canaries
    from tests.gates.builders import make_audit
    from tests.privacy.test_claim import _audit

    pc = PrivacyConfig(probes=["canaries"], dp=DPConfig(target_epsilon=8.0))
    ctx = NS(config=NS(privacy=pc), finetune_record=NS(dp={"epsilon": 1.0}))
    fields = one_run_fields(_audit(10), 1.0)
    canaries = NS(**fields, model=NS(dp_epsilon=1.0))
    dp = engine._dp_report(ctx, canaries).model_dump()
    assert dp["empirical_epsilon_lower_bound"] is None and dp["lower_bound_exceeds_claim"] is None
    audit = make_audit(privacy={"status": "ok", "canaries": fields, "dp": dp})
    for node in ("dp.empirical_epsilon_lower_bound", "canaries.epsilon_lower_bound"):
        for bound in ({"max": 1.0}, {"min": 0.0}):
            [r] = evaluate_rule(audit, GateRule(metric=f"privacy.{node}", **bound))
            assert r.outcome == "insufficient_data", (node, bound)
            assert "4 guesses on 10 canaries cannot show any epsilon above 0" in r.message
    assert "cannot be tested" in dp["undefined"]["lower_bound_exceeds_claim"]
    assert Canaries.model_fields["undefined"]  # the reasons the dp node copies
    # a probe that did not run, or an older record without the field, has none
    assert engine._dp_report(ctx, engine.NotRun(reason="n_canaries = 0")).undefined == {}
    old = {k: v for k, v in dp.items() if k != "undefined"}
    assert engine.DpReport.model_validate(old).undefined == {}
