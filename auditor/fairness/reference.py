"""The reference: the same per-group metrics through fairlearn's MetricFrame over rows.

Used to check the counts engine (in tests to 1e-12, and in the check itself on in-memory
data) and by the benchmark. Undefined rates are NaN here too: fairlearn's TPR/FPR/FNR are 0
by scikit-learn's convention when a group has no positives (negatives); that 0 is replaced
by NaN, every defined value is fairlearn's own.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sklearn.metrics as skm
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from numpy.typing import ArrayLike

from auditor.fairness.engine import FairnessResult


def _ovr(fn: Callable, pos: Any, *, need: str | None = None) -> Callable:
    """fn over (y_true == pos, y_pred == pos); NaN when the group lacks the ``need`` rows."""

    def metric(y_true: ArrayLike, y_pred: ArrayLike) -> float:
        t = (np.asarray(y_true) == pos).astype(int)
        p = (np.asarray(y_pred) == pos).astype(int)
        if need == "positive" and not t.any():
            return np.nan
        if need == "negative" and t.all():
            return np.nan
        return float(fn(t, p))

    return metric


def _zd(fn: Callable) -> Callable:
    return lambda t, p: fn(t, p, zero_division=np.nan)


def reference_metrics(classes: Sequence, positive: int | None) -> dict[str, Callable]:
    """name -> metric(y_true, y_pred), with the counts engine's names."""
    out: dict[str, Callable] = {
        "count": count,
        "accuracy": skm.accuracy_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
    }
    if len(classes) == 2 and positive is not None:
        views = [(classes[positive], "")]
    else:
        views = [(c, f"@{c}") for c in classes]
    for pos, sfx in views:
        out.update(
            {
                "base_rate" + sfx: _ovr(lambda t, p: t.mean(), pos),
                "selection_rate" + sfx: _ovr(lambda t, p: selection_rate(t, p, pos_label=1), pos),
                "precision" + sfx: _ovr(_zd(skm.precision_score), pos),
                "recall" + sfx: _ovr(true_positive_rate, pos, need="positive"),
                "fpr" + sfx: _ovr(false_positive_rate, pos, need="negative"),
                "fnr" + sfx: _ovr(false_negative_rate, pos, need="positive"),
                "f1" + sfx: _ovr(_zd(skm.f1_score), pos),
            }
        )
    return out


def reference_frame(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sensitive: pd.DataFrame,
    *,
    classes: Sequence,
    positive: int | None,
    n_boot: int | None = None,
    random_state: int | None = None,
    ci_quantiles: list[float] | None = None,
) -> MetricFrame:
    """fairlearn's MetricFrame over the rows (``sensitive``: one column per feature)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's ill-defined-metric warnings: NaN is reported
        return MetricFrame(
            metrics=reference_metrics(classes, positive),
            y_true=np.asarray(y_true),
            y_pred=np.asarray(y_pred),
            sensitive_features=sensitive,
            n_boot=n_boot,
            random_state=random_state,
            ci_quantiles=ci_quantiles,
        )


def max_abs_difference(
    result: FairnessResult,
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sensitive: pd.DataFrame,
    *,
    classes: Sequence,
    positive: int | None,
) -> float:
    """Largest |engine - MetricFrame| over every group and metric of ``result`` (a
    :class:`~auditor.fairness.engine.FairnessResult`); both NaN counts as equal, and an empty
    group's count is 0 where MetricFrame has NaN."""
    worst = 0.0
    for feature in result.features.values():
        frame = reference_frame(
            y_true, y_pred, sensitive[feature.components], classes=classes, positive=positive
        ).by_group
        for g in feature.groups:
            key = tuple(g.values[c] for c in feature.components)
            key = key[0] if len(key) == 1 else key
            row = frame.loc[key] if key in frame.index else None
            for name, est in g.metrics.items():
                ref = np.nan if row is None else float(row[name])
                if name == "count" and np.isnan(ref):
                    ref = 0.0
                if np.isnan(ref) and np.isnan(est.value):
                    continue
                if np.isnan(ref) != np.isnan(est.value):
                    return float("inf")
                worst = max(worst, abs(ref - est.value))
    return worst
