"""The keys of the config tables, for error messages: where a pydantic error's location points
(:func:`format_loc`) and which key an unknown one was probably meant to be
(:func:`did_you_mean`: a typo at its level, or a key of another table)."""

from __future__ import annotations

import difflib
import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from auditor.config._base import AT_KEY, WRONG_KIND, toml_text

# pydantic's names of a union's members in an error's location ("literal['pairs','none']",
# "list[list[str]]", "str"): not keys the user wrote.
_UNION_MEMBER = re.compile(r"^([a-z-]+\[.*\]|str|int|float|bool|none|(function|constrained)-\w+)$")
# The tags of the data union (data.source), which pydantic puts in the location.
DATA_SOURCES = ("digits", "adult", "mnist", "table")
# How close a typo must be to a key to be suggested (difflib's ratio).
CLOSE = 0.75
SUGGEST = "did you mean {keys}?"
TOP_LEVEL = "{key} at the top level, before any [table]"
LIST_NOT_SCALAR = "must be a list, not one value: write [{value}]"
# `[gates.rules]` (one table) where a list of tables is wanted
TABLE_NOT_LIST = "is a list of tables: write [[{key}]] (two brackets), once before each one"
IN_LIST = "a [[{table}]] table's {key}"  # `[gates] metric = ...` belongs in a rule


def format_loc(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as the key the user wrote: ``gates.rules[0].metric``."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, str) and _UNION_MEMBER.match(item):
            continue
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in DATA_SOURCES and parts and parts[-1] == "data":
            continue  # discriminated-union tag, not a key the user wrote
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The config models an annotation holds (through unions, Annotated, lists)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += [m for m in _models_in(arg) if m not in found]
    return found


def _is_list(annotation: Any) -> bool:
    """Whether an annotation is a list (through Optional and Annotated)."""
    if typing.get_origin(annotation) is list:
        return True
    return any(_is_list(arg) for arg in typing.get_args(annotation))


def _tables(root: type[BaseModel], prefix: str = "") -> dict[str, set[str]]:
    """Every table of the config (``""`` the top level, ``"pretrain"``, ``"data.splits"``,
    ``"gates.rules[]"`` a list of tables) -> its keys; the data union's tables merged under
    ``data``."""
    tables: dict[str, set[str]] = {prefix: set(root.model_fields)}
    for name, field in root.model_fields.items():
        below = (f"{prefix}.{name}" if prefix else name) + ("[]" if _is_list(field.annotation)
                                                              else "")  # fmt: skip
        for model in _models_in(field.annotation):
            for path, keys in _tables(model, below).items():
                tables.setdefault(path, set()).update(keys)
    return tables


def _place(path: str, key: str, prefix: str) -> str:
    """Where the key ``key`` of the table ``path`` is written, for a suggestion."""
    if path.endswith("[]"):
        return IN_LIST.format(table=prefix + path[:-2], key=key)
    if path:
        return f"{prefix}{path}.{key}"
    return f"{prefix}{key}" if prefix else TOP_LEVEL.format(key=key)


def _table_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model of the table at ``loc`` (the data union resolved by its tag), else None."""
    candidates = [root]
    for item in loc:
        if isinstance(item, int) or (isinstance(item, str) and _UNION_MEMBER.match(item)):
            continue
        tagged = [m for m in candidates if item in DATA_SOURCES and
                  m.model_fields.get("source") and m.model_fields["source"].default == item]
        if tagged:
            candidates = tagged
            continue
        if len(candidates) != 1 or item not in candidates[0].model_fields:
            return None
        candidates = _models_in(candidates[0].model_fields[item].annotation)
    return candidates[0] if len(candidates) == 1 else None


def did_you_mean(root: type[BaseModel], loc: tuple[Any, ...], *, prefix: str = "") -> str:
    """For the unknown key at ``loc``: "did you mean 'epochs'?" (a near key of its own table),
    "did you mean pretrain.epochs or finetune.epochs?" (the key of another table), else "".
    ``prefix``: where the config's tables are (``tool.auditor.`` in pyproject.toml)."""
    key = loc[-1]
    if not isinstance(key, str):
        return ""
    table = _table_at(root, loc[:-1])
    if table is not None:
        near = difflib.get_close_matches(key, list(table.model_fields), n=1, cutoff=CLOSE)
        if near:
            return SUGGEST.format(keys=repr(near[0]))
    here = format_loc(loc[:-1])
    elsewhere = [_place(path, key, prefix) for path, keys in _tables(root).items()
                 if key in keys and path != here]  # fmt: skip
    if not elsewhere:
        return ""
    return SUGGEST.format(keys=" or ".join(elsewhere[:4]))


__all__ = ["did_you_mean", "first_problem", "format_loc", "key_and_message"]


def key_and_message(
    error: ErrorDetails, model: type[BaseModel], *, prefix: str = ""
) -> tuple[str, str]:
    """A pydantic error of ``model`` as the key the user wrote (below ``prefix``:
    ``tool.auditor.`` in pyproject.toml) and what is wrong with it."""
    where = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    if error["type"] in (WRONG_KIND, AT_KEY):  # raised by the table, for one of its keys
        where = (*where, *ctx["key"].split("."), *([ctx["index"]] if "index" in ctx else []))
    msg = error["msg"].removeprefix("Value error, ")  # pydantic's prefix for a validator's
    if error["type"] == "extra_forbidden":
        hint = did_you_mean(model, where, prefix=prefix)
        msg = f"unknown key ({hint})" if hint else "unknown key"
    if error["type"] == "list_type" and isinstance(error["input"], str | int | float):
        # sensitive = "sex": write ["sex"]
        msg = LIST_NOT_SCALAR.format(value=toml_text(error["input"]))
    if error["type"] == "list_type" and isinstance(error["input"], dict):
        if _table_at(model, where) is not None:  # [gates.rules]: write [[gates.rules]]
            msg = TABLE_NOT_LIST.format(key=prefix + format_loc(where))
    key = format_loc(where)
    return (prefix + key if key else prefix.rstrip(".") or "(top level)"), msg


def first_problem(
    exc: ValidationError, model: type[BaseModel], *, prefix: str = ""
) -> tuple[str, str]:
    """The one problem of ``exc`` a user is shown, as (key, what is wrong (and N more)): a
    misspelt key first, since it explains the required key it leaves missing (``metrc``
    beside a missing ``metric``)."""
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")  # stable
    loc, msg = key_and_message(errors[0], model, prefix=prefix)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return loc, f"{msg}{more}"
