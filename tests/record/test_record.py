"""The whole audit.json model: its JSON Schema is generated from the types (no hand-written
schema left), validation names the first field that breaks it, NaN is written as null."""

from __future__ import annotations

import copy
import json
from importlib import resources

import jsonschema
import pytest

from auditor.checks.performance import performance_check
from auditor.errors import AuditorInputError
from auditor.io import to_json_text
from auditor.provenance import library_versions
from auditor.record import SCHEMA_VERSION, SECTIONS, audit_schema, section_schema, validate_audit
from auditor.results import NotRun, dump
from auditor.results.info import (
    DataInfo,
    ModelInfo,
    RunInfo,
    StageRecord,
    TaskInfo,
    ToolInfo,
    TrainingInfo,
)


def _task(task) -> TaskInfo:
    return TaskInfo(
        name=task.name, class_names=list(task.class_names), description=task.description
    )


@pytest.fixture(scope="module")
def audit(digits_context) -> dict:
    """A digits audit built from the typed parts (sections other than performance not run)."""
    ctx, bundle = digits_context, digits_context.bundle
    parts = {
        "schema_version": SCHEMA_VERSION,
        "tool": ToolInfo(version="0"),
        "run": RunInfo(name="t", scenario="digits", created_at="2026-01-01T00:00:00+00:00",
                       seed=0, device="cpu", timings_s={"total": 1.0},
                       library_versions=library_versions(), command="auditor run"),
        "config": ctx.config.model_dump(mode="json"),
        "data": DataInfo(
            name=bundle.name, modality=bundle.modality, description=bundle.description,
            citation=bundle.citation, license=bundle.license,
            finetune_task=_task(bundle.finetune_task), pretrain_task=_task(bundle.pretrain_task),
            sensitive_features=list(bundle.sensitive_features),
            sensitive_kinds=dict(bundle.sensitive_kinds), input_shape=list(bundle.input_shape),
            splits=bundle.provenance(),
        ),
        "model": ModelInfo(architecture="SeedCNN", parameters=ctx.n_parameters,
                           trainable_parameters_finetune=ctx.finetune_record.trainable_parameters),
        "training": TrainingInfo(
            pretrain=StageRecord(**ctx.pretrain_record.to_dict()),
            finetune=StageRecord(**ctx.finetune_record.to_dict()),
        ),
        "performance": performance_check(ctx, {}),
        **{name: NotRun(reason="not in this test") for name in SECTIONS if name != "performance"},
    }  # fmt: skip
    return json.loads(to_json_text(dump(parts)))


def test_schema_is_generated_not_hand_written():
    assert not (resources.files("auditor") / "schema").is_dir()
    schema = audit_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(SECTIONS) <= set(schema["required"])
    for name in SECTIONS:
        jsonschema.Draft202012Validator.check_schema(section_schema(name))
    with pytest.raises(ValueError, match="unknown section"):
        section_schema("nope")


def test_a_typed_audit_validates(audit):
    validate_audit(audit)
    assert audit["performance"]["finetuned"]["test"]["kind"] == "classification"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda a: a["data"]["splits"]["test"].update(sha256="abc"), "data/splits/test/sha256"),
        (lambda a: a["performance"]["finetuned"]["test"].update(accuracy="high"),
         "performance/finetuned/test/accuracy"),
        (lambda a: a["run"].update(seed=-1), "run/seed"),
        (lambda a: a["training"]["pretrain"].pop("epochs_run"), "training/pretrain"),
        (lambda a: a.update(extra=1), "(top level)"),
        (lambda a: a["privacy"].update(reason=""), "privacy/reason"),
    ],
)  # fmt: skip
def test_validation_names_the_first_bad_field(audit, change, field):
    broken = copy.deepcopy(audit)
    change(broken)
    with pytest.raises(AuditorInputError) as info:
        validate_audit(broken, source="x/audit.json")
    assert info.value.field == field
    assert "x/audit.json" in str(info.value)


def test_a_long_value_keeps_what_is_wrong_with_it(audit):
    """The schema's message starts with the value: a list of 1,000 numbers where a number
    belongs was cut at 300 characters inside the list, before "is not of type"."""
    broken = copy.deepcopy(audit)
    broken["run"]["seed"] = list(range(1000))
    with pytest.raises(AuditorInputError) as info:
        validate_audit(broken, source="x/audit.json")
    assert info.value.field == "run/seed" and len(info.value.message) <= 300
    assert info.value.message.startswith("[0, 1, 2") and "is not of type" in info.value.message


def test_a_section_of_many_bad_items_is_refused_in_a_moment(audit):
    """Each of 200,000 bad items was an error of the section's oneOf, all made before the
    first was named (a million: a minute and 2.5 GB); the field is named from the first
    items of each list."""
    import time

    broken = copy.deepcopy(audit)
    broken["fairness"] = {"status": "ok", "features": {"f": {"groups": [1] * 200_000}}}
    start = time.perf_counter()
    with pytest.raises(AuditorInputError) as info:
        validate_audit(broken, source="x/audit.json")
    assert time.perf_counter() - start < 3.0  # 200,000 errors: 10 s and more
    assert info.value.field.startswith("fairness")


def test_nan_is_written_as_null_and_validates(audit):
    nan = copy.deepcopy(audit)
    nan["performance"]["finetuned"]["test"]["roc_auc"] = None
    nan["performance"]["finetuned"]["test"]["undefined"]["roc_auc"] = "only one class"
    validate_audit(nan)


def _leaves(node: object, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*path, i))]
    return [path]


def test_the_fast_validator_never_accepts_what_jsonschema_refuses(audit):
    # jsonschema-rs answers "valid?" first; it may only say yes where jsonschema says yes
    # (anything it refuses goes to jsonschema, which decides and names the field)
    import random

    from auditor.record import _fast_valid

    slow = jsonschema.Draft202012Validator(audit_schema())
    assert _fast_valid(audit) and slow.is_valid(audit)
    rng, leaves = random.Random(0), _leaves(audit)
    values = ["x", -1, None, 1.5, [], {}, True, 2**70, float("nan")]
    disagreements = 0
    for _ in range(300):
        broken = copy.deepcopy(audit)
        *parents, last = rng.choice(leaves)
        node = broken
        for key in parents:
            node = node[key]
        node[last] = rng.choice(values)
        fast, right = _fast_valid(broken), slow.is_valid(broken)
        assert not (fast and not right), (parents, last, node[last])
        disagreements += fast != right
    # NaN: jsonschema reads it as a number, jsonschema-rs refuses it (and jsonschema decides)
    assert disagreements <= 40, disagreements
