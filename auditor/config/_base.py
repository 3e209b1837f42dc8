import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

NOT_A_NUMBER = "not_a_number"  # the error type; its ctx names the key (under the table's loc)


def _numbers_only(annotation: Any) -> bool:
    """A field that takes numbers and nothing else (``int``, ``float``, either ``| None``):
    pydantic's lax mode would read ``true`` as 1 and ``"0.5"`` as 0.5 there."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        kinds = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(kinds) and all(_numbers_only(a) for a in kinds)
    return annotation in (int, float)


def _toml(value: bool | str) -> str:
    """The value as TOML writes it: ``true``, ``"0.2"``."""
    return str(value).lower() if isinstance(value, bool) else f'"{value}"'


class StrictModel(BaseModel):
    """Every config table forbids unknown keys, so a typo is an error, not a silent default;
    no number is ``inf`` or ``nan`` (TOML writes both: a learning rate of ``inf`` is a typo);
    a number is written as one (``min_group_size = true`` or ``max = "0.2"`` is refused, where
    pydantic would read 1 and 0.2)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _numbers_are_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                field = cls.model_fields.get(name) if isinstance(name, str) else None
                if isinstance(value, bool | str) and field and _numbers_only(field.annotation):
                    raise PydanticCustomError(NOT_A_NUMBER, "must be a number, not {value}",
                                              {"key": name, "value": _toml(value)})
        return data
