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
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from auditor.config import TableData
from auditor.config.labels import alike_notes
from auditor.data import DatasetBundle, TaskInfo, split_indices
from auditor.data._labels import binary_positive  # noqa: F401 - this module's API too
from auditor.data._tables import MISSING_LEVEL, InputSelection, table_bundle, trained_inputs
from auditor.data.advice import DROP_IT
from auditor.data.csv_frame import (  # noqa: F401
    PAST_HEADER,
    ReadColumns,
    read_csv_frame,
    trailing_unnamed,
)
from auditor.data.damaged import GZIP_CUT_SHORT, parquet_bytes, parquet_refusal
from auditor.data.groups import (  # noqa: F401 - this module's API too
    MAX_CATEGORIES,
    MISSING_SENSITIVE,
    NOT_A_LABEL,
    RAISE_MAX_CATEGORIES,
    SINGLE_CLASS,
    TARGET_MISSING,
    TOO_MANY_CLASSES,
    Merged,
    encode_target,
    number_notes,
    sensitive_groups,
)
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
from auditor.data.spelling import merged_notes
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
    "column {col!r} has a distinct value in every one of its {n} rows (an ID?); " + DROP_IT
    + ", or name it in data.features to use it as a model input"
)
ROW_INDEX = (
    "a column with no name in the header ({col!r}) has a distinct value in every one of its "
    "{n} rows: a row index (DataFrame.to_csv without index=False?); save the file with "
    "index=False, or add {col!r} to data.drop"
)
NO_VALUES = (
    "column {col!r} has no value in any of its {n}, so it would be a model input of one "
    "imputed constant; {fix}"
)
TOO_MANY_LEVELS = (
    "categorical column {col!r} has {n} levels, more than " + MAX_CATEGORIES + "{k}; "
    + DROP_IT + RAISE_MAX_CATEGORIES
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
    "else " + DROP_IT
)
# A column with more distinct numbers than this is a measurement, not a set of codes.
MAX_CODES = 10

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


def read_frame(path: Path, *, keep: bool = False, reads: Container[str] = ()) -> pd.DataFrame:
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
    frame = _parse_frame(path, reads)
    if keep and key is not None:
        _HANDOFF[key] = frame
        while len(_HANDOFF) > HANDOFF_FILES:  # the oldest: a run that stopped before loading
            del _HANDOFF[next(iter(_HANDOFF))]
    return frame


def read_table(path: Path, *, field: str, keep: bool = False,
               reads: Container[str] = ()) -> pd.DataFrame:  # fmt: skip
    """:func:`read_frame` of the file a config key names: an error about the whole file (no
    such file, not UTF-8, no rows) names that key, as ``FILE: data.path: no such file``;
    ``reads``: the columns the config reads (:class:`~auditor.data.csv_frame.ReadColumns`)."""
    try:
        return read_frame(path, keep=keep, reads=reads)
    except AuditorInputError as exc:  # a column named twice keeps its field: the column
        raise exc.with_field(field) from None


def _parse_frame(path: Path, reads: Container[str]) -> pd.DataFrame:
    kind = file_kind(path)
    header = read_header(path, kind)
    end = len(header) - (trailing_unnamed(header) if kind == "csv" else 0)  # Excel's ',,'
    check_header(header[:end], source=str(path))
    try:
        frame = _read_parquet(path) if kind == "parquet" else read_csv_frame(path, reads)
    except AuditorInputError:
        raise
    except EOFError:  # a .gz cut short
        raise AuditorInputError(GZIP_CUT_SHORT, source=str(path)) from None
    except Exception as exc:  # noqa: BLE001 - any parser failure is bad input
        if file_kind(path) == "parquet":  # a page that does not decode: the file is damaged
            raise parquet_refusal(path, exc, footer=False) from None
        raise AuditorInputError(CANNOT_READ.format(error=one_line(exc)), source=str(path)) from None
    if len(frame) == 0:
        raise AuditorInputError(NO_ROWS, source=str(path))
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    """The Parquet file at ``path`` as a frame; a name that is not UTF-8 (which pyarrow
    cannot encode) read by its bytes (:func:`~auditor.data.damaged.parquet_bytes`)."""
    import pyarrow as pa

    data = parquet_bytes(path)
    return pd.read_parquet(path if data is None else pa.BufferReader(data))


def _require_columns(frame: pd.DataFrame, names: list[str], *, key: str, src: str) -> None:
    for col in names:
        if col not in frame.columns:
            raise AuditorInputError(NO_COLUMN.format(col=col), source=src, field=key)


def is_id_like(values: pd.Series) -> bool:
    """A distinct value in every row (of at least 2), unless the column is a continuous
    float (some value not an integer): an ID rather than a measurement."""
    if pd.api.types.is_bool_dtype(values) or len(values) < 2:
        return False
    if pd.api.types.is_float_dtype(values):  # first: a scan, where counting sorts or hashes
        finite = values.to_numpy(dtype=float, na_value=np.nan)
        finite = finite[np.isfinite(finite)]
        if not np.all(finite == np.round(finite)):
            return False
    return bool(values.nunique(dropna=False) == len(values))


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
    empty = next((c for c in features if frame[c].isna().all()), None)
    if empty is not None:
        fix = "remove it from data.features" if named else DROP_IT
        raise AuditorInputError(NO_VALUES.format(col=empty, n=rows_text(len(frame)), fix=fix),
                                source=src, field="data.features")  # fmt: skip
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


@dataclass(frozen=True)
class CheckedTable:
    """A table read and checked once: the frame, its inputs, one text column per sensitive
    feature (and per feature the count put in '(missing)'), the target's class indices (n,)
    and names."""

    frame: pd.DataFrame
    inputs: InputSelection
    sensitive: pd.DataFrame
    missing: dict[str, int]
    y: np.ndarray
    task: TaskInfo
    # per target or sensitive column, each label read from more than one spelling
    merged: Merged = dataclasses.field(default_factory=dict)


# The checks of the last validation, handed on with its frame: preflight's counts and the
# loader read the same frame (read_frame's handoff) under the same settings, and take them.
_CHECKED: dict[str, CheckedTable] = {}
# The settings the checks do not read (a recipe may change the splits; the card's text; a
# supplied model's files): every other setting, a new one too, is in the reuse key.
NOT_CHECKED = {"splits", "license", "citation", "members", "non_members"}


def checked_table(config: TableData, *, keep: bool = False) -> CheckedTable:
    """Every check of :func:`load_table_bundle` (header, columns, inputs, groups, target)
    without encoding or splitting, done once per frame: a validation's results are taken by
    the next reader of the same frame under the same settings. ``keep``: hand the frame and
    the results on again (validation, preflight's counts); the loader takes them."""
    src, key = str(config.path), repr(config.model_dump(exclude=NOT_CHECKED))  # not JSON:
    # a path whose name is not UTF-8 (held with surrogates) has no JSON text
    frame = read_table(Path(config.path), field="data.path", keep=keep,
                       reads=ReadColumns(config))  # fmt: skip
    checked = _CHECKED.pop(key, None)
    if checked is None or checked.frame is not frame:  # another file, or changed since
        inputs = select_inputs(frame, config, src=src)
        merged: Merged = {}
        sensitive, missing = sensitive_groups(frame, config, src=src, merged=merged)
        y, task = encode_target(frame, config, src=src, merged=merged)
        checked = CheckedTable(frame, inputs, sensitive, missing, y, task, merged)
    if keep:
        _CHECKED.clear()  # one table a run
        _CHECKED[key] = checked
    return checked


def validate_table(config: TableData) -> CheckedTable:
    """:func:`checked_table` for validation before any work; the frame and the results are
    kept for the next reader (preflight's counts, then the loader)."""
    return checked_table(config, keep=True)


def class_rows(task: TaskInfo, y: np.ndarray) -> dict[str, int]:
    """Each class's rows in the table (``y`` the class codes)."""
    counts = np.bincount(y, minlength=task.n_classes).tolist()
    return dict(zip(task.class_names, counts, strict=True))


def load_table_bundle(config: TableData, *, seed: int) -> DatasetBundle:
    path = Path(config.path)
    checked = checked_table(config)
    frame, inputs, sensitive, y, task = (checked.frame, checked.inputs, checked.sensitive,
                                         checked.y, checked.task)  # fmt: skip
    if config.missing_group:
        inputs = dataclasses.replace(inputs, missing_sensitive=checked.missing)
    fractions = config.splits.model_dump()
    drawn = split_indices(y, fractions, seed=seed)  # once: the inputs and the bundle's splits
    inputs, untrained = trained_inputs(frame, inputs, drawn=drawn, seed=seed, source=str(path))
    n_inputs = len(inputs.numeric) + len(inputs.categorical)
    return table_bundle(
        name=path.stem,
        frame=frame,
        y=y,
        task=task,
        sensitive=sensitive,
        inputs=inputs,
        fractions=fractions,
        seed=seed,
        sensitive_input_columns={c: [c] for c in config.sensitive},
        description=" ".join([f"User table {path.name} ({len(frame)} rows, {n_inputs} input "
                              "columns).", *untrained, *merged_notes(checked.merged, named_in=None),
                              *alike_notes(config.target, class_rows(task, y)),
                              *number_notes(sensitive)]),
        citation=config.citation,
        license=config.license,
        source_files={path.name: sha256_file(path)},
        row_file=path.name,
        drawn=drawn,
    )
