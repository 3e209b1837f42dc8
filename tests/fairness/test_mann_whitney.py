"""GroupCounter's counts equal a brute-force count over every (positive, negative) pair, for
records with and without ties and counts, in one range or many, groups overlapping or not."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.fairness import mann_whitney
from auditor.fairness.mann_whitney import GroupCounter

GROUPS = [
    ([1, 3, 5], [0, 2, 4]),  # every part
    ([1], [0]),
    ([3], [2]),
    ([5], [4]),  # the three above share a layer
    ([1, 3], [0, 2]),  # overlaps them: a layer of its own
    ([5, 1], [2]),
    ([], [0]),  # no positives: 0
]


def _brute(score, code, count, pos, neg) -> int:
    p, n = np.isin(code, pos), np.isin(code, neg)
    sp, cp = score[p], count[p]
    sn, cn = score[n], count[n]
    above = (sp[:, None] > sn[None, :]) * 2 + (sp[:, None] == sn[None, :])
    return int((cp[:, None] * cn[None, :] * above).sum())


def _records(seed: int, m: int, kind: str):
    rng = np.random.default_rng(seed)
    code = rng.integers(0, 6, m)
    count = np.ones(m, np.int64)
    score = rng.random(m)
    if kind == "ties":
        score = np.round(score, 1)
    elif kind == "counts":  # distinct scores, several rows each
        count = rng.integers(1, 5, m)
    elif kind == "ties_counts":
        score, count = np.round(score, 1), rng.integers(1, 5, m)
    return score, code, count


@pytest.mark.parametrize("kind", ["distinct", "ties", "counts", "ties_counts"])
@pytest.mark.parametrize(("ranges", "chunk"), [(1, 1 << 16), (4, 1 << 16), (1, 7), (3, 50)])
def test_counts_equal_the_brute_force_count(kind, ranges, chunk, monkeypatch):
    monkeypatch.setattr(mann_whitney, "CHUNK", chunk)  # pieces cut between two scores
    score, code, count = _records(ranges, 400, kind)
    counter = GroupCounter(GROUPS, 6)
    cuts = np.unique(np.quantile(score, np.linspace(0, 1, ranges + 1)[1:-1]))
    which = np.searchsorted(cuts, score, side="right")  # equal scores share a range
    for r in range(len(cuts) + 1):
        rows = np.flatnonzero(which == r)
        rng = np.random.default_rng(r)
        rows = rows[rng.permutation(len(rows))]  # any order within a range
        counter.add_range(score[rows], code[rows], count[rows])
    assert counter.twice() == [_brute(score, code, count, p, n) for p, n in GROUPS]


@pytest.mark.parametrize("chunk", [1, 7])
def test_one_score_everywhere_is_never_cut(chunk, monkeypatch):
    monkeypatch.setattr(mann_whitney, "CHUNK", chunk)
    score, code, count = _records(8, 50, "counts")
    score[:] = 0.5
    counter = GroupCounter(GROUPS, 6)
    counter.add_range(score, code, count)
    assert counter.twice() == [_brute(score, code, count, p, n) for p, n in GROUPS]


def test_a_part_outside_every_group_of_a_layer_is_left_out():
    score, code, count = _records(9, 300, "distinct")
    counter = GroupCounter([([1], [0]), ([3], [2])], 6)  # parts 4 and 5 in no group
    counter.add_range(score, code, count)
    assert counter.twice() == [_brute(score, code, count, [1], [0]),
                               _brute(score, code, count, [3], [2])]  # fmt: skip


@pytest.mark.parametrize(("groups", "message"), [([([0], [6])], "in \\[0, 6\\)"),
                                                 ([([1, 1], [0])], "twice")])  # fmt: skip
def test_bad_groups_are_refused(groups, message):
    with pytest.raises(ValueError, match=message):
        GroupCounter(groups, 6)


@pytest.mark.parametrize("span", [1e-3, 1e300])  # nearby scores: integer keys; else argsort
def test_minus_zero_ties_zero_and_either_sort_counts_alike(span):
    score = np.array([-0.0, 0.0, span, -span, 0.5 * span])
    code = np.array([0, 1, 1, 0, 0])
    counter = GroupCounter([([1], [0])], 2)
    counter.add_range(score, code, np.ones(5, np.int64))
    assert counter.twice() == [_brute(score, code, np.ones(5), [1], [0])]  # -0.0 ties 0.0
