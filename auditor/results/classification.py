"""Classification numbers computed once for every mode (a trained model's predictions, or a
predictions file reduced to counts): metrics from a confusion matrix and top-label calibration.

Pure numpy. Ill-defined values are NaN, and the reason is kept in ``undefined`` (the
scikit-learn convention, without the warning).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

N_BINS = 15

NO_PREDICTED = "no sample predicted as this class"
NO_SUPPORT = "no sample of this class"
NO_SCORE = "no score column (--y-score) in the predictions file"
# Why a value is null because nothing was computed (not because the data leave it undefined):
# a gate on it is "not run", not "insufficient data".
NOT_COMPUTED = frozenset({NO_SCORE})


@dataclass(frozen=True)
class ReliabilityBin:
    """One confidence bin: [lower, upper), its row count, mean confidence and accuracy
    (both NaN for an empty bin)."""

    lower: float
    upper: float
    n: int
    mean_confidence: float
    accuracy: float


@dataclass(frozen=True)
class ClassMetrics:
    label: str
    support: int
    n_predicted: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class ConfusionMetrics:
    """What a (k, k) confusion matrix (rows: true class, columns: predicted) determines."""

    n: int
    n_correct: int
    accuracy: float
    balanced_accuracy: float
    precision_macro: float
    recall_macro: float
    f1_macro: float
    per_class: list[ClassMetrics]
    undefined: dict[str, str]


def _nanmean(a: np.ndarray) -> float:
    return float(np.nanmean(a)) if not np.all(np.isnan(a)) else math.nan


def metrics_from_confusion(cm: np.ndarray, class_names: Sequence[str]) -> ConfusionMetrics:
    """Accuracy, balanced accuracy, per-class and macro precision / recall / F1 from ``cm``.

    cm: (k, k) integer counts, rows true, columns predicted; class_names: k labels.
    Equals scikit-learn's ``precision_recall_fscore_support(..., zero_division=nan)`` and
    ``balanced_accuracy_score`` (mean recall over the classes present).
    """
    cm = np.asarray(cm, dtype=np.int64)
    diag = np.diag(cm).astype(float)
    support, predicted = cm.sum(axis=1), cm.sum(axis=0)
    n = int(cm.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        prec = np.where(predicted > 0, diag / np.maximum(predicted, 1), np.nan)
        rec = np.where(support > 0, diag / np.maximum(support, 1), np.nan)
        f1 = np.where(
            predicted + support > 0, 2 * diag / np.maximum(predicted + support, 1), np.nan
        )
    undefined: dict[str, str] = {}
    for i, name in enumerate(class_names):
        if np.isnan(prec[i]):
            undefined[f"precision[{name}]"] = NO_PREDICTED
        if np.isnan(rec[i]):
            undefined[f"recall[{name}]"] = NO_SUPPORT
    per_class = [
        ClassMetrics(str(class_names[i]), int(support[i]), int(predicted[i]),
                     float(prec[i]), float(rec[i]), float(f1[i]))
        for i in range(len(class_names))
    ]  # fmt: skip
    return ConfusionMetrics(
        n=n,
        n_correct=int(diag.sum()),
        accuracy=float(diag.sum() / n) if n else math.nan,
        balanced_accuracy=_nanmean(rec),
        precision_macro=_nanmean(prec),
        recall_macro=_nanmean(rec),
        f1_macro=_nanmean(f1),
        per_class=per_class,
        undefined=undefined,
    )


def bin_edges(n_bins: int = N_BINS) -> np.ndarray:
    return np.linspace(0.0, 1.0, n_bins + 1)


def bin_index(confidence: np.ndarray, n_bins: int = N_BINS) -> np.ndarray:
    """(n,) bin of each confidence in [0, 1]; the upper edge of a bin is inside it (bin b
    holds edges[b] < c <= edges[b + 1], bin 0 also 0). Equal to ``np.digitize(c, edges[1:-1],
    right=True)`` clipped to the bins, for every float (tested on the edges and their
    neighbours): ``c * n_bins`` is off the true bin by at most one, and one comparison with
    each of the bin's edges settles it (about 2x faster than digitize's binary search)."""
    c = np.asarray(confidence, dtype=np.float64)
    inner = bin_edges(n_bins)[1:-1]
    lower = np.concatenate([[np.nan], inner])  # each bin's lower edge (NaN: none, never met)
    upper = np.concatenate([inner, [np.nan]])
    estimate = np.multiply(c, n_bins)
    np.fmin(estimate, n_bins - 1, out=estimate)  # NaN -> the last bin, as digitize puts it
    np.fmax(estimate, 0, out=estimate)  # and a confidence just outside [0, 1] to an end bin
    which = estimate.astype(np.intp)
    which -= c <= lower[which]  # at or below its lower edge: the bin below
    which += c > upper[which]  # above its upper edge: the bin above
    return which


def calibration_from_bins(
    n: np.ndarray, confidence_sum: np.ndarray, correct: np.ndarray
) -> tuple[float, list[ReliabilityBin]]:
    """Top-label ECE, sum_b n_b/N |acc_b - conf_b|, and the reliability bins, from per-bin
    sums: n (rows), confidence_sum (sum of top-label confidence), correct (rows right).

    Lets a streamed reader (bin sums merged over batches) and an in-memory one share the
    definition. NaN when there is no row.
    """
    n = np.asarray(n, dtype=np.int64)
    edges = bin_edges(len(n))
    total = int(n.sum())
    bins, ece = [], 0.0
    for b, k in enumerate(n.tolist()):
        c = float(confidence_sum[b]) / k if k else math.nan
        a = float(correct[b]) / k if k else math.nan
        if k:
            ece += k / total * abs(a - c)
        bins.append(ReliabilityBin(float(edges[b]), float(edges[b + 1]), int(k), c, a))
    return (ece if total else math.nan), bins


def expected_calibration_error(
    y_true: np.ndarray, proba: np.ndarray, *, n_bins: int = N_BINS
) -> tuple[float, list[ReliabilityBin]]:
    """Top-label ECE over ``n_bins`` equal-width confidence bins, and the bins.

    y_true: (n,) int labels; proba: (n, k) probabilities.
    """
    conf = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y_true).astype(float)
    which = bin_index(conf, n_bins)
    return calibration_from_bins(
        np.bincount(which, minlength=n_bins),
        np.bincount(which, weights=conf, minlength=n_bins),
        np.bincount(which, weights=correct, minlength=n_bins),
    )
