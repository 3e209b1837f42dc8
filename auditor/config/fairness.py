"""``[fairness]`` table: which sensitive features, intersections, intervals."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from auditor.config._base import StrictModel

# Interval of each per-group rate (the gaps' simultaneous intervals build on it).
IntervalMethod = Literal["wilson", "jeffreys", "clopper-pearson"]
NO_FEATURE = (
    "an empty list audits no feature: leave the key out to audit every sensitive column of "
    "the data, or set fairness.enabled = false"
)


class FairnessConfig(StrictModel):
    enabled: bool = True
    # None: every sensitive feature the data source declares.
    sensitive: list[str] | None = None
    # "pairs": all pairs of sensitive features; or explicit combinations.
    intersections: Literal["pairs", "none"] | list[list[str]] = "pairs"
    # Groups with fewer rows are "insufficient data": reported, left out of disparities.
    min_group_size: int = Field(30, ge=1)
    interval: IntervalMethod = "wilson"
    # The class a person wants (e.g. "approved"). None: the positive class is favourable. When
    # it names another class (the positive prediction harms: a fraud flag, a high-risk score),
    # the worst-off group is the one flagged most often.
    favourable_label: str | None = None
    # At most 1 - 1e-9: a level closer to 1 leaves the Bonferroni shares (alpha / 2k over k
    # groups or bins) below float64's resolution of 1 (its quantiles are not computable).
    ci_level: float = Field(0.95, gt=0.0, le=0.999999999)
    # fairlearn's ThresholdOptimizer preview. "auto": on in `auditor run` (scikit-learn is
    # loaded there anyway), off in `auditor audit` (its import is most of that command's time).
    mitigation_preview: Literal["auto"] | bool = "auto"
    # Cross-check the counts engine against fairlearn's MetricFrame on this run's rows when
    # the split has at most this many rows. 0 (default): off - auditor's tests hold the engine
    # to fairlearn's numbers, and the cross-check was most of the fairness check's time.
    reference_check_max_rows: int = Field(0, ge=0)

    @field_validator("sensitive")
    @classmethod
    def _names_a_feature(cls, value: list[str] | None) -> list[str] | None:
        if value == []:
            raise ValueError(NO_FEATURE)
        return value

    @field_validator("intersections")
    @classmethod
    def _combos_have_two(cls, value: object) -> object:
        if isinstance(value, list):
            for combo in value:
                if len(combo) < 2 or len(set(combo)) != len(combo):
                    raise ValueError("each intersection names two or more different features")
        return value
