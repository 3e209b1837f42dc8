"""Score sums of a predictions file whose distinct scores would not fit in memory.

Each batch's rows keep, per joint cell and true class, the running sums of
:class:`~auditor.results.scores.ClassScoreSums` (log loss, Brier, ECE bins) in memory as
always, but their scores only as counts on the threshold sweep's grid: the rows at or above
each threshold, which is all :func:`auditor.fairness.threshold.threshold_sweep` reads (a part's
``values`` are then the grid's thresholds, each standing for the scores from it up to the
next, and one value below the grid; not the distinct scores). The rows themselves go to a
:class:`~auditor.fairness.spill.ScoreSpill`; after the last batch one pass over it counts the
exact ROC AUC of every group asked for, which :class:`SpilledAxis` answers as
:class:`~auditor.fairness.score_axis.ScoreAxis` does from distinct scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from auditor.fairness.engine import spec_name
from auditor.fairness.score_axis import CellSums, Parts, add_part, part_keys, part_of
from auditor.fairness.spill import ScoreSpill
from auditor.fairness.threshold import GRID
from auditor.results.scores import sums_by_code

NOT_COUNTED = "the ROC AUC of {group} was not counted in the pass over the spilled rows"
GroupKey = tuple[frozenset, frozenset]
SpillRows = tuple[np.ndarray, np.ndarray, dict[int, tuple[tuple[str, ...], Any]]]


class SpilledCells:
    """Rows added batch by batch: :meth:`add_codes` adds their sums to a batch's cells (any
    thread), :meth:`spill_rows` their scores to ``spill`` under one code per (cell, true class)
    part of the whole file (one thread, batch after batch). Leaving a ``with`` block closes
    the spill."""

    def __init__(self, spill: ScoreSpill, grid: Sequence[float] = GRID):
        self.spill = spill
        self.parts: dict[tuple[tuple[str, ...], Any], int] = {}  # (cell, class) -> code
        self._grid = np.asarray(grid, np.float64)
        # a bin's stand-in: the threshold it starts at (below the grid: just below its first)
        self._values = np.concatenate([[np.nextafter(self._grid[0], -np.inf)], self._grid])

    def __enter__(self) -> SpilledCells:
        return self

    def __exit__(self, *exc: object) -> None:
        self.spill.close()  # the spilled rows removed, also on an error

    def add_codes(
        self,
        cells: CellSums,
        score: np.ndarray,
        codes: Sequence[np.ndarray],
        labels: Sequence[Sequence[str]],
        y_codes: np.ndarray,
        y_values: Sequence[Any],
    ) -> SpillRows:
        """As :func:`auditor.fairness.scores.add_cell_codes` (the same arguments), the scores
        kept in ``cells`` on the grid only; returns the rows for :meth:`spill_rows`."""
        key, shape = part_keys(codes, labels, y_codes, y_values)
        n_keys = math.prod(shape)
        score = np.asarray(score, np.float64)
        width = len(self._values)
        bins = np.searchsorted(self._grid, score, side="right")  # 0: below the grid
        on_grid = np.bincount(key * width + bins, minlength=n_keys * width)
        on_grid = on_grid.reshape(n_keys, width)
        names = {}
        for k, sums in sums_by_code(score, key, n_keys, distinct=False).items():
            names[k] = part_of(k, shape, labels, y_values)
            held = np.flatnonzero(on_grid[k])
            sums.values, sums.counts = self._values[held], on_grid[k, held].astype(np.int64)
            add_part(cells, *names[k], sums)
        return score, key, names

    def spill_rows(self, rows: SpillRows) -> None:
        """A batch's rows (from :meth:`add_codes`) to the spill, in file order."""
        score, key, names = rows
        table = np.zeros(max(names, default=0) + 1, np.int64)
        for k, name in names.items():
            table[k] = self.parts.setdefault(name, len(self.parts))
        self.spill.add(score, table[key])

    def axis(
        self,
        cells: CellSums,
        *,
        features: Sequence[str],
        specs: Sequence[Sequence[str]],
        positive: Any,
    ) -> SpilledAxis:
        """Every row's ROC AUC and every group's of ``specs`` (tuples of ``features``, the
        order of the cells' labels), counted in one pass over the spilled rows."""
        groups = [_classes(cells, list(cells), positive)]
        for spec in specs:
            axes = [list(features).index(f) for f in spec]
            members: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
            for cell in cells:
                members.setdefault(tuple(cell[a] for a in axes), []).append(cell)
            groups += [_classes(cells, m, positive) for m in members.values()]
        twice = self.spill.twice_mann_whitney(
            [([self.parts[k] for k in pos], [self.parts[k] for k in neg]) for pos, neg in groups]
        )
        return SpilledAxis({_key(pos, neg): t for (pos, neg), t in zip(groups, twice, strict=True)})


def _classes(cells: CellSums, members: list[tuple[str, ...]], positive: Any) -> tuple[Parts, Parts]:
    pos = [(c, v) for c in members for v in cells[c] if v == positive]
    neg = [(c, v) for c in members for v in cells[c] if v != positive]
    return pos, neg


def _key(pos: Parts, neg: Parts) -> GroupKey:
    return frozenset(pos), frozenset(neg)


class SpilledAxis:
    """The exact ROC AUCs counted over a file's spilled rows: :meth:`auc` and :meth:`aucs`
    as :class:`~auditor.fairness.score_axis.ScoreAxis`'s, for the groups counted."""

    def __init__(self, twice: dict[GroupKey, int]):
        self._twice = twice

    def auc(self, cells: CellSums, pos: Parts, neg: Parts) -> float:
        n_pos = sum(cells[c][v].n for c, v in pos)
        n_neg = sum(cells[c][v].n for c, v in neg)
        if n_pos == 0 or n_neg == 0:
            return math.nan
        twice = self._twice.get(_key(pos, neg))
        if twice is None:
            group = spec_name(tuple(sorted({"/".join(c) for c, _ in (*pos, *neg)})))
            raise ValueError(NOT_COUNTED.format(group=group))
        return twice / (2 * n_pos * n_neg)

    def aucs(self, cells: CellSums, groups: Sequence[tuple[Parts, Parts]]) -> list[float]:
        return [self.auc(cells, pos, neg) for pos, neg in groups]
