"""A supplied model's input columns as one matrix for auditor's checks, and back.

:class:`InputCodec` turns the columns into an (n, F) matrix (numbers as numbers, categories
as codes of their levels), so shuffling a column or hashing a row works the same for every
model, and decodes a matrix back into what the model was fitted on. A PyTorch module takes
float32; an estimator is handed its numbers as read: the matrix is float64 and a DataFrame
gets back each column's dtype (an integer, boolean or float32 column stays one), since an
estimator fitted on float64 sees float32-rounded values differently (1,700,000,050 seconds
is 1,700,000,000 in float32; a threshold between them flips the prediction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from auditor.data.advice import DROP_IT
from auditor.errors import AuditorInputError, data_row, rows_text

NO_COLUMN = (
    "no column {col!r} in the rows (each file needs the target, sensitive and input columns)"
)
NOT_NUMERIC = (
    "column {col!r} is not numeric; this model receives its inputs as a numeric matrix (a "
    "PyTorch model, or an estimator fitted without column names): encode it before saving "
    "the rows, or name the numeric columns in data.features"
)
TEXT_IN_NUMBERS = (
    "column {col!r} holds numbers in {other} but text here ({text!r} in {rows}, first at "
    "{row}); if the text marks a missing value, leave the cell empty or write NA"
)

# float64 holds every integer up to 2**53; past it the matrix would hand an estimator another
# number than the file's (an ID 2**53 + 1 becomes 2**53), in a DataFrame too.
EXACT_INT_MAX = 2**53
# The advice to leave a column out of the inputs, as a config file takes it; one wording for
# every message that gives it (audit_model's errors say it in a Python caller's words).
INEXACT_INTEGERS = (
    "column {col!r} holds integers beyond 2**53 ({value} in {rows}, first at {row}), which "
    "auditor's float64 copy of an estimator's inputs cannot hold exactly; an identifier is no "
    "model input: " + DROP_IT + ", or name the inputs in data.features, or keep a coarser "
    "unit (seconds, not nanoseconds)"
)


@dataclass(frozen=True)
class InputCodec:
    """How the model's input columns become a matrix and back.

    columns: the model's input columns, in order; levels: per categorical column, its levels
    (a code is an index into them; -1 (NaN in the matrix) is missing); as_frame: decode to a
    DataFrame with these column names (scikit-learn), else to the matrix itself; dtypes: a
    column's dtype as read, given back on decoding (a categorical dtype: a model fitted on
    categories, HistGradientBoosting's from_dtype, needs it; an integer or boolean column
    whose values fit it); exact: the matrix is float64, the numbers as read (an estimator's),
    else float32 (a PyTorch module's)."""

    columns: tuple[str, ...]
    levels: dict[str, tuple[Any, ...]]
    as_frame: bool
    dtypes: dict[str, Any] = field(default_factory=dict)
    exact: bool = False

    @property
    def dtype(self) -> type[np.floating]:
        """The matrix's dtype: float64 when ``exact``, else float32."""
        return np.float64 if self.exact else np.float32

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """(n, F) of :attr:`dtype`: numbers as they are, categories as codes of ``levels``."""
        out = np.empty((len(frame), len(self.columns)), dtype=self.dtype)
        for j, col in enumerate(self.columns):
            if col in self.levels:
                codes = pd.Categorical(frame[col], categories=self.levels[col]).codes
                out[:, j] = np.where(codes < 0, np.nan, codes)
            else:
                out[:, j] = pd.to_numeric(frame[col], errors="coerce").to_numpy(self.dtype)
        return out

    def decode(self, x: np.ndarray) -> pd.DataFrame | np.ndarray:
        """The model's input from (n, F) codes: a DataFrame with the original values, or the
        matrix of :attr:`dtype`."""
        if not self.as_frame:
            return np.ascontiguousarray(x, dtype=self.dtype)
        cols: dict[str, Any] = {}
        for j, col in enumerate(self.columns):
            if col in self.levels:
                levels = np.asarray(self.levels[col], dtype=object)
                codes = np.nan_to_num(x[:, j], nan=-1).astype(np.int64)
                cols[col] = np.where(codes < 0, None, levels[np.clip(codes, 0, None)])
                if col in self.dtypes:
                    cols[col] = pd.Categorical(cols[col], dtype=self.dtypes[col])
            else:
                cols[col] = _as_read(x[:, j].astype(np.float64), self.dtypes.get(col))
        return pd.DataFrame(cols)


def _as_read(values: np.ndarray, dtype: Any) -> np.ndarray:
    """``values`` (float64) in the column's dtype as read, where they fit it exactly (an
    integer or boolean column; a float32 one); else as they are (float64)."""
    if dtype is None or not isinstance(dtype, np.dtype) or dtype == np.float64:
        return values
    if dtype.kind in "iub" and not np.isfinite(values).all():
        return values  # a missing value (another file's): no integer holds NaN
    with np.errstate(invalid="ignore", over="ignore"):
        cast = values.astype(dtype)
    return cast if np.array_equal(cast.astype(np.float64), values, equal_nan=True) else values


def build_codec(
    frames: dict[str, pd.DataFrame], columns: list[str], *, as_frame: bool, numeric_only: bool,
    sources: dict[str, str], exact: bool = False,
) -> InputCodec:  # fmt: skip
    """The codec of ``columns`` over every file (``sources``: a file's key -> its name); the
    evaluation rows' ("path") dtypes are given back on decoding."""
    levels: dict[str, tuple[Any, ...]] = {}
    for col in columns:
        for key, frame in frames.items():
            if col not in frame.columns:
                raise AuditorInputError(NO_COLUMN.format(col=col), source=sources[key],
                                        field="data.features")  # fmt: skip
        numeric = {k: pd.api.types.is_numeric_dtype(f[col]) for k, f in frames.items()}
        if exact:
            for key, frame in frames.items():
                _refuse_inexact_integers(frame[col], col=col, src=sources[key])
        if all(numeric.values()):
            continue
        text_key = next(k for k, is_number in numeric.items() if not is_number)
        number_keys = [k for k, is_number in numeric.items() if is_number]
        if number_keys:
            _numbers_elsewhere(frames[text_key][col], col=col, src=sources[text_key],
                               numbers_in=sources[number_keys[0]])  # fmt: skip
        if numeric_only:
            raise AuditorInputError(NOT_NUMERIC.format(col=col), source=sources[text_key],
                                    field="data.features")  # fmt: skip
        values = pd.concat([f[col] for f in frames.values()]).dropna().unique().tolist()
        levels[col] = tuple(sorted(values, key=str))
    dtypes = {col: frame[col].dtype for col in levels for frame in reversed(frames.values())
              if isinstance(frame[col].dtype, pd.CategoricalDtype)}  # the evaluation rows' last
    first = frames.get("path", next(iter(frames.values())))
    dtypes.update({col: first[col].dtype for col in columns
                   if col not in levels and isinstance(first[col].dtype, np.dtype)})  # fmt: skip
    return InputCodec(columns=tuple(columns), levels=levels, as_frame=as_frame, dtypes=dtypes,
                      exact=exact)  # fmt: skip


def _numbers_elsewhere(values: pd.Series, *, col: str, src: str, numbers_in: str) -> None:
    """Refuse text in a column that another file holds as numbers (a missing-value marker
    such as ``unknown``): the model would be handed a string where it was fitted on numbers."""
    present = values.dropna()
    text = pd.to_numeric(present, errors="coerce").isna().to_numpy()
    if text.any():
        first = present.index[text][0]
        row = data_row(int(values.index.get_loc(first)))
        message = TEXT_IN_NUMBERS.format(col=col, other=numbers_in, text=str(present[first]),
                                         rows=rows_text(int(text.sum())), row=row)  # fmt: skip
        raise AuditorInputError(message, source=src, field="data.features")


def _refuse_inexact_integers(values: pd.Series, *, col: str, src: str) -> None:
    """Refuse an integer column with a value past :data:`EXACT_INT_MAX` either side (a 64-bit
    ID): the estimator would be handed it rounded to float64."""
    if not pd.api.types.is_integer_dtype(values.dtype):
        return
    kind = np.dtype(getattr(values.dtype, "numpy_dtype", values.dtype)).kind
    ints = values.to_numpy(dtype=np.uint64 if kind == "u" else np.int64, na_value=0)  # 0: exact
    big = ints > EXACT_INT_MAX if kind == "u" else (ints > EXACT_INT_MAX) | (ints < -EXACT_INT_MAX)
    rows = np.flatnonzero(big)  # each a row of the file (a missing value stays in its place)
    if len(rows):
        message = INEXACT_INTEGERS.format(col=col, value=int(ints[rows[0]]),
                                          rows=rows_text(len(rows)),
                                          row=data_row(int(rows[0])))  # fmt: skip
        raise AuditorInputError(message, source=src, field="data.features")
