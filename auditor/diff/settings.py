"""The two audits' config settings, compared one by one.

A sha256 of each audit's config as written changed with every setting auditor gained since
(an audit written before ``[training] precision`` against one after, of the same config
file), and said nothing of which setting changed. Each config is read by today's
:class:`~auditor.config.AuditConfig`, so a setting added since reads as its default (what
the older run ran with); where it cannot read one of the two, both are compared as written.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import ValidationError

from auditor.config import AuditConfig


def _read(config: Any) -> dict[str, Any] | None:
    try:
        return AuditConfig.model_validate(config).model_dump(mode="json")
    except (ValidationError, TypeError, ValueError):
        return None


def settings(a: dict[str, Any], b: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two audits' configs as today's AuditConfig reads them, or both as written where
    it cannot read one (so the two are read alike)."""
    read = _read(a.get("config")), _read(b.get("config"))
    if read[0] is not None and read[1] is not None:
        return read[0], read[1]
    written = [audit.get("config") for audit in (a, b)]
    return tuple(c if isinstance(c, dict) else {} for c in written)  # type: ignore[return-value]


def config_hash(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def flat(config: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Each setting by its dotted key (``training.precision``), its value as JSON (a list,
    such as the gate rules, is one value)."""
    out: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flat(value, f"{name}."))
        else:
            out[name] = json.dumps(value, sort_keys=True)
    return out


def changed_settings(a: dict[str, Any], b: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``config <key>`` -> (A's value, B's value; None where absent) of each setting that
    differs."""
    fa, fb = flat(a), flat(b)
    return {f"config {k}": (fa.get(k), fb.get(k))
            for k in sorted(fa.keys() | fb.keys()) if fa.get(k) != fb.get(k)}  # fmt: skip
