"""argsort_floats: np.argsort's order from one sort of integer keys, where it is hard."""

import numpy as np
import pytest

from auditor.fairness.float_sort import argsort_floats, order_keys, sorted_positions


def _hard(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        rng.random(50_000),  # full float64 scores
        0.5 + rng.random(50_000) * 1e-12,  # a narrow range: no bit left out
        np.concatenate([rng.random(1000), 0.3 + rng.permutation(5000) * 2.0**-50]),  # runs
        rng.normal(size=30_000) * 1e300,  # negatives, huge magnitudes
        np.round(rng.random(40_000), 2),  # ties everywhere
        rng.random(20_000).astype(np.float32).astype(np.float64),
        np.array([0.0, 1.0, -1.0, np.inf, -np.inf, 5e-324, -5e-324, 1.0]),
        np.linspace(0.0, 1.0, (1 << 16) + 1),  # n one past a power of two
        np.full(1000, 0.25),
        np.array([0.7]),
        np.zeros(0),
    ]


@pytest.mark.parametrize("seed", [0, 1])
def test_order_sorts_the_values_as_numpy_does(seed):
    for values in _hard(seed):
        order = argsort_floats(values)
        assert order.dtype == np.int64 and len(order) == len(values)
        assert np.array_equal(np.sort(order), np.arange(len(values)))  # a permutation
        assert np.array_equal(values[order], np.sort(values))
        if len(np.unique(values)) == len(values):  # distinct: the one order there is
            assert np.array_equal(order, np.argsort(values))


def test_order_keys_keep_the_order_of_the_values():
    values = np.array([-np.inf, -2.5, -1e-300, -0.0, 0.0, 1e-300, 0.5, 1.0, 3.0, np.inf])
    keys = order_keys(values)
    assert np.all(keys[1:] >= keys[:-1]) and np.all(keys[1:4] > keys[:3])
    assert keys[3] < keys[4]  # -0.0 below 0.0: callers add 0.0 first where they are equal


@pytest.mark.parametrize("seed", [0, 1])
def test_distinct_order_is_numpys_or_none_where_two_values_are_equal(seed):
    from auditor.fairness.float_sort import argsort_distinct

    for values in _hard(seed):
        got = argsort_distinct(values)
        if len(np.unique(values + 0.0)) < len(values):
            assert got is None
        else:
            assert got is not None and np.array_equal(got, np.argsort(values))
    rng = np.random.default_rng(seed)
    # a wide range (low bits left out of the keys) and runs of equal top bits, told apart below
    base = np.concatenate([rng.random(1000), 0.3 + rng.permutation(5000) * 2.0**-50])
    assert argsort_distinct(base) is not None
    assert argsort_distinct(np.append(base, base[1017])) is None  # a tie inside a run
    assert argsort_distinct(np.array([0.0, 0.5, -0.0])) is None  # -0.0 is 0.0
    assert argsort_distinct(np.array([0.5, 0.25])).tolist() == [1, 0]


@pytest.mark.parametrize("piece", [1, 7, 64])
def test_the_pieces_edges_change_nothing(monkeypatch, piece):
    """The keys are built and compared in pieces of PIECE rows (4 MB at a time): a tie or a
    run across a piece's edge is found as in one piece (the suite's arrays are smaller than
    the real PIECE, so its loops ran once)."""
    import auditor.fairness.float_sort as float_sort

    monkeypatch.setattr(float_sort, "PIECE", piece)
    for values in _hard(0):
        values = values[:3000]
        order = float_sort.argsort_floats(values)
        assert np.array_equal(values[order], np.sort(values))
        got = float_sort.argsort_distinct(values)
        if len(np.unique(values + 0.0)) < len(values):
            assert got is None
        else:
            assert got is not None and np.array_equal(got, np.argsort(values))


@pytest.mark.parametrize("piece", [1, 7, 1 << 19])
def test_sorted_runs_merged_give_the_distinct_order_or_none_on_a_tie(monkeypatch, piece):
    """argsort_runs_distinct (pieces of sorted parts end to end, merged by numpy's stable
    sort) gives argsort_distinct's order, and None where two values are equal, -0.0 and
    0.0 included, wherever the tie falls between pieces of PIECE rows."""
    from auditor.fairness import float_sort
    from auditor.fairness.float_sort import argsort_distinct, argsort_runs_distinct

    monkeypatch.setattr(float_sort, "PIECE", piece)
    rng = np.random.default_rng(4)
    runs = [np.sort(rng.random(m) * 2 - 0.5) for m in (300, 1, 57, 200)]
    values = np.concatenate(runs)
    kept = values.copy()
    got = argsort_runs_distinct(values)
    assert np.array_equal(values, kept)  # the caller's values untouched
    assert np.array_equal(got, argsort_distinct(values)) and np.array_equal(got, np.argsort(values))
    assert np.array_equal(argsort_runs_distinct(values.copy(), overwrite=True), got)
    for i, j in ((0, 300), (357, 557), (100, 101)):
        tied = values.copy()
        tied[j] = tied[i]
        assert argsort_runs_distinct(tied) is None
    zeros = np.concatenate([values, [0.0, -0.0]])
    assert argsort_runs_distinct(zeros) is None
    assert argsort_runs_distinct(np.zeros(0)).tolist() == []


@pytest.mark.parametrize("seed", [1, 2])
def test_sorted_positions_equal_one_argsort(seed):
    rng = np.random.default_rng(seed)
    values = rng.random(20_000)
    values[:500] = np.linspace(0.4, 0.6, 500)
    values[500:600] = 0.3 + np.arange(100) * 2.0**-50  # equal high bits: sorted by the low
    expected = np.empty(len(values), np.int64)
    expected[np.argsort(values)] = np.arange(len(values))
    got = sorted_positions(values)
    assert got.dtype == np.uint32 and np.array_equal(got, 2 * expected)
    assert sorted_positions(np.concatenate([values, values[7:8]])) is None
    assert sorted_positions(np.zeros(0)).tolist() == []
    assert sorted_positions(np.full(3, 0.5)) is None


@pytest.mark.parametrize("seed", [1, 2])
def test_sorted_positions_of_sorted_parts_cut_into_score_ranges(seed, monkeypatch):
    """Sorted parts cut into ranges of ~BUCKET scores, each sorted on its own on two threads:
    the positions of one argsort, and a tie found across parts whatever range holds it."""
    from auditor.fairness import float_sort

    monkeypatch.setattr(float_sort, "BUCKET", 997)
    monkeypatch.setattr(float_sort, "MIN_PIECE", 1)
    monkeypatch.setattr(float_sort, "workers_for", lambda rows: 2)
    rng = np.random.default_rng(seed)
    values = rng.random(20_000)
    values[:500] = 0.3 + np.arange(500) * 2.0**-50  # equal high bits: sorted by the low
    values[500] = -0.0
    parts = [np.sort(p) for p in np.split(values, [3000, 3001, 9000, 9000, 15_000])]
    expected = np.empty(len(values), np.int64)
    expected[np.argsort(values)] = np.arange(len(values))
    got = sorted_positions(parts, sorted_parts=True)
    ends = [0, 3000, 3001, 9000, 9000, 15_000, 20_000]  # each part's rows, as split
    spans = zip(ends[:-1], ends[1:], strict=True)
    in_parts = [expected[np.argsort(values[a:b]) + a] for a, b in spans]
    assert got.dtype == np.uint32 and np.array_equal(got, 2 * np.concatenate(in_parts))
    for tie in (values[17], 0.0, values[250]):  # a score, 0.0 beside -0.0, one inside a run
        with_tie = [*parts[:2], np.sort(np.append(parts[2], tie)), *parts[3:]]
        assert sorted_positions(with_tie, sorted_parts=True) is None
