"""``[fairness]`` table: which sensitive features, intersections, intervals."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from auditor.config._base import StrictModel


class FairnessConfig(StrictModel):
    enabled: bool = True
    # None: every sensitive feature the data source declares.
    sensitive: list[str] | None = None
    # "pairs": all pairs of sensitive features; or explicit combinations.
    intersections: Literal["pairs", "none"] | list[list[str]] = "pairs"
    min_group_size: int = Field(30, ge=1)
    n_boot: int = Field(1000, ge=0)
    ci_level: float = Field(0.95, gt=0.0, lt=1.0)
    mitigation_preview: bool = True
