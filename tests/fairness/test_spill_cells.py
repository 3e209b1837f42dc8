"""Cells whose scores were spilled give the per-group score metrics and the threshold sweep of
cells that keep every distinct score: the same numbers, exactly."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.fairness.scores import ScoreAxis, add_cell_codes, merge_all, scores_by_group
from auditor.fairness.spill import ScoreSpill
from auditor.fairness.spill_cells import SpilledCells
from auditor.fairness.threshold import GRID, threshold_sweep

FEATURES = ["g", "h"]
SPECS = [("g",), ("h",), ("g", "h")]


def _batches(seed: int, n: int, decimals: int | None):
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b", "c"], n)
    h = rng.choice(["x", "y"], n, p=[0.9, 0.1])
    y = rng.integers(0, 2, n)
    y[g == "c"] = 1  # one class only in group c: its AUC is undefined
    score = np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1)
    score[:50] = np.array(GRID)[rng.integers(0, len(GRID), 50)]  # scores on the thresholds
    if decimals is not None:
        score = np.round(score, decimals)
    for part in np.array_split(np.arange(n), 7):
        codes, labels = [], []
        for column in (g[part], h[part]):  # per batch, as a file's dictionary codes are
            u, c = np.unique(column, return_inverse=True)
            codes.append(c)
            labels.append([str(x) for x in u])
        values, y_codes = np.unique(y[part], return_inverse=True)
        yield score[part], codes, labels, y_codes, [int(v) for v in values]


def _both(seed: int, decimals: int | None, **spill):
    memory, spilled = [], []
    with ScoreSpill(1, **spill) as sp:
        cells_of = SpilledCells(sp)
        for batch in _batches(seed, 6000, decimals):
            memory.append({})
            add_cell_codes(memory[-1], *batch)
            spilled.append({})
            cells_of.spill_rows(cells_of.add_codes(spilled[-1], *batch))
        cells = merge_all(spilled)
        axis = cells_of.axis(cells, features=FEATURES, specs=SPECS, positive=1)
    return merge_all(memory), cells, axis


@pytest.mark.parametrize(("seed", "decimals"), [(0, 2), (1, None)])
def test_spilled_cells_give_the_in_memory_numbers(seed, decimals):
    memory, cells, axis = _both(seed, decimals, budget=1024, partitions=4, sample_rows=500)
    kw = {"features": FEATURES, "specs": SPECS, "positive": 1, "positive_name": "1",
          "min_group_size": 30, "level": 0.95}  # fmt: skip
    want = scores_by_group(memory, **kw, score_axis=ScoreAxis(memory))
    got = scores_by_group(cells, **kw, score_axis=axis)
    assert repr(got) == repr(want)  # every float the same (repr round-trips), NaN where undefined
    sweep = {"features": FEATURES, "positive": 1, "positive_name": "1", "min_group_size": 30}
    assert threshold_sweep(cells, **sweep) == threshold_sweep(memory, **sweep)
    for cell in memory:
        for value, sums in memory[cell].items():
            mine = cells[cell][value]
            assert (mine.n, mine.log_p, mine.p2) == (sums.n, sums.log_p, sums.p2)
            assert (mine.bin_n == sums.bin_n).all() and (mine.bin_conf == sums.bin_conf).all()
            assert len(mine.values) <= len(GRID) + 1  # the grid, not the distinct scores


def test_a_group_not_counted_is_refused():
    _, cells, axis = _both(2, 2)
    one = [(c, v) for c in cells if c[0] == "a" and c[1] == "x" for v in cells[c]]
    pos = [(c, v) for c, v in one if v == 1]
    neg = [(c, v) for c, v in one if v != 1]
    axis.auc(cells, pos, neg)  # an intersection of the specs: counted
    with pytest.raises(ValueError, match="not counted"):
        axis.auc(cells, pos, [(c, v) for c in cells if c[0] == "b" for v in cells[c] if v != 1])
