"""The spilled Mann-Whitney count gives every group scikit-learn's ROC AUC (and exactly the
in-memory count of :func:`auditor.results.scores.exact_auc`) whatever the partitioning: ties,
one score, 0/1 scores, a group with one class, a budget that forces recursive splits, a first
batch unlike the rest; it holds at most its budget of records and leaves no folder behind."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from auditor.fairness.spill import ScoreSpill, _middle, _Partitioner
from auditor.results.scores import ClassScoreSums, exact_auc

N_CELLS = 6  # part code = 2 * cell + true class


def _groups() -> list[tuple[list[int], list[int]]]:
    """Overall, each cell, the cell pairs (0, 1), (2, 3), (4, 5), and overlapping ones."""
    cells = [[c] for c in range(N_CELLS)] + [[0, 1], [2, 3], [4, 5], [0, 2, 4], [1, 3, 5, 0]]
    cells = [list(range(N_CELLS)), *cells]
    return [([2 * c + 1 for c in cs], [2 * c for c in cs]) for cs in cells]


def _spilled(score, code, *, batches: int = 5, **kw) -> tuple[list[int], ScoreSpill]:
    spill = ScoreSpill(2 * N_CELLS, **kw)
    with spill:
        for part in np.array_split(np.arange(len(score)), batches):
            spill.add(score[part], code[part])
        got = spill.twice_mann_whitney(_groups())
    return got, spill


def _check(score, code, got: list[int]) -> int:
    """Each group's AUC against scikit-learn's and the in-memory exact count; the number of
    groups with both classes."""
    defined = 0
    for (pos, neg), twice in zip(_groups(), got, strict=True):
        in_pos, in_neg = np.isin(code, pos), np.isin(code, neg)
        n_pos, n_neg = int(in_pos.sum()), int(in_neg.sum())
        if n_pos == 0 or n_neg == 0:
            assert twice == 0
            continue
        auc = twice / (2 * n_pos * n_neg)
        rows = in_pos | in_neg
        assert auc == pytest.approx(roc_auc_score(in_pos[rows], score[rows]), abs=1e-12)
        p, n = ClassScoreSums(), ClassScoreSums()
        p.add(score[in_pos])
        n.add(score[in_neg])
        assert auc == exact_auc(p, n)
        defined += 1
    return defined


def _rows(seed: int, n: int, decimals: int | None = 3):
    rng = np.random.default_rng(seed)
    cell = rng.integers(0, N_CELLS, n)
    y = (rng.random(n) < 0.3 + 0.1 * cell).astype(np.int64)
    score = np.clip(0.4 * y + 0.15 * cell / N_CELLS + 0.5 * rng.random(n), 0, 1)
    if decimals is not None:
        score = np.round(score, decimals)  # ties within and across groups and batches
    return score, 2 * cell + y


@pytest.mark.parametrize(("seed", "decimals"), [(0, 3), (1, 2), (2, None)])
def test_random_scores_with_ties_over_many_partitions(seed, decimals):
    score, code = _rows(seed, 20_000, decimals)
    got, spill = _spilled(score, code, budget=1024, partitions=8, sample_rows=3000)
    assert _check(score, code, got) == len(_groups())
    assert spill.largest_load <= spill.budget


def test_in_memory_when_the_rows_never_fill_the_sample():
    score, code = _rows(3, 5000)
    got, spill = _spilled(score, code)  # default sample: no file written
    assert _check(score, code, got) == len(_groups())


def test_one_score_for_every_row_collapses_to_one_record_per_part():
    _, code = _rows(4, 30_000)
    score = np.full(len(code), 0.25)
    # 200 batches x 12 parts: more records than the budget, all of one score
    got, spill = _spilled(score, code, batches=200, budget=1024, sample_rows=100)
    assert _check(score, code, got) == len(_groups())
    for (pos, neg), twice in zip(_groups(), got, strict=True):  # every pair a tie: AUC 1/2
        assert twice == int(spill.rows_per_code[pos].sum()) * int(spill.rows_per_code[neg].sum())
    assert spill.largest_load <= spill.budget


def test_zero_one_scores():
    score, code = _rows(5, 20_000)
    score = (score > 0.5).astype(np.float64)
    got, spill = _spilled(score, code, batches=40, budget=1024, sample_rows=100)
    assert _check(score, code, got) == len(_groups())
    assert spill.largest_load <= spill.budget


def test_a_group_with_one_class_counts_nothing():
    score, code = _rows(6, 4000)
    code[code == 1] = 0  # cell 0 holds negatives only
    got, spill = _spilled(score, code, budget=1024, sample_rows=500)
    assert got[1] == 0 and spill.rows_per_code[1] == 0  # the caller's AUC is NaN there
    assert _check(score, code, got) == len(_groups()) - 1


def test_a_tiny_budget_splits_partitions_again_down_to_halving_the_score_range():
    rng = np.random.default_rng(7)
    score, code = rng.normal(size=40_000) * 1e3, rng.integers(0, 2 * N_CELLS, 40_000)
    score[:5000] = np.round(score[:5000])  # negative scores, ties, one partition bound
    got, spill = _spilled(score, code, budget=1024, partitions=2, sample_rows=2000)
    assert _check(score, code, got) == len(_groups())
    assert spill.largest_load <= spill.budget


def test_a_first_batch_unlike_the_rest():
    score, code = _rows(8, 30_000, None)
    score = np.sort(score)  # the first batch holds the lowest scores only
    got, spill = _spilled(score, code, batches=30, budget=2000, partitions=16, sample_rows=900)
    assert _check(score, code, got) == len(_groups())
    assert spill.largest_load <= spill.budget


def test_counts_again_from_the_same_files_and_after_more_rows():
    score, code = _rows(9, 10_000)
    with ScoreSpill(2 * N_CELLS, budget=1024, sample_rows=1000) as spill:
        spill.add(score[:6000], code[:6000])
        first = spill.twice_mann_whitney(_groups())
        assert spill.twice_mann_whitney(_groups()[::-1]) == first[::-1]
        spill.add(score[6000:], code[6000:])  # the partition files opened again
        assert _check(score, code, spill.twice_mann_whitney(_groups())) == len(_groups())


def test_the_folder_is_removed_after_use_and_after_an_error(tmp_path):
    score, code = _rows(10, 5000)
    with ScoreSpill(2 * N_CELLS, budget=1024, sample_rows=100, directory=tmp_path) as spill:
        spill.add(score, code)
        assert any(spill.folder.iterdir())
        spill.twice_mann_whitney(_groups())
    assert not spill.folder.exists()
    with pytest.raises(RuntimeError), ScoreSpill(2, sample_rows=10, directory=tmp_path) as failed:
        failed.add(score, code % 2)
        raise RuntimeError("a reader failed")
    assert not failed.folder.exists() and not any(tmp_path.iterdir())


def test_memory_is_the_budget_not_the_rows():
    score, code = _rows(11, 500_000, None)  # 8 MB of records on disk
    with ScoreSpill(2 * N_CELLS, budget=8192, partitions=128, sample_rows=50_000) as spill:
        for part in np.array_split(np.arange(len(score)), 20):
            spill.add(score[part], code[part])
        tracemalloc.start()
        try:
            got = spill.twice_mann_whitney(_groups()[:1])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 2**21
    assert spill.largest_load <= 8192
    assert got[0] / (2 * int((code % 2).sum()) * int((code % 2 == 0).sum())) == pytest.approx(
        roc_auc_score(code % 2, score), abs=1e-12
    )


@pytest.mark.parametrize(
    ("score", "code", "message"),
    [([0.1, math.nan], [0, 1], "finite"), ([0.1, 0.2], [0, -1], "codes"), ([0.1], [0, 1], "same")],
)
def test_bad_rows_are_refused(score, code, message):
    with ScoreSpill(2) as spill, pytest.raises(ValueError, match=message):
        spill.add(np.array(score), np.array(code))


def test_a_part_named_twice_in_a_group_is_refused():
    with ScoreSpill(2) as spill, pytest.raises(ValueError, match="twice"):
        spill.twice_mann_whitney([([0], [0])])


@pytest.mark.parametrize(
    ("lo", "hi"), [(0.0, 1.0), (-3.5, 2.0), (-1.0, -0.5), (0.3, np.nextafter(0.3, 1))]
)
def test_the_middle_of_a_score_range_is_inside_it(lo, hi):
    assert lo < _middle(lo, hi) <= hi


def test_the_partition_lookup_is_searchsorted():
    rng = np.random.default_rng(12)
    bounds = np.unique(np.r_[rng.random(40), -2.5, -1e-300, 0.0, 1e-300, 0.5, 1.0, 7e10])
    near = np.r_[bounds, np.nextafter(bounds, np.inf), np.nextafter(bounds, -np.inf)]
    score = np.r_[near, rng.random(10_000), rng.normal(size=1000) * 1e3, -0.0, 0.0, 1e308]
    score = score + 0.0  # as ScoreSpill.add gives them
    want = np.searchsorted(bounds, score, side="right")
    assert (_Partitioner(bounds)(score) == want).all()
    assert (_Partitioner(np.array([0.25]))(score) == np.searchsorted([0.25], score, "right")).all()


def test_parts_may_first_come_in_a_later_batch():
    score, code = _rows(13, 8000)
    early = code < 4
    with ScoreSpill(1, budget=1024, sample_rows=500) as spill:
        spill.add(np.zeros(0), np.zeros(0, np.int64))
        spill.add(score[early], code[early])  # parts 0-3 only
        spill.add(score[~early], code[~early])  # then the rest
        assert spill.n_codes == 2 * N_CELLS
        assert (spill.rows_per_code == np.bincount(code)).all()
        got = spill.twice_mann_whitney(_groups())
    order = np.r_[np.flatnonzero(early), np.flatnonzero(~early)]
    assert _check(score[order], code[order], got) == len(_groups())
