"""``[run]``: the run's own settings (``name``, ``seed``, ``device``, ``threads``) in a table
of their own, as the top-level keys they stand for.

``threads = 2`` at the top of the file and ``[run] threads = 2`` are one setting; a key
written both ways is refused rather than one of them silently winning. Errors about a key
that came from ``[run]`` name it there (``run.threads``), where the user wrote it.
"""

from __future__ import annotations

from typing import Any

from auditor.errors import AuditorInputError

RUN_KEYS = ("name", "seed", "device", "threads")
NOT_A_TABLE = "must be a table ([run] on a line of its own, its keys under it): {keys}"
UNKNOWN_RUN_KEY = "unknown key: [run] takes {keys}"
TWICE = "written twice: at the top of the file and in [run]; keep one"


def lift_run_table(
    raw: dict[str, Any], *, source: str, prefix: str = ""
) -> tuple[dict[str, Any], frozenset[str]]:
    """(``raw`` with the keys of its ``[run]`` table at the top level, the keys lifted)."""
    if "run" not in raw:
        return raw, frozenset()
    table, keys = raw["run"], ", ".join(RUN_KEYS)
    if not isinstance(table, dict):
        raise AuditorInputError(NOT_A_TABLE.format(keys=keys), source=source,
                                field=f"{prefix}run")  # fmt: skip
    for key in table:
        if key not in RUN_KEYS:
            raise AuditorInputError(UNKNOWN_RUN_KEY.format(keys=keys), source=source,
                                    field=f"{prefix}run.{key}")  # fmt: skip
        if key in raw:
            raise AuditorInputError(TWICE, source=source, field=f"{prefix}run.{key}")
    rest = {k: v for k, v in raw.items() if k != "run"}
    return {**rest, **table}, frozenset(table)


def run_key_named(field: str, lifted: frozenset[str], *, prefix: str = "") -> str:
    """``field`` as the user wrote it: ``threads`` lifted from ``[run]`` is ``run.threads``."""
    key = field.removeprefix(prefix)
    head = key.split(".", 1)[0].split("[", 1)[0]
    return f"{prefix}run.{key}" if head in lifted else field


def holds_no_setting(raw: dict[str, Any]) -> bool:
    """Whether a config's table sets nothing: empty, or an empty ``[run]`` alone (the
    defaults, as an empty file: the digits demo run as if it were the user's audit)."""
    return not {key: value for key, value in raw.items() if (key, value) != ("run", {})}
