"""Data sources. Each returns one :class:`DatasetBundle` with disjoint splits:

- ``pretrain``: the pretraining stage (supervised labels or unlabeled rows);
- ``finetune_train``: the fine-tuning stage's training rows (the privacy probes' members);
- ``holdout``: non-members from the same distribution as ``finetune_train``, never used for
  training, early stopping or tuning;
- ``val``: early stopping and post-processing fits;
- ``test``: every reported metric.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from auditor.results.info import TablePreprocessing
from auditor.seeding import Rngs

if TYPE_CHECKING:
    import pandas as pd

SPLIT_NAMES = ("pretrain", "finetune_train", "holdout", "val", "test")


@dataclass(frozen=True)
class TaskInfo:
    """A classification task: ``class_names[i]`` is the name of label ``i``."""

    name: str
    class_names: tuple[str, ...]
    description: str = ""

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


@dataclass(frozen=True)
class Split:
    """One split, all arrays aligned by row.

    x: float32, (n, C, H, W) for images or (n, F) for tables; float64 for the rows of a
       supplied estimator (its numbers as read: :mod:`auditor.data.codec`).
    y: int64 (n,), labels of the fine-tuning task.
    y_pretrain: int64 (n,), labels of the supervised pretraining task, or None.
    sensitive: DataFrame (n rows, one string column per sensitive/slice feature).
    ids: int64 (n,), row positions in the source data (for naming offending rows).
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    sensitive: pd.DataFrame
    ids: np.ndarray
    y_pretrain: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def sha256(self) -> str:
        h = hashlib.sha256()
        for arr in (self.x, self.y, self.ids):
            a = np.ascontiguousarray(arr)
            h.update(str(a.dtype).encode())
            h.update(str(a.shape).encode())
            h.update(a.tobytes())
        return h.hexdigest()

    def row_hashes(self) -> list[str]:
        """sha256 of each row's input content (for disjointness checks between splits)."""
        flat = np.ascontiguousarray(self.x.reshape(len(self), -1))
        return [hashlib.sha256(row.tobytes()).hexdigest() for row in flat]


@dataclass(frozen=True)
class DatasetBundle:
    name: str
    modality: Literal["image", "table"]
    splits: dict[str, Split]
    finetune_task: TaskInfo
    # None when the source has no pretraining labels of its own (tables: self-supervised).
    pretrain_task: TaskInfo | None
    sensitive_features: tuple[str, ...]
    # "demographic" for people's attributes; "slice" for features derived from the input.
    sensitive_kinds: dict[str, str]
    input_shape: tuple[int, ...]
    feature_names: tuple[str, ...] | None = None
    # Input columns carrying a sensitive attribute (for the reliance check), by feature.
    sensitive_input_columns: dict[str, tuple[int, ...]] = field(default_factory=dict)
    description: str = ""
    citation: str = ""
    license: str = ""
    source_files: dict[str, str] = field(default_factory=dict)
    # Tables: which source columns are inputs, what was imputed and encoded (None: images).
    preprocessing: TablePreprocessing | None = None
    # The files the source row ids count through: (file name, the id of its first data row),
    # in order; empty where ids are not rows of a file the user has (a built-in source).
    row_files: tuple[tuple[str, int], ...] = ()
    # Tables: finetune_train's and holdout's rows as drawn, before equal_membership cut the
    # larger to the smaller (empty: as the splits hold them); DP-SGD's n is told from them.
    drawn: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Split:
        return self.splits[name]

    def row_file(self, row_id: int) -> tuple[str, int] | None:
        """(file name, 0-based data row in it) of a source row id (None: no file known);
        :func:`auditor.errors.data_row` names that row."""
        starts = [start for _, start in self.row_files]
        k = bisect.bisect_right(starts, row_id) - 1
        if k < 0:
            return None
        name, start = self.row_files[k]
        return name, row_id - start

    def provenance(self) -> dict:
        """Per split: row count, sha256 and class balance of the fine-tuning target."""
        out = {}
        for name, split in self.splits.items():
            labels, counts = np.unique(split.y, return_counts=True)
            balance = {
                self.finetune_task.class_names[int(k)]: int(c)
                for k, c in zip(labels, counts, strict=True)
            }
            entry = {"n_rows": len(split), "sha256": split.sha256(), "class_balance": balance}
            if split.y_pretrain is not None and self.pretrain_task is not None:
                labels, counts = np.unique(split.y_pretrain, return_counts=True)
                entry["pretrain_class_balance"] = {
                    self.pretrain_task.class_names[int(k)]: int(c)
                    for k, c in zip(labels, counts, strict=True)
                }
            out[name] = entry
        return out


def split_indices(
    strata: np.ndarray, fractions: dict[str, float], *, seed: int
) -> dict[str, np.ndarray]:
    """Disjoint stratified index sets, one per split name, sizes by ``fractions``.

    ``finetune_train`` and ``holdout`` get the same size when their fractions are equal, so
    members and non-members are balanced for the privacy probes. Rows are drawn from the
    stream ``data/split`` of the run's ``seed``.
    """
    rng = Rngs(seed).numpy("data/split")
    names = [n for n in SPLIT_NAMES if fractions.get(n, 0) > 0]
    parts: dict[str, list[np.ndarray]] = {n: [] for n in names}
    for value in np.unique(strata):
        idx = np.flatnonzero(strata == value)
        idx = idx[rng.permutation(len(idx))]
        start = 0
        for n in names:
            k = int(np.floor(fractions[n] * len(idx)))
            parts[n].append(idx[start : start + k])
            start += k
    out = {}
    for n in names:
        joined = np.concatenate(parts[n]) if parts[n] else np.array([], dtype=np.int64)
        out[n] = np.sort(joined).astype(np.int64)
    for n in SPLIT_NAMES:
        out.setdefault(n, np.array([], dtype=np.int64))
    return out


def tertile_labels(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """'low' / 'mid' / 'high' by the tertiles of ``reference`` (training rows only)."""
    lo, hi = np.quantile(reference, [1 / 3, 2 / 3])
    return np.where(values <= lo, "low", np.where(values <= hi, "mid", "high")).astype(object)


def validate_data(data_config: Any) -> None:
    """Checks of the data that need neither torch nor training, for before any work: a
    table's header, columns, inputs, groups and target; a MNIST root's files."""
    if data_config.source == "table":
        from auditor.data.table import validate_table

        validate_table(data_config)
    elif data_config.source == "mnist":
        from auditor.data.mnist import check_root

        check_root(data_config)


def load_bundle(data_config: Any, *, seed: int) -> DatasetBundle:
    """Dispatch on ``data_config.source``."""
    source = data_config.source
    if source == "digits":
        from auditor.data.digits import load_digits_bundle

        return load_digits_bundle(data_config, seed=seed)
    if source == "adult":
        from auditor.data.adult import load_adult_bundle

        return load_adult_bundle(data_config, seed=seed)
    if source == "mnist":
        from auditor.data.mnist import load_mnist_bundle

        return load_mnist_bundle(data_config, seed=seed)
    if source == "table":
        from auditor.data.table import load_table_bundle

        return load_table_bundle(data_config, seed=seed)
    raise ValueError(f"unknown data source {source!r}")  # unreachable: config validated
