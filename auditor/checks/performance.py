"""Performance of each stage on its own task: accuracy, balanced accuracy, per-class and
macro precision / recall / F1, ROC AUC, log loss, Brier score, expected calibration error
with its reliability bins, and the confusion matrix, each with its sample count; the per-row
predictions they come from are written to the run folder (:mod:`auditor.checks.rows`).

The section is :class:`PerformanceSection`: per stage, per split, a
:class:`ClassificationPerformance` (or, for a self-supervised pretrained stage, a
:class:`ReconstructionPerformance`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from auditor.checks.base import Sections, not_run
from auditor.checks.rows import PredictionRows, write_prediction_rows
from auditor.results import NotRun
from auditor.results.classification import (
    ClassMetrics,
    ConfusionMetrics,
    ReliabilityBin,
    expected_calibration_error,
    metrics_from_confusion,
)

if TYPE_CHECKING:
    from auditor.context import AuditContext, Predictions

__all__ = [
    "ClassMetrics",
    "ClassificationPerformance",
    "PerformanceSection",
    "ReconstructionPerformance",
    "ReliabilityBin",
    "classification_performance",
    "expected_calibration_error",
    "multiclass_brier",
    "performance_check",
    "performance_from_confusion",
]

FINETUNED_SPLITS = ("finetune_train", "holdout", "val", "test")
PRETRAINED_SPLITS = ("pretrain", "test")
EXACT_AUC = "exact (scikit-learn roc_auc_score over the rows)"
NO_RUN_FOLDER = "no run folder to write predictions.parquet into (the check ran alone)"


@dataclass(frozen=True)
class ClassificationPerformance:
    """Metrics of one stage on one split. NaN values carry their reason in ``undefined``."""

    stage: str
    split: str
    task: str
    n: int
    n_correct: int
    accuracy: float
    balanced_accuracy: float
    precision_macro: float
    recall_macro: float
    f1_macro: float
    roc_auc: float
    log_loss: float
    brier: float
    ece: float
    per_class: list[ClassMetrics]
    reliability: list[ReliabilityBin]
    confusion_matrix: list[list[int]]
    class_names: list[str]
    undefined: dict[str, str]
    # How roc_auc was computed; None where there is no score to compute it from.
    roc_auc_method: str | None = EXACT_AUC
    kind: Literal["classification"] = "classification"


@dataclass(frozen=True)
class ReconstructionPerformance:
    """A self-supervised pretrained stage: masked-reconstruction error (lower is better)."""

    stage: str
    split: str
    task: str
    n: int
    reconstruction_mse: float
    mask_ratio: float
    kind: Literal["reconstruction"] = "reconstruction"


@dataclass(frozen=True)
class PerformanceSection:
    """finetuned: split -> metrics; pretrained: split -> metrics (empty when the pretrained
    stage has no classifier and no decoder); headline_split: the split the card leads with."""

    finetuned: dict[str, ClassificationPerformance]
    pretrained: dict[str, ClassificationPerformance | ReconstructionPerformance]
    headline_split: str = "test"
    # The per-row predictions every number comes from (predictions.parquet, or the input).
    rows: PredictionRows | NotRun | None = None
    status: Literal["ok"] = "ok"


def multiclass_brier(y_true: np.ndarray, proba: np.ndarray) -> float:
    """Mean over rows of sum_k (p_k - [y = k])^2; equals sklearn's binary Brier x 2 for k=2."""
    onehot = np.zeros_like(proba)
    onehot[np.arange(len(y_true)), y_true] = 1.0
    return float(((proba - onehot) ** 2).sum(axis=1).mean())


def _roc_auc(
    y: np.ndarray, proba: np.ndarray, class_names: tuple[str, ...]
) -> tuple[float, str | None]:
    """ROC AUC (binary, or one-vs-rest macro), or NaN and the reason it is undefined."""
    from sklearn import metrics as skm

    k = proba.shape[1]
    present = np.unique(y)
    if len(present) == 0:
        return math.nan, "no rows"
    if len(present) < 2:
        return math.nan, f"only one class ({class_names[present[0]]}) in y_true"
    if k == 2:
        return float(skm.roc_auc_score(y, proba[:, 1])), None
    if len(present) < k:
        return math.nan, f"{k - len(present)} class(es) absent from y_true"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(skm.roc_auc_score(y, proba, multi_class="ovr", average="macro")), None


def performance_from_confusion(
    cm: np.ndarray,
    *,
    class_names: list[str],
    stage: str,
    split: str,
    task: str,
    roc_auc: float = math.nan,
    log_loss: float = math.nan,
    brier: float = math.nan,
    ece: float = math.nan,
    reliability: list[ReliabilityBin] | None = None,
    undefined: dict[str, str] | None = None,
    roc_auc_method: str | None = None,
) -> ClassificationPerformance:
    """A :class:`ClassificationPerformance` from a (k, k) confusion matrix (rows true) and the
    score metrics computed elsewhere (NaN where there is no score; say why in ``undefined``)."""
    m: ConfusionMetrics = metrics_from_confusion(cm, class_names)
    return ClassificationPerformance(
        stage=stage, split=split, task=task, n=m.n, n_correct=m.n_correct,
        accuracy=m.accuracy, balanced_accuracy=m.balanced_accuracy,
        precision_macro=m.precision_macro, recall_macro=m.recall_macro, f1_macro=m.f1_macro,
        roc_auc=roc_auc, log_loss=log_loss, brier=brier, ece=ece, per_class=m.per_class,
        reliability=list(reliability or []), confusion_matrix=np.asarray(cm).tolist(),
        class_names=list(class_names), undefined={**m.undefined, **(undefined or {})},
        roc_auc_method=roc_auc_method,
    )  # fmt: skip


def classification_performance(pred: Predictions) -> ClassificationPerformance:
    """Every metric of ``pred`` (one stage on one split)."""
    y, yp, proba = pred.y_true, pred.y_pred, pred.proba
    k = proba.shape[1]
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (y, yp), 1)
    roc_auc, why = _roc_auc(y, proba, pred.class_names)
    ece, bins = expected_calibration_error(y, proba)
    if not len(y):
        brier = math.nan
    elif k == 2:
        brier = float(np.mean((proba[:, 1] - (y == 1)) ** 2))
    else:
        brier = multiclass_brier(y, proba)
    return performance_from_confusion(
        cm, class_names=list(pred.class_names), stage=pred.stage, split=pred.split,
        task=pred.task, roc_auc=roc_auc, log_loss=float(pred.loss.mean()) if len(y) else math.nan,
        brier=brier, ece=ece, reliability=bins, undefined={"roc_auc": why} if why else None,
        roc_auc_method=EXACT_AUC,
    )  # fmt: skip


def reconstruction_performance(ctx: AuditContext, split: str) -> ReconstructionPerformance:
    """Masked-reconstruction MSE of the self-supervised pretrained stage on ``split``; the
    mask is drawn from the stream ``eval/reconstruction_mask/<split>`` (the same mask every
    reader of this split's reconstruction error draws)."""
    error = ctx.reconstruction(split)
    return ReconstructionPerformance(
        stage="pretrained", split=split, task="masked_reconstruction",
        n=len(ctx.bundle[split]), reconstruction_mse=error.pooled,
        mask_ratio=ctx.config.pretrain.mask_ratio,
    )  # fmt: skip


def performance_check(ctx: AuditContext, sections: Sections) -> PerformanceSection:
    """Both stages, every split where the stage's task has labels."""
    finetuned = {
        split: classification_performance(ctx.predictions("finetuned", split))
        for split in FINETUNED_SPLITS
        if len(ctx.bundle[split])
    }
    pretrained: dict[str, ClassificationPerformance | ReconstructionPerformance] = {}
    if ctx.pretrain_supervised:
        for split in PRETRAINED_SPLITS:
            pretrained[split] = classification_performance(ctx.predictions("pretrained", split))
    elif ctx.pretrain_decoder is not None:
        for split in PRETRAINED_SPLITS:
            pretrained[split] = reconstruction_performance(ctx, split)
    rows = (
        write_prediction_rows(ctx, ctx.artifacts_dir)
        if ctx.artifacts_dir is not None
        else not_run(NO_RUN_FOLDER)
    )
    return PerformanceSection(finetuned=finetuned, pretrained=pretrained, rows=rows)
