"""Fairness of the fine-tuned model on the test split: per-group metrics for each sensitive
feature (or slice) and their intersections, fairlearn's disparities with simultaneous
intervals, the worst-off group (for the person: see ``[fairness] favourable_label``), each
group's ROC AUC, log loss and ECE with intervals, and a ThresholdOptimizer preview. The
engine is :mod:`auditor.fairness`.

The section is :class:`FairnessSection`: the engine's :class:`FairnessResult` (its fields at
the top level) with where the predictions came from, the reference check against fairlearn,
the per-group score metrics and the mitigation preview.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import TypeAdapter

from auditor.checks.base import Sections, not_run
from auditor.errors import AuditorInputError
from auditor.fairness.counts import counts_from_arrays
from auditor.fairness.engine import (
    DisparityResult,
    Estimate,
    FairnessResult,
    audit_counts,
    resolve_specs,
)
from auditor.fairness.metrics import favourable_index
from auditor.fairness.scores import CellSums, ScoresByGroup, add_cells, scores_by_group
from auditor.fairness.threshold import (
    DecisionThreshold,
    ThresholdSweep,
    model_threshold,
    threshold_sweep,
)
from auditor.results import NotRun

if TYPE_CHECKING:
    import pandas as pd

    from auditor.config import AuditConfig
    from auditor.config.fairness import FairnessConfig
    from auditor.context import AuditContext
    from auditor.data import DatasetBundle

REFERENCE_TOLERANCE = 1e-9
REFERENCE_OFF = (
    "off (fairness.reference_check_max_rows = 0); the counts engine is tested against "
    "fairlearn's MetricFrame"
)
REFERENCE_TOO_MANY = (
    "{n} rows is more than fairness.reference_check_max_rows ({max_rows}); the counts engine "
    "is tested against fairlearn's MetricFrame"
)
UNKNOWN_FEATURE = "unknown sensitive feature {feature!r}; this data has {available}"
NO_BINARY_SCORE = "per-group ROC AUC, log loss and ECE need a binary score"
NO_SWEEP = "the threshold sweep needs a binary target with a score (P(positive))"
SensitiveKind = Literal["demographic", "slice"]


@dataclass(frozen=True)
class ReferenceCheck:
    """The counts engine's numbers against fairlearn's MetricFrame on the same rows."""

    engine: str
    max_abs_difference: float | None
    tolerance: float
    agrees: bool
    status: Literal["ok"] = "ok"


@dataclass(frozen=True)
class MitigationSummary:
    """Test metrics of one set of predictions (before or after the fitted thresholds)."""

    accuracy: Estimate
    selection_rate: Estimate
    demographic_parity_difference: DisparityResult
    equalized_odds_difference: DisparityResult


@dataclass(frozen=True)
class ConstraintPreview:
    after: MitigationSummary
    status: Literal["ok"] = "ok"


@dataclass(frozen=True)
class FeaturePreview:
    """ThresholdOptimizer fitted on one feature's groups: before, and after per constraint."""

    feature: str
    method: str
    objective: str
    fitted_on: str
    evaluated_on: str
    randomized: bool
    before: MitigationSummary
    constraints: dict[str, ConstraintPreview | NotRun]
    status: Literal["ok"] = "ok"


@dataclass(frozen=True)
class MitigationPreview:
    note: str
    features: dict[str, FeaturePreview | NotRun]
    status: Literal["ok"] = "ok"


@dataclass(frozen=True)
class PredictionColumns:
    y_true: str
    y_pred: str
    y_score: str | None
    sensitive: list[str]


@dataclass(frozen=True)
class PredictionsSource:
    """Predictions-only audits: the file read, its columns, how it was read."""

    file: str
    columns: PredictionColumns
    batches: int
    engine: str
    # The file is the per-row record of the audit (not copied into the run folder).
    sha256: str | None = None
    n_rows: int | None = None
    # per column, each label read from more than one spelling ("Male ", "Male"): its spellings
    merged_labels: dict[str, dict[str, list[str]]] | None = None
    # a score all 0.5 or more whose flipped reading ranked y_true better within chance
    score_flipped: dict[str, float] | None = None


@dataclass(frozen=True, kw_only=True)
class FairnessSection(FairnessResult):
    """The engine's result (n, classes, overall, features, ci_method, ...) and, beside it:
    which stage and split, what kind each sensitive column is, the check
    against fairlearn, the decision threshold and each group's rates across thresholds, the
    mitigation preview, and (predictions-only) the source file."""

    stage: str
    split: str
    threshold: DecisionThreshold
    threshold_sweep: ThresholdSweep | NotRun
    sensitive_kinds: dict[str, SensitiveKind]
    reference_check: ReferenceCheck | NotRun
    mitigation: MitigationPreview | NotRun
    scores: ScoresByGroup | NotRun
    source: PredictionsSource | None = None
    status: Literal["ok"] = "ok"


def _features(cfg: FairnessConfig, bundle: DatasetBundle) -> list[str]:
    available = list(bundle.sensitive_features)
    features = list(cfg.sensitive) if cfg.sensitive is not None else available
    names = set(features)
    if isinstance(cfg.intersections, list):
        names.update(f for combo in cfg.intersections for f in combo)
    for f in sorted(names):
        if f not in bundle["test"].sensitive.columns:
            raise AuditorInputError(
                UNKNOWN_FEATURE.format(feature=f, available=", ".join(available) or "none"),
                field="fairness.sensitive",
            )
    return features


def _reference_check(
    result: FairnessResult, y_true: np.ndarray, y_pred: np.ndarray, sensitive: pd.DataFrame,
    *, k: int, positive: int | None, max_rows: int,
) -> ReferenceCheck | NotRun:  # fmt: skip
    if max_rows == 0:
        return not_run(REFERENCE_OFF)
    if not 0 < len(y_true) <= max_rows:
        return not_run(REFERENCE_TOO_MANY.format(n=len(y_true), max_rows=max_rows))
    from auditor.fairness.reference import max_abs_difference  # fairlearn, sklearn: heavy

    diff = max_abs_difference(
        result, y_true, y_pred, sensitive, classes=list(range(k)), positive=positive
    )
    return ReferenceCheck(
        engine="fairlearn.MetricFrame",
        max_abs_difference=diff if math.isfinite(diff) else None,
        tolerance=REFERENCE_TOLERANCE,
        agrees=bool(diff <= REFERENCE_TOLERANCE),
    )


def fairness_section(
    *,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    y_score: np.ndarray | None,
    sensitive: pd.DataFrame,
    class_names: Sequence[str],
    positive: int | None,
    cfg: FairnessConfig,
    seed: int,
    kinds: Mapping[str, str],
    source: str,
    features: list[str],
    stage: str,
    split: str,
    mitigation: MitigationPreview | NotRun,
) -> FairnessSection:
    """The fairness section for in-memory predictions (y_true, y_pred: (n,) class indices;
    y_score: (n,) P(class ``positive``) of a binary target, else None; sensitive: n rows, one
    column per feature)."""
    k = len(class_names)
    table = counts_from_arrays(
        y_true, y_pred, sensitive[features], source=source, classes=list(range(k)),
        class_names=class_names,
    )  # fmt: skip
    specs = resolve_specs(features, cfg.intersections)
    result = audit_counts(
        table, specs=specs, positive=positive, min_group_size=cfg.min_group_size,
        ci_level=cfg.ci_level, seed=seed, rate_method=cfg.interval,
        favourable=favourable_index(class_names, cfg.favourable_label),
    )  # fmt: skip
    reference = _reference_check(
        result, y_true, y_pred, sensitive, k=k, positive=positive,
        max_rows=cfg.reference_check_max_rows,
    )  # fmt: skip
    scores: ScoresByGroup | NotRun = not_run(NO_BINARY_SCORE)
    sweep: ThresholdSweep | NotRun = not_run(NO_SWEEP)
    if y_score is not None and positive is not None:
        cells: CellSums = {}
        add_cells(cells, y_score, y_true, [sensitive[f].to_numpy() for f in features])
        scores = scores_by_group(
            cells, features=features, specs=specs, positive=positive,
            positive_name=class_names[positive], min_group_size=cfg.min_group_size,
            level=cfg.ci_level,
        )  # fmt: skip
        sweep = threshold_sweep(
            cells, features=features, positive=positive, positive_name=class_names[positive],
            min_group_size=cfg.min_group_size,
        )  # fmt: skip
    return section_from_result(
        result, stage=stage, split=split, reference_check=reference, mitigation=mitigation,
        sensitive_kinds={f: kinds.get(f, "demographic") for f in features}, scores=scores,
        threshold=model_threshold(class_names, positive), threshold_sweep=sweep,
    )  # fmt: skip


def section_from_result(result: FairnessResult, **beside: Any) -> FairnessSection:
    """Wrap the engine's result with the fields of :class:`FairnessSection` around it."""
    engine_fields = {f.name: getattr(result, f.name) for f in fields(FairnessResult)}
    return FairnessSection(**engine_fields, **beside)


def _mitigation(
    ctx: AuditContext, cfg: FairnessConfig, features: list[str]
) -> MitigationPreview | NotRun:
    if cfg.mitigation_preview is False:  # "auto" (the default) is on in a trained run
        return not_run("mitigation_preview = false in [fairness]")
    if ctx.bundle.finetune_task.n_classes != 2:
        return not_run("ThresholdOptimizer needs a binary target")
    val, test = ctx.predictions("finetuned", "val"), ctx.predictions("finetuned", "test")
    if len(val) == 0:
        return not_run("no validation rows to fit the thresholds on")
    from auditor.fairness.mitigation import threshold_optimizer_preview  # sklearn: heavy

    previews = {}
    for f in features:
        previews[f] = threshold_optimizer_preview(
            feature=f, val_score=val.y_score, val_y=val.y_true,
            val_sensitive=ctx.bundle["val"].sensitive[f].to_numpy(),
            test_score=test.y_score, test_y=test.y_true, test_pred=test.y_pred,
            test_sensitive=ctx.bundle["test"].sensitive[f].to_numpy(),
            seed=ctx.rngs.int32(f"fairness/mitigation/{f}"), rate_method=cfg.interval,
            favourable=favourable_index(test.class_names, cfg.favourable_label),
            ci_level=cfg.ci_level, min_group_size=cfg.min_group_size,
        )  # fmt: skip
    return TypeAdapter(MitigationPreview).validate_python(
        {"note": "preview only; the audited model is unchanged", "features": previews}
    )


def fairness_check(ctx: AuditContext, sections: Sections) -> FairnessSection | NotRun:
    """Fairness of the fine-tuned model's test predictions across the sensitive features."""
    config: AuditConfig = ctx.config
    cfg = config.fairness
    if not cfg.enabled:
        return not_run("disabled in config ([fairness] enabled = false)")
    bundle = ctx.bundle
    features = _features(cfg, bundle)
    if not features:
        return not_run("the data declares no sensitive features and [fairness] names none")
    pred = ctx.predictions("finetuned", "test")
    if len(np.unique(pred.y_true)) < 2:
        return not_run("the test split has a single class; error rates per group are undefined")
    binary = len(pred.class_names) == 2
    return fairness_section(
        y_true=pred.y_true, y_pred=pred.y_pred, y_score=pred.y_score if binary else None,
        sensitive=bundle["test"].sensitive, class_names=pred.class_names,
        positive=1 if binary else None,
        cfg=cfg, seed=ctx.seed, kinds=dict(bundle.sensitive_kinds), source="test split",
        features=features, stage="finetuned", split="test",
        mitigation=_mitigation(ctx, cfg, features),
    )  # fmt: skip
