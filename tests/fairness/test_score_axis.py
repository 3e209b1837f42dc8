"""The score axis (one sorted axis of every distinct score, built once per audit) gives each
group exactly the numbers of merging the group's scores and calling the metric definitions
of :mod:`auditor.results.scores` (the way it was computed before the axis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from auditor.fairness.scores import (
    CellSums,
    ScoreAxis,
    add_cells,
    merge_all,
    overall_scores,
    scores_by_group,
)
from auditor.results.scores import exact_auc, merged, score_metrics


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


def _parts_cells(values: list[np.ndarray], counts: list[np.ndarray]) -> CellSums:
    """Cells ("a",) and ("b",), classes 0 and 1, with the given distinct scores and counts."""
    cells: CellSums = {}
    for i, (v, c) in enumerate(zip(values, counts, strict=True)):
        sums = merged([])
        sums.values, sums.counts, sums.n = v, c.astype(np.int64), int(c.sum())
        cells.setdefault(("ab"[i // 2],), {})[i % 2] = sums
    return cells


@pytest.mark.parametrize(
    "kind",
    ["float64", "float32", "rounded", "large counts", "negative zero"],
)
def test_each_key_layout_counts_the_merged_definition_exactly(kind):
    """Full float64 scores (the float's bits, counts of 1-2 in the key), float32 scores
    (29 spare bits for counts), rounded scores with small and with large counts
    (positions on the axis) give exact_auc's number, ties 1/2, as does counting each group
    over the whole axis (the layout-free reference, ``sort_keys=False``)."""
    rng = np.random.default_rng(7)
    values, counts = [], []
    for _ in range(4):
        v = rng.random(500)
        if kind == "float32":
            v = v.astype(np.float32).astype(np.float64)
        if kind in ("rounded", "large counts"):
            v = np.round(v, 2)
        v = np.unique(np.concatenate([v, [0.0, 0.5, 1.0]]))  # shared ties across parts
        c = rng.integers(1, 3 if kind in ("float64", "negative zero") else 40, len(v))
        if kind == "large counts":
            c[::7] += 2**20  # P x N near 2**54: exact in int64
        if kind == "negative zero":
            v[0] = -0.0
        values.append(v)
        counts.append(c)
    cells = _parts_cells(values, counts)
    axis, whole = ScoreAxis(cells), ScoreAxis(cells, sort_keys=False)
    assert axis._keys and not whole._keys
    on_floats = kind in ("float64", "float32", "negative zero")
    assert (axis.size == 0) == on_floats  # the float's bits: no axis built
    for members in ([("a",)], [("b",)], [("a",), ("b",)]):
        pos = [(c, 1) for c in members]
        neg = [(c, 0) for c in members]
        ref = exact_auc(merged([cells[c][1] for c in members]),
                        merged([cells[c][0] for c in members]))  # fmt: skip
        assert axis.auc(cells, pos, neg) == ref == whole.auc(cells, pos, neg)


@pytest.mark.parametrize("kind", ["float64", "float32", "rounded", "zeros"])
def test_merge_all_equals_merged_sums(kind):
    """Batches' sums merged by one sort of keys (float64 or float32 scores: counts in the
    spare bits) or by merged's float sort (rounded scores: counts too large) hold the same
    distinct scores, counts and sums as ``merged``."""
    rng = np.random.default_rng(3)
    parts, expected = [], {}
    for _ in range(5):
        n = 400
        score = rng.random(n)
        if kind == "float32":
            score = score.astype(np.float32).astype(np.float64)
        if kind == "rounded":
            score = np.round(score, 2)
        if kind == "zeros":
            score = np.zeros(n)
        score[:3] = [0.0, 1.0, 0.5]
        cells: CellSums = {}
        add_cells(cells, score, rng.integers(0, 2, n), [rng.choice(["a", "b"], n)])
        parts.append(cells)
        for cell, by_class in cells.items():
            for value, sums in by_class.items():
                expected.setdefault((cell, value), []).append(sums)
    got = merge_all(list(parts))
    assert sorted((c, v) for c in got for v in got[c]) == sorted(expected)
    for (cell, value), sums in expected.items():
        ref, mine = merged(sums), got[cell][value]
        assert np.array_equal(mine.values, ref.values) and mine.values.dtype == np.float64
        assert np.array_equal(mine.counts, ref.counts) and mine.counts.dtype == np.int64
        assert mine.n == ref.n and mine.log_p == ref.log_p and np.array_equal(mine.bin_n, ref.bin_n)


def _distinct_cells(seed: int, n: int = 4000, *, shared: bool = False):
    """Full float64 scores (every score once: the 32-bit position keys) in cells of two
    features; ``shared``: one score (and 0.0 / -0.0) also in a second part, with every count
    still 1, so the position keys would tie and the float keys are used instead."""
    rng = np.random.default_rng(seed)
    score, y = rng.random(n), rng.integers(0, 2, n)
    g, h = rng.choice(["a", "b", "c"], n), rng.choice(["x", "y"], n)
    score[:4] = [0.0, 1.0, 0.5, 0.25]
    if shared:
        score[4:8] = [0.5, 0.25, -0.0, 1.0]
        y[:8], g[:8], h[:8] = [0, 0, 0, 0, 1, 1, 1, 1], "a", "x"
    cells: CellSums = {}
    for part in np.array_split(np.arange(n), 3):
        add_cells(cells, score[part], y[part], [g[part], h[part]])
    return merge_all([cells]), score, y, g, h


@pytest.mark.parametrize("shared", [False, True])
def test_position_keys_give_every_group_the_merged_definition_and_sklearn(shared):
    cells, score, y, g, h = _distinct_cells(5, shared=shared)
    axis = ScoreAxis(cells)
    assert axis._positions is not shared  # a score in two parts: a tie, so float keys
    specs = [("g",), ("h",), ("g", "h")]
    got = scores_by_group(cells, features=["g", "h"], specs=specs, positive=1, positive_name="1",
                          min_group_size=1, level=0.95, score_axis=axis)  # fmt: skip
    whole = ScoreAxis(cells, sort_keys=False)  # the layout-free reference
    for spec in specs:
        for row in got.features[" & ".join(spec)]:
            label = tuple(row.group.split(" & "))
            members = [c for c in cells if tuple(c[["g", "h"].index(f)] for f in spec) == label]
            pos = [(c, 1) for c in members if 1 in cells[c]]
            neg = [(c, 0) for c in members if 0 in cells[c]]
            assert row.roc_auc.value == _reference(cells, members, 1).roc_auc
            assert row.roc_auc.value == whole.auc(cells, pos, neg)
            rows = (g == label[0]) if spec == ("g",) else (h == label[0]) if spec == ("h",) \
                else (g == label[0]) & (h == label[1])  # fmt: skip
            assert row.roc_auc.value == pytest.approx(skm.roc_auc_score(y[rows], score[rows]),
                                                      abs=1e-12)  # fmt: skip
    overall = overall_scores(cells, 1, axis)  # every row: positions 0 .. n - 1, no sort
    assert overall.roc_auc == _reference(cells, list(cells), 1).roc_auc
    assert overall.roc_auc == pytest.approx(skm.roc_auc_score(y, score), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 5])
def test_groups_counted_on_several_threads_equal_one_thread(seed, monkeypatch):
    """Each thread keeps its own buffers: the same numbers as one thread, in the order asked."""
    from auditor.fairness import score_axis

    cells, *_ = _distinct_cells(seed) if seed else _cells(seed)
    groups = [([(c, 1)], [(c, 0)]) for c in cells] + [
        ([(c, 1) for c in cells], [(c, 0) for c in cells if c[0] != "a"])
    ]
    groups = [(p, n) for p, n in groups if all(k[1] in cells[k[0]] for k in (*p, *n))]
    one = [ScoreAxis(cells).auc(cells, p, n) for p, n in groups]
    monkeypatch.setattr(score_axis, "workers_for", lambda rows: 3)
    assert ScoreAxis(cells).aucs(cells, groups) == one


@pytest.mark.parametrize("piece", [97, 1 << 19])
def test_position_counts_summed_piece_by_piece_equal_the_reference(piece, monkeypatch):
    """Each group's positives' indexes summed a piece at a time (class bit x index in the
    piece), the scores' positions found range by range: the layout-free count exactly."""
    from auditor.fairness import float_sort, score_axis

    monkeypatch.setattr(score_axis, "PIECE", piece)
    monkeypatch.setattr(float_sort, "PIECE", piece)
    monkeypatch.setattr(float_sort, "BUCKET", 1000)
    monkeypatch.setattr(float_sort, "MIN_PIECE", 1)
    cells, *_ = _distinct_cells(7, shared=False)
    axis = ScoreAxis(cells)
    assert axis._positions
    whole = ScoreAxis(cells, sort_keys=False)
    for f in (0, 1):
        for label in {c[f] for c in cells}:
            members = [c for c in cells if c[f] == label]
            pos = [(c, 1) for c in members if 1 in cells[c]]
            neg = [(c, 0) for c in members if 0 in cells[c]]
            assert axis.auc(cells, pos, neg) == whole.auc(cells, pos, neg)
