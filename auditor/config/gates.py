"""``[gates]`` and ``[[gates.rules]]``: thresholds over numbers in ``audit.json``.

A rule names a metric by its path in ``audit.json`` (the path language is
:mod:`auditor.audit_tree`'s; :func:`auditor.gates.validate_rules` checks each path before any
work, since these models sit below it), a bound (``max`` and/or ``min``, or ``allowed`` for a
status string such as a checklist item's), and how the interval decides (``mode``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from auditor.config._base import StrictModel
from auditor.config.paths import FilePath
from auditor.errors import AuditorInputError

GateMode = Literal["point", "confident-fail", "confident-pass"]
BLANK_NAME = "a blank gate name; write one, or leave name out (one is made from the rule)"


class GateRule(StrictModel):
    metric: str = Field(..., min_length=1)
    # Upper / lower bound on the value (either or both).
    max: float | None = None
    min: float | None = None
    # For a status string (e.g. a checklist item): the values that pass.
    allowed: list[str] | None = Field(None, min_length=1)
    # With allowed: the status strings that give a warning rather than a failure (a
    # checklist item that is missing or has a finding is never counted as passed).
    warn_on: list[str] | None = None
    # point: the estimate decides; confident-fail: fail only when the whole interval is
    # beyond the bound; confident-pass: pass only when the whole interval is within it.
    mode: GateMode = "point"
    # What a group below min_n (or an undefined value) becomes.
    insufficient: Literal["warn", "fail"] = "warn"
    # What a path into a section (or a probe) that did not run becomes: never a pass.
    not_run: Literal["warn", "fail"] = "warn"
    # Smallest count that a verdict is given on (None: gates.min_count).
    min_n: int | None = Field(None, ge=1)
    # "warning": a failed bound is reported as a warning (exit 0 unless fail_on = "warning").
    severity: Literal["error", "warning"] = "error"
    # Allowed worsening against a baseline audit (None: gates.baseline_tolerance).
    tolerance: float | None = Field(None, ge=0)
    # Shown in every report (junit.xml, summary.md, CI annotations, the card), once per group.
    name: str | None = Field(None, max_length=200)

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, name: str | None) -> str | None:
        if name is not None and not name.strip():  # "   " was a gate shown as a blank name
            raise ValueError(BLANK_NAME)
        return name

    @model_validator(mode="after")
    def _one_kind_of_bound(self) -> GateRule:
        numeric = self.max is not None or self.min is not None
        if numeric and self.allowed is not None:
            raise ValueError("give max/min (a number) or allowed (status strings), not both")
        if not numeric and self.allowed is None:
            raise ValueError("a gate needs max, min or allowed")
        if self.max is not None and self.min is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if self.warn_on is not None and self.allowed is None:
            raise ValueError("warn_on (status strings) needs allowed")
        if self.allowed is not None and self.mode != "point":
            raise ValueError("allowed (a status) has no interval: mode must be 'point'")
        return self


class GatesConfig(StrictModel):
    enabled: bool = True
    # The built-in gates of the run's scenario (auditor.gates.default_rules), before `rules`.
    use_defaults: bool = True
    rules: list[GateRule] = Field(default_factory=list)
    # "warning": warnings fail the gate too (exit 1).
    fail_on: Literal["failure", "warning"] = "failure"
    # Below this count a group gets "insufficient data", never a verdict.
    min_count: int = Field(30, ge=1)
    # A previous audit.json (or its run folder): each gated metric must not worsen.
    baseline: FilePath | None = None
    baseline_tolerance: float = Field(0.01, ge=0)

    @field_validator("fail_on", mode="before")
    @classmethod
    def _fail_on_in_any_case(cls, value: object) -> object:
        """Read "WARNING" as "warning", the one place the config file, the API and the
        command line's --fail-on all pass through."""
        return value.lower() if isinstance(value, str) else value

    def with_fail_on(self, fail_on: object) -> GatesConfig:
        """A copy with ``fail_on`` validated as the config file's gates.fail_on is: a wrong
        one is one line naming ``fail_on`` (a pydantic traceback, or a later failure, else)."""
        copied = self.model_copy()
        try:
            GatesConfig.__pydantic_validator__.validate_assignment(copied, "fail_on", fail_on)
        except ValidationError as exc:  # in the config file's words, not pydantic's
            from auditor.config.keys import first_problem

            raise AuditorInputError(first_problem(exc, GatesConfig)[1], field="fail_on") from None
        return copied
