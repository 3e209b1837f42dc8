"""Every config key the pages write inline (`fail_on = "warning"`, `[model] kind = "checkpoint"`)
is a key of the config: of the table the span names, else of some table. The ```toml blocks
are validated whole by tests/docs/test_readme_commands.py; these inline spans were not, and a
renamed key would leave the prose telling users to write a key that is refused."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pydantic
import pytest

from auditor.config import AuditConfig

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("docs/*.md"))]
SPAN = re.compile(r"`(?:\[([a-z_.]+)\]\s+)?([a-z_]+) = [^`]+`")
NOT_CONFIG = {"resolvable"}  # docs/ci.md: an audit.json field a gate reads, not a setting


def _models(annotation: object) -> list[type[pydantic.BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _tables() -> dict[str, set[str]]:
    """Each table's path (``""``, ``data``, ``gates.rules``, ...) and its keys."""
    tables: dict[str, set[str]] = {}

    def walk(model: type[pydantic.BaseModel], path: str) -> None:
        keys = tables.setdefault(path, set())
        for name, field in model.model_fields.items():
            key = field.alias or name
            keys.add(key)
            for sub in _models(field.annotation):
                walk(sub, f"{path}.{key}" if path else key)

    walk(AuditConfig, "")
    from auditor.config.run_table import RUN_KEYS  # [run]: the top-level run keys again

    tables["run"] = set(RUN_KEYS)
    return tables


def _wrong(text: str, tables: dict[str, set[str]]) -> list[str]:
    every = set().union(*tables.values()) | NOT_CONFIG
    wrong = []
    for table, key in SPAN.findall(" ".join(text.split())):  # a span may wrap
        if table and key not in tables.get(table, set()):
            wrong.append(f"[{table}] {key}")
        elif not table and key not in every:
            wrong.append(key)
    return wrong


def test_the_tables_are_read():
    tables = _tables()
    assert {"fail_on", "rules"} <= tables["gates"] and "content_overlap" in tables["transparency"]


def test_a_wrong_key_is_caught():
    tables = _tables()
    assert _wrong('`[model] recipe = "plain"` and `fail_onn = "warning"`', tables) == [
        "[model] recipe", "fail_onn"]  # fmt: skip
    assert _wrong('`[training] recipe = "plain"` and `[transparency]\n content_overlap = "x"`',
                  tables) == []  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_every_inline_config_key_exists(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    if page == "README.md":
        assert len(SPAN.findall(" ".join(text.split()))) >= 20  # the spans are found
    assert sorted(_wrong(text, _tables())) == [], page
