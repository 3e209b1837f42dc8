"""``[[gates.rules]]``: thresholds over numbers in ``audit.json``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from auditor.config._base import StrictModel


class GateRule(StrictModel):
    metric: str
    max: float | None = None
    min: float | None = None
    mode: Literal["point", "confident-fail", "confident-pass"] = "point"
    insufficient: Literal["warn", "fail"] = "warn"
    name: str | None = None


class GatesConfig(StrictModel):
    enabled: bool = True
    use_defaults: bool = True
    rules: list[GateRule] = Field(default_factory=list)
    fail_on: Literal["failure", "warning"] = "failure"
