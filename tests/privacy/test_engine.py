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


def test_the_note_says_whether_the_pooled_columns_resolve_the_smallest_fpr():
    """266 non-members cannot resolve FPR 0.001; with 2 reference models the pooled columns
    hold 798 non-members, short too, and the note said 'which resolves it' all the same."""
    from types import SimpleNamespace as NS

    import numpy as np

    pool = NS(y=np.zeros(532), n_members=266)
    pc = PrivacyConfig(n_reference=2, fpr_levels=[0.01, 0.001])

    def reported(n_pooled):
        node = NS(resolvable=n_pooled * 0.001 >= 1)
        pooled = NS(n_non_members=n_pooled, tpr_at_fpr={"0.01": None, "0.001": node})
        return {"loss": NS(report=NS(pooled=pooled))}

    [short] = engine._notes(pc, pool, reported(798))
    assert "nor can the pooled columns" in short and "798 non-members in all" in short
    assert "resolves it" not in short
    [enough] = engine._notes(pc.model_copy(update={"n_reference": 16}), pool, reported(2394))
    assert "which resolves it" in enough
    assert engine._notes(pc, pool, {}) == []
    assert engine._notes(pc.model_copy(update={"fpr_levels": [0.01]}), pool, reported(798)) == []


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
