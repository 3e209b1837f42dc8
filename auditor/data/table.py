"""Bring your own table: a CSV or Parquet file with named target and sensitive columns.

Which columns become model inputs is explicit and recorded (``data.preprocessing`` in
``audit.json``, stated on the card):

- ``data.features`` names the inputs; unset, every column but the target, ``data.drop`` and
  the sensitive columns is one;
- sensitive columns are inputs only with ``sensitive_as_features = true``;
- a column with a distinct value in every row (an ID) is refused as an input unless
  ``data.features`` names it; a continuous float column (non-integer values) is not an ID;
- categorical inputs with more than ``max_categories`` levels are refused;
- duplicate column names in the header are refused (pandas would rename one ``g.1``);
- a missing sensitive value is refused, or is its own group with ``missing_group = true``.

:func:`validate_table` runs every check without building the bundle (no torch needed).
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from auditor.config import TableData
from auditor.config.labels import label_index
from auditor.data import DatasetBundle, TaskInfo
from auditor.data._labels import (  # noqa: F401 - binary_positive is this module's API too
    POSITIVE_NEEDS_BINARY,
    SPACED_VALUES,
    binary_positive,
    check_spaced,
)
from auditor.data._tables import MISSING_LEVEL, InputSelection, table_bundle
from auditor.data.header import (  # noqa: F401 - the messages are this module's API too
    CANNOT_READ,
    COMMENT,
    DUPLICATE_COLUMN,
    EXTRA_MISSING,
    LONGER_ROW,
    NO_FILE,
    NO_HEADER,
    NO_ROWS,
    NOT_UTF8,
    UNSUPPORTED,
    check_header,
    csv_header,
    csv_layout,
    file_kind,
    one_line,
    open_text,
    read_header,
)
from auditor.errors import AuditorInputError, data_row, rows_text
from auditor.provenance import sha256_file

NO_COLUMN = "no column {col!r} in the file"
TARGET_AS_INPUT = "the target column {col!r} cannot be a model input"
FEATURE_AND_DROP = "column {col!r} is both in data.features and in data.drop"
SENSITIVE_AS_INPUT = (
    "column {col!r} is sensitive and not a model input by default; set "
    "data.sensitive_as_features = true to make the sensitive columns inputs"
)
ID_LIKE = (
    "column {col!r} has a distinct value in every one of its {n} rows (an ID?); add it to "
    "data.drop, or name it in data.features to use it as a model input"
)
ROW_INDEX = (
    "a column with no name in the header ({col!r}) has a distinct value in every one of its "
    "{n} rows: a row index (DataFrame.to_csv without index=False?); save the file with "
    "index=False, or add {col!r} to data.drop"
)
TOO_MANY_LEVELS = (
    "categorical column {col!r} has {n} levels, more than data.max_categories = {k}; add it "
    "to data.drop, or raise data.max_categories"
)
MISSING_SENSITIVE = (
    "column {col!r} has {labels} (first at {row}); fill them, or "
    "set data.missing_group = true to audit them as the group '(missing)'"
)
NO_INPUTS = (
    "no model input columns (data.features is empty, or data.drop and the sensitive columns "
    "leave none)"
)
TARGET_AS_SENSITIVE = (
    "the target column {col!r} cannot be a sensitive feature (every group would hold one "
    "class); name the group columns in data.sensitive"
)
NUMBERS_AND_TEXT = (
    "column {col!r} holds numbers ({n_numbers} distinct) and text ({text!r} in {n_text}, "
    "first at {row}); if the text marks a missing value, leave the cell empty or write NA; "
    "if these are categories (codes such as 1..12 and K), name the inputs in data.features; "
    "else add the column to data.drop"
)
# A column with more distinct numbers than this is a measurement, not a set of codes.
MAX_CODES = 10
TOO_MANY_CLASSES = (
    "target column {col!r} has {n} distinct values, more than data.max_categories = {k}: "
    "auditor audits classifiers (a continuous target?); name a class column, or raise "
    "data.max_categories"
)
TARGET_MISSING = "target column {col!r} has missing values"
SINGLE_CLASS = "target column {col!r} has a single class ({label!r})"
NOT_A_LABEL = "positive_label {label!r} is not a value of {col!r}"

# The frames a validation read with ``keep=True``, each handed to the next reader of the same
# file (same path, size and modification time) in this process: preflight's later checks and
# the loader do not parse a file again. At most HANDOFF_FILES entries, a run's files (the
# table or evaluation rows, members, non-members); an entry is taken by its reader.
HANDOFF_FILES = 3
_HANDOFF: dict[tuple[str, int, int], pd.DataFrame] = {}


def _file_key(path: Path) -> tuple[str, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def read_frame(path: Path, *, keep: bool = False) -> pd.DataFrame:
    """Read CSV or Parquet by suffix after checking the header; one-line errors naming the
    file otherwise. ``keep``: also hand the frame to the next ``read_frame`` of the unchanged
    file (preflight's read, reused by the loader)."""
    path = Path(path)
    key = _file_key(path)
    if key is not None and key in _HANDOFF:
        frame = _HANDOFF.pop(key)
        if keep:
            _HANDOFF[key] = frame
        return frame
    frame = _parse_frame(path)
    if keep and key is not None:
        _HANDOFF[key] = frame
        while len(_HANDOFF) > HANDOFF_FILES:  # the oldest: a run that stopped before loading
            del _HANDOFF[next(iter(_HANDOFF))]
    return frame


def read_table(path: Path, *, field: str, keep: bool = False) -> pd.DataFrame:
    """:func:`read_frame` of the file a config key names: an error about the whole file (no
    such file, not UTF-8, no rows) names that key, as ``FILE: data.path: no such file``."""
    try:
        return read_frame(path, keep=keep)
    except AuditorInputError as exc:
        if exc.field is not None:  # a column named twice: the column is the field
            raise
        raise AuditorInputError(exc.message, source=exc.source, field=field) from None


def _parse_frame(path: Path) -> pd.DataFrame:
    check_header(read_header(path), source=str(path))
    try:
        if file_kind(path) == "parquet":
            frame = pd.read_parquet(path)
        else:
            layout, header = csv_header(path)  # '# y_true' read as y_true; R's row names: ''
            names = [name.strip() or f"Unnamed: {i}" for i, name in enumerate(header)]  # pandas'
            with warnings.catch_warnings():  # a row longer than the header: pandas drops a field
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    path,
                    sep=layout.delimiter,
                    skiprows=layout.skip_rows + 1,
                    header=None,
                    names=names,
                    index_col=False,
                    decimal=layout.decimal_point,
                    encoding=layout.encoding,
                    skipinitialspace=True,  # Adult's ", ": the space is no part of a value
                    na_values=list(EXTRA_MISSING),
                )
            if layout.unnamed in ("first", "last"):  # row names, or a delimiter ending each row
                frame = frame.drop(columns=names[0 if layout.unnamed == "first" else -1])
    except pd.errors.ParserWarning:
        raise AuditorInputError(LONGER_ROW.format(n=len(names)), source=str(path)) from None
    except Exception as exc:  # noqa: BLE001 - any parser failure is bad input
        raise AuditorInputError(CANNOT_READ.format(error=one_line(exc)), source=str(path)) from None
    if len(frame) == 0:
        raise AuditorInputError(NO_ROWS, source=str(path))
    return frame


def _require_columns(frame: pd.DataFrame, names: list[str], *, key: str, src: str) -> None:
    for col in names:
        if col not in frame.columns:
            raise AuditorInputError(NO_COLUMN.format(col=col), source=src, field=key)


def is_id_like(values: pd.Series) -> bool:
    """A distinct value in every row (of at least 2), unless the column is a continuous
    float (some value not an integer): an ID rather than a measurement."""
    if pd.api.types.is_bool_dtype(values) or len(values) < 2:
        return False
    if values.nunique(dropna=False) < len(values):
        return False
    if pd.api.types.is_float_dtype(values):
        finite = values.to_numpy(dtype=float)
        finite = finite[np.isfinite(finite)]
        return bool(np.all(finite == np.round(finite)))
    return True


def require_named_columns(frame: pd.DataFrame, config: TableData, *, src: str) -> None:
    """Every column the config names (target, sensitive, drop, features) is in the file, and
    the target is not a sensitive feature."""
    _require_columns(frame, [config.target], key="data.target", src=src)
    _require_columns(frame, list(config.sensitive), key="data.sensitive", src=src)
    if config.target in config.sensitive:
        raise AuditorInputError(TARGET_AS_SENSITIVE.format(col=config.target), source=src,
                                field="data.sensitive")  # fmt: skip
    _require_columns(frame, list(config.drop), key="data.drop", src=src)
    _require_columns(frame, list(config.features or []), key="data.features", src=src)


def check_not_mixed(values: pd.Series, *, col: str, src: str) -> None:
    """Refuse a text column that is mostly numbers, with more than MAX_CODES distinct ones,
    and some text (``unknown``, ``-``): a measurement with a missing-value marker pandas does
    not know, which would otherwise be one-hot encoded as one category per number."""
    present = values.dropna()
    codes, uniques = pd.factorize(present)  # each distinct value parsed once, not every row
    parsed = pd.to_numeric(pd.Series(uniques), errors="coerce")
    is_text = parsed.isna().to_numpy()
    n_numbers = int(parsed[~is_text].nunique())
    if not is_text.any() or n_numbers <= MAX_CODES:
        return
    text = is_text[codes]
    if text.mean() >= 0.5:
        return
    first = present.index[text][0]
    message = NUMBERS_AND_TEXT.format(
        col=col, n_numbers=n_numbers, text=str(present[first]), n_text=rows_text(int(text.sum())),
        row=data_row(int(values.index.get_loc(first))),
    )  # fmt: skip
    raise AuditorInputError(message, source=src, field="data.features")


def select_inputs(frame: pd.DataFrame, config: TableData, *, src: str) -> InputSelection:
    """The model's input columns by the rules in this module's docstring; raises
    :class:`AuditorInputError` naming the file and key for every refusal."""
    sensitive = list(config.sensitive)
    require_named_columns(frame, config, src=src)
    named = config.features is not None
    if named:
        for col in config.features:
            if col == config.target:
                raise AuditorInputError(TARGET_AS_INPUT.format(col=col), source=src,
                                        field="data.features")  # fmt: skip
            if col in config.drop:
                raise AuditorInputError(FEATURE_AND_DROP.format(col=col), source=src,
                                        field="data.features")  # fmt: skip
            if col in sensitive and not config.sensitive_as_features:
                raise AuditorInputError(SENSITIVE_AS_INPUT.format(col=col), source=src,
                                        field="data.features")  # fmt: skip
        features = list(config.features)
    else:
        excluded = {config.target, *config.drop}
        if not config.sensitive_as_features:
            excluded |= set(sensitive)
        features = [c for c in frame.columns if c not in excluded]
    if not features:
        raise AuditorInputError(NO_INPUTS, source=src, field="data.features")
    id_like = [c for c in features if is_id_like(frame[c])]
    if id_like and not named:
        unnamed = id_like[0].startswith("Unnamed: ")  # pandas' name of an empty header cell
        message = (ROW_INDEX if unnamed else ID_LIKE).format(col=id_like[0], n=len(frame))
        raise AuditorInputError(message, source=src, field="data.features")
    numeric = [c for c in features if pd.api.types.is_numeric_dtype(frame[c])]
    categorical = [c for c in features if c not in numeric]
    for col in categorical:
        if not named:  # named in data.features: categories the user chose to keep
            check_not_mixed(frame[col], col=col, src=src)
        levels = int(frame[col].nunique(dropna=False))
        if levels > config.max_categories:
            raise AuditorInputError(
                TOO_MANY_LEVELS.format(col=col, n=levels, k=config.max_categories),
                source=src, field="data.max_categories",
            )  # fmt: skip
    return InputSelection(
        numeric=numeric,
        categorical=categorical,
        sensitive_as_features=config.sensitive_as_features,
        dropped=list(config.drop),
        sensitive_excluded=[c for c in sensitive if c not in features],
        id_like_features=id_like,
        max_categories=config.max_categories,
        missing_group=MISSING_LEVEL if config.missing_group else None,
    )


def sensitive_groups(
    frame: pd.DataFrame, config: TableData, *, src: str
) -> tuple[pd.DataFrame, dict[str, int]]:
    """One string column per sensitive feature, and per feature the count of missing values
    put in the group '(missing)' (refused unless ``missing_group``)."""
    out: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for col in config.sensitive:
        values = frame[col]
        bad = (values.isna() | (values.astype(str).str.strip() == "")).to_numpy()
        if bad.any() and not config.missing_group:
            n, row = int(bad.sum()), data_row(int(np.flatnonzero(bad)[0]))
            labels = f"{n} missing or empty group label{'s' if n != 1 else ''}"
            raise AuditorInputError(MISSING_SENSITIVE.format(col=col, labels=labels, row=row),
                                    source=src, field="data.sensitive")  # fmt: skip
        check_spaced(values, col=col, what="groups", src=src, field="data.sensitive")
        labels = values.astype(str).to_numpy(dtype=object)
        labels[bad] = MISSING_LEVEL
        out[col] = labels
        counts[col] = int(bad.sum())
    return pd.DataFrame(out, index=frame.index).astype(str), counts


def encode_target(
    frame: pd.DataFrame, config: TableData, *, src: str
) -> tuple[np.ndarray, TaskInfo]:
    """Labels 0..k-1 in sorted order, ``positive_label`` (when given) last."""
    target = frame[config.target]
    if target.isna().any():
        raise AuditorInputError(TARGET_MISSING.format(col=config.target), source=src,
                                field="data.target")  # fmt: skip
    check_spaced(target, col=config.target, what="classes", src=src, field="data.target")
    labels = sorted(target.unique().tolist(), key=str)
    if len(labels) < 2:
        raise AuditorInputError(SINGLE_CLASS.format(col=config.target, label=labels[0]),
                                source=src, field="data.target")  # fmt: skip
    if len(labels) > config.max_categories:
        raise AuditorInputError(
            TOO_MANY_CLASSES.format(col=config.target, n=len(labels), k=config.max_categories),
            source=src, field="data.target",
        )  # fmt: skip
    if config.positive_label is not None:
        pos = positive_value(labels, config.positive_label)
        if pos is None:
            raise AuditorInputError(
                NOT_A_LABEL.format(label=config.positive_label, col=config.target),
                source=src, field="data.positive_label",
            )  # fmt: skip
        binary_positive(labels, pos, whose=f"target column {config.target!r}", src=src)
        labels = [v for v in labels if v != pos] + [pos]
    lookup = {v: i for i, v in enumerate(labels)}
    y = target.map(lookup).to_numpy().astype(np.int64)
    return y, TaskInfo(config.target, tuple(str(v) for v in labels))


def positive_value(labels: list, wanted: object) -> object | None:
    """The label that ``wanted`` (``positive_label``) names, by :mod:`auditor.config.labels`'
    one rule: the one written the same, else the one of the same value (``1`` names the label
    ``1.0`` of a float column, ``"true"`` names ``True``); None when none does or two do."""
    index = label_index(labels, wanted)
    return None if index is None else labels[index]


def validate_table(config: TableData) -> None:
    """Every check of :func:`load_table_bundle` (header, columns, inputs, groups, target)
    without encoding or splitting: for validation before any work. The frame is kept for
    the next reader (preflight's counts, then the loader)."""
    frame = read_table(Path(config.path), field="data.path", keep=True)
    src = str(config.path)
    select_inputs(frame, config, src=src)
    sensitive_groups(frame, config, src=src)
    encode_target(frame, config, src=src)


def load_table_bundle(config: TableData, *, seed: int) -> DatasetBundle:
    path = Path(config.path)
    src = str(path)
    frame = read_table(path, field="data.path")
    inputs = select_inputs(frame, config, src=src)
    sensitive, missing = sensitive_groups(frame, config, src=src)
    y, task = encode_target(frame, config, src=src)
    if config.missing_group:
        inputs = dataclasses.replace(inputs, missing_sensitive=missing)
    n_inputs = len(inputs.numeric) + len(inputs.categorical)
    return table_bundle(
        name=path.stem,
        frame=frame,
        y=y,
        task=task,
        sensitive=sensitive,
        inputs=inputs,
        fractions=config.splits.model_dump(),
        seed=seed,
        sensitive_input_columns={c: [c] for c in config.sensitive},
        description=f"User table {path.name} ({len(frame)} rows, {n_inputs} input columns).",
        citation=config.citation,
        license=config.license,
        source_files={path.name: sha256_file(path)},
        row_file=path.name,
    )
