"""Exact ROC AUC of any union of joint cells, from the cells' distinct scores.

:class:`ScoreAxis` turns every (cell, true class) part's distinct scores into integer sort
keys once per file; a group's Mann-Whitney count is then one sort of its parts' keys and a
running count (integer arithmetic up to the last division, ties count 1/2: equal to
``auditor.results.scores.exact_auc`` of the merged parts, and to scikit-learn's
``roc_auc_score``). Which keys:

- **positions** (32 bits) where no score is in two parts and every count is 1 (full float64
  scores): each score's position among every score (the sorted parts cut into ranges of
  scores, each range sorted on its own:
  :func:`~auditor.fairness.float_sort.sorted_positions`). A group's AUC is then its
  positives' positions after one sort of 32-bit keys (3x faster than 64-bit ones), and the
  AUC of every row needs no sort at all (its positions are 0 .. n - 1).
- **the score's float64 bits** (64 bits) with the class bit and the count where the scores
  are in [0, 1] and the counts fit the bits the scores leave;
- **positions on the axis of distinct scores** (64 bits) with larger counts;
- else each group is counted over the whole axis (``_axis_auc``).

A list of groups (:meth:`ScoreAxis.aucs`) is counted on every core this process may use where
the keys are many (numpy's sorts release the GIL); each thread keeps its own buffers.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from auditor.fairness.float_sort import (  # noqa: F401 - MAX_WORKERS: read.py's, from here
    MAX_WORKERS,
    PIECE,
    shared,
    sorted_positions,
    workers_for,
)
from auditor.fairness.layer_auc import every_part, owner_of, plan, twice_aucs
from auditor.results.scores import ClassScoreSums

# cell (one group label per sensitive feature) -> true class value -> sums
CellSums = dict[tuple[str, ...], dict[Any, ClassScoreSums]]
Parts = list[tuple[tuple[str, ...], Any]]  # (cell, true class value) parts of a group


def part_keys(
    codes: Sequence[np.ndarray], labels: Sequence[Sequence[str]], y_codes: np.ndarray,
    y_values: Sequence[Any],
) -> tuple[np.ndarray, tuple[int, ...]]:  # fmt: skip
    """Each row's (cell, true class) part as one code, and the shape the codes index:
    ``codes[i]`` indexes ``labels[i]`` (feature i's group labels), ``y_codes`` ``y_values``."""
    shape = (*(len(lab) for lab in labels), len(y_values))
    return np.ravel_multi_index((*codes, y_codes), shape), shape


def part_of(
    k: int, shape: tuple[int, ...], labels: Sequence[Sequence[str]], y_values: Sequence[Any]
) -> tuple[tuple[str, ...], Any]:
    """The (cell, true class value) a :func:`part_keys` code stands for."""
    *cell_idx, class_idx = np.unravel_index(k, shape)
    return tuple(lab[i] for lab, i in zip(labels, cell_idx, strict=True)), y_values[class_idx]


def add_part(cells: CellSums, cell: tuple[str, ...], value: Any, sums: ClassScoreSums) -> None:
    """``sums`` into ``cells[cell][value]``, merged with what an earlier batch put there."""
    by_class = cells.setdefault(cell, {})
    if value in by_class:
        by_class[value].merge(sums)
    else:
        by_class[value] = sums


def float_keys(values: np.ndarray) -> np.ndarray:
    """Scores in [0, 1] as uint64 in the same order (the bits of a non-negative float64
    grow with it; ``+ 0.0`` turns -0.0 into 0.0)."""
    return np.add(values, 0.0, dtype=np.float64).view(np.uint64)


def count_keys(part: ClassScoreSums, tz: int, cb: int) -> np.ndarray:
    """``score's bits >> tz << cb | count - 1`` of a part's distinct scores in [0, 1]."""
    keys = (float_keys(part.values) >> np.uint64(tz)) << np.uint64(cb)
    keys |= part.counts.astype(np.uint64) - np.uint64(1)
    return keys


def trailing_zeros(parts: list[ClassScoreSums]) -> int:
    """The low bits that are zero in every score's float64 bits (29 for float32 scores),
    at most 52 (a mantissa's): room in a sort key for the count."""
    bits = 0
    for p in parts:
        if len(p.values):
            bits |= int(np.bitwise_or.reduce(float_keys(p.values)))
    return min(52, (bits & -bits).bit_length() - 1) if bits else 52


def _twice_auc(keys: np.ndarray, cb: int, work: np.ndarray) -> int:
    """2 x the Mann-Whitney count (pairs with the positive above, ties once) of sort keys
    ``score order << (cb + 1) | positive << cb | count - 1``; ``keys`` is sorted, then
    overwritten by the counts. Equal scores sort negatives first, so a positive's running
    count of negatives is those at or below it; ties are taken off once (integer arithmetic
    throughout). ``work``: an int64 buffer at least as long as ``keys`` (fresh arrays of a
    10M-row file's size cost more in page faults than the counting)."""
    keys.sort()  # equal keys are alike: the unstable vectorised sort, 2-3x timsort's merge
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


def _twice_auc_of_positions(keys: np.ndarray) -> int:
    """2 x the Mann-Whitney count of uint32 keys ``position << 1 | positive`` with distinct
    positions (no tie, every count 1): sorted, the negatives below the positive at index i
    are i less the positives below it, so the count is the positives' indexes summed less
    P (P - 1) / 2. ``keys`` is sorted; its positives' indexes are summed a piece at a time
    as each key's class bit times its index in the piece (under 2**19: no overflow), 3.7x
    faster than listing them (``np.flatnonzero``)."""
    keys.sort()
    index = _piece_index(PIECE)
    at_sum = p = 0
    for a in range(0, len(keys), PIECE):
        bits = keys[a : a + PIECE] & np.uint32(1)
        count = int(np.count_nonzero(bits))
        bits *= index[: len(bits)]  # each positive's index within the piece, else 0
        at_sum += int(bits.sum(dtype=np.int64)) + a * count
        p += count
    return 2 * (at_sum - p * (p - 1) // 2)


@functools.cache
def _piece_index(size: int) -> np.ndarray:
    return np.arange(size, dtype=np.uint32)


def auc_of(cells: CellSums, pos: Parts, neg: Parts, twice: Callable[[int], int]) -> float:
    """A group's exact ROC AUC: ``twice(n_pos)`` (2 x its Mann-Whitney count, given its
    positives' rows) over 2 x its positives' rows x its negatives'; NaN (``twice`` not
    called) where either class has no row."""
    n_pos = sum(cells[c][v].n for c, v in pos)
    n_neg = sum(cells[c][v].n for c, v in neg)
    if n_pos == 0 or n_neg == 0:
        return math.nan
    return twice(n_pos) / (2 * n_pos * n_neg)


class ScoreAxis:
    """The cells' distinct scores as sort keys, built once per file (the module's docstring
    says which keys); :meth:`auc` counts one group, :meth:`aucs` a list of them."""

    def __init__(self, cells: CellSums, *, sort_keys: bool = True):
        keys = [(cell, value) for cell, by_class in cells.items() for value in by_class]
        parts = [cells[cell][value] for cell, value in keys]
        most = max((int(p.counts.max()) for p in parts if len(p.counts)), default=1)
        self._n_parts, self._positions = len(parts), False
        self._where: dict[tuple, np.ndarray] = {}
        self._buffers: tuple[np.ndarray, np.ndarray] | None = None
        self._work: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # per thread: sort buffers
        self._owner: np.ndarray | None = None  # position keys: each position's part
        self._lock = threading.Lock()
        self.size = 0
        self._keys: dict[tuple, np.ndarray] = {}
        unit = all(len(p.values) == 0 or (p.values[0] >= 0 and p.values[-1] <= 1) for p in parts)
        if sort_keys and most == 1 and self._position_keys(keys, parts):
            return
        if sort_keys and unit:
            tz = trailing_zeros(parts)
            self._cb = 1 + tz  # 62 - tz bits of score, a class bit, the count's bits
            if most <= 1 << self._cb:
                self._keys = {k: count_keys(p, tz, self._cb + 1)
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

    def _position_keys(self, keys: list[tuple], parts: list[ClassScoreSums]) -> bool:
        """Each part's keys ``position << 1`` (uint32), the position in one sort of every
        score, where no score is in two parts (so no two keys tie); False (nothing kept)
        where one is, or where there are 2**31 scores or more."""
        total = sum(len(p.values) for p in parts)
        if total >= 1 << 31:
            return False
        positions = sorted_positions([p.values for p in parts], sorted_parts=True)
        if positions is None:
            return False
        ends = np.cumsum([len(p.values) for p in parts])[:-1]
        self._keys = dict(zip(keys, np.split(positions, ends), strict=True))
        self._positions, self.size, self._cb = True, total, 0
        return True

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

    def auc(self, cells: CellSums, pos: Parts, neg: Parts) -> float:
        """Exact ROC AUC of the rows of the ``pos`` and ``neg`` (cell, class) parts: the
        integer sum of :func:`auditor.results.scores.exact_auc`."""
        return self._auc(cells, pos, neg, 0)

    def aucs(self, cells: CellSums, groups: Sequence[tuple[Parts, Parts]]) -> list[float]:
        """:meth:`auc` of each (pos, neg) group, the largest first, on every core this
        process may use where the keys are many; with position keys, groups that share no
        part are counted in one pass over the positions where they cover a third of them
        (:func:`~auditor.fairness.layer_auc.plan`)."""
        out = [math.nan] * len(groups)
        rows = [sum(len(self._keys[k]) for k in (*p, *n)) if self._keys else 0 for p, n in groups]
        index = {k: i for i, k in enumerate(self._keys)} if self._positions else {}
        parts = [([index[k] for k in p], [index[k] for k in n]) for p, n in groups] if index else []
        jobs = plan(parts, rows, self.size, len(index)) if index else None

        def count(job: int | list[int], worker: int) -> None:
            if isinstance(job, int):
                out[job] = self._auc(cells, *groups[job], worker)
                return
            with self._lock:  # each position's part, made once, at the first pass
                if self._owner is None:
                    self._owner = owner_of(list(self._keys.values()), self.size)
            counts = twice_aucs(self._owner, len(self._keys), [parts[i] for i in job])
            for i, twice in zip(job, counts, strict=True):
                out[i] = auc_of(cells, *groups[i], lambda _n_pos, t=twice: t)

        order = jobs or sorted(range(len(groups)), key=lambda i: -rows[i])  # largest first
        shared(order, count, workers=workers_for(max(rows, default=0)) if self._keys else 1)
        return out

    def _buffers_for(self, worker: int, m: int, dtype: type) -> tuple[np.ndarray, np.ndarray]:
        """Worker's sort buffer, at least ``m`` long, and an int64 work buffer as long
        (none for positions, counted without one), made once at the first, largest size:
        a fresh 80 MB array per group of a 10M-row file costs more in page faults than the
        counting."""
        have = self._work.get(worker)
        if have is None or len(have[0]) < m or have[0].dtype != dtype:
            work = np.empty(0 if dtype == np.uint32 else m, np.int64)
            have = self._work[worker] = (np.empty(m, dtype), work)
        return have

    def _auc(self, cells: CellSums, pos: Parts, neg: Parts, worker: int) -> float:
        return auc_of(cells, pos, neg, lambda n_pos: self._twice(cells, pos, neg, n_pos, worker))

    def _twice(self, cells: CellSums, pos: Parts, neg: Parts, n_pos: int, worker: int) -> int:
        """2 x the Mann-Whitney count of a group with both classes (``n_pos`` positives)."""
        if not self._keys:
            return self._axis_auc(cells, pos, neg)
        if self._positions and every_part(pos, neg, self._n_parts):
            # every row once: its positions are 0 .. n - 1, sorted
            at = sum(int(self._keys[k].sum(dtype=np.int64)) // 2 for k in pos)
            return 2 * (at - n_pos * (n_pos - 1) // 2)
        parts = [self._keys[k] for k in (*neg, *pos)]
        m = sum(len(k) for k in parts)
        dtype = np.uint32 if self._positions else np.uint64
        buffer, work = self._buffers_for(worker, m, dtype)
        keys = np.concatenate(parts, out=buffer[:m])
        keys[sum(len(self._keys[k]) for k in neg) :] |= dtype(1 << self._cb)  # positives
        if self._positions:
            return _twice_auc_of_positions(keys)
        return _twice_auc(keys, self._cb, work)

    def _axis_auc(self, cells: CellSums, pos: Parts, neg: Parts) -> int:
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
