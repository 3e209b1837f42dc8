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
