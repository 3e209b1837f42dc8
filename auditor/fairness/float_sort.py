"""``np.argsort`` of float64 values through numpy's vectorised sort of integers.

numpy sorts 64-bit integers with SIMD code on this kind of CPU (AVX2), 5x faster than its
``argsort`` of the same values, which has no such path. :func:`argsort_floats` packs each
value's high bits above its index into one uint64, sorts those, and puts the few runs whose
high bits are equal in order by their low bits: the same order as ``np.argsort`` (equal values
in any order, as there). :func:`argsort_distinct` is that order where no two values are equal,
told from the same keys (no gather of the values).

Temporaries as long as the values are made once (the keys, sorted in place, become the
order); the rest is done in pieces of :data:`PIECE` rows: a fresh array of 10M rows costs its
pages zeroed by the kernel (about as much as the sort itself on a loaded machine), where a
piece's memory is reused from one piece to the next.

:func:`sorted_positions` gives each value's position among them all (sorted parts cut into
ranges of scores, each range sorted on its own on every free core: :func:`shared`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from auditor.runtime import available_cores

_LOW63 = np.uint64(0x7FFF_FFFF_FFFF_FFFF)
_SIGN = np.uint64(1 << 63)
PIECE = 1 << 19  # rows of a temporary (4 MB of uint64)


def order_keys(values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Float64s as unsigned integers of the same order: a non-negative value's bits with the
    sign bit set, a negative value's bits all flipped (-0.0 below 0.0: callers add 0.0);
    written into ``out`` (uint64, as long) where given."""
    bits = np.ascontiguousarray(values, np.float64).view(np.uint64)
    keys = np.right_shift(bits, np.uint64(63), out=out)  # 1 for a negative: every bit flips
    keys *= _LOW63
    keys |= _SIGN
    keys ^= bits
    return keys


def argsort_floats(values: np.ndarray) -> np.ndarray:
    """(n,) int64 indexes that sort ``values`` (float64, no NaN), as ``np.argsort``: the top
    ``64 - b`` bits of each value's distance from the smallest, above its ``b``-bit index,
    sorted as integers; runs of equal top bits are then sorted by the bits left out."""
    return _argsort(np.asarray(values, np.float64), distinct=False)  # type: ignore[return-value]


def argsort_distinct(values: np.ndarray) -> np.ndarray | None:
    """:func:`argsort_floats` of ``values`` (float64, no NaN; -0.0 and 0.0 are one value),
    or None where two of them are equal."""
    return _argsort(np.asarray(values, np.float64), distinct=True)


def argsort_runs_distinct(values: np.ndarray, *, overwrite: bool = False) -> np.ndarray | None:
    """:func:`argsort_distinct` of ``values`` made of sorted runs (pieces of sorted arrays,
    end to end): numpy's stable sort of their order keys merges the runs (timsort, which
    finds them), 2x faster on 64 runs than the vectorised sort, which does not. The same
    order wherever no two values are equal (the only order there is), else None. With
    ``overwrite`` (a float64 array of the caller's own) the keys take the values' memory."""
    values = np.asarray(values, np.float64)
    n = len(values)
    keys = values.view(np.uint64) if overwrite else np.empty(n, np.uint64)
    for a in range(0, n, PIECE):
        keys[a : a + PIECE] = order_keys(np.add(values[a : a + PIECE], 0.0))
    order = np.argsort(keys, kind="stable")
    for a in range(0, n - 1, PIECE):  # neighbours in order equal: a tie
        ranked = keys[order[a : a + PIECE + 1]]
        if bool((ranked[1:] == ranked[:-1]).any()):
            return None
    return order


def _argsort(values: np.ndarray, *, distinct: bool) -> np.ndarray | None:
    n = len(values)
    index_bits = max(1, (n - 1).bit_length())
    if n < 2 or 2 * index_bits > 64:
        return _numpy_argsort(values, distinct=distinct)
    keys = np.empty(n, np.uint64)
    for a in range(0, n, PIECE):
        piece = values[a : a + PIECE]
        order_keys(np.add(piece, 0.0) if distinct else piece, out=keys[a : a + PIECE])
    lowest = keys.min()
    cut = max(0, int(keys.max() - lowest).bit_length() - (64 - index_bits))
    keys -= lowest
    keys >>= np.uint64(cut)
    keys <<= np.uint64(index_bits)
    for a in range(0, n, PIECE):
        keys[a : a + PIECE] |= np.arange(a, min(n, a + PIECE), dtype=np.uint64)
    keys.sort()
    # neighbours whose top bits are equal: only where they say something (cut == 0 and not
    # distinct: the keys are the whole values, sorted; a pass over n keys saved)
    same = _equal_tops(keys, index_bits) if cut or distinct else None
    if cut == 0 and distinct and same.any():  # the top bits are the whole value: a tie
        return None
    runs = bool(cut) and bool(same.any())
    if runs:  # the runs' rows, their top bits, before the keys become indexes
        in_run = np.zeros(n, bool)
        in_run[1:] = same
        in_run[:-1] |= same
        rows = np.flatnonzero(in_run)
        top = keys[rows] >> np.uint64(index_bits)
    keys &= np.uint64((1 << index_bits) - 1)
    order = keys.view(np.int64)
    if runs:
        low = order_keys(values[order[rows]] + 0.0 if distinct else values[order[rows]])
        low -= lowest
        low &= np.uint64((1 << cut) - 1)
        if not _sort_runs(order, rows, top, low, cut, ties=distinct):
            return None
    return order


def _equal_tops(keys: np.ndarray, index_bits: int) -> np.ndarray:
    """(n - 1,) bool: whether each sorted key's bits above ``index_bits`` equal the next's."""
    same = np.empty(max(0, len(keys) - 1), bool)
    limit = np.uint64(1 << index_bits)
    for a in range(0, len(same), PIECE):
        b = min(len(same), a + PIECE)
        np.less(np.bitwise_xor(keys[a:b], keys[a + 1 : b + 1]), limit, out=same[a:b])
    return same


def _sort_runs(
    order: np.ndarray, rows: np.ndarray, top: np.ndarray, low: np.ndarray, cut: int, *,
    ties: bool,
) -> bool:  # fmt: skip
    """Rows ``rows`` of ``order`` (those whose top bits ``top`` equal a neighbour's), sorted
    within each run by their ``cut`` low bits ``low`` (a run's number above those bits: runs
    keep their places); with ``ties``, False where two rows of a run have equal low bits
    (equal values), else True."""
    starts = np.ones(len(rows), bool)
    starts[1:] = top[1:] != top[:-1]
    run = (np.cumsum(starts) - 1).astype(np.uint64)
    run <<= np.uint64(cut)
    run |= low
    by = np.argsort(run)
    order[rows] = order[rows][by]
    if not ties:
        return True
    run = run[by]
    return not bool((run[1:] == run[:-1]).any())


def _numpy_argsort(values: np.ndarray, *, distinct: bool) -> np.ndarray | None:
    if distinct:
        values = values + 0.0
    order = np.argsort(values).astype(np.int64, copy=False)
    if distinct and len(values) > 1:
        ranked = values[order]
        if bool((ranked[1:] == ranked[:-1]).any()):
            return None
    return order


MAX_WORKERS = 4  # threads of the merges and the groups' AUCs
_DONE = object()


def workers_for(rows: int) -> int:
    """Threads for work over ``rows`` distinct scores: every core this process may use where
    the work is large enough to pay for a thread (about a million rows), else 1."""
    return min(MAX_WORKERS, len(available_cores())) if rows >= 1 << 20 else 1


def shared(jobs: Sequence[Any], run: Callable[[Any, int], None], *, workers: int) -> None:
    """``run(job, worker)`` for every job, on ``workers`` threads (this one is worker 0),
    each taking the next job as it finishes one; the first failure is raised here."""
    todo = iter(jobs)
    lock = threading.Lock()

    def drain(worker: int) -> None:
        while True:
            with lock:
                job = next(todo, _DONE)
            if job is _DONE:
                return
            run(job, worker)

    threads = min(workers, len(jobs))
    if threads < 2:
        drain(0)
        return
    with ThreadPoolExecutor(threads - 1, thread_name_prefix="auditor-scores") as pool:
        helpers = [pool.submit(drain, w) for w in range(1, threads)]
        drain(0)
        for helper in helpers:
            helper.result()


BUCKET = 1 << 20  # scores sorted at once by :func:`sorted_positions` (sorted parts)
MIN_PIECE = 2048  # rows of a part in a range, on average, at the least
MAX_RUNS = 256  # sorted pieces of a range merged by timsort (more: one vectorised sort)


def sorted_positions(
    values: np.ndarray | Sequence[np.ndarray], *, sorted_parts: bool = False
) -> np.ndarray | None:
    """(n,) uint32: each value's position in the sorted values, times 2; None where two
    values are equal (-0.0 and 0.0 are one value). ``values``: an array or the parts of one.
    One sort of integer keys (:func:`argsort_distinct`): 2.5x faster than ``np.argsort``;
    of sorted parts, up to :data:`MAX_RUNS` of them, a merge (:func:`argsort_runs_distinct`).
    Where the parts are each sorted (``sorted_parts``), the values are cut into ranges of
    about :data:`BUCKET` scores (each part cut where the range bounds fall in it), each range
    sorted on its own on every free core: its copy and keys are 8 MB each a thread, not 8
    bytes a score each for the whole file."""
    parts = [values] if isinstance(values, np.ndarray) else list(values)
    lengths = [len(p) for p in parts]
    n = sum(lengths)
    if n == 0:
        return np.zeros(0, np.uint32)
    starts = np.cumsum([0, *lengths[:-1]], dtype=np.int64)
    inner = _range_cuts(parts, n) if sorted_parts else []
    cuts = np.array([[0] * len(parts), *inner, lengths], np.int64)  # (ranges + 1, parts)
    sizes = (cuts[1:] - cuts[:-1]).sum(axis=1)
    firsts = np.concatenate([[0], np.cumsum(sizes)])  # each range's first position
    positions = np.empty(n, np.uint32)
    tied = []

    def place(r: int, _worker: int) -> None:
        spans = list(zip(starts + cuts[r], starts + cuts[r + 1], strict=True))
        pieces = [p[a:b] for p, a, b in zip(parts, cuts[r], cuts[r + 1], strict=True)]
        joined = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        if sorted_parts and len(pieces) <= MAX_RUNS:  # a merge of sorted runs pays
            order = argsort_runs_distinct(joined, overwrite=len(pieces) > 1)  # its own copy
        else:
            order = argsort_distinct(joined)
        del joined
        if order is None:
            tied.append(r)
            return
        # the rows' own indexes (one range: the order's)
        index = np.concatenate([np.arange(a, b) for a, b in spans]) if len(sizes) > 1 else None
        first = int(firsts[r])
        for a in range(0, len(order), PIECE):
            b = min(len(order), a + PIECE)
            at = order[a:b] if index is None else index[order[a:b]]
            positions[at] = np.arange(2 * (first + a), 2 * (first + b), 2, np.uint32)

    shared(range(len(sizes)), place, workers=workers_for(n) if len(sizes) > 1 else 1)
    return None if tied else positions


def _range_cuts(parts: list[np.ndarray], n: int) -> list[list[int]]:
    """Where each sorted part is cut between ranges of scores of about :data:`BUCKET` rows
    in all (one list of cuts per inner bound): bounds from an even sample of every part,
    each part cut before its first score at or above a bound (equal scores in one range).
    Fewer ranges where the parts are many (thousands of groups): a part's piece of a range
    averages :data:`MIN_PIECE` rows or more, so the slicing stays a small share."""
    ranges = min(-(-n // BUCKET), n // (len(parts) * MIN_PIECE))
    if ranges < 2:
        return []
    step = max(1, n // (ranges * 64))
    sample = np.sort(np.concatenate([p[::step] for p in parts]))
    bounds = sample[(np.arange(1, ranges) * len(sample)) // ranges]
    return np.array([np.searchsorted(p, bounds, side="left") for p in parts]).T.tolist()
