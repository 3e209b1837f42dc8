"""The fairness check on the trained digits model (the engine's own tests: tests/fairness/)."""

from __future__ import annotations

import dataclasses

import pytest

from auditor.checks.fairness import (
    REFERENCE_OFF,
    UNKNOWN_FEATURE,
    FairnessSection,
    fairness_check,
)
from auditor.config import FairnessConfig
from auditor.errors import AuditorInputError
from tests.checks.sections import validate_section


def _with_fairness(ctx, **changes):
    cfg = FairnessConfig(**changes)
    return dataclasses.replace(ctx, config=ctx.config.model_copy(update={"fairness": cfg}))


def test_fairness_check_on_digits(digits_context):
    assert fairness_check(digits_context, {}).reference_check.reason == REFERENCE_OFF  # opt-in
    typed = fairness_check(_with_fairness(digits_context, reference_check_max_rows=10**6), {})
    assert isinstance(typed, FairnessSection)
    assert typed.reference_check.agrees
    assert (typed.stage, typed.split) == ("finetuned", "test")
    section = validate_section("fairness", typed)
    assert section["status"] == "ok"
    assert set(section["features"]) == {"digit", "ink_density", "digit & ink_density"}
    g = section["features"]["digit"]["groups"][0]
    acc = g["metrics"]["accuracy"]
    assert acc["ci_low"] <= acc["value"] <= acc["ci_high"] and acc["n"] == g["n"]
    assert sum(x["n"] for x in section["features"]["digit & ink_density"]["groups"]) == section["n"]
    assert section["mitigation"]["status"] == "ok"
    assert set(section["mitigation"]["features"]) == {"digit", "ink_density"}


def test_disabled_and_unknown_feature(digits_context):
    assert fairness_check(_with_fairness(digits_context, enabled=False), {}).status == "not_run"
    ctx = _with_fairness(digits_context, sensitive=["nope"])
    message = UNKNOWN_FEATURE.format(feature="nope", available="digit, ink_density")
    with pytest.raises(AuditorInputError, match=message):
        fairness_check(ctx, {})
