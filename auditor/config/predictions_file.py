"""``auditor audit --config FILE``: the config of an audit of predictions.

It reads the same file as ``auditor run`` (its ``[fairness]`` and ``[gates]`` tables), and of
``[data]`` only ``missing_group``: a ``[data]`` table that holds that key alone is this audit's
setting, not a table whose ``source`` was forgotten (a run's full config, with its source,
reads as it does for ``auditor run``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.config import AuditConfig, load_config_with
from auditor.errors import AuditorInputError

NOT_A_BOOL = "must be true or false (a TOML boolean), got {value!r}"
# What names the file where a refusal names no key of it (no such file, not TOML, no
# setting): `auditor audit` and `auditor gate` take it as --config beside other files.
FLAG = "--config"


def load_predictions_config(path: str | Path) -> tuple[AuditConfig, bool | None]:
    """(the config, its ``data.missing_group`` where ``[data]`` holds only that key, else
    None: the config's table, if any, decides as in :func:`auditor.config.load_config`).
    A refusal of the file as a whole names :data:`FLAG`, as ``auditor gate`` and ``auditor
    audit`` both say it."""
    said: list[bool] = []

    def take(raw: dict[str, Any], prefix: str) -> dict[str, Any]:
        data = raw.get("data")
        if not isinstance(data, dict) or "source" in data or set(data) != {"missing_group"}:
            return raw
        value = data["missing_group"]
        if not isinstance(value, bool):
            raise AuditorInputError(NOT_A_BOOL.format(value=value), source=str(path),
                                    field=f"{prefix}data.missing_group")  # fmt: skip
        said.append(value)
        return {key: v for key, v in raw.items() if key != "data"}

    try:
        config = load_config_with(path, take, read=("gates",))  # [data]'s files are not read
    except AuditorInputError as exc:
        raise exc.with_field(FLAG) from None
    return config, (said[0] if said else None)
