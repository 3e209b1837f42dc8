"""The whole ``audit.json``, typed: :class:`AuditRecord`. Its JSON Schema is generated from
the types (:func:`audit_schema`), never written by hand, and :func:`validate_audit` checks a
dict against it, naming the first field that breaks it.

Each section's type lives next to the code that computes it (``auditor.checks.*``); this
module only puts them together. NaN is written as null, so every float in the schema admits
null (its reason is beside it where the section gives one).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from auditor.checks.explain import ExplanationsSection
from auditor.checks.fairness import FairnessSection
from auditor.checks.performance import PerformanceSection
from auditor.checks.permutation import PermutationExplanations
from auditor.checks.transparency import TransparencySection
from auditor.errors import AuditorInputError
from auditor.gates.section import GatesSection
from auditor.privacy.section import PrivacySection
from auditor.results import NotRun, Result
from auditor.results.info import DataInfo, ModelInfo, RunInfo, ToolInfo, TrainingInfo

SCHEMA_VERSION = "2.0"  # 2.0: typed sections, estimate nodes everywhere, score intervals
SECTIONS = ("performance", "fairness", "privacy", "explanations", "transparency", "gates")
SCHEMA_ID = "urn:auditor:audit.schema.json"
DESCRIPTION = (
    "One audit: configuration, data provenance, training record and every check's numbers. "
    "NaN is written as null; a check that did not run says so with status not_run and a "
    "reason. Every number with an interval is an estimate node {value, ci_low, ci_high, n}."
)


def _or_not_run(section: type) -> Any:
    return Annotated[section | NotRun, Field(discriminator="status")]


class AuditRecord(Result):
    """One audit, as written to ``audit.json``."""

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
    explanations: _or_not_run(
        Annotated[ExplanationsSection | PermutationExplanations, Field(discriminator="kind")]
    )
    transparency: _or_not_run(TransparencySection)
    gates: _or_not_run(GatesSection)


class _NullableFloats(GenerateJsonSchema):
    """Floats admit null: a NaN (undefined value) is serialised as null."""

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        out = super().float_schema(schema)
        return {"anyOf": [out, {"type": "null"}]}


@cache
def _schema_of(kind: Any) -> dict[str, Any]:
    return TypeAdapter(kind).json_schema(mode="serialization", schema_generator=_NullableFloats)


def audit_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``audit.json``, generated from :class:`AuditRecord`."""
    schema = dict(_schema_of(AuditRecord))
    schema.update({
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
        "title": "auditor audit.json", "description": DESCRIPTION,
    })  # fmt: skip
    return schema


def section_schema(name: str) -> dict[str, Any]:
    """The schema of one section (``performance`` ... ``gates``), standalone (own $defs)."""
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}; known: {', '.join(SECTIONS)}")
    full = audit_schema()
    return {"$defs": full.get("$defs", {}), **full["properties"][name]}


@cache
def _fast_validator() -> Any:
    """jsonschema-rs's validator of :func:`audit_schema` (built once), or None where the
    package is missing: it answers "valid?" in about a millisecond where the pure-Python
    validator takes 0.15-0.3 s."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a dependency; the slow path still decides
        return None
    return jsonschema_rs.validator_for(audit_schema())


def _fast_valid(data: dict[str, Any]) -> bool:
    """True only when jsonschema-rs accepts ``data``; anything else (invalid, a value it
    cannot read, such as NaN) goes to the pure-Python validator, which decides and names
    the field."""
    validator = _fast_validator()
    if validator is None:
        return False
    try:
        return bool(validator.is_valid(data))
    except (ValueError, TypeError, OverflowError):
        return False


def validate_audit(data: dict[str, Any], *, source: str = "audit.json") -> None:
    """Raise :class:`AuditorInputError` naming the first field of ``data`` (the JSON form of an
    audit, nulls for NaN) that breaks the generated schema."""
    if _fast_valid(data):
        return
    import jsonschema

    validator = jsonschema.Draft202012Validator(audit_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path])
    if errors:
        error = _deepest(errors[0])
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise AuditorInputError(error.message.splitlines()[0][:300], source=source, field=where)


def _deepest(error: Any) -> Any:
    """For a failed anyOf/oneOf, the sub-error that got furthest into the data, leaving out
    the branches another ``status`` rules out (a not_run marker is not an "ok" section)."""
    while error.context:
        branches = [e for e in error.context if not _other_status(e)] or list(error.context)
        error = max(branches, key=lambda e: len(e.absolute_path))
    return error


def _other_status(error: Any) -> bool:
    return error.validator == "const" and list(error.absolute_path)[-1:] == ["status"]
