"""``audit_predictions`` on tables as pandas and notebooks really hand them over: integer and
MultiIndex column labels, a numpy array, duplicated column names, object columns mixing ints
and strings, periods, ``sensitive=`` as a Series, the column itself where a name is expected.
Each gives the numbers of the same rows under plain names, or one AuditorInputError."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from auditor.api import audit_predictions
from auditor.errors import AuditorInputError
from tests.builders import predictions_frame

KW = {"y_true": "label", "y_pred": "pred", "y_score": "score", "positive_label": "approved"}


def _frame() -> pd.DataFrame:
    return predictions_frame(600, seed=5)[["label", "pred", "score", "sex"]]


def _numbers(result: Any) -> dict:
    """accuracy, AUC and the per-group counts and rates of ``sex`` (whatever it is named)."""
    test = result.data["performance"]["finetuned"]["test"]
    (feature,) = result.data["fairness"]["features"].values()
    rates = {g["group"]: g["metrics"]["selection_rate"]["value"] for g in feature["groups"]}
    groups = {g["group"]: (g["n"], rates[g["group"]]) for g in feature["groups"]}
    return {"accuracy": test["accuracy"], "auc": test["roc_auc"], "groups": groups}


@pytest.fixture(scope="module")
def plain() -> dict:
    return _numbers(audit_predictions(_frame(), sensitive=["sex"], **KW))


def test_integer_column_labels_and_a_numpy_array_audit_the_same_rows(plain: dict):
    frame = _frame()
    frame.columns = [0, 1, 2, 3]
    ints = audit_predictions(frame, y_true=0, y_pred=1, y_score=2, sensitive=[3],
                             positive_label="approved")  # fmt: skip
    assert _numbers(ints) == plain
    assert ints.data["data"]["sensitive_features"] == ["3"]
    array = audit_predictions(frame.to_numpy(), y_true=0, y_pred=1, y_score=np.int64(2),
                              sensitive=[3], positive_label="approved")  # fmt: skip
    assert _numbers(array) == plain


def test_multiindex_columns_are_named_by_their_tuples(plain: dict):
    frame = _frame()
    frame.columns = pd.MultiIndex.from_tuples([("y", "true"), ("y", "pred"), ("y", "score"),
                                               ("who", "sex")])  # fmt: skip
    result = audit_predictions(frame, y_true=("y", "true"), y_pred=("y", "pred"),
                               y_score=("y", "score"), sensitive=[("who", "sex")],
                               positive_label="approved")  # fmt: skip
    assert _numbers(result) == plain


def test_sensitive_as_a_series_or_an_index_and_a_filtered_duplicated_index(plain: dict):
    frame = _frame()
    frame.index = ["row"] * len(frame)
    assert _numbers(audit_predictions(frame, sensitive=pd.Series(["sex"]), **KW)) == plain
    assert _numbers(audit_predictions(frame, sensitive=pd.Index(["sex"]), **KW)) == plain
    kept = _frame().query("score > 0.3")
    result = _numbers(audit_predictions(kept, sensitive="sex", **KW))
    assert result["accuracy"] == pytest.approx((kept["label"] == kept["pred"]).mean())
    assert sum(n for n, _ in result["groups"].values()) == len(kept)


def test_a_mixed_object_column_and_periods_are_audited_by_their_text():
    frame = _frame().assign(sex=lambda f: f["sex"].astype(object))
    frame.loc[:99, "sex"] = 1
    frame.loc[100, "sex"] = None
    frame["month"] = pd.period_range("2024-01", periods=3, freq="M").repeat(200)
    result = audit_predictions(frame, sensitive=["sex", "month"], missing_group=True, **KW)
    features = result.data["fairness"]["features"]
    sex = {g["group"]: g["n"] for g in features["sex"]["groups"]}
    assert sex["1"] == 100 and sex["(missing)"] == 1 and sum(sex.values()) == 600
    month = {g["group"]: g["n"] for g in features["month"]["groups"]}
    assert month == {"2024-01": 200, "2024-02": 200, "2024-03": 200}


@pytest.mark.parametrize(
    ("change", "kwargs", "expected"),
    [
        (lambda f: pd.concat([f, f[["sex"]]], axis=1), {},
         r"^dataframe: sex: column 'sex' appears 2 times in the DataFrame; rename all but one$"),
        (lambda f: f.set_axis(["label", "pred", "0", 0], axis=1),
         {"y_score": "0", "sensitive": [0]},
         r"^dataframe: sensitive: columns '0' and 0 are both '0' as text; rename one$"),
        (lambda f: f, {"y_true": None}, r"^y_true: name the columns"),
        (lambda f: f, {"sensitive": {"sex": 1}}, r"^sensitive: give a list of column names"),
        (lambda f: f, {"missing": "y_score"}, r"^y_score: give the name of a column .* Series"),
        (lambda f: f.to_numpy()[:, 0], {}, r"^source: give a pandas DataFrame, .* ndarray"),
        (lambda f: f["label"], {}, r"^source: give a pandas DataFrame, .* a Series"),
        (lambda f: f, {"sensitive": ["nope"]}, r"^dataframe: sensitive: no column 'nope' in"),
    ],
)  # fmt: skip
def test_a_table_the_audit_cannot_read_is_one_line_naming_the_argument(
    change: Any, kwargs: dict, expected: str
):
    frame = _frame()
    kw = {**KW, "sensitive": ["sex"], **kwargs}
    if kw.pop("missing", None):
        kw["y_score"] = frame["score"]  # the column itself where its name is expected
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(change(frame), **kw)
    assert re.search(expected, str(err.value)), str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("role", ["sensitive", "y_true"])
def test_the_column_itself_given_for_its_name_is_refused_saying_how_to_name_it(role: str):
    """``sensitive=df["sex"]`` (as fairlearn's ``sensitive_features`` takes it) was read as a
    list of 600 column names and refused as "a sensitive column is named twice"; now, as
    ``y_true=df["label"]`` too, one line giving the argument by name."""
    frame = _frame()
    column = "sex" if role == "sensitive" else "label"
    kw = {**KW, "sensitive": ["sex"], role: frame[column]}
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(frame, **kw)
    named = f"{role}=['sex']" if role == "sensitive" else f"{role}='label'"
    assert str(err.value).endswith(named) and err.value.field == role, str(err.value)
    assert "named twice" not in str(err.value)


class _Lazy:
    """A lazy table as polars (``collect``), Dask (``compute``) and Spark (``toPandas``)
    hand one over: its rows are not in memory until asked for."""

    def __init__(self, method: str) -> None:
        setattr(self, method, lambda: _frame())


@pytest.mark.parametrize("method", ["collect", "compute", "toPandas"])
def test_a_lazy_table_is_refused_saying_how_to_get_its_rows(method: str):
    """A polars LazyFrame, a Dask or a Spark DataFrame was "got LazyFrame" / "got DataFrame"
    beside "give a pandas DataFrame": now the call that holds its rows is named."""
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(_Lazy(method), sensitive=["sex"], **KW)
    assert str(err.value).endswith(f"; call .{method}() first to hold its rows in memory")
    assert err.value.field == "source"


class _NoArrow:
    """A polars DataFrame where pyarrow is not installed: its to_pandas() raises."""

    def to_pandas(self) -> pd.DataFrame:
        raise ModuleNotFoundError("pyarrow is required for converting a polars DataFrame\n"
                                  "to pandas")


def test_a_table_whose_to_pandas_raises_is_one_line_naming_source(tmp_path, monkeypatch):
    """Its own error came through as a traceback from inside the library."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(_NoArrow(), sensitive=["sex"], out_dir="run", **KW)
    assert str(err.value) == (
        "source: tests _NoArrow.to_pandas() raised ModuleNotFoundError: pyarrow is required for "
        "converting a polars DataFrame; give a pandas DataFrame"
    )
    assert list(tmp_path.iterdir()) == []


class _TooBig:
    """A table too large for memory: its to_pandas() runs out of it."""

    def to_pandas(self) -> pd.DataFrame:
        raise MemoryError


def test_a_to_pandas_out_of_memory_is_no_bad_input(tmp_path, monkeypatch):
    """It was 'source: ... raised MemoryError; give a pandas DataFrame', exit 2: an
    out-of-memory is no fault of the input's."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MemoryError):
        audit_predictions(_TooBig(), sensitive=["sex"], out_dir="run", **KW)
    assert list(tmp_path.iterdir()) == []


def test_binned_groups_from_pd_cut_and_sparse_labels_audit_their_rows():
    """``pd.cut(df.age, bins)`` (a category of intervals, the usual way to make age groups)
    crashed writing the frame (pyarrow cannot cast a dictionary of intervals), and a sparse
    label column was read as text; now the bins are groups by their text, as fairlearn's
    MetricFrame names them, and the sparse labels their numbers."""
    from fairlearn.metrics import MetricFrame, selection_rate

    frame = _frame()
    frame["age"] = pd.cut(frame["score"], [0.1, 0.5, 0.9, 2.0])  # an empty bin, and NaN
    frame["hit"] = pd.arrays.SparseArray((frame["label"] == "approved").astype(int))
    frame["guess"] = (frame["pred"] == "approved").astype(int)
    result = audit_predictions(frame, y_true="hit", y_pred="guess", sensitive=["age"],
                               missing_group=True)  # fmt: skip
    groups = result.data["fairness"]["features"]["age"]["groups"]
    got = {g["group"]: (g["n"], g["metrics"]["selection_rate"]["value"]) for g in groups}
    bins = frame["age"].astype(str).where(frame["age"].notna(), "(missing)")
    mf = MetricFrame(metrics={"n": lambda t, p: len(t), "rate": selection_rate},
                     y_true=frame["hit"].to_numpy(), y_pred=frame["guess"],
                     sensitive_features=bins)  # fmt: skip
    assert got == {g: (int(r.n), pytest.approx(r.rate)) for g, r in mf.by_group.iterrows()}
