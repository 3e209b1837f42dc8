"""audit_model's three DataFrames are each named as the argument they came in: a message
about the members' rows no longer says "dataframe", as it did for all three, and a model that
raises on some rows says whose rows they were (and the first missing input there)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.errors import AuditorInputError


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, LogisticRegression]:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x1": rng.normal(size=900), "x2": rng.normal(size=900),
                          "group": rng.choice(["a", "b"], 900)})  # fmt: skip
    frame["label"] = (frame.x1 > 0).astype(int)
    train, holdout, test = frame[:300].copy(), frame[300:600].copy(), frame[600:].copy()
    return train, holdout, test, LogisticRegression().fit(train[["x1", "x2"]], train.label)


def _audit(model, **frames):
    return auditor.audit_model(model, target="label", sensitive=["group"], progress=False,
                               **frames)  # fmt: skip


@pytest.mark.parametrize("which", ["data", "members", "non_members"])
def test_a_frame_without_a_column_is_named_as_its_argument(which):
    train, holdout, test, model = _frames()
    frames = {"data": test, "members": train, "non_members": holdout}
    frames[which] = frames[which].drop(columns=["group"])
    with pytest.raises(AuditorInputError) as err:
        _audit(model, **frames)
    assert str(err.value).startswith(f"{which} (DataFrame): sensitive: no column 'group'")


def test_a_missing_group_in_the_members_names_the_members():
    train, holdout, test, model = _frames()
    train.loc[train.index[3], "group"] = None
    with pytest.raises(AuditorInputError) as err:
        _audit(model, data=test, members=train, non_members=holdout)
    assert err.value.source == "members (DataFrame)" and "at data row 4" in str(err.value)


def test_a_model_raising_on_the_non_members_names_them_and_the_first_missing_value():
    train, holdout, test, model = _frames()
    holdout.loc[holdout.index[5], "x1"] = np.nan  # LogisticRegression refuses NaN
    with pytest.raises(AuditorInputError) as err:
        _audit(model, data=test, members=train, non_members=holdout)
    assert str(err.value).startswith(
        "model: on the rows of non_members=, the first missing input value at data row 6: "
        "'LogisticRegression.predict_proba' raised ValueError: Input X contains NaN")


def test_an_id_column_says_how_to_leave_it_out_from_python():
    # it said only 'add it to data.drop', a key audit_model has no argument for
    import torch
    from torch import nn

    train, holdout, test, _ = _frames()
    ids = {"data": test, "members": train, "non_members": holdout}
    frames = {k: f.assign(row_id=np.arange(len(f)) + 1000 * i)
              for i, (k, f) in enumerate(ids.items())}  # fmt: skip
    torch.manual_seed(0)
    with pytest.raises(AuditorInputError) as err:
        _audit(nn.Linear(3, 2), **frames)
    assert "column 'row_id' has a distinct value in every one of the 900 rows" in str(err.value)
    assert str(err.value).endswith("; leave it out of the DataFrames, or name it in "
                                   "features= to use it as a model input")


def test_a_pyarrow_table_is_read_as_its_dataframe():
    # its .columns are ChunkedArrays: refused as 'column <pyarrow.lib.ChunkedArray ...> [ ... ]
    # is named by ChunkedArray', many lines of its values, where audit_predictions reads it
    import pyarrow as pa

    train, holdout, test, model = _frames()
    tables = {k: pa.Table.from_pandas(f, preserve_index=False)
              for k, f in (("data", test), ("members", train), ("non_members", holdout))}
    result = _audit(model, **tables)
    assert result.data["performance"]["finetuned"]["test"]["n"] == 300
    with pytest.raises(AuditorInputError) as err:
        _audit(model, data=test["x1"])
    assert str(err.value) == ("data: rows are a pandas DataFrame (or a table with to_pandas(): "
                              "pyarrow, polars) or a CSV / Parquet path, got Series")
