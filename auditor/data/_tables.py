"""Shared encoding of a table into model inputs: standardised numerics, one-hot categories.

Scaling and categories are fitted on the training rows only (pretrain + finetune_train).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.data import DatasetBundle, Split, TaskInfo, split_indices


def encode_table(
    frame: pd.DataFrame, *, numeric: list[str], categorical: list[str], fit_rows: np.ndarray
) -> tuple[np.ndarray, list[str], dict[str, tuple[int, ...]]]:
    """Return x (n, F) float32, the feature names, and the input columns of each source
    column (a numeric column maps to one input, a categorical one to its one-hot block)."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    columns: dict[str, tuple[int, ...]] = {}
    for col in numeric:
        values = pd.to_numeric(frame[col], errors="coerce").astype(float).to_numpy()
        fit = values[fit_rows]
        mean = float(np.nanmean(fit)) if np.isfinite(fit).any() else 0.0
        std = float(np.nanstd(fit)) or 1.0
        values = np.where(np.isfinite(values), values, mean)
        columns[col] = (len(names),)
        blocks.append(((values - mean) / std)[:, None])
        names.append(col)
    for col in categorical:
        values = frame[col].astype(str).fillna("(missing)").to_numpy()
        categories = sorted(set(values[fit_rows]))
        start = len(names)
        onehot = np.zeros((len(frame), len(categories)), dtype=np.float32)
        lookup = {c: i for i, c in enumerate(categories)}
        for row, v in enumerate(values):
            j = lookup.get(v)
            if j is not None:
                onehot[row, j] = 1.0
        blocks.append(onehot)
        names.extend(f"{col}={c}" for c in categories)
        columns[col] = tuple(range(start, len(names)))
    x = np.concatenate(blocks, axis=1).astype(np.float32) if blocks else np.zeros((len(frame), 0))
    return x, names, columns


def table_bundle(
    *,
    name: str,
    frame: pd.DataFrame,
    y: np.ndarray,
    task: TaskInfo,
    sensitive: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    fractions: dict[str, float],
    seed: int,
    sensitive_input_columns: dict[str, list[str]],
    description: str,
    citation: str,
    license: str,
    source_files: dict[str, str],
) -> DatasetBundle:
    """``sensitive_input_columns`` maps each sensitive feature to the source columns that
    carry it into the model (empty when it is not an input)."""
    idx = split_indices(y, fractions, seed=seed)
    fit_rows = np.concatenate([idx["pretrain"], idx["finetune_train"]])
    x, feature_names, col_map = encode_table(
        frame, numeric=numeric, categorical=categorical, fit_rows=fit_rows
    )
    splits = {
        split_name: Split(
            name=split_name,
            x=np.ascontiguousarray(x[rows]),
            y=y[rows].astype(np.int64),
            y_pretrain=y[rows].astype(np.int64),
            sensitive=sensitive.iloc[rows].reset_index(drop=True).astype(str),
            ids=rows.astype(np.int64),
        )
        for split_name, rows in idx.items()
    }
    inputs = {
        feat: tuple(i for col in cols if col in col_map for i in col_map[col])
        for feat, cols in sensitive_input_columns.items()
    }
    return DatasetBundle(
        name=name,
        modality="table",
        splits=splits,
        finetune_task=task,
        pretrain_task=task,
        sensitive_features=tuple(sensitive.columns),
        sensitive_kinds={c: "demographic" for c in sensitive.columns},
        input_shape=(x.shape[1],),
        feature_names=tuple(feature_names),
        sensitive_input_columns={k: v for k, v in inputs.items() if v},
        description=description,
        citation=citation,
        license=license,
        source_files=source_files,
    )
