"""Helpers for the check tests: a typed section as ``audit.json`` holds it, and validation
against the generated schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from auditor.io import to_json_text
from auditor.record import section_schema
from auditor.results import dump


def as_json(section: Any) -> Any:
    """The section as written to ``audit.json`` and read back (NaN -> null)."""
    return json.loads(to_json_text(dump(section)))


def validate_section(name: str, section: Any) -> dict[str, Any]:
    """Validate ``section`` (typed, or its JSON) against the generated schema of section
    ``name``; returns its JSON form."""
    data = section if isinstance(section, dict) else as_json(section)
    jsonschema.Draft202012Validator(section_schema(name)).validate(data)
    return data
