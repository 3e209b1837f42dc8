import datetime
import functools
import json
import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

# The error type of a value of the wrong kind; its ctx names the key (under the table's loc)
# and, for a list's item, its index.
WRONG_KIND = "wrong_kind"
# The error type of a table's check that concerns one key (``model.path``); ctx names it.
AT_KEY = "at_key"
_NUMBERS = (int, float)


def kinds_of(annotation: Any) -> tuple[set[type], list[Any]]:
    """The plain types and the ``Literal`` values a field (or a list field's item) takes,
    through ``Annotated`` and unions: ``int | Literal["auto"]`` is ``({int}, ["auto"])``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return kinds_of(typing.get_args(annotation)[0])
    if origin is typing.Literal:
        return set(), list(typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        types_: set[type] = set()
        values: list[Any] = []
        for member in typing.get_args(annotation):
            more_types, more_values = kinds_of(member)
            types_ |= more_types
            values += more_values
        return types_, values
    return ({annotation} if isinstance(annotation, type) else set()), []


def _scalar_only(kinds: set[type]) -> bool:
    """A field of numbers and / or booleans (and Literal values), nothing else: the one where
    pydantic's lax mode reads ``true`` as 1, ``"0.5"`` as 0.5 and ``"no"`` as false."""
    kinds = kinds - {type(None)}
    return bool(kinds) and kinds <= {int, float, bool}


# What a key takes and was written, in TOML's words: said here (a number written as text) and
# by auditor.config.keys (pydantic's errors), in one vocabulary and one joiner.
WRONG_SHAPE = "must be {wanted}, not {value}"
NUMBER = "a number"
BOOLEANS = ("true", "false")


def either(words: list[str], last: str = "or") -> str:
    """``a``, ``a or b``, ``a, b or c`` (each word once)."""
    words = list(dict.fromkeys(words))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def _wanted(kinds: set[type], values: list[Any]) -> str:
    """What the key takes, as the message says it: ``a number or "auto"``."""
    words = ([NUMBER] if kinds & set(_NUMBERS) else []) + (list(BOOLEANS) if bool in kinds else [])
    return either(words + [toml_text(v) for v in values])


def _fits(value: Any, kinds: set[type], values: list[Any]) -> bool:
    """Whether a TOML scalar is of a kind the field takes, without pydantic's coercions."""
    if any(value == v and type(value) is type(v) for v in values):
        return True
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, _NUMBERS):
        return bool(kinds & set(_NUMBERS))
    return not isinstance(value, str)  # a table or an array: pydantic's own error names it


def toml_text(value: Any) -> str:
    """The value as TOML writes it: ``true``, ``"0.2"`` (quotes in it escaped), ``1``."""
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def key_error(key: str, message: str) -> PydanticCustomError:
    """An error of a table's own check, located at its key ``key`` (dotted below the table:
    ``data.members`` from the top level), where pydantic would name the table alone."""
    return PydanticCustomError(AT_KEY, message.replace("{", "{{").replace("}", "}}"),
                               {"key": key})  # fmt: skip


# TOML reads 1979-05-27 and 07:32:00 unquoted as a date and a time; no key takes one.
TOML_DATE = (datetime.date, datetime.time)  # datetime.datetime is a date
UNQUOTED_DATE = "a TOML date or time, unquoted; write text in quotes: \"{value}\""


# What a field takes, as _check reads it: its kinds and values (kinds_of), and a list
# field's item's (None: not a list field).
_Kinds = tuple[set[type], list[Any]]


@functools.cache
def _field_kinds(model: type[BaseModel], name: str) -> tuple[_Kinds, _Kinds | None] | None:
    """What ``model``'s field ``name`` takes, and its items where it is a list; None where it
    has no such field: worked out once per field, not once per value (a file of 25,000 gate
    rules spent 0.4 s here)."""
    field = model.model_fields.get(name)
    if field is None:
        return None
    item = list_item(field.annotation)
    return kinds_of(field.annotation), None if item is None else kinds_of(item)


def _check(name: str, value: Any, takes: _Kinds, index: int | None = None) -> None:
    kinds, values = takes
    if isinstance(value, TOML_DATE) and not kinds & {datetime.date, datetime.time}:
        ctx = {"key": name, **({} if index is None else {"index": index})}
        message = UNQUOTED_DATE.format(value=value.isoformat()).replace("{", "{{")
        raise PydanticCustomError(WRONG_KIND, message.replace("}", "}}"), ctx)
    if _scalar_only(kinds) and not _fits(value, kinds, values):
        ctx = {"key": name, "value": toml_text(value), "wanted": _wanted(kinds, values)}
        if index is not None:
            ctx["index"] = index
        raise PydanticCustomError(WRONG_KIND, WRONG_SHAPE, ctx)


class StrictModel(BaseModel):
    """Every config table forbids unknown keys, so a typo is an error, not a silent default;
    no number is ``inf`` or ``nan`` (TOML writes both: a learning rate of ``inf`` is a typo);
    a number is written as one and a boolean as ``true`` / ``false`` (``min_group_size =
    true``, ``max = "0.2"``, ``n_jobs = "4"``, ``hidden = ["64"]`` and ``use_defaults = "no"``
    or ``1`` are refused, where pydantic would read 1, 0.2, 4, 64, false and true)."""

    # defer_build: a table's schema is built when first validated, not at every import
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _kinds_are_kept(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                found = _field_kinds(cls, name) if isinstance(name, str) else None
                if found is None:
                    continue
                takes, item = found
                if item is not None and isinstance(value, list):
                    for index, element in enumerate(value):
                        _check(name, element, item, index)
                else:
                    _check(name, value, takes)
        return data

    @model_validator(mode="after")
    def _integers_fit(self) -> Any:
        """Every integer as read (``1e23`` for a count is read as one), within 64 bits."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, list | tuple):
                for index, element in enumerate(value):
                    _too_large(name, element, index)
            else:
                _too_large(name, value)
        return self


# audit.json records the config, and its readers (gate, card, diff) refuse an integer beyond
# 64 bits (auditor.audit_tree.jsonfile): such a value is refused here, before any work.
INT_RANGE = (-(2**63), 2**64)
TOO_LARGE_INT = "must fit in 64 bits (audit.json records it), not a {bits}-bit integer"


def _too_large(name: str, value: Any, index: int | None = None) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        if not INT_RANGE[0] <= value < INT_RANGE[1]:
            ctx = {"key": name, "bits": abs(value).bit_length() + (value < 0)}  # no float
            if index is not None:
                ctx["index"] = index
            raise PydanticCustomError(WRONG_KIND, TOO_LARGE_INT, ctx)


def list_item(annotation: Any) -> Any:
    """The item annotation of a ``list[X]`` field (``list[X] | None`` too), else None."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    for member in typing.get_args(annotation) if union else (annotation,):
        if typing.get_origin(member) is list:
            return typing.get_args(member)[0]
    return None
