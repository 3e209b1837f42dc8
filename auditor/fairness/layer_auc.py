"""Mann-Whitney counts of many groups in one pass over the positions of distinct scores.

Where no score is in two parts and every count is 1, :class:`~auditor.fairness.score_axis.ScoreAxis`
keys each part's scores by their positions among every score. A group's count is then the
sum of its positives' ranks among its own rows, less P (P - 1) / 2. Groups with no part in
common (one feature's groups, or one intersection's: a *layer*) are counted together in one
pass over the positions, in pieces of :data:`PIECE`: each position's part is read as its
group and class, the piece's positions are ordered by group (numpy's stable sort of the
group codes, so each group's positions stay in score order: a radix sort of 8- or 16-bit
codes, up to 32,767 groups; timsort of 32-bit codes from 32,768 groups, an intersection of
two 200-label features), and a positive's rank within its group is its index in that order
less its group's start, plus the group's positions in earlier pieces. Integer arithmetic
throughout: the same count as one sort of each group's keys (3-4x less CPU where the layer
covers the positions and its codes are radix-sorted: no comparison sort at all).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from auditor.fairness.float_sort import PIECE

__all__ = ["every_part", "layers", "owner_of", "plan", "twice_aucs"]

Group = tuple[list[int], list[int]]  # a group's parts (indexes): its positives', negatives'


def layers(groups: Sequence[Group]) -> list[list[int]]:
    """The indexes of ``groups`` split into layers whose groups share no part (each group
    into the first layer it fits, in order: one layer per feature's or intersection's
    groups as :func:`auditor.fairness.scores.scores_by_group` lists them)."""
    out: list[list[int]] = []
    seen: list[set[int]] = []
    for i, (pos, neg) in enumerate(groups):
        parts = {*pos, *neg}
        for layer, used in zip(out, seen, strict=True):
            if used.isdisjoint(parts):
                layer.append(i)
                used |= parts
                break
        else:
            out.append([i])
            seen.append(parts)
    return out


def every_part(pos: Sequence[Hashable], neg: Sequence[Hashable], n_parts: int) -> bool:
    """Whether a group's positive and negative parts are every one of ``n_parts`` parts,
    each once (the group of every row: its positions are 0 .. n - 1, so it needs no sort)."""
    return len({*pos, *neg}) == len(pos) + len(neg) == n_parts


def plan(groups: Sequence[Group], rows: Sequence[int], size: int,
         n_parts: int) -> list[int | list[int]]:  # fmt: skip
    """The jobs that count ``groups`` (``rows``: each one's positions, of ``size``): each
    layer whose groups hold a third of the positions or more (a list of their indexes),
    then every other group's index (one sort of its keys; a group of every part once needs
    none), the largest first."""
    every = [every_part(p, n, n_parts) for p, n in groups]
    passes = [ly for ly in layers(groups) if 3 * sum(rows[i] for i in ly) >= size
              and not (len(ly) == 1 and every[ly[0]])]  # fmt: skip
    done = {i for ly in passes for i in ly}
    alone = sorted((i for i in range(len(groups)) if i not in done), key=lambda i: -rows[i])
    return [*passes, *alone]


def owner_of(keys: Sequence[np.ndarray], size: int) -> np.ndarray:
    """(size,) the part (its index in ``keys``) at each position, where part i's keys are
    its positions << 1 (uint32) and every position is some part's."""
    owner = np.empty(size, _uint(len(keys)))
    for i, k in enumerate(keys):
        owner[k >> np.uint32(1)] = i
    return owner


def _uint(n: int) -> type:
    """The smallest unsigned integer type that holds 0 .. n - 1."""
    return np.uint8 if n <= 1 << 8 else np.uint16 if n <= 1 << 16 else np.uint32


def twice_aucs(owner: np.ndarray, n_parts: int, groups: Sequence[Group]) -> list[int]:
    """2 x the Mann-Whitney count (pairs with the positive above) of each of ``groups``,
    which share no part, from ``owner`` (:func:`owner_of`, of ``n_parts`` parts): one pass
    over the positions."""
    g = len(groups)  # group g's codes: 2 g (a negative), 2 g + 1 (a positive); g: no group
    table = np.full(n_parts, 2 * g, _uint(2 * g + 1))
    for i, (pos, neg) in enumerate(groups):
        table[np.asarray(neg, np.intp)] = 2 * i
        table[np.asarray(pos, np.intp)] = 2 * i + 1
    ranks = np.zeros(g + 1, np.int64)  # positives' ranks within their group, summed
    before = np.zeros(g + 1, np.int64)  # each group's positions in earlier pieces
    positives = np.zeros(g + 1, np.int64)
    for a in range(0, len(owner), PIECE):
        code = np.take(table, owner[a : a + PIECE])
        group = code >> 1
        order = np.argsort(group, kind="stable")  # a radix sort of 8 or 16 bits, else timsort
        sizes = np.bincount(group, minlength=g + 1)
        starts = np.cumsum(sizes) - sizes
        code &= 1
        at = np.flatnonzero(np.take(code.view(bool) if code.dtype == np.uint8 else code, order))
        sums = np.concatenate([[0], np.cumsum(at)])
        lo, hi = np.searchsorted(at, starts), np.searchsorted(at, starts + sizes)
        ranks += sums[hi] - sums[lo] + (hi - lo) * (before - starts)
        positives += hi - lo
        before += sizes
    p = positives[:g]
    return (2 * (ranks[:g] - p * (p - 1) // 2)).tolist()
