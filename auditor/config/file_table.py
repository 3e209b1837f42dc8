"""The config's table of a TOML file: the file's own, or ``[tool.auditor]`` in
pyproject.toml; one line where there is none or it sets nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.config.keys import ONE_TABLE
from auditor.config.run_table import holds_no_setting
from auditor.config.toml_file import PYPROJECT, TOOL_TABLE
from auditor.errors import AuditorInputError

NO_TOOL_TABLE = "no [tool.auditor] table"
# Nothing said of what runs without the file: the defaults for run, the run's own gates for
# gate --config.
NO_SETTINGS = (
    "holds no setting (empty, or comments only): is this the config? `auditor init` writes "
    "a commented one to edit"
)


def config_table(raw: dict[str, Any], *, source: str) -> tuple[dict[str, Any], str]:
    """(the config's table of the TOML table ``raw`` of the file ``source``, the prefix its
    keys are named below): ``[tool.auditor]`` in pyproject.toml; one line where there is none
    or it holds no setting."""
    if Path(source).name != PYPROJECT:
        prefix = ""
    else:
        tool = raw.get("tool", {})
        raw = tool.get("auditor") if isinstance(tool, dict) else None
        if isinstance(raw, list) and raw and all(isinstance(t, dict) for t in raw):  # [[...]]
            raise AuditorInputError(ONE_TABLE.format(key="tool.auditor"), source=source,
                                    field="tool.auditor")  # fmt: skip
        if not isinstance(raw, dict):  # none, or `tool = 1`, `[tool] auditor = "x"`
            raise AuditorInputError(NO_TOOL_TABLE, source=source)
        prefix = TOOL_TABLE  # each key named where the file has it
    if holds_no_setting(raw):  # an empty file (or [run]) ran the digits demo as the audit
        raise AuditorInputError(NO_SETTINGS, source=source, field=prefix.rstrip(".") or None)
    return raw, prefix
