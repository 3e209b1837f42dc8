"""Counts in messages read as English: one row, one label ('unknown' in 1 rows and
'has 1 missing or empty group labels' were written)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor import preflight
from auditor.config import TableData
from auditor.data.table import check_not_mixed, sensitive_groups
from auditor.errors import AuditorInputError, rows_text


@pytest.mark.parametrize("n_bad", [1, 2])
def test_missing_group_labels_are_counted(n_bad):
    frame = pd.DataFrame({"g": ["a", "b"] * 10, "y": [0, 1] * 10})
    frame.loc[3 : 3 + n_bad - 1, "g"] = None
    config = TableData(path="t.csv", target="y", sensitive=["g"])
    with pytest.raises(AuditorInputError) as err:
        sensitive_groups(frame, config, src="t.csv")
    words = "1 missing or empty group label (" if n_bad == 1 else "2 missing or empty group labels"
    assert words in str(err.value) and "first at data row 4" in str(err.value)


@pytest.mark.parametrize("n_text", [1, 3])
def test_text_in_a_column_of_numbers_is_counted(n_text):
    values = pd.Series([str(v) for v in range(40)] + ["unknown"] * n_text, dtype=object)
    with pytest.raises(AuditorInputError) as err:
        check_not_mixed(values, col="age", src="t.csv")
    assert f"('unknown' in {rows_text(n_text)}, first at data row 41)" in str(err.value)
    assert ("in 1 row," in str(err.value)) == (n_text == 1)


def test_a_split_or_class_of_one_row_says_row():
    with pytest.raises(AuditorInputError, match="would hold 1 row of the 30-row data"):
        preflight.check_split_sizes({"test": 0.05}, [10, 20], source="t.csv")
    with pytest.raises(AuditorInputError, match="would have 1 row in the test split"):
        preflight.check_class_sizes(0.25, {"yes": 5}, source="t.csv")
    assert rows_text(1) == "1 row" and rows_text(0) == "0 rows"
    assert rows_text(np.int64(2)) == "2 rows"
