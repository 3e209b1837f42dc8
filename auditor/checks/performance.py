"""Performance of each stage on its own task: accuracy, balanced accuracy, per-class and
macro precision / recall / F1, ROC AUC, log loss, Brier score, expected calibration error
with its reliability bins, and the confusion matrix, each with its sample count."""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn import metrics as skm

from auditor.context import Predictions

N_BINS = 15


@dataclass(frozen=True)
class ReliabilityBin:
    lower: float
    upper: float
    n: int
    mean_confidence: float  # NaN for an empty bin
    accuracy: float  # NaN for an empty bin


@dataclass(frozen=True)
class ClassMetrics:
    label: str
    support: int
    n_predicted: int
    precision: float
    recall: float
    f1: float


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
    kind: str = "classification"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReconstructionPerformance:
    """A self-supervised pretrained stage: masked-reconstruction error (lower is better)."""

    stage: str
    split: str
    task: str
    n: int
    reconstruction_mse: float
    mask_ratio: float
    kind: str = "reconstruction"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def expected_calibration_error(
    y_true: np.ndarray, proba: np.ndarray, *, n_bins: int = N_BINS
) -> tuple[float, list[ReliabilityBin]]:
    """Top-label ECE over ``n_bins`` equal-width confidence bins: sum_b n_b/n |acc_b - conf_b|.

    y_true: (n,) int labels; proba: (n, k) probabilities. Returns (ece, bins).
    """
    n = len(y_true)
    conf = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y_true).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        in_bin = which == b
        k = int(in_bin.sum())
        if k:
            c, a = float(conf[in_bin].mean()), float(correct[in_bin].mean())
            ece += k / n * abs(a - c)
        else:
            c = a = math.nan
        bins.append(ReliabilityBin(float(edges[b]), float(edges[b + 1]), k, c, a))
    return (ece if n else math.nan), bins


def multiclass_brier(y_true: np.ndarray, proba: np.ndarray) -> float:
    """Mean over rows of sum_k (p_k - [y = k])^2; equals sklearn's binary Brier x 2 for k=2."""
    onehot = np.zeros_like(proba)
    onehot[np.arange(len(y_true)), y_true] = 1.0
    return float(((proba - onehot) ** 2).sum(axis=1).mean())


def classification_performance(pred: Predictions) -> ClassificationPerformance:
    y, yp, proba = pred.y_true, pred.y_pred, pred.proba
    k = proba.shape[1]
    labels = list(range(k))
    undefined: dict[str, str] = {}
    n = len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, support = skm.precision_recall_fscore_support(
            y, yp, labels=labels, zero_division=np.nan
        )
        predicted = np.bincount(yp, minlength=k)
        present = np.unique(y)
        if len(present) < 2:
            roc_auc = math.nan
            undefined["roc_auc"] = f"only one class ({pred.class_names[present[0]]}) in y_true"
        elif k == 2:
            roc_auc = float(skm.roc_auc_score(y, proba[:, 1]))
        elif len(present) < k:
            roc_auc = math.nan
            undefined["roc_auc"] = f"{k - len(present)} class(es) absent from y_true"
        else:
            roc_auc = float(skm.roc_auc_score(y, proba, multi_class="ovr", average="macro"))
        bal = float(skm.balanced_accuracy_score(y, yp)) if n else math.nan
    for i, (pi, ri) in enumerate(zip(p, r, strict=True)):
        if np.isnan(pi):
            undefined[f"precision[{pred.class_names[i]}]"] = "no sample predicted as this class"
        if np.isnan(ri):
            undefined[f"recall[{pred.class_names[i]}]"] = "no sample of this class"
    ece, bins = expected_calibration_error(y, proba)
    brier = float(skm.brier_score_loss(y, proba[:, 1])) if k == 2 else multiclass_brier(y, proba)
    per_class = [
        ClassMetrics(
            pred.class_names[i],
            int(support[i]),
            int(predicted[i]),
            float(p[i]),
            float(r[i]),
            float(f[i]),
        )
        for i in labels
    ]
    return ClassificationPerformance(
        stage=pred.stage,
        split=pred.split,
        task=pred.task,
        n=n,
        n_correct=int((y == yp).sum()),
        accuracy=float((y == yp).mean()) if n else math.nan,
        balanced_accuracy=bal,
        precision_macro=float(np.nanmean(p)) if not np.all(np.isnan(p)) else math.nan,
        recall_macro=float(np.nanmean(r)) if not np.all(np.isnan(r)) else math.nan,
        f1_macro=float(np.nanmean(f)) if not np.all(np.isnan(f)) else math.nan,
        roc_auc=roc_auc,
        log_loss=float(pred.loss.mean()) if n else math.nan,
        brier=brier,
        ece=ece,
        per_class=per_class,
        reliability=bins,
        confusion_matrix=skm.confusion_matrix(y, yp, labels=labels).tolist(),
        class_names=list(pred.class_names),
        undefined=undefined,
    )


def performance_check(ctx, sections) -> dict[str, Any]:
    """Both stages, every split where the stage's task has labels."""
    finetuned = {
        split: classification_performance(ctx.predictions("finetuned", split)).to_dict()
        for split in ("finetune_train", "holdout", "val", "test")
        if len(ctx.bundle[split])
    }
    if ctx.pretrain_supervised:
        pretrained = {
            split: classification_performance(ctx.predictions("pretrained", split)).to_dict()
            for split in ("pretrain", "test")
        }
    elif ctx.pretrain_decoder is not None:
        pretrained = {
            split: reconstruction_performance(ctx, split).to_dict()
            for split in ("pretrain", "test")
        }
    else:
        pretrained = {}
    return {
        "status": "ok",
        "headline_split": "test",
        "finetuned": finetuned,
        "pretrained": pretrained,
    }


def reconstruction_performance(ctx, split: str) -> ReconstructionPerformance:
    import torch

    ratio = ctx.config.pretrain.mask_ratio
    x = torch.as_tensor(ctx.bundle[split].x, device=ctx.device)
    gen = torch.Generator(device="cpu").manual_seed(ctx.seed + 3)
    mask = (torch.rand(x.shape, generator=gen) < ratio).to(ctx.device)
    model, decoder = ctx.pretrained.eval(), ctx.pretrain_decoder.eval()
    with torch.no_grad():
        recon = decoder(model.backbone(x * (~mask))).view_as(x)
        mse = float((((recon - x) ** 2) * mask).sum() / mask.sum().clamp(min=1))
    return ReconstructionPerformance(
        stage="pretrained", split=split, task="masked_reconstruction", n=len(x),
        reconstruction_mse=mse, mask_ratio=ratio,
    )  # fmt: skip
