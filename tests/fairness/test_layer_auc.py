"""Groups that share no part, counted in one pass over the positions of distinct scores,
get exactly the Mann-Whitney counts of one sort of each group's keys."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.fairness import layer_auc
from auditor.fairness.layer_auc import layers, owner_of, plan, twice_aucs
from auditor.fairness.score_axis import _twice_auc_of_positions


def _parts(seed: int, n: int, n_parts: int) -> list[np.ndarray]:
    """Each part's keys (its positions << 1, sorted, uint32): every position in one part."""
    rng = np.random.default_rng(seed)
    part = rng.integers(0, n_parts, n)
    part[:n_parts] = np.arange(n_parts)  # every part holds a position
    return [(np.flatnonzero(part == i) << 1).astype(np.uint32) for i in range(n_parts)]


def _by_sort(keys: list[np.ndarray], pos: list[int], neg: list[int]) -> int:
    both = np.concatenate([keys[i] for i in neg] + [keys[i] | np.uint32(1) for i in pos])
    return _twice_auc_of_positions(both.astype(np.uint32))


@pytest.mark.parametrize("piece", [64, 1000, 1 << 19])
def test_one_pass_equals_one_sort_per_group(piece, monkeypatch):
    """Pieces of any size (a group's ranks carried over from piece to piece), a group with
    no positive and one without a negative, and parts in no group (left out)."""
    monkeypatch.setattr(layer_auc, "PIECE", piece)
    keys = _parts(3, 5000, 12)
    groups = [([0, 3], [1, 5]), ([2], [4, 6, 7]), ([8], []), ([], [9]), ([10], [11])]
    owner = owner_of(keys, 5000)
    assert owner.dtype == np.uint8  # 12 parts: a byte a position
    expected = [_by_sort(keys, p, n) if p and n else 0 for p, n in groups]
    assert twice_aucs(owner, len(keys), groups) == expected
    assert twice_aucs(owner, len(keys), groups[1:2]) == expected[1:2]


def test_many_groups_in_one_layer_sort_16_bit_codes(monkeypatch):
    """Over 256 parts and 127 groups: 16-bit parts and codes (still a counting sort)."""
    monkeypatch.setattr(layer_auc, "PIECE", 4096)
    keys = _parts(4, 20_000, 600)
    groups = [([2 * i], [2 * i + 1]) for i in range(300)]
    owner = owner_of(keys, 20_000)
    assert owner.dtype == np.uint16
    got = twice_aucs(owner, len(keys), groups)
    assert got == [_by_sort(keys, p, n) for p, n in groups]


def test_layers_hold_groups_with_no_part_in_common():
    groups = [([0], [1]), ([2], [3]), ([0, 2], [1, 3]), ([4], [5]), ([4], [6]), ([2], [6])]
    assert layers(groups) == [[0, 1, 3], [2, 4], [5]]


def test_plan_passes_over_large_layers_and_sorts_the_rest():
    """A layer under a third of the positions, and the group of every part (counted with
    neither), are counted group by group, the largest first."""
    groups = [([0], [1]), ([2], [3]), ([0, 2], [1, 3]), ([4], [])]
    rows = [30, 40, 70, 10]
    assert plan(groups, rows, 100, 5) == [[0, 1, 3], [2]]  # 80 and 70 of 100
    assert plan(groups, rows, 300, 5) == [2, 1, 0, 3]
    every = [([0, 1], [2, 3])]
    assert plan(every, [100], 100, 4) == [0]
