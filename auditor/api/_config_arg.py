""":func:`auditor.api.run`'s ``config``: an :class:`~auditor.config.AuditConfig`, or the path
of a TOML config (``auditor.run("credit-model.toml")`` is ``auditor run credit-model.toml``:
read with :func:`~auditor.config.load_config`, its folder importable, named in the audit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.config import AuditConfig, load_config
from auditor.errors import AuditorInputError

NOT_A_CONFIG = (
    "an AuditConfig or a TOML config file's path (auditor.run('credit-model.toml') or "
    "auditor.run(load_config(path), config_file=path)), got {found}"
)

# a switch given from Python, as the config's errors say theirs ("must be text, not 3")
NOT_A_SWITCH = "must be True or False, not {found}"
NOT_SETTINGS = (
    "an AuditConfig (auditor.AuditConfig(privacy={{...}}), or auditor.load_config(path) for a "
    "TOML file's), got {found}"
)


def settings(config: Any) -> AuditConfig | None:
    """``config=`` of :func:`auditor.audit_model` and :func:`auditor.audit_predictions`: None
    or an AuditConfig (a dict or a path was read as one and failed as an AttributeError)."""
    if config is None or isinstance(config, AuditConfig):
        return config
    found = "a path" if isinstance(config, str | Path) else type(config).__name__
    raise AuditorInputError(NOT_SETTINGS.format(found=found), field="config")


def as_config(config: Any, config_file: str | None) -> tuple[AuditConfig, str | None]:
    """``(config, config_file)``: ``config`` as it is, or read from the path it names (which
    is then the config file, unless ``config_file`` names another)."""
    if isinstance(config, AuditConfig):
        return config, config_file
    if isinstance(config, str | Path) and str(config).strip():
        return load_config(config), config_file if config_file is not None else str(config)
    found = "an empty path" if isinstance(config, str | Path) else type(config).__name__
    raise AuditorInputError(NOT_A_CONFIG.format(found=found), field="config")


def switch(value: Any, *, field: str) -> bool:
    """``value`` as a bool where it is one (a numpy bool too); else one line naming ``field``
    (``missing_group="no"`` was taken as True): audit_model's and audit_predictions' check."""
    numpy_bool = getattr(getattr(value, "dtype", None), "kind", "") == "b" and not value.ndim
    if not isinstance(value, bool) and not numpy_bool:
        raise AuditorInputError(NOT_A_SWITCH.format(found=repr(value)[:40]), field=field)
    return bool(value)
