"""``auditor.audit_model`` from a notebook with wrong arguments: one AuditorInputError naming
the argument, never an AttributeError, and never an audit of nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.errors import AuditorInputError


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                          "group": rng.choice(["a", "b"], n)})  # fmt: skip
    frame["label"] = np.where(frame.x1 + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    model = LogisticRegression().fit(frame[["x1", "x2"]], frame["label"])
    return frame, model


def audit(model, frame, **kw):
    kw = {"target": "label", "sensitive": ["group"], "progress": False, **kw}
    return auditor.audit_model(model, data=frame, **kw)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"model": None}, "model", "None is not a model"),
        ({"model": LogisticRegression}, "model", "got the class LogisticRegression itself"),
        ({"data": [[1, 2], [3, 4]]}, "data", "got list"),
        ({"members": np.zeros((3, 3))}, "members", "got ndarray"),
        ({"empty": True}, "data", "no data rows"),
        ({"sensitive": ["label"]}, "sensitive", "cannot be a sensitive feature"),
        ({"nan_target": True}, "target", "missing values"),
        ({"target": 5}, "target", "a column's name as a string; got int 5"),
        ({"features": ["x1", 2]}, "features", "a column's name as a string; got int 2"),
        ({"sensitive": {"group": 1}}, "sensitive", "a list of column names"),
        ({"series_target": True}, "target", "got Series"),
        ({"dup_data": True}, "data", "column 'group' appears 2 times in the DataFrame"),
        ({"int_members": True}, "members", "column 0 is named by int, not a string"),
    ],
)
def test_wrong_arguments_are_one_line_naming_the_argument(rows, change, field, words):
    frame, model = rows
    change = dict(change)
    if change.pop("empty", False):
        frame = frame.iloc[:0]
    if change.pop("nan_target", False):
        frame = frame.assign(label=frame.label.where(frame.index > 3))
    if change.pop("series_target", False):  # the column itself where its name is expected
        change["target"] = frame["label"]
    if change.pop("dup_data", False):  # pd.concat of overlapping frames repeats a column
        change["data"] = pd.concat([frame, frame[["group"]]], axis=1)
    if change.pop("int_members", False):  # df.to_numpy() back to a DataFrame: columns 0, 1, ...
        change["members"] = pd.DataFrame(frame.to_numpy())
    data = change.pop("data", frame)
    with pytest.raises(AuditorInputError) as err:
        audit(change.pop("model", model), data, **change)
    assert err.value.field == field and words in str(err.value), str(err.value)
    assert "\n" not in str(err.value)
    # a DataFrame is named by its argument, as every refusal of its rows names it ("dataframe"
    # was audit_predictions' stand-in: 'dataframe: data: column 'group' appears 2 times')
    assert err.value.source in {None, "data (DataFrame)", "members (DataFrame)"}, str(err.value)


def test_one_sensitive_column_may_be_named_as_a_string(rows):
    frame, model = rows
    # it was split into letters: "no column 'g' in the rows"
    result = audit(model, frame, sensitive="group")
    assert result.data["data"]["sensitive_features"] == ["group"]


def test_the_rows_license_and_citation_meet_the_data_license_item(rows):
    """audit_model had no way to record the rows' terms: its verdict failed on the checklist's
    data-license item whatever the model did."""
    frame, model = rows

    def item(result):
        return next(i for i in result.data["transparency"]["items"] if i["id"] == "data_license")

    assert item(audit(model, frame, sensitive="group"))["status"] == "missing"
    written = audit(model, frame, sensitive="group", data_license="CC0",
                    data_citation="synthetic rows, auditor tests")  # fmt: skip
    assert item(written)["status"] == "met" and "CC0" in item(written)["evidence"]


class _NoArrow:
    """A polars DataFrame where pyarrow is not installed: its to_pandas() raises."""

    def to_pandas(self) -> pd.DataFrame:
        raise ModuleNotFoundError("pyarrow is required for converting a polars DataFrame")


@pytest.mark.parametrize("key", ["data", "members"])
def test_a_table_whose_to_pandas_raises_is_one_line_naming_the_argument(rows, tmp_path,
                                                                         monkeypatch, key):
    """audit_model converted tables its own way: the library's ModuleNotFoundError came
    through as a traceback, where audit_predictions says it in one line (b6cfd9b)."""
    frame, model = rows
    monkeypatch.chdir(tmp_path)
    given = {"data": frame, key: _NoArrow()}
    with pytest.raises(AuditorInputError) as err:
        audit(model, given.pop("data"), out_dir="run", **given)
    assert str(err.value) == (
        f"{key}: tests _NoArrow.to_pandas() raised ModuleNotFoundError: pyarrow is required "
        "for converting a polars DataFrame; give a pandas DataFrame"
    ), str(err.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("key", ["data", "members"])
def test_a_url_is_shown_as_typed(rows, key):
    """audit_model's data and members went through as_path alone, so a URL lost a slash
    ('https:/x.org/d.csv: data: a URL'), where audit_predictions shows it as typed (R15 #3)."""
    frame, model = rows
    kw = {"data": frame, key: "https://x.org/d.csv"}
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_model(model, target="label", sensitive=["group"], progress=False, **kw)
    assert str(err.value).startswith(f"https://x.org/d.csv: {key}: a URL"), str(err.value)
