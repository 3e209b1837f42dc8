"""``auditor init``'s example: every key it shows, the commented-out ones too (a user
uncomments them), is a key of the config models in the table it stands in, with a value
written as valid TOML; a renamed or removed setting cannot linger in the example."""

from __future__ import annotations

import re
import tomllib
import types
import typing

import pydantic

from auditor.commands.init import EXAMPLE
from auditor.config import AuditConfig

ASSIGNMENT = re.compile(r"^#\s?([a-z_]+)\s*=\s*(.+)$")
TABLE = re.compile(r"^#?\s?\[\[?([a-z_.]+)\]\]?")


def _models(annotation: typing.Any) -> list[type[pydantic.BaseModel]]:
    """The pydantic models an annotation allows (unions, optionals and lists unwrapped)."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, typing.Annotated):
        return [m for arg in typing.get_args(annotation) for m in _models(arg)]
    return []


def _keys(table: str) -> set[str]:
    models: list[type[pydantic.BaseModel]] = [AuditConfig]
    for part in filter(None, table.split(".")):
        models = [m for model in models if part in model.model_fields
                  for m in _models(model.model_fields[part].annotation)]  # fmt: skip
    assert models, table
    return {key for model in models for key in model.model_fields}


def _commented_settings() -> list[tuple[str, str, str]]:
    """(table, key, value) of each ``# key = value`` line: a setting to uncomment."""
    table, out = "", []
    for line in EXAMPLE.splitlines():
        if found := TABLE.match(line):
            table = found.group(1)
        elif found := ASSIGNMENT.match(line):
            out.append((table, found.group(1), found.group(2)))
    return out


def test_every_setting_shown_is_a_key_of_its_table():
    settings = _commented_settings()
    assert len(settings) > 20  # the commented-out settings were found
    for table, key, value in settings:
        assert key in _keys(table), (table, key)
        tomllib.loads(f"{key} = {value}")  # the value is TOML as written (comments after it)
    written = tomllib.loads(EXAMPLE)
    for table in ("", "data", "data.splits", "model", "training", "pretrain", "finetune",
                  "fairness", "privacy", "transparency.declared", "gates"):  # fmt: skip
        node = written
        for part in filter(None, table.split(".")):
            node = node[part]
        plain = {k for k, v in node.items() if not isinstance(v, (dict, list)) or k == "probes"}
        assert plain <= _keys(table), (table, plain - _keys(table))


def test_every_value_the_example_sets_is_the_default():
    """The example shows the defaults ("every key is optional"): a default changed in the
    config models must not be overridden, unseen, by a stale number in the example."""
    from auditor.config import DigitsData

    defaults = AuditConfig(data=DigitsData(source="digits")).model_dump()
    own = {"name", "gates.rules"}  # the example's own choices; declared answers are empty

    def differing(example: dict, default: dict, prefix: str = "") -> list[str]:
        out = []
        for key, value in example.items():
            path, known = prefix + key, default.get(key)
            if isinstance(value, dict):
                out += differing(value, known or {}, path + ".")
            elif path not in own and not (path.startswith("transparency.declared.") and not value):
                out += [] if value == known else [f"{path} = {value!r} (default {known!r})"]
        return out

    assert differing(tomllib.loads(EXAMPLE), defaults) == []
