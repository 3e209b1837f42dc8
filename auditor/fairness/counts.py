"""Reduce prediction rows to confusion counts per joint group, in batches.

Every fairness number auditor reports is a function of the counts
``C[g1, ..., gm, t, p]``: rows whose sensitive values are ``(g1, ..., gm)``, true class ``t``
and predicted class ``p``. So rows are read once, batch by batch (memory bounded by the
batch), and the counts table is tiny (groups x classes^2) whatever the number of rows.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from auditor.config.labels import missing_class
from auditor.data.spelling import missing_codes
from auditor.errors import AuditorInputError, data_row

if TYPE_CHECKING:
    import pandas as pd

# A sensitive column with more distinct values than this is almost surely an identifier.
MAX_GROUPS_PER_FEATURE = 1000
TOO_MANY_GROUPS = (
    "more than {limit:,} distinct groups (an identifier column?): a sensitive column names "
    "groups of people (sex, an age band); name such a column, or one of bands of a measurement"
)
# Every row is counted in one table over the joint groups of all sensitive columns (each
# feature's and intersection's counts are its sums), with or without intersections asked for.
MAX_JOINT_CELLS = 20_000_000
TOO_MANY_CELLS = (
    "{groups:,} combinations of the columns' groups x {k}^2 classes is too many cells (at "
    "most {limit:,}: every row is counted over the combinations of the groups of all its "
    "sensitive columns, intersections or not); {fit}: audit fewer sensitive columns at once, "
    "in two or more runs"
)
# Classes alone past the cells (a column of row numbers or IDs named as the labels): the
# column or columns of more labels than the most named, each with its own count
TOO_MANY_CLASSES = (
    "{labels} in {columns}, more classes than a count of each (true, predicted) pair holds "
    "(at most {most:,}): an identifier or row numbers, not classes? name the column of classes"
)
FIT = "the first {n} of these {m} columns fit"
FIT_NONE = "not even the first of these columns fits with {k} classes"
# After a missing group label's row: what reads as missing, and the two ways on.
MISSING_HINT = (
    " (an empty cell or ?, and in a CSV also NA, N/A, NULL, NaN, None, <NA>); fill it, or "
    "audit such rows as one group with --missing-group (missing_group=True in Python)"
)


@dataclass(frozen=True)
class CountsTable:
    """features: names of the sensitive features, in axis order.
    group_labels: per feature, the group names (str) along its axis.
    classes: the target's class values (sorted); class_names: their display names.
    counts: int64 array (L1, ..., Lm, K, K); the last two axes are (true, predicted)."""

    features: tuple[str, ...]
    group_labels: tuple[tuple[str, ...], ...]
    classes: tuple
    class_names: tuple[str, ...]
    counts: np.ndarray

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def confusion(self) -> np.ndarray:
        """(K, K) counts of every row, (true, predicted): the cells added up."""
        return self.counts.reshape(-1, *self.counts.shape[-2:]).sum(axis=0)

    def marginal(self, spec: Sequence[str]) -> tuple[list[tuple[str, ...]], np.ndarray]:
        """Counts of the groups of ``spec`` (one feature or an intersection).

        Returns (labels, counts): one tuple of group values per group, every combination of
        the features' values (including empty ones, as fairlearn's MetricFrame lists them),
        in C order; counts (G, K, K).
        """
        axes = [self.features.index(f) for f in spec]
        drop = tuple(i for i in range(len(self.features)) if i not in axes)
        arr = self.counts.sum(axis=drop) if drop else self.counts
        # Put the spec's axes in the requested order.
        kept = [i for i in range(len(self.features)) if i in axes]
        order = [kept.index(a) for a in axes]
        arr = np.transpose(arr, (*order, len(axes), len(axes) + 1))
        k = arr.shape[-1]
        labels = list(itertools.product(*(self.group_labels[a] for a in axes)))
        return labels, arr.reshape(-1, k, k)


def arrow_numpy(values: Any) -> np.ndarray:
    """A pyarrow array of numbers as numpy: a view of its buffer when it has no nulls
    (pyarrow's ``to_numpy`` loads pandas, half a second of a small audit), else a copy."""
    import pyarrow as pa

    kind = values.type
    if values.null_count == 0 and (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        dtype = np.dtype(kind.to_pandas_dtype())
        data = values.buffers()[1]
        return np.frombuffer(
            data, dtype=dtype, count=len(values), offset=values.offset * dtype.itemsize
        )
    return values.to_numpy(zero_copy_only=False)


# Integer labels in [0, SMALL_INTS) are their own codes (class indices, 0/1 labels).
SMALL_INTS = 1024


def _small_ints(values: np.ndarray) -> tuple[np.ndarray, list] | None:
    """(codes, the values that occur) when ``values`` are integers in [0, SMALL_INTS) (a
    count per value instead of a hash table), else None."""
    if values.dtype.kind not in "iu" or len(values) == 0:
        return None
    low, high = int(values.min()), int(values.max())
    if low < 0 or high >= SMALL_INTS:
        return None
    ints = values.astype(np.int64, copy=False)  # in range: exact; bincount takes no uint64
    present = np.flatnonzero(np.bincount(ints, minlength=high + 1))
    if len(present) == high + 1:
        return ints, present.tolist()
    code = np.zeros(high + 1, np.int64)
    code[present] = np.arange(len(present))
    return code[ints], present.tolist()


def _encode(values: Any) -> tuple[np.ndarray, list]:
    """(integer codes, -1 for null; uniques, an unused one has no rows) of a pyarrow
    array (a dictionary array keeps its codes, small integers are their own: no hashing) or
    an array-like."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if isinstance(values, pa.Array):
        if pa.types.is_integer(values.type) and values.null_count == 0:
            small = _small_ints(arrow_numpy(values))
            if small is not None:
                return small
        enc = values if pa.types.is_dictionary(values.type) else values.dictionary_encode()
        codes = arrow_numpy(enc.indices.fill_null(-1) if enc.null_count else enc.indices)
        if enc.null_count:  # a null index, or an index of a null dictionary entry
            codes = np.where(enc.is_null().to_numpy(zero_copy_only=False), -1, codes)
        return codes, enc.dictionary.to_pylist()  # int32 codes: no copy
    small = _small_ints(values) if isinstance(values, np.ndarray) else None
    if small is not None:
        return small
    import pandas as pd  # heavy: only for in-memory arrays (object labels, NaN, mixed types)

    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return codes.astype(np.int64, copy=False), list(uniques)


def _with_missing(codes: np.ndarray, uniques: list, label: str) -> tuple[np.ndarray, list]:
    """``(codes, uniques)`` with every null, empty or NaN label's rows given the group
    ``label`` (appended to the uniques; the bad entries keep no rows)."""
    missing = missing_codes(codes, uniques)
    if not missing.any():
        return codes, uniques
    return np.where(missing, len(uniques), codes), [*uniques, label]


def _combined(codes: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """The C-order index of each row's codes in ``shape`` (codes known to be in range)."""
    flat = codes[0].astype(np.int64)
    for column, size in zip(codes[1:], shape[1:], strict=True):
        flat *= size
        flat += column
    return flat


@dataclass(frozen=True)
class BatchCodes:
    """One batch's rows as codes: per feature (n,) indices into ``group_labels[i]`` (text),
    and (n,) indices of y_true into ``classes`` (values)."""

    groups: list[np.ndarray]
    group_labels: list[list[str]]
    y_true: np.ndarray
    classes: list


class CountsAccumulator:
    """Add batches of (y_true, y_pred, sensitive columns); read the :class:`CountsTable`.

    Group and class dictionaries grow as new values appear, so batches need not share them.
    ``source`` names the input in error messages; ``row_offset`` tracks row numbers.
    ``missing_group``: the group of a row with no sensitive value (None: such a row is refused).
    """

    def __init__(
        self,
        features: Sequence[str],
        *,
        source: str = "predictions",
        y_true_name: str = "y_true",
        y_pred_name: str = "y_pred",
        classes: Sequence | None = None,
        missing_group: str | None = None,
    ):
        """classes: the known class values in order (kept even when a class never occurs)."""
        self.features = tuple(features)
        self.missing_group = missing_group
        self._fixed_classes = classes is not None
        self.source = source
        self.names = (y_true_name, y_pred_name)
        self._groups: list[dict] = [{} for _ in self.features]
        self._classes: dict = {c: i for i, c in enumerate(classes or ())}
        self._seen: tuple[set, set] = (set(), set())  # each label column's own classes
        k = len(self._classes)
        self._counts = np.zeros((0,) * len(self.features) + (k, k), dtype=np.int64)
        self.rows = 0

    def _missing_at(self, rows: np.ndarray, *, column: str, group: bool,
                    batch: int) -> AuditorInputError:  # fmt: skip
        """The refusal of a missing group at the first of the batch's ``rows``, or of missing
        labels: how many of the batch's ``batch`` rows, the first (as a run's target says)."""
        if not group:
            kind = "prediction" if column == self.names[1] else "target"
            message = missing_class(column, n=len(rows), first=self.rows + int(rows[0]) + 1,
                                    start=self.rows + 1, end=self.rows + batch,
                                    kind=kind)  # fmt: skip
            return AuditorInputError(message, source=self.source, field=column)
        row = data_row(self.rows + int(rows[0]))
        return AuditorInputError(f"empty or missing group label at {row}{MISSING_HINT}",
                                 source=self.source, field=column)  # fmt: skip

    def _refuse_missing(self, encoded: list, columns: Sequence[str], m: int) -> None:
        """Refuse the batch's missing labels or groups, null (a code of -1) or blank ('',
        '?'), counted together: how many, and the first of them, in the column whose first is
        the batch's first (on one row: groups, then y_true, then y_pred), so a file's first
        row without one is said whatever its batches hold."""
        missing = [missing_codes(codes, uniques) for codes, uniques in encoded]
        firsts = [int(np.argmax(rows)) if rows.any() else len(rows) for rows in missing]
        axis = int(np.argmin(firsts))
        if firsts[axis] < len(missing[axis]):
            raise self._missing_at(np.flatnonzero(missing[axis]), column=columns[axis],
                                   group=axis < m, batch=len(missing[axis]))  # fmt: skip

    def _global(self, keys: list, table: dict, column: str, *, group: bool) -> np.ndarray:
        """The global codes of ``keys``, new ones registered in ``table``."""
        for key in keys:
            table.setdefault(key, len(table))
        if group and len(table) > MAX_GROUPS_PER_FEATURE:
            raise AuditorInputError(
                TOO_MANY_GROUPS.format(limit=MAX_GROUPS_PER_FEATURE),
                source=self.source,
                field=column,
            )
        return np.array([table[key] for key in keys], dtype=np.int64)

    def add(self, y_true: ArrayLike, y_pred: ArrayLike, sensitive: Sequence) -> BatchCodes:
        """y_true, y_pred: (n,) labels; sensitive: one (n,) array per feature, in order.

        The batch is counted on its own codes (one ``bincount`` of the combined codes) and
        its small table added to the running one. Returns the rows' codes (for sums kept
        beside the counts)."""
        n = len(y_true)
        lengths = {self.names[0]: n, self.names[1]: len(y_pred)}
        lengths.update({f: len(s) for f, s in zip(self.features, sensitive, strict=True)})
        if len(set(lengths.values())) != 1:
            detail = ", ".join(f"{k}={v}" for k, v in lengths.items())
            raise AuditorInputError(f"length mismatch ({detail})", source=self.source)
        m = len(self.features)
        if n == 0:
            empty = np.zeros(0, np.int64)
            return BatchCodes([empty] * m, [[] for _ in range(m)], empty, [])
        columns = (*self.features, *self.names)
        encoded = [_encode(v) for v in (*sensitive, y_true, y_pred)]
        if self.missing_group is not None:
            encoded[:m] = [_with_missing(c, u, self.missing_group) for c, u in encoded[:m]]
        self._refuse_missing(encoded, columns, m)
        shape = tuple(len(u) for _, u in encoded)
        for axis in range(m):
            if shape[axis] > MAX_GROUPS_PER_FEATURE:
                self._global([], {i: i for i in range(shape[axis])}, columns[axis], group=True)
        self._refuse_cells(shape, shape[-2:])
        flat = _combined([c for c, _ in encoded], shape)
        local = np.bincount(flat, minlength=math.prod(shape)).reshape(shape)
        keep, maps = [], []
        for axis, (_, uniques) in enumerate(encoded):
            used = local.any(axis=tuple(a for a in range(len(shape)) if a != axis))
            idx = np.flatnonzero(used)
            keys = [str(uniques[i]) if axis < m else uniques[i] for i in idx]
            table = self._groups[axis] if axis < m else self._classes
            if axis >= m:
                self._seen[axis - m].update(keys)
            keep.append(idx)
            maps.append(self._global(keys, table, columns[axis], group=axis < m))
        self._grow()
        np.add.at(self._counts, np.ix_(*maps), local[np.ix_(*keep)])
        self.rows += n
        return BatchCodes(
            groups=[c for c, _ in encoded[:m]],
            group_labels=[[str(x) for x in u] for _, u in encoded[:m]],
            y_true=encoded[m][0], classes=list(encoded[m][1]),
        )  # fmt: skip

    def _grow(self) -> None:
        """Pad the running counts to the registered groups and classes."""
        k = len(self._classes)
        shape = tuple(len(d) for d in self._groups) + (k, k)
        self._refuse_cells(shape, tuple(len(seen) for seen in self._seen))
        if shape != self._counts.shape:
            pad = [(0, new - old) for new, old in zip(shape, self._counts.shape, strict=True)]
            self._counts = np.pad(self._counts, pad)

    def _refuse_cells(self, shape: tuple[int, ...], labels: Sequence[int]) -> None:
        """Refuse a count table of ``shape`` (groups of each feature, then k x k classes) over
        :data:`MAX_JOINT_CELLS` cells, before it is made; ``labels``: the distinct labels of
        y_true and of y_pred, each column's own (the one at fault named)."""
        if math.prod(shape) > MAX_JOINT_CELLS:
            k, m = shape[-1], len(shape) - 2
            if shape[-2] * k > MAX_JOINT_CELLS:  # not the groups: the labels are no classes
                most = math.isqrt(MAX_JOINT_CELLS)
                wide = [i for i in (0, 1) if labels[i] > most]  # else: their classes together
                counts = " and ".join(f"{labels[i]:,}" for i in wide) if wide else f"{k:,}"
                names = [self.names[i] for i in wide or (0, 1)]
                message = TOO_MANY_CLASSES.format(labels=f"{counts} distinct labels", most=most,
                                                  columns=" and ".join(names))  # fmt: skip
                raise AuditorInputError(message, source=self.source, field=", ".join(names))
            fit = m  # the first columns whose combinations fit beside the classes
            while fit and math.prod(shape[:fit]) * math.prod(shape[-2:]) > MAX_JOINT_CELLS:
                fit -= 1
            said = FIT.format(n=fit, m=m) if fit else FIT_NONE.format(k=k)
            message = TOO_MANY_CELLS.format(groups=math.prod(shape[:-2]), k=k,
                                            limit=MAX_JOINT_CELLS, fit=said)  # fmt: skip
            raise AuditorInputError(message, source=self.source, field=", ".join(self.features))

    def add_table(self, other: CountsTable) -> None:
        """Add another table's counts (e.g. one partition's), matching labels by value."""
        maps = []
        for axis, labels in enumerate(other.group_labels):
            table = self._groups[axis]
            for lab in labels:
                table.setdefault(lab, len(table))
            maps.append([table[lab] for lab in labels])
        for c in other.classes:
            self._classes.setdefault(c, len(self._classes))
        for column, axis in enumerate((-2, -1)):  # each label column's classes it holds
            others = tuple(a for a in range(other.counts.ndim) if a != axis % other.counts.ndim)
            held = other.counts.sum(axis=others)
            self._seen[column].update(c for c, n in zip(other.classes, held, strict=True) if n)
        cmap = [self._classes[c] for c in other.classes]
        self._grow()
        self._counts[np.ix_(*maps, cmap, cmap)] += other.counts
        self.rows += other.n

    def table(self, *, class_names: Sequence[str] | None = None) -> CountsTable:
        """The counts with groups in sorted order and classes sorted by value."""
        if self.rows == 0:
            raise AuditorInputError("no rows", source=self.source)
        if self._fixed_classes:
            classes = list(self._classes)
        else:
            try:
                classes = sorted(self._classes)
            except TypeError:  # mixed types: sort by text
                classes = sorted(self._classes, key=str)
        counts = self._counts
        cls_order = [self._classes[c] for c in classes]
        counts = counts[..., cls_order, :][..., cls_order]
        labels = []
        for axis, table in enumerate(self._groups):
            names = sorted(table)
            counts = np.take(counts, [table[x] for x in names], axis=axis)
            labels.append(tuple(names))
        names = tuple(class_names) if class_names is not None else tuple(str(c) for c in classes)
        return CountsTable(self.features, tuple(labels), tuple(classes), names, counts)


def counts_from_arrays(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sensitive: pd.DataFrame | Mapping[str, ArrayLike],
    *,
    source: str = "predictions",
    class_names: Sequence[str] | None = None,
    classes: Sequence | None = None,
) -> CountsTable:
    """One in-memory batch: y_true, y_pred (n,), sensitive columns by feature name."""
    names = list(sensitive.keys())  # a DataFrame's keys are its columns
    acc = CountsAccumulator(names, source=source, classes=classes)
    acc.add(np.asarray(y_true), np.asarray(y_pred), [np.asarray(sensitive[c]) for c in names])
    return acc.table(class_names=class_names)
