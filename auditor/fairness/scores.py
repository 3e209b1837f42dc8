"""Per-group score metrics (ROC AUC, log loss, ECE) with intervals, for a binary score.

Rows are reduced to :class:`~auditor.results.scores.ClassScoreSums` per joint cell (one
value of every sensitive feature) and true class; a group of a feature or an intersection
merges the cells it is made of. The same sums serve a streamed predictions file (added batch
by batch) and a trained model's in-memory predictions. Definitions and intervals:
:mod:`auditor.results.scores`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

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
    codes, labels = [], []
    for g in groups:
        u, c = np.unique(np.asarray(g).astype(str), return_inverse=True)
        codes.append(c.reshape(-1))
        labels.append([str(x) for x in u])
    y_values, y_codes = np.unique(np.asarray(y), return_inverse=True)
    values = [v.item() if hasattr(v, "item") else v for v in y_values]
    add_cell_codes(cells, score, codes, labels, y_codes.reshape(-1), values)


def add_cell_codes(
    cells: CellSums,
    score: np.ndarray,
    codes: Sequence[np.ndarray],
    labels: Sequence[Sequence[str]],
    y_codes: np.ndarray,
    y_values: Sequence[Any],
) -> None:
    """Add rows given as codes: ``codes[i]`` (n,) indexes ``labels[i]`` (feature i's group
    labels); ``y_codes`` (n,) indexes ``y_values`` (the true class values)."""
    shape = (*(len(lab) for lab in labels), len(y_values))
    key = np.ravel_multi_index((*codes, y_codes), shape)
    n_keys = math.prod(shape)
    # a stable sort of 16-bit keys is a radix sort: linear in the rows
    order = np.argsort(key.astype(np.uint16) if n_keys <= 1 << 16 else key, kind="stable")
    sizes = np.bincount(key, minlength=n_keys)
    ends = np.cumsum(sizes)
    for k in np.flatnonzero(sizes):
        *cell_idx, class_idx = np.unravel_index(k, shape)
        cell = tuple(lab[i] for lab, i in zip(labels, cell_idx, strict=True))
        rows = order[ends[k] - sizes[k] : ends[k]]
        cells.setdefault(cell, {}).setdefault(y_values[class_idx], ClassScoreSums()).add(
            score[rows]
        )


def merge_all(parts: list[CellSums]) -> CellSums:
    """The cells of every part (batches, partitions) added up: one sort per cell and class,
    where merging part by part would sort the growing sums once per part. ``parts`` is
    emptied, so each part's arrays are freed once merged."""
    lists: dict[tuple[str, ...], dict[Any, list[ClassScoreSums]]] = {}
    parts.reverse()  # popped in file order
    while parts:
        for cell, by_class in parts.pop().items():
            for value, sums in by_class.items():
                lists.setdefault(cell, {}).setdefault(value, []).append(sums)
    out: CellSums = {}
    for cell, by_class in lists.items():
        for value in list(by_class):  # each part's arrays freed once merged
            out.setdefault(cell, {})[value] = merged(by_class.pop(value))
    return out


class ScoreAxis:
    """Every distinct score of ``cells`` on one sorted axis, each (cell, class) part's values
    as positions on it. Built once, it turns a group's exact ROC AUC into counting on the
    axis, where merging the group's parts would sort its rows' scores again for every group
    of every feature (most of a large file's audit time)."""

    def __init__(self, cells: CellSums):
        keys = [(cell, value) for cell, by_class in cells.items() for value in by_class]
        parts = [cells[cell][value] for cell, value in keys]
        values = np.concatenate([p.values for p in parts]) if parts else np.zeros(0)
        kind = np.int32 if len(values) < 2**31 else np.int64  # half the memory of int64
        order = np.argsort(values, kind="stable")  # the parts are sorted runs: a merge
        ranked = values[order]
        del values
        new = np.ones(len(ranked), bool)
        np.not_equal(ranked[1:], ranked[:-1], out=new[1:])
        del ranked
        rank = np.cumsum(new, dtype=kind) - 1  # each sorted value's position on the axis
        del new
        self.size = int(rank[-1]) + 1 if len(rank) else 0
        positions = np.empty(len(order), kind)
        positions[order] = rank
        del order, rank
        ends = np.cumsum([len(p.values) for p in parts])[:-1]
        self._where = dict(zip(keys, np.split(positions, ends), strict=True))
        self._buffers: tuple[np.ndarray, np.ndarray] | None = None

    def auc(self, cells: CellSums, pos: list[tuple], neg: list[tuple]) -> float:
        """Exact ROC AUC of the rows of the ``pos`` and ``neg`` (cell, class) parts: the
        integer sum of :func:`auditor.results.scores.exact_auc`, over the whole axis."""
        n_pos = sum(cells[c][v].n for c, v in pos)
        n_neg = sum(cells[c][v].n for c, v in neg)
        if n_pos == 0 or n_neg == 0:
            return math.nan
        # two axis-long buffers, made once: a fresh 80 MB array per group of a 10M-row file
        # cost more in page faults than the counting itself
        if self._buffers is None:
            self._buffers = (np.zeros(self.size, np.int64), np.zeros(self.size, np.int64))
        q, upto = self._buffers
        q.fill(0)
        for c, v in neg:  # a part's positions are distinct: no index repeats within one add
            q[self._where[(c, v)]] += cells[c][v].counts
        np.cumsum(q, out=upto)  # negatives at or below each position
        twice = 0  # sum over positives of 2 (negatives below) + (negatives tied)
        for c, v in pos:
            where = self._where[(c, v)]
            twice += int((cells[c][v].counts * (2 * upto[where] - q[where])).sum())
        return twice / (2 * n_pos * n_neg)


_NO_VALUES = {"values": np.zeros(0), "counts": np.zeros(0, np.int64)}


def _sums(cells: CellSums, keys: list[tuple]) -> ClassScoreSums:
    """The running sums of the ``keys`` parts, without their distinct scores (not needed
    but for the AUC, which :class:`ScoreAxis` counts)."""
    return merged([replace(cells[c][v], **_NO_VALUES) for c, v in keys])


def _group_metrics(
    cells: CellSums, members: list[tuple[str, ...]], positive: Any, axis: ScoreAxis
) -> ScoreMetrics:
    """Score metrics of the rows of the cells ``members`` (positive: the true class value)."""
    pos = [(c, v) for c in members for v in cells[c] if v == positive]
    neg = [(c, v) for c in members for v in cells[c] if v != positive]
    metrics = score_metrics(_sums(cells, pos), _sums(cells, neg))  # its AUC: of no scores
    return replace(metrics, roc_auc=axis.auc(cells, pos, neg))


def overall_scores(cells: CellSums, positive: Any, axis: ScoreAxis | None = None) -> ScoreMetrics:
    """The score metrics of every row in ``cells``."""
    return _group_metrics(cells, list(cells), positive, axis or ScoreAxis(cells))


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
    score_axis: ScoreAxis | None = None,
) -> ScoresByGroup:
    """Every spec's groups (those with rows, sorted by label) and their score metrics.
    ``features``: the sensitive features in the order of the cells' labels; ``score_axis``:
    the cells' :class:`ScoreAxis` when the caller has it."""
    score_axis = score_axis or ScoreAxis(cells)
    out: dict[str, list[GroupScores]] = {}
    for spec in specs:
        axes = [list(features).index(f) for f in spec]
        groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for cell in cells:
            groups.setdefault(tuple(cell[a] for a in axes), []).append(cell)
        rows = []
        for label in sorted(groups):
            m = _group_metrics(cells, groups[label], positive, score_axis)
            ok = m.n >= min_group_size
            rows.append(GroupScores(
                group=spec_name(label), n=m.n, status="ok" if ok else "insufficient_data",
                **_estimates(m, level=level),
                reason=None if ok else BELOW_MIN.format(n=m.n, min=min_group_size),
            ))  # fmt: skip
        out[spec_name(spec)] = rows
    return ScoresByGroup(positive_class=positive_name, method=SCORE_INTERVALS, features=out)
