"""The typed ``gates`` section of audit.json: :class:`GatesSection` holding one
:class:`GateResult` per evaluated gate (or :class:`~auditor.results._base.NotRun`).

A gate's identity (:func:`identity`) is fixed by its rule and the node it reads (the
concrete metric path, which names the feature, never the worst-off group), so the same gate
keeps its id, name and JUnit test name across seeds, baselines and ``auditor diff``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from auditor.results._base import NotRun, Result

Outcome = Literal["pass", "fail", "insufficient_data", "not_run"]
Status = Literal["pass", "fail", "warn"]
Mode = Literal["point", "confident-fail", "confident-pass", "no-worse"]
Finding = Literal["new", "unchanged", "worse", "fixed"]
JUDGED_BY = (
    "Which gate code judged this audit: a short sha256 of the source of the modules whose "
    "rules give a verdict (auditor.gates.stamp). Read back by the same code, every verdict is "
    "judged again in full; by other code (or where absent: written before it was added), "
    "each verdict is checked against its own numbers only."
)


class Bound(Result):
    """What a gate requires: ``min`` / ``max`` (a number), ``allowed`` (status texts), or
    for a baseline comparison no worsening beyond ``tolerance``."""

    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    tolerance: float | None = None


def bound_text(bound: Mapping[str, Any] | Bound) -> str:
    """``>= 0.9 and <= 1``, ``in {met, declared}``, ``no worse than baseline by more than x``."""
    b = bound.model_dump() if isinstance(bound, Bound) else bound
    parts = []
    if b.get("min") is not None:
        parts.append(f">= {b['min']:g}")
    if b.get("max") is not None:
        parts.append(f"<= {b['max']:g}")
    if b.get("allowed"):
        parts.append("in {" + ", ".join(b["allowed"]) + "}")
    if b.get("tolerance") is not None:
        parts.append(f"no worse than baseline by more than {b['tolerance']:g}")
    return " and ".join(parts)


def identity(metric: str, bound: Mapping[str, Any] | Bound, mode: str) -> str:
    """A gate's stable id: ``<concrete metric path> (<bound>, <mode>)``. Reads the fields of
    a result (also of an audit.json written before ids were stable, whose id named a group)."""
    return f"{metric} ({bound_text(bound)}, {mode})"


class BaselineInfo(Result):
    """The baseline's evidence for one gate and how the current value compares."""

    value: float | str | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    status: Status | None
    delta: float | None
    tolerance: float
    finding: Finding


class GateResult(Result):
    """One evaluated gate. ``outcome`` is what the evidence says; ``status`` what CI does with
    it (warn: reported, not failing unless fail_on = "warning"). ``group``: whom the evidence
    concerns (a disparity's worst-off group, or the item a wildcard picked; "all" otherwise):
    shown, never part of ``id`` or ``name``."""

    id: str
    name: str
    area: str
    metric: str
    group: str
    rule: str  # "defaults[i]" | "rules[i]"
    source: Literal["default", "config", "baseline"]
    mode: Mode
    bound: Bound
    value: float | str | None
    ci_low: float | None
    ci_high: float | None
    interval: Literal["reported", "wilson", "none"]
    n: int | None
    min_n: int
    outcome: Outcome
    status: Status
    relation: Literal["within", "straddles", "beyond"] | None
    message: str
    seconds: float = Field(ge=0)
    baseline: BaselineInfo | None = None


class BaselineSummary(Result):
    """Which audit the gates were compared with, and how many gates came out each way."""

    file: str | None
    run_name: str
    created_at: str
    tolerance: float
    findings: dict[Finding, int]


class GatesSection(Result):
    """The ``gates`` section: the verdict (the worst status), its counts and every result."""

    status: Literal["ok"] = "ok"
    verdict: Status
    fail_on: Literal["failure", "warning"]
    config_file: str | None
    defaults: str | None  # the scenario whose built-in gates ran (None: use_defaults = false)
    counts: dict[Status, int]
    results: tuple[GateResult, ...]
    baseline: BaselineSummary | None = None
    judged_by: str | None = Field(None, description=JUDGED_BY)


GatesPart = GatesSection | NotRun
