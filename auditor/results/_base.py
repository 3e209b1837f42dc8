"""Building blocks of every section: frozen models, the not-run marker, the estimate node.

An *estimate node* is the one shape a number with uncertainty takes anywhere in
``audit.json``: ``{"value", "ci_low", "ci_high", "n"}`` (plus an optional ``reason`` when
the value is undefined). :mod:`auditor.audit_tree` reads exactly this shape; a section that
spells an interval another way (``auc_ci_low``) is invisible to gates, diff and summary.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator


class Result(BaseModel):
    """Base of every typed result: immutable, no unknown fields."""

    # each schema built when first used: an audit uses few of them, every start built all
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class OpenResult(BaseModel):
    """A frozen result whose extra keys are kept (maps keyed by data, e.g. group names)."""

    model_config = ConfigDict(frozen=True, extra="allow", defer_build=True)


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


_LEAVES = frozenset({str, float, int, bool, type(None)})


def dump(result: Any) -> Any:
    """JSON-ready form of a result (a model, a frozen dataclass, or plain data holding them).

    Non-finite floats stay floats here; :func:`auditor.io.to_json_text` writes them as null.
    """
    if type(result) in _LEAVES:  # most of a tree: no model or dataclass checks per number
        return result
    if isinstance(result, dict):
        return {str(k): dump(v) for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        return [dump(v) for v in result]
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return _adapter(type(result)).dump_python(result, mode="json")
    return result


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def plain(obj: Any) -> Any:
    """``dataclasses.asdict(obj)``: the same dicts, lists and tuples, without asdict's deep
    copy of every number and text (immutable: shared). 4.1 s -> 0.4 s for the fairness
    result of 5,000 groups; tests/results/test_base.py holds the two equal."""
    kind = type(obj)
    if kind in _LEAVES:
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {name: plain(getattr(obj, name)) for name in _field_names(kind)}
    if isinstance(obj, dict):
        return kind((plain(k), plain(v)) for k, v in obj.items())
    if isinstance(obj, list):
        return kind(plain(v) for v in obj)
    if isinstance(obj, tuple):
        items = [plain(v) for v in obj]
        return kind(*items) if hasattr(obj, "_fields") else kind(items)  # a namedtuple
    return copy.deepcopy(obj)
