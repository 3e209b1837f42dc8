"""The decision threshold and how each group's selection rate, TPR and FPR move with it.

The sweep reads the per-cell score sums of :mod:`auditor.fairness.scores` (each joint group
cell keeps its distinct scores and their counts per true class), so a streamed predictions
file and a trained model's in-memory predictions give the same curves, exactly, in bounded
memory. A row is predicted positive at threshold ``t`` when its score is ``>= t``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from auditor.fairness.engine import spec_name
from auditor.fairness.scores import CellSums

# 0.05 .. 0.95 in steps of 0.05: 0.5 (the argmax of two classes) is on the grid.
GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))
SWEEP_RULE = "predicted positive when P({positive}) ≥ t"
ARGMAX_BINARY = "argmax of the two logits: predicted {positive} when P({positive}) exceeds 0.5"
ARGMAX = "argmax: the class with the largest logit"
FROM_FILE = "the y_pred column of the predictions file (the model's own threshold, not known here)"


@dataclass(frozen=True)
class DecisionThreshold:
    """How the audited predictions were made: ``value`` is the threshold on P(positive) for
    a binary target decided by argmax (0.5), else None (multi-class, or a file's own y_pred)."""

    rule: str
    value: float | None
    positive_class: str | None


@dataclass(frozen=True)
class GroupCurve:
    """One group's rates at each threshold of the grid (None where the rate is undefined:
    no positives for TPR, no negatives for FPR)."""

    group: str
    n: int
    n_positive: int
    n_negative: int
    selection_rate: list[float | None]
    tpr: list[float | None]
    fpr: list[float | None]


@dataclass(frozen=True)
class ThresholdSweep:
    """Per sensitive feature, the curves of its groups with at least ``min_group_size`` rows
    (``left_out``: the smaller ones, by name)."""

    positive_class: str
    rule: str
    grid: list[float]
    min_group_size: int
    features: dict[str, list[GroupCurve]]
    left_out: dict[str, list[str]]
    status: Literal["ok"] = "ok"


def model_threshold(class_names: Sequence[str], positive: int | None) -> DecisionThreshold:
    """The decision rule of a trained model's predictions (argmax of its logits)."""
    if positive is None or len(class_names) != 2:
        return DecisionThreshold(rule=ARGMAX, value=None, positive_class=None)
    name = str(class_names[positive])
    return DecisionThreshold(rule=ARGMAX_BINARY.format(positive=name), value=0.5,
                             positive_class=name)  # fmt: skip


def file_threshold(positive_name: str | None) -> DecisionThreshold:
    """The decision rule of a predictions file: its own y_pred column."""
    return DecisionThreshold(rule=FROM_FILE, value=None, positive_class=positive_name)


def _at_or_above(parts: list[tuple[np.ndarray, np.ndarray]], grid: np.ndarray) -> np.ndarray:
    """(len(grid),) number of rows whose score is >= each threshold. parts: (sorted distinct
    values, counts) pairs; each is cut at the thresholds on its own (no merge, no sort)."""
    hits = np.zeros(len(grid), np.int64)
    for values, counts in parts:
        total = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        hits += total[-1] - total[np.searchsorted(values, grid, side="left")]
    return hits


def _rates(hits: np.ndarray, n: int) -> list[float | None]:
    return [float(h) / n if n else None for h in hits]


def _curve(
    label: str, by_class: list[dict[Any, Any]], positive: Any, grid: np.ndarray
) -> GroupCurve:
    pos, neg = [], []
    for per_class in by_class:
        for value, sums in per_class.items():
            (pos if value == positive else neg).append((sums.values, sums.counts))
    n_pos = int(sum(int(c.sum()) for _, c in pos))
    n_neg = int(sum(int(c.sum()) for _, c in neg))
    tp, fp = _at_or_above(pos, grid), _at_or_above(neg, grid)
    return GroupCurve(
        group=label, n=n_pos + n_neg, n_positive=n_pos, n_negative=n_neg,
        selection_rate=_rates(tp + fp, n_pos + n_neg), tpr=_rates(tp, n_pos),
        fpr=_rates(fp, n_neg),
    )  # fmt: skip


def threshold_sweep(
    cells: CellSums,
    *,
    features: Sequence[str],
    positive: Any,
    positive_name: str,
    min_group_size: int,
    grid: Sequence[float] = GRID,
) -> ThresholdSweep:
    """Each sensitive feature's groups (sorted by label; intersections are left to the
    fairness tables) and their selection rate, TPR and FPR at every threshold of ``grid``.
    ``cells``: score sums per joint cell (labels in the order of ``features``) and true class
    value; ``positive``: the true class value counted as positive."""
    thresholds = np.asarray(grid, dtype=np.float64)
    out: dict[str, list[GroupCurve]] = {}
    left_out: dict[str, list[str]] = {}
    for axis, feature in enumerate(features):
        groups: dict[str, list[dict[Any, Any]]] = {}
        for cell, by_class in cells.items():
            groups.setdefault(cell[axis], []).append(by_class)
        curves = [_curve(spec_name((g,)), groups[g], positive, thresholds) for g in sorted(groups)]
        out[feature] = [c for c in curves if c.n >= min_group_size]
        left_out[feature] = [c.group for c in curves if c.n < min_group_size]
    return ThresholdSweep(
        positive_class=positive_name, rule=SWEEP_RULE.format(positive=positive_name),
        grid=[float(t) for t in thresholds], min_group_size=min_group_size, features=out,
        left_out=left_out,
    )  # fmt: skip
