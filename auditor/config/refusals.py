"""What the config refuses in a file's table, every key of it: a config hint (toml_file) is
tried on the file before it is given, and dropped only where its own value is refused."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from auditor.config import AuditConfig, as_validated
from auditor.config._base import AT_KEY
from auditor.config.keys import key_and_message
from auditor.config.run_table import run_key_named
from auditor.errors import AuditorInputError


def refusals(raw: dict[str, Any], *, source: str, prefix: str = "") -> list[tuple[str, bool]]:
    """(key, refused for its own value) of each problem the config finds in ``raw`` (keys
    below ``prefix``). A key that a table's check names for another key's sake (``kind =
    "auto"`` reads no ``model.path``), or one refused before values are read ([run]'s key
    written twice), is not refused for its own value."""
    try:
        raw, lifted = as_validated(raw, source=source, prefix=prefix)
        AuditConfig.model_validate(raw)
    except AuditorInputError as exc:
        return [(exc.field or "", False)]
    except ValidationError as exc:
        return [(run_key_named(key_and_message(error, AuditConfig, prefix=prefix)[0], lifted,
                               prefix=prefix), error["type"] != AT_KEY)
                for error in exc.errors()]  # fmt: skip
    return []
