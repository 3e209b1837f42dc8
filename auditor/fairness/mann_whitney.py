"""Exact Mann-Whitney counts of many groups at once, over rows given range by range in score order.

A group is a set of parts (a part: one joint group cell and true class, as a small integer
code), some positive and some negative. :class:`GroupCounter` takes the rows as (score, code,
count) records, one score range at a time, each range's scores above every earlier range's;
within a range it counts each group's positives against its negatives at or below them (ties
count once, so the count is twice the Mann-Whitney U), and across ranges each group's
positives against the negatives it carried from the earlier ranges. Groups whose parts do not
overlap (the groups of one sensitive feature) share one stable sort of a range by group.
Integer arithmetic throughout: exact for up to ~2e9 rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from auditor.fairness.float_sort import argsort_floats, order_keys

CHUNK = 1 << 16  # records counted at once: each array of a piece fits in a core's cache


class GroupCounter:
    """2 x the Mann-Whitney count of each of ``groups`` (codes of its positive parts, codes
    of its negative parts), over parts coded 0 .. ``n_codes`` - 1."""

    def __init__(self, groups: Sequence[tuple[Sequence[int], Sequence[int]]], n_codes: int):
        self.n_codes = n_codes
        self.n_groups = len(groups)
        self._layers: list[_Layer] = []
        for index, (pos_codes, neg_codes) in enumerate(groups):
            pos = np.asarray(pos_codes, np.int64).reshape(-1)
            neg = np.asarray(neg_codes, np.int64).reshape(-1)
            both = np.concatenate([pos, neg])
            if len(both) and (both.min() < 0 or both.max() >= n_codes):
                raise ValueError(f"group {index}: codes must be in [0, {n_codes})")
            if len(np.unique(both)) != len(both):
                raise ValueError(f"group {index}: a part is named twice")
            layer = next((lay for lay in self._layers if lay.fits(both)), None)
            if layer is None:  # first fit: the groups of one feature share a layer
                layer = _Layer(n_codes)
                self._layers.append(layer)
            layer.take(index, pos, neg)

    def add_range(self, score: np.ndarray, code: np.ndarray, count: np.ndarray) -> None:
        """One score range's records (any order; every score above the earlier ranges'):
        score (m,) floats, code (m,) parts, count (m,) rows of each record."""
        if not len(score):
            return
        unit = bool((count == 1).all())  # one row a record (distinct scores): no counts
        keys = _sort_keys(score, code, self.n_codes) if unit else None
        if keys is not None:  # one sort of integers, no gathers (half an argsort's time)
            keys.sort()
            bits = np.uint64(_code_bits(self.n_codes))
            code = (keys & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.intp)
            keys >>= bits
            score, count = keys, None  # the scores' order: equal where the scores are equal
        else:
            order = argsort_floats(score)
            score = score[order]
            code = code[order].astype(np.intp)
            count = None if unit else count[order].astype(np.int64)
            del order
        tied = score[1:] == score[:-1]
        # cache-sized pieces (a piece's arrays stay in cache across the layers), cut
        # between two scores: each piece is a range of its own
        cuts = np.arange(CHUNK, len(score), CHUNK)
        if tied.all():
            cuts = cuts[:0]
        elif tied.any():
            free = np.flatnonzero(~tied) + 1  # cuts that split no run of one score
            cuts = np.unique(free[np.minimum(np.searchsorted(free, cuts), len(free) - 1)])
            cuts = cuts[cuts < len(score)]
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(score)], strict=True):
            self._add_sorted(score[a:b], code[a:b], None if count is None else count[a:b],
                             tied=bool(tied[a : b - 1].any()))  # fmt: skip

    def _add_sorted(
        self, score: np.ndarray, code: np.ndarray, count: np.ndarray | None, *, tied: bool
    ) -> None:
        records = np.bincount(code, minlength=self.n_codes)
        rows = (
            records if count is None else np.bincount(code, weights=count, minlength=self.n_codes)
        )
        for layer in self._layers:
            layer.count(score, code, count, tied=tied, records=records, rows=rows)

    def twice(self) -> list[int]:
        """Each group's count so far (0 where it lacks a class)."""
        out = [0] * self.n_groups
        for layer in self._layers:
            for g, twice in zip(layer.groups, layer.twice, strict=True):
                out[g] = twice
        return out


def _code_bits(n_codes: int) -> int:
    return max(1, (n_codes - 1).bit_length())


def _sort_keys(score: np.ndarray, code: np.ndarray, n_codes: int) -> np.ndarray | None:
    """``(score's order key - the least) << code bits | code``, where that fits 64 bits (a
    range of nearby scores, few parts); else None."""
    keys = order_keys(np.add(score, 0.0))  # -0.0 and 0.0 one key
    least = keys.min()
    keys -= least
    if int(keys.max()).bit_length() + _code_bits(n_codes) > 64:
        return None
    keys <<= np.uint64(_code_bits(n_codes))
    keys |= code.astype(np.uint64)
    return keys


class _Layer:
    """Groups whose parts do not overlap, counted with one stable sort by group."""

    def __init__(self, n_codes: int):
        self.groups: list[int] = []  # indexes into the caller's list
        self.gid = np.full(n_codes, -1, np.int64)  # code -> group within the layer
        self.positive = np.zeros(n_codes, np.int64)  # 1 for a positive part
        self.twice: list[int] = []
        self.carried: list[int] = []  # negatives of each group in the earlier ranges

    def fits(self, codes: np.ndarray) -> bool:
        return bool((self.gid[codes] < 0).all())

    def take(self, index: int, pos: np.ndarray, neg: np.ndarray) -> None:
        self.gid[pos] = self.gid[neg] = len(self.groups)
        self.positive[pos] = 1
        self.groups.append(index)
        self.twice.append(0)
        self.carried.append(0)

    def count(
        self, score: np.ndarray, code: np.ndarray, count: np.ndarray | None, *, tied: bool,
        records: np.ndarray, rows: np.ndarray,
    ) -> None:  # fmt: skip
        """Add a range's pairs: records sorted by score (``count`` None: one row each);
        ``tied``: whether two records share a score; ``records``, ``rows``: (n_codes,)
        records and rows of each part."""
        n_groups = len(self.groups)
        inside = self.gid >= 0
        which = self.gid[inside]
        sizes = np.bincount(which, weights=records[inside], minlength=n_groups).astype(np.int64)
        present = np.flatnonzero(sizes)
        if not len(present):
            return
        firsts = (np.cumsum(sizes) - sizes)[present]  # each present group's first record
        p_group = np.bincount(which, weights=(rows * self.positive)[inside], minlength=n_groups)
        n_group = np.bincount(which, weights=rows[inside], minlength=n_groups) - p_group
        order = None
        if n_groups > 1 or records[~inside].any():
            small = np.uint8 if n_groups < 255 else np.uint16 if n_groups < 65535 else np.int64
            table = np.where(inside, self.gid, n_groups).astype(small)
            # a radix sort: by group, the score order kept; outside every group: last, dropped
            order = np.argsort(table[code], kind="stable")[: int(sizes.sum())]
            code = code[order]
            count = None if count is None else count[order]
        if tied:
            count = np.ones(len(code), np.int64) if count is None else count
            within = self._within_tied(score if order is None else score[order], code, count,
                                       firsts)  # fmt: skip
        else:
            within = self._within(code, count, firsts, p_group[present].astype(np.int64))
        for j, gi in enumerate(present):
            carried = self.carried[gi]
            self.twice[gi] += int(within[j]) + 2 * int(p_group[gi]) * carried
            self.carried[gi] = carried + int(n_group[gi])

    def _within(
        self, code: np.ndarray, count: np.ndarray | None, firsts: np.ndarray, p_first: np.ndarray
    ) -> np.ndarray:
        """2 x each group's pairs within the range; records sorted by (group, score), no two
        with one score: a positive's count times the negatives of its group before it.
        ``firsts``: each group's first record; ``p_first``: its positive rows."""
        pos = self.positive[code]
        if count is None:
            neg = 1 - pos
        else:
            pos *= count
            neg = count - pos
        below = np.cumsum(neg)
        below -= neg  # negatives before each record, over all groups
        base = below[firsts]  # ... before each group's first record
        pos *= below
        return 2 * (np.add.reduceat(pos, firsts) - p_first * base)

    def _within_tied(
        self, score: np.ndarray, code: np.ndarray, count: np.ndarray, firsts: np.ndarray
    ) -> np.ndarray:
        """``_within`` where records share scores: runs of one score within one group, each
        run's positives against the negatives before the run plus half the run's."""
        pos = count * self.positive[code]
        neg = count - pos
        new = np.zeros(len(score), bool)
        new[firsts] = True
        new[1:] |= score[1:] != score[:-1]
        runs = np.flatnonzero(new)  # runs of one score within one group
        p_run = np.add.reduceat(pos, runs)
        n_run = np.add.reduceat(neg, runs)
        below = np.cumsum(n_run) - n_run  # negatives before each run, over all groups
        run_firsts = np.searchsorted(runs, firsts)  # each group's first run
        lengths = np.diff(np.concatenate([run_firsts, [len(runs)]]))
        below -= np.repeat(below[run_firsts], lengths)  # ... within the run's group
        return np.add.reduceat(p_run * (2 * below + n_run), run_firsts)
