"""``np.argsort`` of float64 values through numpy's vectorised sort of integers.

numpy sorts 64-bit integers with SIMD code on this kind of CPU (AVX2), 5x faster than its
``argsort`` of the same values, which has no such path. :func:`argsort_floats` packs each
value's high bits above its index into one uint64, sorts those, and puts the few runs whose
high bits are equal in order by their low bits: the same order as ``np.argsort`` (equal values
in any order, as there).
"""

from __future__ import annotations

import numpy as np

_LOW63 = np.uint64(0x7FFF_FFFF_FFFF_FFFF)
_SIGN = np.uint64(1 << 63)


def order_keys(values: np.ndarray) -> np.ndarray:
    """Float64s as unsigned integers of the same order: a non-negative value's bits with the
    sign bit set, a negative value's bits all flipped (-0.0 below 0.0: callers add 0.0)."""
    bits = np.ascontiguousarray(values, np.float64).view(np.uint64)
    keys = bits >> np.uint64(63)  # 1 for a negative: every bit flips; else the sign bit
    keys *= _LOW63
    keys |= _SIGN
    keys ^= bits
    return keys


def argsort_floats(values: np.ndarray) -> np.ndarray:
    """(n,) int64 indexes that sort ``values`` (float64, no NaN), as ``np.argsort``: the top
    ``64 - b`` bits of each value's distance from the smallest, above its ``b``-bit index,
    sorted as integers; runs of equal top bits are then sorted by the bits left out."""
    n = len(values)
    index_bits = max(1, (n - 1).bit_length())
    if n < 2 or 2 * index_bits > 64:
        return np.argsort(values).astype(np.int64, copy=False)
    keys = order_keys(values)
    lowest = keys.min()
    cut = max(0, int(keys.max() - lowest).bit_length() - (64 - index_bits))
    keys -= lowest
    keys >>= np.uint64(cut)
    keys <<= np.uint64(index_bits)
    keys |= np.arange(n, dtype=np.uint64)
    keys.sort()
    order = keys & np.uint64((1 << index_bits) - 1)
    if cut:
        keys >>= np.uint64(index_bits)  # the top bits alone
        _sort_runs(order, keys, values, lowest, cut)
    return order.view(np.int64)


def _sort_runs(
    order: np.ndarray, top: np.ndarray, values: np.ndarray, lowest: np.uint64, cut: int
) -> None:
    """Rows of ``order`` whose ``top`` bits equal a neighbour's, sorted within each run by
    their ``cut`` low bits (a run's start index above those bits: runs keep their places)."""
    same = top[1:] == top[:-1]
    if not same.any():
        return
    in_run = np.zeros(len(order), bool)
    in_run[1:] = same
    in_run[:-1] |= same
    at = np.flatnonzero(in_run)
    starts = np.ones(len(at), bool)
    starts[1:] = ~same[at[1:] - 1]
    run = at[starts][np.cumsum(starts) - 1].astype(np.uint64)
    rows = order[at]
    low = (order_keys(values[rows]) - lowest) & np.uint64((1 << cut) - 1)
    order[at] = rows[np.argsort((run << np.uint64(cut)) | low)]
