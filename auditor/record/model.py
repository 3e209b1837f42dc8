"""The whole ``audit.json``, typed: :class:`AuditRecord`, and the JSON Schema generated from
it (:func:`generate_schema`), never written by hand.

Each section's type lives next to the code that computes it (``auditor.checks.*``); this
module only puts them together. NaN is written as null, so every float in the schema admits
null (its reason is beside it where the section gives one). Importing this module imports
every section's code; :mod:`auditor.record` reads a cached copy of the schema instead where
it can (see there).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from auditor.audit_tree.later import ADDED_LATER
from auditor.audit_tree.shape import objects_at
from auditor.checks.explain import ExplanationsNotRun, ExplanationsSection
from auditor.checks.fairness import FairnessSection
from auditor.checks.performance import PerformanceSection
from auditor.checks.permutation import PermutationExplanations
from auditor.checks.transparency import TransparencySection
from auditor.gates.section import GatesSection
from auditor.privacy.section import PrivacySection
from auditor.record.version import SCHEMA_VERSION
from auditor.results import NotRun, Result
from auditor.results.info import DataInfo, ModelInfo, RunInfo, ToolInfo, TrainingInfo

SCHEMA_ID = "urn:auditor:audit.schema.json"
DESCRIPTION = (
    "One audit: configuration, data provenance, training record and every check's numbers. "
    "NaN is written as null; a check that did not run says so with status not_run and a "
    "reason. Every number with an interval is an estimate node {value, ci_low, ci_high, n}."
)


def _or_not_run(section: type) -> Any:
    return Annotated[section | NotRun, Field(discriminator="status")]


class AuditRecord(Result):
    """One audit, as written to ``audit.json``. Its validator is built on first use (its JSON
    Schema is what the runs use; building it at import cost every command 50 ms)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    schema_version: Literal["2.0"] = SCHEMA_VERSION
    tool: ToolInfo
    run: RunInfo
    config: dict[str, Any]
    data: DataInfo
    model: ModelInfo
    training: TrainingInfo
    performance: _or_not_run(PerformanceSection)
    fairness: _or_not_run(FairnessSection)
    privacy: _or_not_run(PrivacySection)
    # attributions (gradients) or permutation importance (a model without gradients)
    # not run: with its reliance check beside where that ran
    explanations: Annotated[
        Annotated[ExplanationsSection | PermutationExplanations, Field(discriminator="kind")]
        | ExplanationsNotRun,
        Field(discriminator="status"),
    ]
    transparency: _or_not_run(TransparencySection)
    gates: _or_not_run(GatesSection)


class _NullableFloats(GenerateJsonSchema):
    """Floats admit null: a NaN (undefined value) is serialised as null."""

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        out = super().float_schema(schema)
        return {"anyOf": [out, {"type": "null"}]}


def _added_later_optional(schema: dict[str, Any]) -> None:
    """A field added to ``SCHEMA_VERSION`` after its first files (:data:`ADDED_LATER`) is
    not required by the schema (an older file lacks it); its description says so. The typed
    record still requires it: every audit written now has it."""
    for (version, keys), commit in ADDED_LATER.items():
        if version != SCHEMA_VERSION:
            continue
        objects = objects_at(schema, keys)
        if not objects:
            raise ValueError(f"ADDED_LATER names {'.'.join(keys)}, which the schema lacks")
        for node in objects:
            node["required"] = [k for k in node.get("required", []) if k != keys[-1]]
            prop = node["properties"][keys[-1]]
            prop["description"] = (prop.get("description", "") + f" Absent (not recorded) "
                                   f"in an audit.json written before commit {commit}.").strip()


def generate_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``audit.json``, generated from :class:`AuditRecord`
    (a field added to its version later is not required: :func:`_added_later_optional`)."""
    schema = TypeAdapter(AuditRecord).json_schema(
        mode="serialization", schema_generator=_NullableFloats
    )
    _added_later_optional(schema)
    schema.update({
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
        "title": "auditor audit.json", "description": DESCRIPTION,
    })  # fmt: skip
    return schema
