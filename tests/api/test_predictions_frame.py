"""``audit_predictions`` on a pandas DataFrame as notebooks hold them: pandas' nullable
``string`` dtype with missing values (refused naming the DataFrame, not a temporary file, or
the group '(missing)' with ``missing_group=True``) and a category column."""

from __future__ import annotations

import pandas as pd
import pytest

from auditor.api import audit_predictions
from auditor.errors import AuditorInputError
from auditor.predictions.read import Columns
from tests.builders import predictions_frame


def _frame() -> pd.DataFrame:
    frame = predictions_frame(800, seed=11)
    frame["sex"] = frame["sex"].astype("string")
    frame.loc[[2, 40, 41], "sex"] = pd.NA
    frame["region"] = frame["region"].astype("category")
    return frame


_COLUMNS = Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex",))
KW = {"y_true": "label", "y_pred": "pred", "y_score": "score", "positive_label": "approved"}


def test_a_missing_group_in_a_dataframe_is_refused_naming_the_dataframe():
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(_frame(), sensitive=["sex", "region"], **KW)
    text = str(err.value)
    assert text.startswith("dataframe: sex: empty or missing group label at data row 3, index 2 (")
    assert "missing_group=True" in text and "auditor-frame-" not in text
    assert err.value.source == "dataframe" and err.value.field == "sex"


@pytest.mark.parametrize("index", [
    pd.RangeIndex(800)[::-1] * 3,  # sorted the other way, as a filtered frame: 2397, 2394, ...
    pd.MultiIndex.from_arrays([[i % 2 for i in range(800)], range(800)]),
    None,  # the default 0, 1, ...
])  # fmt: skip
def test_a_bad_rows_number_comes_with_its_index_label_as_df_loc_finds_it(index):
    """The 4th row of a filtered or shuffled frame is rarely ``df.loc[3]``: a refused row is
    named by its position and its index label."""
    frame = predictions_frame(800, seed=11)
    frame.loc[3, "score"] = float("nan")
    if index is not None:
        frame.index = index
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(frame, sensitive=["sex"], **KW)
    label = frame.index[3]
    label = tuple(int(v) for v in label) if isinstance(label, tuple) else int(label)
    assert f"missing or infinite score at data row 4, index {label!r};" in str(err.value)


def test_missing_group_true_audits_them_as_one_group_and_says_so():
    result = audit_predictions(_frame(), sensitive=["sex", "region"], missing_group=True, **KW)
    groups = {g["group"]: g["n"] for g in result.data["fairness"]["features"]["sex"]["groups"]}
    assert groups["(missing)"] == 3 and sum(groups.values()) == 800
    description = result.data["data"]["description"]
    assert "read from DataFrame (in memory) (800 rows)" in description
    assert "sex: 3 rows with no value are audited as the group '(missing)'." in description
    assert "dataframe.parquet" not in description


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"seed": -1}, "seed"), ({"seed": "a"}, "seed"), ({"seed": True}, "seed"),
        ({"seed": 1.0}, "seed"), ({"seed": 2**64}, "seed"),
        ({"batch_rows": 0}, "batch_rows"), ({"batch_rows": -5}, "batch_rows"),
        ({"out_dir": 5}, "out_dir"),
    ],
    ids=["seed-negative", "seed-text", "seed-bool", "seed-float", "seed-2**64", "batch-zero",
         "batch-negative", "out-dir-int"],
)  # fmt: skip
def test_a_bad_argument_is_one_line_naming_it(kwargs, field):
    """A seed of -1 or "a" was audited and recorded as given; batch_rows=0 was a ValueError
    (range() arg 3), -5 "no data rows"; out_dir=5 a TypeError."""
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(predictions_frame(200), sensitive="sex", **KW, **kwargs)
    assert str(err.value).startswith(f"{field}: "), str(err.value)


def test_a_numpy_integer_seed_is_taken():
    import numpy as np

    from auditor.io import to_json_text

    a = audit_predictions(predictions_frame(300), sensitive="sex", seed=np.int64(3), **KW)
    b = audit_predictions(predictions_frame(300), sensitive="sex", seed=3, **KW)
    assert to_json_text(a.data["fairness"]) == to_json_text(b.data["fairness"])  # NaN != NaN


@pytest.mark.parametrize(
    ("call", "line"),
    [  # each was an AttributeError ('str' object has no attribute 'y_true') or a TypeError
        (lambda: audit_predictions(predictions_frame(200), "label", sensitive="sex"),
         "cols: name the columns by keyword: audit_predictions(source, y_true=..., y_pred=..., "
         "sensitive=[...]); got 'label'"),
        (lambda: audit_predictions(predictions_frame(200), ["label", "pred"], sensitive="sex"),
         "cols: name the columns by keyword: audit_predictions(source, y_true=..., y_pred=..., "
         "sensitive=[...]); got list"),
        (lambda: audit_predictions(predictions_frame(200), _COLUMNS, y_true="label"),
         "cols: give cols or y_true= / y_pred= / y_score= / sensitive=, not both"),
        # from inside distributed: 'expected str, got int'
        (lambda: audit_predictions(predictions_frame(200), sensitive="sex", dask_scheduler=8786,
                                   **KW),
         "dask_scheduler: a Dask scheduler: 'threads', 'processes', 'synchronous' or an address "
         "('tcp://host:8786'); got int"),
    ],
)  # fmt: skip
def test_columns_by_position_and_a_scheduler_of_another_type_are_one_line(call, line,
                                                                          tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AuditorInputError) as err:
        call()
    assert str(err.value) == line
    assert list(tmp_path.iterdir()) == []


def test_columns_given_as_cols_still_audit():
    result = audit_predictions(predictions_frame(200), _COLUMNS, positive_label="approved")
    assert result.data["performance"]["finetuned"]["test"]["n"] == 200
