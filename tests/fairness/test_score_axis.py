"""The score axis (one sorted axis of every distinct score, built once per audit) gives each
group exactly the numbers of merging the group's scores and calling the metric definitions
of :mod:`auditor.results.scores` (the way it was computed before the axis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from auditor.fairness.scores import CellSums, ScoreAxis, add_cells, overall_scores, scores_by_group
from auditor.results.scores import merged, score_metrics


def _cells(seed: int, n: int = 3000) -> tuple[CellSums, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    rows = {
        "score": np.round(rng.random(n), 3),  # ties inside and across groups
        "y": rng.integers(0, 2, n),
        "g": rng.choice(["a", "b", "c"], n),
        "h": rng.choice(["x", "y"], n, p=[0.97, 0.03]),
    }
    rows["y"][rows["g"] == "c"] = 1  # one class only in group c: AUC undefined there
    cells: CellSums = {}
    for part in np.array_split(np.arange(n), 4):  # batches: a cell holds several parts' sums
        add_cells(cells, rows["score"][part], rows["y"][part], [rows["g"][part], rows["h"][part]])
    return cells, rows


def _reference(cells: CellSums, members: list, positive: int):
    pos = merged([cells[c][v] for c in members for v in cells[c] if v == positive])
    neg = merged([cells[c][v] for c in members for v in cells[c] if v != positive])
    return score_metrics(pos, neg)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_group_equals_the_merged_definitions_exactly(seed):
    cells, rows = _cells(seed)
    got = scores_by_group(cells, features=["g", "h"], specs=[("g",), ("h",), ("g", "h")],
                          positive=1, positive_name="1", min_group_size=1, level=0.95)  # fmt: skip
    checked = 0
    for name, axes in (("g", [0]), ("h", [1]), ("g & h", [0, 1])):
        for row in got.features[name]:
            label = tuple(row.group.split(" & "))
            members = [c for c in cells if tuple(c[a] for a in axes) == label]
            ref = _reference(cells, members, 1)
            for key in ("roc_auc", "log_loss", "ece"):
                value = getattr(row, key).value
                assert value == getattr(ref, key) or (math.isnan(value) and math.isnan(ref.roc_auc))
            checked += 1
    assert checked == 3 + 2 + 6
    overall = overall_scores(cells, 1, ScoreAxis(cells))
    assert overall == _reference(cells, list(cells), 1)
    assert overall.roc_auc == pytest.approx(skm.roc_auc_score(rows["y"], rows["score"]), abs=1e-15)
