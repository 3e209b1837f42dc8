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
            out.setdefault(cell, {})[value] = _merged(by_class.pop(value))
    return out


def _merged(parts: list[ClassScoreSums]) -> ClassScoreSums:
    """``merged(parts)``, the distinct scores merged by one sort of uint64 keys (the score's
    float64 bits, the count in the bits they leave) where the scores are in [0, 1] and the
    counts fit; else by ``merged``'s sort of the floats carrying their counts (slower)."""
    pieces = [p for p in parts if len(p.values)]
    if len(pieces) < 2 or not all(p.values[0] >= 0 and p.values[-1] <= 1 for p in pieces):
        return merged(parts)
    tz = _trailing_zeros(pieces)
    cb = 2 + tz  # 62 - tz bits of score, then the count's
    if max(int(p.counts.max()) for p in pieces) > 1 << cb:
        return merged(parts)
    keys = np.concatenate([_count_keys(p, tz, cb) for p in pieces])
    keys.sort(kind="stable")  # sorted runs: a merge
    out = merged([replace(p, **_NO_VALUES) for p in parts])
    score = keys >> np.uint64(cb)
    starts = np.flatnonzero(np.concatenate([[True], score[1:] != score[:-1]]))
    keys &= np.uint64((1 << cb) - 1)
    counts = keys.astype(np.int64)
    counts += 1
    out.counts = np.add.reduceat(counts, starts)
    out.values = (score[starts] << np.uint64(tz)).view(np.float64)
    return out


def _float_keys(values: np.ndarray) -> np.ndarray:
    """Scores in [0, 1] as uint64 in the same order (the bits of a non-negative float64
    grow with it; ``+ 0.0`` turns -0.0 into 0.0)."""
    return np.add(values, 0.0, dtype=np.float64).view(np.uint64)


def _count_keys(part: ClassScoreSums, tz: int, cb: int) -> np.ndarray:
    """``score's bits >> tz << cb | count - 1`` of a part's distinct scores in [0, 1]."""
    keys = (_float_keys(part.values) >> np.uint64(tz)) << np.uint64(cb)
    keys |= part.counts.astype(np.uint64) - np.uint64(1)
    return keys


def _trailing_zeros(parts: list[ClassScoreSums]) -> int:
    """The low bits that are zero in every score's float64 bits (29 for float32 scores),
    at most 52 (a mantissa's): room in a sort key for the count."""
    bits = 0
    for p in parts:
        if len(p.values):
            bits |= int(np.bitwise_or.reduce(_float_keys(p.values)))
    return min(52, (bits & -bits).bit_length() - 1) if bits else 52


def _twice_auc(keys: np.ndarray, cb: int, work: np.ndarray) -> int:
    """2 x the Mann-Whitney count (pairs with the positive above, ties once) of sort keys
    ``score order << (cb + 1) | positive << cb | count - 1``; ``keys`` is sorted, then
    overwritten by the counts. Equal scores sort negatives first, so a positive's running
    count of negatives is those at or below it; ties are taken off once (integer arithmetic
    throughout). ``work``: an int64 buffer at least as long as ``keys`` (fresh arrays of a
    10M-row file's size cost more in page faults than the counting)."""
    keys.sort(kind="stable")  # each part's keys are a sorted run: a merge, not a sort
    positives = work[: len(keys)]
    np.right_shift(keys, np.uint64(cb + 1), out=positives.view(np.uint64))  # the score order
    tied = positives[1:] == positives[:-1]
    np.right_shift(keys, np.uint64(cb), out=positives.view(np.uint64))
    positives &= 1
    keys &= np.uint64((1 << cb) - 1)
    count = keys.view(np.int64)  # count - 1 < 2**63: the same bits
    count += 1
    positives *= count  # each key's positive rows (arithmetic: a masked copy costs more)
    negatives = count
    negatives -= positives
    ties = 0
    if tied.any():  # runs of one score: their positives x their negatives
        starts = np.flatnonzero(np.concatenate([[True], ~tied]))
        ties = int(np.dot(np.add.reduceat(positives, starts), np.add.reduceat(negatives, starts)))
    del tied
    np.cumsum(negatives, out=negatives)  # negatives at or below each key
    return 2 * int(np.dot(positives, negatives)) - ties


class ScoreAxis:
    """The cells' distinct scores as sort keys, built once per file: a group's exact ROC AUC
    is one sort of its parts' keys (with the class bit and the count) and a running count,
    where merging the group's parts would sort their float scores with their counts again.

    A key's score order is the score's own float64 bits when the scores are in [0, 1] and
    every count fits the bits they leave (1 + the scores' common trailing zero bits: counts
    of 1 or 2 for full float64 scores, up to 2**30 for float32 ones); else the score's
    position on one sorted axis of every distinct score (counts up to 2**32 and more); and
    where even that leaves no room (or ``sort_keys`` is false), the group is counted on the
    whole axis (``_axis_auc``: one pass over every distinct score per group)."""

    def __init__(self, cells: CellSums, *, sort_keys: bool = True):
        keys = [(cell, value) for cell, by_class in cells.items() for value in by_class]
        parts = [cells[cell][value] for cell, value in keys]
        most = max((int(p.counts.max()) for p in parts if len(p.counts)), default=1)
        self._where: dict[tuple, np.ndarray] = {}
        self._buffers: tuple[np.ndarray, np.ndarray] | None = None
        self._work: tuple[np.ndarray, ...] | None = None  # the sorts' buffers
        self.size = 0
        self._keys: dict[tuple, np.ndarray] = {}
        unit = all(len(p.values) == 0 or (p.values[0] >= 0 and p.values[-1] <= 1) for p in parts)
        if sort_keys and unit:
            tz = _trailing_zeros(parts)
            self._cb = 1 + tz  # 62 - tz bits of score, a class bit, the count's bits
            if most <= 1 << self._cb:
                self._keys = {k: _count_keys(p, tz, self._cb + 1)
                              for k, p in zip(keys, parts, strict=True)}  # fmt: skip
                return
        self._axis(keys, parts)
        self._cb = 63 - max(1, self.size.bit_length())
        if sort_keys and most <= 1 << self._cb:
            self._keys = {
                k: (self._where[k].astype(np.uint64) << np.uint64(self._cb + 1))
                | (cells[k[0]][k[1]].counts.astype(np.uint64) - np.uint64(1))
                for k in keys
            }  # fmt: skip
            self._where = {}

    def _axis(self, keys: list[tuple], parts: list[ClassScoreSums]) -> None:
        """Each part's scores as positions on one sorted axis of every distinct score."""
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

    def auc(self, cells: CellSums, pos: list[tuple], neg: list[tuple]) -> float:
        """Exact ROC AUC of the rows of the ``pos`` and ``neg`` (cell, class) parts: the
        integer sum of :func:`auditor.results.scores.exact_auc`."""
        n_pos = sum(cells[c][v].n for c, v in pos)
        n_neg = sum(cells[c][v].n for c, v in neg)
        if n_pos == 0 or n_neg == 0:
            return math.nan
        if not self._keys:
            return self._axis_auc(cells, pos, neg) / (2 * n_pos * n_neg)
        parts = [self._keys[k] for k in (*neg, *pos)]
        m = sum(len(k) for k in parts)
        if self._work is None or len(self._work[0]) < m:  # made once: the overall AUC's size
            self._work = (np.empty(m, np.uint64), np.empty(m, np.int64))
        keys = np.concatenate(parts, out=self._work[0][:m])
        keys[sum(len(self._keys[k]) for k in neg) :] |= np.uint64(1 << self._cb)  # positives
        return _twice_auc(keys, self._cb, self._work[1]) / (2 * n_pos * n_neg)

    def _axis_auc(self, cells: CellSums, pos: list[tuple], neg: list[tuple]) -> int:
        """2 x the Mann-Whitney count, counted over the whole axis (counts too large for a
        sort key)."""
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
        return twice


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
