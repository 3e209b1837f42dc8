"""A notebook's table as ``audit_predictions`` reads it: a pandas DataFrame (any column labels:
integers, tuples of a MultiIndex; any index), a 2-D numpy array (columns 0, 1, ...) or an
object with ``to_pandas()`` (polars, a pyarrow Table), reduced to the named columns under
string names, each in a type the Parquet reader takes (object columns mixing ints and strings,
periods, intervals: their text, as a CSV would hold them; missing values stay missing)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from auditor.api._finite import frame_source
from auditor.errors import AuditorInputError

if TYPE_CHECKING:
    import pandas as pd

    from auditor.config import TableData

FRAME_NAME = "dataframe"
NOT_A_TABLE = (
    "give a pandas DataFrame, a 2-D numpy array, an object with to_pandas() or a CSV / "
    "Parquet path; got {found}"
)
NO_PANDAS = "{kind}.to_pandas() raised {why}; give a pandas DataFrame"
LAZY = ("toPandas", "compute", "collect")  # a lazy table's way to its rows, as pandas or not
NOT_A_NAME = "give the name of a column (a string or a column label); got {found}"
NOT_NAMES = "give a list of column names, or one column's name; got a {found}"
A_COLUMN = (
    "give the names of the sensitive columns, not a column's values; got a Series of {n:,} "
    "values ({values}){hint}"
)
TWICE = "column {column!r} appears {times} times in the DataFrame; rename all but one"
SAME_TEXT = "columns {a!r} and {b!r} are both {text!r} as text; rename one"
NO_SUCH_COLUMN = "no column {column!r} in the DataFrame (columns: {have})"
SHOW_COLUMNS = 30
OTHER_NAMES = (
    "features {differ}; {name} was fitted on {n} columns (feature_names_in_) and receives "
    "those: name them (in any order), or leave features out"
)
TARGET_INPUT = "the target column {col!r} cannot be a model input ({where} names it)"


def as_frame(source: Any) -> pd.DataFrame:
    """``source`` as a pandas DataFrame, or one line naming ``source``."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return source
    if isinstance(source, pd.Series):
        raise AuditorInputError(NOT_A_TABLE.format(found="a Series (one column)"),
                                field="source")  # fmt: skip
    shape = getattr(source, "shape", None)
    if hasattr(source, "to_pandas") and callable(source.to_pandas):
        frame = to_pandas(source)
        if isinstance(frame, pd.DataFrame):
            return frame
    elif shape is not None and hasattr(source, "dtype") and len(shape) == 2:
        return pd.DataFrame(source)
    kind = type(source)
    package = kind.__module__.split(".")[0]
    named = kind.__name__ if package in ("builtins", "pandas") else f"{package} {kind.__name__}"
    found = named if shape is None else f"{named} {shape}"
    lazy = [m for m in LAZY if callable(getattr(source, m, None))][:1]  # Spark, Dask, polars
    hint = f"; call .{lazy[0]}() first to hold its rows in memory" if lazy else ""
    raise AuditorInputError(NOT_A_TABLE.format(found=found) + hint, field="source")


def to_pandas(source: Any, *, field: str = "source") -> Any:
    """``source.to_pandas()``, or one line naming ``field`` where it raises (polars without
    pyarrow, a pyarrow type pandas has no dtype for): its traceback came from inside them.
    audit_predictions' and audit_model's one conversion of a table."""
    try:
        return source.to_pandas()
    except MemoryError:  # out of memory is no bad input (exit 2): raised as it is
        raise
    except Exception as exc:  # noqa: BLE001 - any library's own error, told back in one line
        kind = f"{type(source).__module__.split('.')[0]} {type(source).__name__}"
        said = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        why = f"{type(exc).__name__}: {said}" if said else type(exc).__name__
        raise AuditorInputError(NO_PANDAS.format(kind=kind, why=why), field=field) from None


def column_label(value: Any, *, role: str) -> Hashable:
    """``value`` if it can name a column (a string, an integer, a MultiIndex tuple), else one
    line naming ``role`` (a Series or a list given as the column itself)."""
    if isinstance(value, str | int | tuple) and not isinstance(value, bool):
        return value
    if type(value).__module__ == "numpy" and getattr(value, "ndim", 1) == 0:
        return value.item()  # a numpy integer or string scalar
    raise AuditorInputError(NOT_A_NAME.format(found=type(value).__name__) + _by_name(value, role),
                            field=role)  # fmt: skip


def _by_name(value: Any, role: str) -> str:
    """How to name the column ``value`` is, where it is a named pandas Series (``df["sex"]``
    given as the column itself, as scikit-learn and fairlearn take it): ``; sensitive=['sex']``."""
    name = getattr(value, "name", None) if hasattr(value, "to_frame") else None
    if not isinstance(name, str | int | tuple) or isinstance(name, bool):
        return ""
    return f"; {role}={[name] if role == 'sensitive' else name!r}"


def sensitive_labels(value: Any) -> tuple[Hashable, ...]:
    """``sensitive=`` as a tuple of labels: None, one name, or any sequence of names (a list,
    a tuple of names, a pandas Index or Series of names, a numpy array)."""
    if value is None:
        return ()
    if isinstance(value, str | int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, Sequence) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else list(value)
        if hasattr(value, "to_frame") and _repeats(items):  # a Series: a column's values
            shown = ", ".join(map(repr, dict.fromkeys(items[:200])))[:60]
            raise AuditorInputError(A_COLUMN.format(n=len(items), values=shown,
                                                    hint=_by_name(value, "sensitive")),
                                    field="sensitive")  # fmt: skip
        return tuple(column_label(v, role="sensitive") for v in items)
    raise AuditorInputError(NOT_NAMES.format(found=type(value).__name__), field="sensitive")


def _repeats(items: list) -> bool:
    """Some value of ``items`` is there twice (names never are: a column's values are)."""
    try:
        return len(set(items)) < len(items)
    except TypeError:  # unhashable values: no column's name
        return True


def text_name(label: Hashable) -> str:
    """The name a column label has in the audit (a string as it is; else its ``str``)."""
    return label if isinstance(label, str) else str(label)


def _near(name: str, labels: list[Hashable]) -> str:
    """"; did you mean 'label'?" for a misspelt column (``lable``), as a file's is named."""
    from auditor.predictions.source import near_name

    near = near_name(name, [text_name(c) for c in labels])
    return f"; did you mean {near[0]!r}?" if near else ""


def _find(frame: pd.DataFrame, label: Hashable, *, role: str) -> Hashable:
    """The frame's own label for ``label``: itself, else the one column whose text it is."""
    labels = list(frame.columns)
    found = [c for c in labels if type(c) is type(label) and c == label]
    if not found:
        found = [c for c in labels if text_name(c) == text_name(label)]
    if not found:
        have = ", ".join(map(repr, labels[:SHOW_COLUMNS]))
        more = f", ... ({len(labels)} in all)" if len(labels) > SHOW_COLUMNS else ""
        msg = NO_SUCH_COLUMN.format(column=text_name(label), have=have + more)
        raise AuditorInputError(msg + _near(text_name(label), labels), source=FRAME_NAME,
                                field=role)  # fmt: skip
    if len(found) > 1:
        msg = TWICE.format(column=text_name(label), times=len(found))
        raise AuditorInputError(msg, source=FRAME_NAME, field=text_name(label))
    return found[0]


def named_columns(frame: pd.DataFrame, wanted: Sequence[tuple[Hashable, str]]) -> pd.DataFrame:
    """The columns ``wanted`` (label, role) of ``frame`` under their text names, on a fresh
    0..n-1 index, each as the Parquet reader takes it."""
    import pandas as pd

    columns: dict[str, Any] = {}
    owner: dict[str, Hashable] = {}
    for label, role in wanted:
        own = _find(frame, label, role=role)
        name = text_name(own)
        if name in owner and owner[name] != own:
            msg = SAME_TEXT.format(a=owner[name], b=own, text=name)
            raise AuditorInputError(msg, source=FRAME_NAME, field=role)
        owner[name] = own
        columns[name] = _arrow_ready(frame[own]).reset_index(drop=True)
    return pd.DataFrame(columns)


def _arrow_ready(series: pd.Series) -> pd.Series:
    """``series`` as it is when pyarrow holds it as a plain type (a sparse one made dense);
    else (mixed object values, periods, intervals, also as a category's values: ``pd.cut``'s
    bins) its values as text, missing values kept missing."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(series.dtype, pd.SparseDtype):
        series = series.sparse.to_dense()
    try:
        kind = pa.Array.from_pandas(series).type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if not isinstance(kind, pa.ExtensionType):
            return series
    except (pa.ArrowException, TypeError, ValueError):
        pass
    text = [None if _missing(v) else str(v) for v in series.astype(object)]
    return pd.Series(text, index=series.index, dtype="string")


def _missing(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a value pd.isna answers with an array
        return False


NOT_A_STRING = (
    "give a column's name as a string; got {found} {value!r} (audit_model reads columns by "
    "their string names: df.columns = [str(c) for c in df.columns])"
)
NOT_TEXT_LABEL = (
    "column {column!r} is named by {kind}, not a string; audit_model reads columns by their "
    "string names (rename them: df.columns = [str(c) for c in df.columns])"
)


def check_model_names(*, target: Any, sensitive: Any, features: Any) -> None:
    """``audit_model``'s column arguments each a string name (or a list of them): a Series,
    an integer or a tuple is one line naming the argument, not a pydantic message."""
    for role, value in (("target", target), ("sensitive", sensitive), ("features", features)):
        if value is None or isinstance(value, str):
            continue
        items = [value] if role == "target" else value
        if role != "target" and not (isinstance(items, Sequence) or hasattr(items, "tolist")):
            raise AuditorInputError(NOT_NAMES.format(found=type(value).__name__), field=role)
        if role == "sensitive":  # df["sex"] itself: its values, not "column 'a' named 44 times"
            sensitive_labels(value)
        for item in items.tolist() if hasattr(items, "tolist") else items:
            if not isinstance(item, str):
                found = type(item).__name__
                label = isinstance(item, int | tuple)
                msg = NOT_A_STRING if label else NOT_A_NAME
                msg = msg.format(found=found, value=item)
                raise AuditorInputError(msg, field=role)


def check_model_frame(frame: Any, *, key: str) -> None:
    """A DataFrame given to ``audit_model``: every column named by a string, and once; named
    as its other refusals name it, ``members (DataFrame): members: ...`` (it was
    ``dataframe: members: ...``, audit_predictions' stand-in)."""
    seen: set[Hashable] = set()
    for label in frame.columns:
        if not isinstance(label, str):
            msg = NOT_TEXT_LABEL.format(column=label, kind=type(label).__name__)
            raise AuditorInputError(msg, source=frame_source(key), field=key)
        if label in seen:
            times = list(frame.columns).count(label)
            raise AuditorInputError(TWICE.format(column=label, times=times),
                                    source=frame_source(key), field=key)  # fmt: skip
        seen.add(label)


def check_model_inputs(data: TableData, fitted: list[str] | None, *, name: str) -> None:
    """A supplied model's inputs: ``data.features`` must be an estimator's own columns
    (``fitted``, its feature_names_in_: it is handed those, whatever features says), and
    neither may hold the target (a model given its own label; a table auditor trains refuses
    it too)."""
    given = data.features
    if fitted is not None and given is not None and sorted(given) != sorted(fitted):
        extra = [c for c in given if c not in fitted]
        left = [c for c in fitted if c not in given]
        parts = (("names columns it was not fitted on:", extra), ("leaves out", left))
        differ = "; ".join(f"{words} {_shown(cols)}" for words, cols in parts if cols)
        message = OTHER_NAMES.format(differ=differ, name=name, n=len(fitted))
        raise AuditorInputError(message, field="data.features")
    if given is not None and data.target in given:
        message = TARGET_INPUT.format(col=data.target, where="features")
        raise AuditorInputError(message, field="data.features")
    if fitted is not None and data.target in fitted:
        where = f"{name}'s feature_names_in_: it was fitted on the label"
        raise AuditorInputError(TARGET_INPUT.format(col=data.target, where=where), field="model")


def _shown(columns: list[str]) -> str:
    more = f", ... ({len(columns)} in all)" if len(columns) > 12 else ""
    return ", ".join(columns[:12]) + more
