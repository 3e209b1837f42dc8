"""Building blocks of every section: frozen models, the not-run marker, the estimate node.

An *estimate node* is the one shape a number with uncertainty takes anywhere in
``audit.json``: ``{"value", "ci_low", "ci_high", "n"}`` (plus an optional ``reason`` when
the value is undefined). :mod:`auditor.audit_tree` reads exactly this shape; a section that
spells an interval another way (``auc_ci_low``) is invisible to gates, diff and summary.
"""

from __future__ import annotations

import dataclasses
import math
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator


class Result(BaseModel):
    """Base of every typed result: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class OpenResult(BaseModel):
    """A frozen result whose extra keys are kept (maps keyed by data, e.g. group names)."""

    model_config = ConfigDict(frozen=True, extra="allow")


class NotRun(Result):
    """A check (or part of one) that did not run, and why. Never a pass."""

    status: Literal["not_run"] = "not_run"
    reason: str = Field(min_length=1)


def _finite_or_none(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


class Estimate(Result):
    """A number with its interval and the count it rests on.

    value: the point estimate (None where undefined, with ``reason``);
    ci_low, ci_high: the interval (None where not computed); n: the count the value is a
    share of (rows, positives, members...).
    """

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = Field(default=None, ge=0)
    reason: str | None = None

    _finite = field_validator("value", "ci_low", "ci_high", mode="before")(
        classmethod(lambda cls, v: _finite_or_none(v))
    )


@cache
def _adapter(kind: type) -> TypeAdapter:
    return TypeAdapter(kind)


def dump(result: Any) -> Any:
    """JSON-ready form of a result (a model, a frozen dataclass, or plain data holding them).

    Non-finite floats stay floats here; :func:`auditor.io.to_json_text` writes them as null.
    """
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return _adapter(type(result)).dump_python(result, mode="json")
    if isinstance(result, dict):
        return {str(k): dump(v) for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        return [dump(v) for v in result]
    return result
