"""Exact ROC AUC (Mann-Whitney, ties count 1/2) of many groups over rows spilled to disk.

:class:`ScoreSpill` takes rows as (score, part code) batches, a part being one (joint group
cell, true class) of the caller's. The rows go to P partition files by score range (bounds
from the quantiles of the first rows; ``searchsorted`` right, so equal scores always share a
partition), as (score, code, count) records: where the first rows' scores repeat, each batch
counts equal (score, code) rows once. Counting reads the partitions in score order, one at a
time, into one :class:`~auditor.fairness.mann_whitney.GroupCounter`: one pass answers every
group, with the integer counts of the in-memory path
(:func:`auditor.results.scores.exact_auc`).

Memory is at most ``budget`` records at a time (16 bytes each on disk and in memory, about 80
while counted) whatever the row count: a partition over the budget (skewed scores, first rows
unlike the rest) is split again by the quantiles of a sample of its own (after a few levels,
by halving its score range), and one holding a single score collapses to one record per part.
Each partition is two files: the scores (float64) and ``code << 32 | count`` (uint64).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType

import numpy as np

from auditor.fairness.float_sort import argsort_floats, order_keys
from auditor.fairness.mann_whitney import GroupCounter

BUDGET = 2_000_000  # records held at once: 32 MB, ~160 MB while counted
PARTITIONS = 64
MAX_PARTITIONS = 256  # two files each: at most ~1,000 open at once, with a split's
SAMPLE_ROWS = 1_000_000  # rows seen before the partition bounds are chosen
RECORD_BYTES = 16
_MAX_ADD = 1 << 31  # rows per reduced chunk: a record's count fits in 32 bits
_QUANTILE_DEPTH = 3  # deeper splits halve the score range: at most 64 more levels
_SAMPLE_BLOCKS = 64
_LOW = np.uint64(0xFFFFFFFF)
_TABLE_BITS = 20  # the partition lookup's buckets: 2 MB of uint16

Records = tuple[np.ndarray, np.ndarray]  # scores (m,) float64, code << 32 | count (m,) uint64


class ScoreSpill:
    """Rows of parts (codes 0 .. ``n_codes`` - 1, more as they come) spilled to a temporary
    folder (under ``directory``, default the system's temp dir) that is removed on
    :meth:`close` or on leaving the ``with`` block, also on an error. ``budget``: records
    held in memory at once (at least 1,024); ``partitions``: score ranges the rows are first
    spread over."""

    def __init__(
        self,
        n_codes: int,
        *,
        budget: int = BUDGET,
        partitions: int = PARTITIONS,
        sample_rows: int = SAMPLE_ROWS,
        directory: str | Path | None = None,
    ):
        if n_codes < 1 or n_codes >= 1 << 31:
            raise ValueError(f"n_codes must be in [1, 2**31), got {n_codes}")
        self.n_codes = n_codes
        self.budget = max(int(budget), 1024)
        self.partitions = min(max(int(partitions), 1), MAX_PARTITIONS)
        self.sample_rows = int(sample_rows)
        self.rows_per_code = np.zeros(n_codes, np.int64)
        self.largest_load = 0  # most records held at once while counting (a test reads it)
        self._dir = Path(tempfile.mkdtemp(prefix="auditor-spill-", dir=directory))
        self._pending: list[Records] = []  # records before the bounds are chosen
        self._pending_rows = 0
        self._bounds: np.ndarray | None = None
        self._aggregate = True  # equal (score, code) rows of a batch as one record
        self._stems: list[Path] = []  # one per partition, in score order
        self._handles: list[tuple] = []  # their open files while rows are added

    @property
    def folder(self) -> Path:
        return self._dir

    def __enter__(self) -> ScoreSpill:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the partition files and remove the folder (idempotent)."""
        self._close_handles()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _close_handles(self) -> None:
        for handles in self._handles:
            for fh in handles:
                fh.close()
        self._handles = []

    def add(self, score: np.ndarray, code: np.ndarray) -> None:
        """score: (n,) finite floats; code: (n,) ints in [0, n_codes), each row's part."""
        score = np.add(np.asarray(score, dtype=np.float64), 0.0)  # -0.0 -> 0.0
        code = np.asarray(code)
        if score.shape != code.shape or score.ndim != 1:
            raise ValueError("score and code must be 1-d arrays of the same length")
        if not len(score):
            return
        if not np.isfinite(score).all():
            raise ValueError("scores must be finite")
        if code.min() < 0 or code.max() >= 1 << 31:
            raise ValueError("codes must be in [0, 2**31)")
        if code.max() >= self.n_codes:  # a part first seen in this batch
            self.n_codes = int(code.max()) + 1
            self.rows_per_code.resize(self.n_codes, refcheck=False)
        self.rows_per_code += np.bincount(code, minlength=self.n_codes)
        for start in range(0, len(score), _MAX_ADD):
            chunk = slice(start, start + _MAX_ADD)
            if self._bounds is not None and not self._aggregate:
                self._write(*_by_partition(score[chunk], code[chunk], self._partition))
                continue
            rec = _reduced(score[chunk], code[chunk], self.n_codes)
            if self._bounds is not None:
                self._write(rec, _sorted_edges(rec[0], self._bounds))
                continue
            self._pending.append(rec)
            self._pending_rows += len(score[chunk])
            if self._pending_rows >= self.sample_rows or self._held() >= self.budget:
                self._open_partitions()

    def _held(self) -> int:
        return sum(len(s) for s, _ in self._pending)

    def _open_partitions(self) -> None:
        """Bounds from the quantiles of the records so far; the records go to their files."""
        scores = np.concatenate([s for s, _ in self._pending])
        self._bounds = _quantile_bounds(scores, self.partitions) + 0.0  # no -0.0
        del scores
        # mostly distinct scores: later batches go to their files as they are (no sort)
        self._aggregate = self._held() < self._pending_rows // 2
        if not self._aggregate:
            self._partition = _Partitioner(self._bounds)
        self._stems = [self._dir / f"p{i}" for i in range(len(self._bounds) + 1)]
        pending, self._pending = self._pending, []
        for rec in pending:
            self._write(rec, _sorted_edges(rec[0], self._bounds))

    def _write(self, rec: Records, edges: np.ndarray) -> None:
        """Records in partition order appended to the partition files (partition i holds
        ``rec[edges[i]:edges[i + 1]]``)."""
        if not self._handles:  # opened once, and again after a count
            self._handles = [_open(stem, "ab") for stem in self._stems]
        for (fs, fp), a, b in zip(self._handles, edges[:-1], edges[1:], strict=True):
            if b > a:
                fs.write(memoryview(rec[0][a:b]))  # buffered: no dup of the file per write
                fp.write(memoryview(rec[1][a:b]))

    def twice_mann_whitney(
        self, groups: Sequence[tuple[Sequence[int], Sequence[int]]]
    ) -> list[int]:
        """For each group (codes of its positive parts, codes of its negative parts): 2 x the
        number of (positive, negative) row pairs with the positive's score above, ties once,
        i.e. 2 n_pos n_neg AUC (0 where the group lacks a class). One pass over the rows."""
        counter = GroupCounter(groups, self.n_codes)
        if self._bounds is None:  # everything still in memory
            if self._pending:
                self._count((np.concatenate([s for s, _ in self._pending]),
                             np.concatenate([p for _, p in self._pending])), counter)  # fmt: skip
        else:
            self._close_handles()  # the splits below open files of their own
            for stem in self._stems:
                self._count_file(stem, counter, depth=0)
        return counter.twice()

    def _count(self, rec: Records, counter: GroupCounter) -> None:
        self._loaded(len(rec[0]))
        code, count = _unpack(rec[1])
        counter.add_range(rec[0], code, count)

    def _count_file(self, stem: Path, counter: GroupCounter, *, depth: int) -> None:
        m = _length(stem)
        if m == 0:
            return
        if m <= self.budget:
            self._count(_read(stem), counter)
            return
        lo, hi = np.inf, -np.inf
        for score, _ in _chunks(stem, self.budget, self._loaded):
            lo, hi = min(lo, float(score.min())), max(hi, float(score.max()))
        if lo == hi:  # one score: one record per part
            rows = np.zeros(self.n_codes, np.int64)
            for _, part in _chunks(stem, self.budget, self._loaded):
                code, count = _unpack(part)
                rows += np.bincount(code, weights=count, minlength=self.n_codes).astype(np.int64)
            codes = np.flatnonzero(rows)
            counter.add_range(np.full(len(codes), lo), codes, rows[codes])
            return
        bounds = np.zeros(0)
        if depth < _QUANTILE_DEPTH:
            sample = _sample(stem, m, min(self.budget, 1 << 20) // 2)
            self._loaded(len(sample))
            pieces = min(self.partitions, max(2, 4 * m // self.budget))  # each ~1/4 budget
            bounds = _quantile_bounds(sample, pieces)
            bounds = bounds[(bounds > lo) & (bounds <= hi)]  # every child smaller than m
        if not len(bounds):
            bounds = np.array([_middle(lo, hi)])
        children = _split(stem, bounds, self.budget, self._loaded)
        try:
            for child in children:
                self._count_file(child, counter, depth=depth + 1)
                _remove(child)
        finally:
            for child in children:
                _remove(child)

    def _loaded(self, n: int) -> None:
        self.largest_load = max(self.largest_load, n)


def _unpack(part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (part >> np.uint64(32)).astype(np.intp), (part & _LOW).astype(np.int64)


def _packed(code: np.ndarray, count: np.ndarray | int) -> np.ndarray:
    return (code.astype(np.uint64) << np.uint64(32)) | np.asarray(count).astype(np.uint64)


def _quantile_bounds(scores: np.ndarray, partitions: int) -> np.ndarray:
    levels = np.linspace(0, 1, partitions + 1)[1:-1]
    return np.unique(np.quantile(scores, levels)) if len(levels) else np.zeros(0)


def _sorted_edges(score: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Each partition's first record of records sorted by score, and their number."""
    return np.concatenate([[0], np.searchsorted(score, bounds, side="left"), [len(score)]])


def _reduced(score: np.ndarray, code: np.ndarray, n_codes: int) -> Records:
    """Rows as records sorted by score, one per distinct (score, code) with its row count."""
    order = argsort_floats(score)
    s = score[order]
    c = code[order].astype(np.int64)
    del order
    new = np.empty(len(s), bool)
    new[0] = True
    np.not_equal(s[1:], s[:-1], out=new[1:])
    if new.all():  # no ties: one record per row
        return s, _packed(c, 1)
    key = (np.cumsum(new) - 1) * n_codes + c  # (run of equal scores, code): sorted by run
    key.sort()  # only the order inside each run changes
    start = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    count = np.diff(np.concatenate([start, [len(key)]]))
    return s[new][key[start] // n_codes], _packed(key[start] % n_codes, count)


class _Partitioner:
    """Each score's partition, ``searchsorted(bounds, score, side="right")``, looked up by the
    top bits of the score's order key (a bucket no bound cuts has one partition); only the
    scores in a bucket that a bound cuts are searched."""

    def __init__(self, bounds: np.ndarray):
        self.bounds = bounds
        self._shift = np.uint64(64 - _TABLE_BITS)
        keys = order_keys(bounds)
        bucket = (keys >> self._shift).astype(np.intp)
        inside = (keys & np.uint64((1 << int(self._shift)) - 1)) != 0  # not at a bucket start
        table = np.zeros((1 << _TABLE_BITS) + 1, np.uint16)
        np.add.at(table, bucket + inside, 1)  # a bound counts from the first bucket above it
        np.cumsum(table, out=table)  # the bounds at or below each bucket's start
        self._cut = len(bounds) + 1  # a bucket a bound cuts
        table[bucket[inside]] = self._cut
        self._table = table[:-1]

    def __call__(self, score: np.ndarray) -> np.ndarray:
        """(n,) uint16 partitions of (n,) float64 scores."""
        keys = order_keys(score)
        keys >>= self._shift
        which = self._table[keys]
        del keys
        cut = np.flatnonzero(which == self._cut)
        if len(cut):
            which[cut] = np.searchsorted(self.bounds, score[cut], side="right")
        return which


def _by_partition(
    score: np.ndarray, code: np.ndarray, partition: _Partitioner
) -> tuple[Records, np.ndarray]:
    """Rows as records of count 1 in partition order, and each partition's first record."""
    which = partition(score)
    order = np.argsort(which, kind="stable")  # a radix sort
    sizes = np.bincount(which, minlength=len(partition.bounds) + 1)
    return (score[order], _packed(code[order], 1)), np.concatenate([[0], np.cumsum(sizes)])


def _file(stem: Path, kind: str) -> Path:
    return stem.with_name(f"{stem.name}.{kind}")


def _open(stem: Path, mode: str = "wb") -> tuple:
    return _file(stem, "score").open(mode), _file(stem, "part").open(mode)


def _remove(stem: Path) -> None:
    _file(stem, "score").unlink(missing_ok=True)
    _file(stem, "part").unlink(missing_ok=True)


def _length(stem: Path) -> int:
    path = _file(stem, "score")
    return path.stat().st_size // 8 if path.exists() else 0


def _read(stem: Path) -> Records:
    return (np.fromfile(_file(stem, "score"), np.float64),
            np.fromfile(_file(stem, "part"), np.uint64))  # fmt: skip


def _chunks(stem: Path, size: int, loaded: Callable[[int], None]) -> Iterator[Records]:
    """The file's records, ``size`` at a time."""
    with _file(stem, "score").open("rb") as fs, _file(stem, "part").open("rb") as fp:
        while True:
            score = np.fromfile(fs, np.float64, count=size)
            if not len(score):
                return
            loaded(len(score))
            yield score, np.fromfile(fp, np.uint64, count=len(score))


def _sample(stem: Path, m: int, size: int) -> np.ndarray:
    """About ``size`` scores of the file's ``m`` records, read as blocks spread evenly over
    it (its records are in file order: the first rows may be unlike the rest)."""
    block = max(1, size // _SAMPLE_BLOCKS)
    starts = np.unique(np.linspace(0, max(m - block, 0), _SAMPLE_BLOCKS).astype(np.int64))
    parts = []
    with _file(stem, "score").open("rb") as fh:
        for start in starts:
            fh.seek(int(start) * 8)
            parts.append(np.fromfile(fh, np.float64, count=block))
    return np.concatenate(parts)


def _order_key(x: float) -> int:
    """A float64 as an unsigned integer of the same order."""
    bits = int(np.float64(x).view(np.uint64))
    return bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | 1 << 63


def _from_order_key(key: int) -> float:
    bits = key ^ 1 << 63 if key >> 63 else key ^ 0xFFFFFFFFFFFFFFFF
    return float(np.uint64(bits).view(np.float64))


def _middle(lo: float, hi: float) -> float:
    """A float b with lo < b <= hi halving the floats between them (lo < hi)."""
    a, b = _order_key(lo), _order_key(hi)
    return _from_order_key(a + (b - a + 1) // 2)


def _split(stem: Path, bounds: np.ndarray, size: int, loaded: Callable[[int], None]) -> list[Path]:
    """The file's records into len(bounds) + 1 files by score range, ``size`` at a time."""
    children = [stem.with_name(f"{stem.name}_{i}") for i in range(len(bounds) + 1)]
    files = [_open(child) for child in children]
    try:
        for score, part in _chunks(stem, size, loaded):
            which = np.searchsorted(bounds, score, side="right")
            which = which.astype(np.uint8 if len(children) <= 256 else np.int64)
            order = np.argsort(which, kind="stable")  # a radix sort
            edges = np.concatenate([[0], np.cumsum(np.bincount(which, minlength=len(files)))])
            score, part = score[order], part[order]
            for (fs, fp), a, b in zip(files, edges[:-1], edges[1:], strict=True):
                if b > a:
                    fs.write(memoryview(score[a:b]))
                    fp.write(memoryview(part[a:b]))
    finally:
        for handles in files:
            for fh in handles:
                fh.close()
    return children
