"""AuditResult: the typed handle on one audit; ``audit.json`` is its serialised form and the
single source every renderer reads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from auditor.errors import AuditorInputError

SCHEMA_VERSION = "1.0"
SECTIONS = ("performance", "fairness", "privacy", "explanations", "transparency", "gates")


@cache
def audit_schema() -> dict[str, Any]:
    """The JSON Schema of ``audit.json``: ``schema/audit.schema.json`` with each section's
    schema (``schema/sections/<name>.schema.json``, where present) put in its place."""
    root = resources.files("auditor") / "schema"
    schema = json.loads((root / "audit.schema.json").read_text(encoding="utf-8"))
    not_run = schema["$defs"]["not_run"]
    for name in SECTIONS:
        part = root / "sections" / f"{name}.schema.json"
        if part.is_file():
            section = json.loads(part.read_text(encoding="utf-8"))
            # Own base URI, so the section's "#/$defs/..." resolve inside the section.
            section["$id"] = f"urn:auditor:sections:{name}.schema.json"
            schema["properties"][name] = {"oneOf": [{"$ref": "#/$defs/not_run"}, section]}
        else:
            schema["properties"].setdefault(name, {"anyOf": [not_run, {"type": "object"}]})
    return schema


def validate_audit(data: dict[str, Any], *, source: str = "audit.json") -> None:
    """Raise :class:`AuditorInputError` naming the first field that breaks the schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(audit_schema())
    error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(e.path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise AuditorInputError(error.message.splitlines()[0][:300], source=source, field=where)


@dataclass(frozen=True)
class AuditResult:
    """data: the ``audit.json`` dict; run_dir: where the run's files are (None in memory)."""

    data: dict[str, Any]
    run_dir: Path | None = None

    @property
    def schema_version(self) -> str:
        return self.data["schema_version"]

    def section(self, name: str) -> dict[str, Any]:
        return self.data[name]

    @property
    def verdict(self) -> str:
        """ "pass" | "fail" | "warn" | "not_run", from the gates section."""
        gates = self.data.get("gates") or {}
        return gates.get("verdict", "not_run")

    def headline(self) -> dict[str, float | int | None]:
        """The few numbers printed at the end of a run (fine-tuned model, test split)."""
        perf = self.data["performance"]
        test = perf.get("finetuned", {}).get("test", {})
        out = {
            k: test.get(k)
            for k in ("n", "accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "ece")
        }
        pre = perf.get("pretrained", {}).get("test", {})
        if "accuracy" in pre:
            out["pretrained_accuracy"] = pre["accuracy"]
        elif "reconstruction_mse" in pre:
            out["pretrained_reconstruction_mse"] = pre["reconstruction_mse"]
        return out

    @classmethod
    def load(cls, path: str | Path) -> AuditResult:
        """Read ``RUN_DIR`` or ``RUN_DIR/audit.json`` and validate it against the schema."""
        path = Path(path)
        if path.is_dir():
            path = path / "audit.json"
        if not path.is_file():
            raise AuditorInputError("no such file", source=str(path))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise AuditorInputError(f"not valid JSON ({exc})", source=str(path)) from None
        if not isinstance(data, dict):
            raise AuditorInputError("not a JSON object", source=str(path))
        if data.get("schema_version") != SCHEMA_VERSION:
            raise AuditorInputError(
                f"schema_version {data.get('schema_version')!r} is not {SCHEMA_VERSION!r}",
                source=str(path),
                field="schema_version",
            )
        validate_audit(data, source=str(path))
        return cls(data=data, run_dir=path.parent)
