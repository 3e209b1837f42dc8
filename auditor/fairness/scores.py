"""Per-group score metrics (ROC AUC, log loss, ECE) with intervals, for a binary score.

Rows are reduced to :class:`~auditor.results.scores.ClassScoreSums` per joint cell (one
value of every sensitive feature) and true class; a group of a feature or an intersection
merges the cells it is made of. The same sums serve a streamed predictions file (added batch
by batch) and a trained model's in-memory predictions. Definitions and intervals:
:mod:`auditor.results.scores`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from auditor.fairness.engine import BELOW_MIN, Estimate, spec_name
from auditor.results.scores import (
    SCORE_INTERVALS,
    ClassScoreSums,
    ScoreMetrics,
    auc_interval,
    ece_interval,
    mean_interval,
    merged,
    score_metrics,
)

# cell (one group label per sensitive feature) -> true class value -> sums
CellSums = dict[tuple[str, ...], dict[Any, ClassScoreSums]]
ONE_CLASS = "the group holds one true class only"
NO_ROWS = "the group has no rows"


@dataclass(frozen=True)
class GroupScores:
    """One group's score metrics; ``status`` as the group's in the fairness table."""

    group: str
    n: int
    status: Literal["ok", "insufficient_data"]
    roc_auc: Estimate
    log_loss: Estimate
    ece: Estimate
    reason: str | None = None


@dataclass(frozen=True)
class ScoresByGroup:
    """Per feature (and intersection), each group's ROC AUC, log loss and ECE of the score
    of ``positive_class``, with intervals (``method`` says how)."""

    positive_class: str
    method: str
    features: dict[str, list[GroupScores]]
    status: Literal["ok"] = "ok"


def add_cells(
    cells: CellSums, score: np.ndarray, y: np.ndarray, groups: Sequence[np.ndarray]
) -> None:
    """Add rows to ``cells``. score: (n,) P(positive); y: (n,) true class values; groups:
    one (n,) array per sensitive feature (labels compared as text)."""
    if len(score) == 0:
        return
    codes, uniques = [], []
    for g in groups:
        c, u = pd.factorize(np.asarray(g, dtype=object))
        codes.append(c)
        uniques.append(u)
    yc, yu = pd.factorize(np.asarray(y))
    shape = (*(len(u) for u in uniques), len(yu))
    key = np.ravel_multi_index((*codes, yc), shape)
    order = np.argsort(key, kind="stable")
    keys, starts = np.unique(key[order], return_index=True)
    for k, rows in zip(keys, np.split(order, starts[1:]), strict=True):
        *cell_idx, class_idx = np.unravel_index(k, shape)
        cell = tuple(str(u[i]) for u, i in zip(uniques, cell_idx, strict=True))
        value = yu[class_idx]
        value = value.item() if hasattr(value, "item") else value
        cells.setdefault(cell, {}).setdefault(value, ClassScoreSums()).add(score[rows])


def merge_cells(into: CellSums, other: CellSums) -> None:
    for cell, by_class in other.items():
        for value, sums in by_class.items():
            into.setdefault(cell, {}).setdefault(value, ClassScoreSums()).merge(sums)


def _split(by_class: Mapping[Any, ClassScoreSums], positive: Any) -> ScoreMetrics:
    pos = by_class.get(positive, ClassScoreSums())
    neg = merged([s for v, s in by_class.items() if v != positive])
    return score_metrics(pos, neg)


def _pooled(parts: list[dict[Any, ClassScoreSums]]) -> dict[Any, ClassScoreSums]:
    """Per true class, the sums of every part (cells of one group, or all cells)."""
    lists: dict[Any, list[ClassScoreSums]] = {}
    for per_class in parts:
        for value, sums in per_class.items():
            lists.setdefault(value, []).append(sums)
    return {value: merged(sums) for value, sums in lists.items()}


def overall_scores(cells: CellSums, positive: Any) -> ScoreMetrics:
    """The score metrics of every row in ``cells``."""
    return _split(_pooled(list(cells.values())), positive)


def _estimates(m: ScoreMetrics, *, level: float) -> dict[str, Estimate]:
    if m.n == 0:
        return {k: Estimate(math.nan, math.nan, math.nan, 0, NO_ROWS)
                for k in ("roc_auc", "log_loss", "ece")}  # fmt: skip
    auc_lo, auc_hi = auc_interval(m.roc_auc, m.n_positive, m.n_negative, level=level)
    ll_lo, ll_hi = mean_interval(m.log_loss, m.log_loss_sd, m.n, level=level)
    ece_lo, ece_hi = ece_interval(m.ece, m.reliability, level=level)
    auc_reason = ONE_CLASS if math.isnan(m.roc_auc) else None
    return {
        "roc_auc": Estimate(m.roc_auc, auc_lo, auc_hi, m.n, auc_reason),
        "log_loss": Estimate(m.log_loss, ll_lo, ll_hi, m.n),
        "ece": Estimate(m.ece, ece_lo, ece_hi, m.n),
    }


def scores_by_group(
    cells: CellSums,
    *,
    features: Sequence[str],
    specs: Sequence[Sequence[str]],
    positive: Any,
    positive_name: str,
    min_group_size: int,
    level: float,
) -> ScoresByGroup:
    """Every spec's groups (those with rows, sorted by label) and their score metrics.
    ``features``: the sensitive features in the order of the cells' labels."""
    out: dict[str, list[GroupScores]] = {}
    for spec in specs:
        axes = [list(features).index(f) for f in spec]
        groups: dict[tuple[str, ...], list[dict[Any, ClassScoreSums]]] = {}
        for cell, by_class in cells.items():
            groups.setdefault(tuple(cell[a] for a in axes), []).append(by_class)
        rows = []
        for label in sorted(groups):
            m = _split(_pooled(groups[label]), positive)
            ok = m.n >= min_group_size
            rows.append(GroupScores(
                group=spec_name(label), n=m.n, status="ok" if ok else "insufficient_data",
                **_estimates(m, level=level),
                reason=None if ok else BELOW_MIN.format(n=m.n, min=min_group_size),
            ))  # fmt: skip
        out[spec_name(spec)] = rows
    return ScoresByGroup(positive_class=positive_name, method=SCORE_INTERVALS, features=out)
