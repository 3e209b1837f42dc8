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

from auditor.config._base import (
    AT_KEY,
    BOOLEANS,
    NUMBER,
    WRONG_KIND,
    WRONG_SHAPE,
    either,
    kinds_of,
    list_item,
    toml_text,
)
from auditor.config.labels import shorten

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
# What a key takes, by pydantic's error type, in TOML's words; a value of another shape is
# named as written ("must be a number, not a table"), a literal's values in TOML's quotes.
TAKES = {"int_type": [NUMBER], "float_type": [NUMBER], "bool_type": list(BOOLEANS),
         "string_type": ["text"], "list_type": ["a list"], "model_type": ["a table"],
         "model_attributes_type": ["a table"], "dict_type": ["a table"],
         "path_type": ["a file name in quotes"], "int_from_float": ["a whole number"]}  # fmt: skip
# Kinds said whatever the value written (the others only of a table or a list: a number or a
# text written as another scalar is StrictModel's own "must be a number, not "0.5"").
ANY_VALUE = ("literal_error", "path_type", "string_type", "int_from_float")
# After "must be at most 0.999999999, not 95": a fraction written as a percentage.
PERCENT = " (a fraction: {value:g}% is {fraction:g})"
_TABLE_TYPES = ("model_type", "model_attributes_type", "dict_type")
TABLE_HERE = "a table ([{key}] on a line of its own, its keys below it)"
ONE_TABLE = "is one table: write [{key}] (one bracket), not [[{key}]]"  # [[data]]
MISSING = "missing: {table} needs it"
MISSING_ALL = "missing: {table} needs {keys}"
UNKNOWN_TABLE = "unknown table (the tables here: {tables})"
# A number's bound, by pydantic's error type and its ctx key: "must be at least 1, not 0".
BOUNDS = {"greater_than_equal": ("ge", "at least"), "greater_than": ("gt", "more than"),
          "less_than_equal": ("le", "at most"), "less_than": ("lt", "less than")}  # fmt: skip
TOO_FEW = "must hold at least {n} {items}, not {actual}"
TOO_LONG = "is {n:,} characters long, more than {limit:,} characters"
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")  # a literal's value in pydantic's expected


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


class Takes(typing.NamedTuple):
    """What a config key takes: plain types and literal values (a list key's items'), whether
    it is a list, and whether it has a default (leaving it out is a setting)."""

    kinds: set[type]
    values: list[Any]
    is_list: bool
    optional: bool


def takes_at(root: type[BaseModel], field: str, *, source: str | None = None) -> Takes | None:
    """What the key ``field`` (``gates.rules[0].name``, ``data.target``) takes; None where
    no config key of that name is there (or the name is quoted). ``source``: the data source
    the file names (the data union's table of that source alone); None where it is not
    known: every source's, where they agree, else None (digits' target is "odd" or "ge5", a
    table's any text)."""
    parts = [p for p in re.split(r"\.|\[\d+\]", field) if p]
    if not parts or any(c in field for c in "\"'"):
        return None
    models = [root]
    for part in parts[:-1]:
        models = [m for model in models if part in model.model_fields
                  for m in _models_in(model.model_fields[part].annotation)]  # fmt: skip
        if source is not None and any(_tag(m) for m in models):
            models = [m for m in models if _tag(m) in (None, source)]
    fields = [m.model_fields[parts[-1]] for m in models if parts[-1] in m.model_fields]
    if not fields:
        return None
    each = [_takes_of([info]) for info in fields]
    said = {(frozenset(t.kinds - {type(None)}), tuple(t.values), t.is_list) for t in each}
    if len(said) > 1 and field != "data.source":  # the source itself: any source's
        return None  # data.target of an unknown source
    return _takes_of(fields)


def _tag(model: type[BaseModel]) -> str | None:
    """The data source whose table ``model`` is (``"digits"``), else None."""
    info = model.model_fields.get("source")
    return info.default if info is not None and info.default in DATA_SOURCES else None


def _takes_of(fields: list[Any]) -> Takes:
    """What the config fields ``fields`` (one key of the data union's tables) take."""
    kinds: set[type] = set()
    values: list[Any] = []
    is_list = True
    for info in fields:
        item = list_item(info.annotation)
        # a union of a list and one value (intersections: "pairs", "none" or a list) takes
        # that value: its kinds are the value's (a list member adds none)
        more_kinds, more_values = kinds_of(info.annotation)
        one_value = item is None or bool(more_kinds - {type(None)} or more_values)
        if not one_value:
            more_kinds, more_values = kinds_of(item)
        kinds, values = kinds | more_kinds, values + more_values
        is_list = is_list and not one_value
    return Takes(kinds, values, is_list, not any(info.is_required() for info in fields))


__all__ = ["did_you_mean", "first_problem", "format_loc", "key_and_message", "takes_at"]


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
        if isinstance(error["input"], dict) and not hint:  # [logging]: say the tables there
            msg = _unknown_table(model, where, prefix) or msg
    if error["type"] == "list_type" and isinstance(error["input"], str | int | float):
        # sensitive = "sex": write ["sex"]
        msg = LIST_NOT_SCALAR.format(value=toml_text(error["input"]))
    if error["type"] == "list_type" and isinstance(error["input"], dict):
        if _table_at(model, where) is not None:  # [gates.rules]: write [[gates.rules]]
            msg = TABLE_NOT_LIST.format(key=prefix + format_loc(where))
    if error["type"] == "union_tag_invalid":  # data.source = "tabel": the key is source
        where, msg = (*where, "source"), _bad_source(error["input"])
    if error["type"] == "missing":
        msg = MISSING.format(table=_needed_in(where[:-1], prefix))
    msg = _shape_message(error, where, prefix, model) or msg
    key = format_loc(where)
    if where and where[-1] == "":  # `"" = 0`: a key, though an empty one
        key += '""' if not key else '.""'
    return (prefix + key if key else prefix.rstrip(".") or "(top level)"), msg


def _unknown_table(model: type[BaseModel], where: tuple[Any, ...], prefix: str) -> str | None:
    """"unknown table (the tables here: [data], [model], ...)" for an unknown ``[name]``."""
    parent = _table_at(model, where[:-1])
    if parent is None:
        return None
    here = format_loc(where[:-1])
    tables = [f"[{prefix}{here + '.' if here else ''}{name}]"
              for name, field in parent.model_fields.items() if _models_in(field.annotation)]
    if not here:  # [run] holds top-level keys (auditor.config.run_table)
        tables.append(f"[{prefix}run]")
    return UNKNOWN_TABLE.format(tables=", ".join(tables)) if tables else None


def _value_text(value: Any) -> str:
    """A TOML value as a message names it: ``a table``, ``a list``, ``"x"``, ``3``."""
    if isinstance(value, dict):
        return "a table"
    return "a list" if isinstance(value, list) else shorten(toml_text(value))


def _takes(error: ErrorDetails) -> list[str]:
    """What the key takes, by this error ([] where the error is of another kind)."""
    if error["type"] == "literal_error":
        return [toml_text(v) for v in _QUOTED.findall(str(error["ctx"]["expected"]))]
    if error["type"] in BOUNDS:
        bound, words = BOUNDS[error["type"]]
        limit = error["ctx"][bound]  # 0.0 as 0: "more than 0"
        return [f"{words} {toml_text(int(limit) if float(limit).is_integer() else limit)}"]
    return list(TAKES.get(error["type"], []))


def _shape_message(
    error: ErrorDetails, where: tuple[Any, ...], prefix: str, model: type[BaseModel]
) -> str | None:
    """A value of the wrong shape said in TOML's words, else None (pydantic's own words, or
    an earlier hint: a list for one value, [[gates.rules]] for [gates.rules])."""
    kind, value = error["type"], error["input"]
    key = prefix + format_loc(where)
    if kind in _TABLE_TYPES and isinstance(value, list) and value and all(
            isinstance(v, dict) for v in value):  # fmt: skip
        return ONE_TABLE.format(key=key)
    if kind in _TABLE_TYPES:  # a list's item (rules = [5]): no [header] of its own
        named = where and not isinstance(where[-1], int)
        wanted = TABLE_HERE.format(key=key) if named else "a table"
        return WRONG_SHAPE.format(wanted=wanted, value=_value_text(value))
    if kind == "string_too_long" and isinstance(value, str):
        return TOO_LONG.format(n=len(value), limit=error["ctx"]["max_length"])
    if kind == "too_short" and isinstance(value, list):  # sensitive = []
        n = error["ctx"]["min_length"]
        return TOO_FEW.format(n=n, items="item" if n == 1 else "items", actual=len(value))
    shaped = kind in TAKES and isinstance(value, dict | list)
    if kind in (*ANY_VALUE, *BOUNDS) or shaped:
        if kind == "list_type" and not isinstance(value, dict):
            return None
        if kind == "list_type" and _table_at(model, where) is not None:
            return None  # [gates.rules]: TABLE_NOT_LIST says to write [[gates.rules]]
        said = WRONG_SHAPE.format(wanted=either(_takes(error)), value=_value_text(value))
        limit = (error.get("ctx") or {}).get("le", (error.get("ctx") or {}).get("lt"))
        if limit is not None and limit <= 1 and isinstance(value, int | float) and 1 < value <= 100:
            if _within(model, where, value / 100):  # val = 10, ci_level = 95
                said += PERCENT.format(value=value, fraction=value / 100)
        return said
    return None


def _within(model: type[BaseModel], where: tuple[Any, ...], value: float) -> bool:
    """Whether the key at ``where`` takes ``value`` by its bounds (False where not known)."""
    table = _table_at(model, where[:-1])
    info = table.model_fields.get(where[-1]) if table and isinstance(where[-1], str) else None
    if info is None:
        return False
    checks = {"ge": float.__ge__, "gt": float.__gt__, "le": float.__le__, "lt": float.__lt__}
    for bound in info.metadata:
        for name, check in checks.items():
            limit = getattr(bound, name, None)
            if limit is not None and not check(float(value), float(limit)):
                return False
    return True


def _bad_source(data: Any) -> str:
    """``data.source`` that names no source, with the near one."""
    value = data.get("source") if isinstance(data, dict) else data
    said = WRONG_SHAPE.format(wanted=either([toml_text(s) for s in DATA_SOURCES]),
                              value=_value_text(value))  # fmt: skip
    near = difflib.get_close_matches(str(value), DATA_SOURCES, n=1, cutoff=0.6)
    return f"{said} (did you mean {toml_text(near[0])}?)" if near else said


def _needed_in(table: tuple[Any, ...], prefix: str) -> str:
    """The table a missing key belongs in: ``[data] with source = "table"``, ``each
    [[gates.rules]]``, ``[finetune]``."""
    if table and isinstance(table[-1], int):
        return f"each [[{prefix}{format_loc(table[:-1])}]]"
    if len(table) >= 2 and table[0] == "data" and table[1] in DATA_SOURCES:
        return f"[{prefix}data] with source = {toml_text(table[1])}"
    return f"[{prefix}{format_loc(table)}]" if table else "the top level"


def first_problem(
    exc: ValidationError, model: type[BaseModel], *, prefix: str = ""
) -> tuple[str, str]:
    """The one problem of ``exc`` a user is shown, as (key, what is wrong (and N more)): a
    misspelt key first, since it explains the required key it leaves missing (``metrc``
    beside a missing ``metric``)."""
    errors = exc.errors()
    deepest = max(len(format_loc(e["loc"])) for e in errors)
    errors = sorted(errors, key=lambda e: (e["type"] != "extra_forbidden",  # stable
                                           _off_branch(e, deepest)))  # fmt: skip
    loc, msg = key_and_message(errors[0], model, prefix=prefix)
    same = [e for e in errors if format_loc(e["loc"]) == format_loc(errors[0]["loc"])]
    said = 1
    if len(same) > 1 and all(_takes(e) for e in same):  # a union: each member's kind
        value = _value_text(errors[0]["input"])
        msg = WRONG_SHAPE.format(wanted=either([w for e in same for w in _takes(e)]), value=value)
        said = len(same)
    if errors[0]["type"] == "missing":  # source = "table" alone: every key it needs at once
        table = errors[0]["loc"][:-1]
        keys = [str(e["loc"][-1]) for e in errors
                if e["type"] == "missing" and e["loc"][:-1] == table]  # fmt: skip
        if len(keys) > 1:
            msg = MISSING_ALL.format(table=_needed_in(table, prefix), keys=either(keys, "and"))
            said = len(keys)
    more = len(errors) - said
    return loc, f"{msg} (and {more} more)" if more else msg


def _off_branch(error: ErrorDetails, deepest: int) -> bool:
    """A union's literal member refusing a list or table that another member read further
    (``intersections = [["sex", 1]]``: the list's item, not "pairs" or "none")."""
    return (error["type"] == "literal_error" and isinstance(error["input"], list | dict)
            and len(format_loc(error["loc"])) < deepest)  # fmt: skip
