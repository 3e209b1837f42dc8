"""Bring your own table: a CSV or Parquet file with named target and sensitive columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from auditor.data import DatasetBundle, TaskInfo
from auditor.data._tables import table_bundle
from auditor.errors import AuditorInputError


def read_frame(path: Path) -> pd.DataFrame:
    """Read CSV or Parquet by suffix; a one-line error naming the file otherwise."""
    path = Path(path)
    if not path.is_file():
        raise AuditorInputError("no such file", source=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt") or path.name.endswith(".csv.gz"):
            return pd.read_csv(path)
    except Exception as exc:  # noqa: BLE001 - any parser failure is bad input
        raise AuditorInputError(
            f"cannot read ({type(exc).__name__}: {exc})", source=str(path)
        ) from None
    raise AuditorInputError("unsupported file type (use .csv or .parquet)", source=str(path))


def load_table_bundle(config, *, seed: int) -> DatasetBundle:
    path = Path(config.path)
    frame = read_frame(path)
    src = str(path)
    for key, col in [("data.target", config.target)] + [
        ("data.sensitive", c) for c in config.sensitive
    ]:
        if col not in frame.columns:
            raise AuditorInputError(f"no column {col!r} in the file", source=src, field=key)
    for col in config.sensitive:
        bad = frame[col].isna() | (frame[col].astype(str).str.strip() == "")
        if bad.any():
            raise AuditorInputError(
                f"column {col!r} has {int(bad.sum())} missing or empty group labels "
                f"(first at row {int(np.flatnonzero(bad.to_numpy())[0])})",
                source=src,
                field="data.sensitive",
            )
    target = frame[config.target]
    if target.isna().any():
        raise AuditorInputError(
            f"target column {config.target!r} has missing values", source=src, field="data.target"
        )
    labels = sorted(target.unique().tolist(), key=str)
    if len(labels) < 2:
        raise AuditorInputError(
            f"target column {config.target!r} has a single class ({labels[0]!r})",
            source=src,
            field="data.target",
        )
    if config.positive_label is not None:
        if config.positive_label not in labels and str(config.positive_label) not in map(
            str, labels
        ):
            raise AuditorInputError(
                f"positive_label {config.positive_label!r} is not a value of {config.target!r}",
                source=src,
                field="data.positive_label",
            )
        pos = next(v for v in labels if str(v) == str(config.positive_label))
        labels = [v for v in labels if v != pos] + [pos]
    lookup = {v: i for i, v in enumerate(labels)}
    y = target.map(lookup).to_numpy().astype(np.int64)
    features = config.features
    if features is None:
        features = [c for c in frame.columns if c != config.target]
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise AuditorInputError(
            f"no column {missing[0]!r} in the file", source=src, field="data.features"
        )
    if not config.sensitive_as_features:
        features = [c for c in features if c not in config.sensitive]
    numeric = [c for c in features if pd.api.types.is_numeric_dtype(frame[c])]
    categorical = [c for c in features if c not in numeric]
    return table_bundle(
        name=path.stem,
        frame=frame,
        y=y,
        task=TaskInfo(config.target, tuple(str(v) for v in labels)),
        sensitive=frame[list(config.sensitive)].astype(str),
        numeric=numeric,
        categorical=categorical,
        fractions=config.splits.model_dump(),
        seed=seed,
        sensitive_input_columns={c: [c] for c in config.sensitive if c in features},
        description=f"User table {path.name} ({len(frame)} rows, {len(features)} input columns).",
        citation="",
        license="",
        source_files={path.name: _file_sha256(path)},
    )


def _file_sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
