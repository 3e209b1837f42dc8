"""The counts engine's refusals of a column that names no groups of people: an identifier
(more than 1,000 values) says what a sensitive column is and the way on."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.errors import AuditorInputError
from auditor.fairness.counts import MAX_JOINT_CELLS, counts_from_arrays


def test_an_identifier_column_is_refused_with_the_way_on():
    n = 5000
    y = np.arange(n) % 2
    with pytest.raises(AuditorInputError) as err:
        counts_from_arrays(y, y, {"id": np.array([f"u{i}" for i in range(n)])})
    assert err.value.field == "id"
    assert err.value.message.startswith("more than 1,000 distinct groups (an identifier column?)")
    assert "name such a column, or one of bands of a measurement" in err.value.message


def test_an_age_column_read_in_memory_is_counted_one_group_per_number():
    """Not refused (the predictions notes say it is better audited in bands)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 3000)
    table = counts_from_arrays(y, y, {"age": 17 + np.arange(3000) % 73})
    assert len(table.group_labels[0]) == 73 and table.n == 3000


def test_too_many_joint_groups_say_why_and_the_way_on():
    """23 two-valued sensitive columns are 2^23 joint groups x 2^2 classes, over the table's
    limit, with or without intersections asked for: refused before the table is made, with
    the reason (every row is counted over the joint groups) and what to do."""
    rng = np.random.default_rng(0)
    n = 400
    sensitive = {f"s{i}": rng.choice(["a", "b"], n) for i in range(23)}
    y = rng.integers(0, 2, n)
    with pytest.raises(AuditorInputError) as info:
        counts_from_arrays(y, y, sensitive)
    message = str(info.value)
    assert ("8,388,608 combinations of the columns' groups x 2^2 classes is too many cells (at "
            "most 20,000,000") in message  # 'joint groups': the file holds 400 rows at most
    assert "intersections or not" in message and "in two or more runs" in message
    assert "; the first 22 of these 23 columns fit: audit fewer" in message
    assert 2**22 * 2**2 <= MAX_JOINT_CELLS < 2**23 * 2**2
    assert counts_from_arrays(y, y, dict(list(sensitive.items())[:20])).n == n  # 2^20 x 4 fits


def test_too_many_classes_for_even_one_column_say_so():
    """3 groups x 3,000^2 classes: no column fits, which the message says rather than 'the
    first 0'."""
    n = 3000
    y = np.arange(n)
    with pytest.raises(AuditorInputError) as info:
        counts_from_arrays(y, y, {"g": np.array(list("abc") * 1000)})
    assert "; not even the first of these columns fits with 3000 classes: " in str(info.value)


@pytest.mark.parametrize("column", ["y_true", "y_pred"])
def test_a_missing_label_says_what_to_do_with_its_row(column):
    """'y_true: missing value at data row 3' named the row but not the way on, where a missing
    group says to fill it or use --missing-group."""
    y = np.array([0, 1, None, 1], dtype=object)
    labels = {"y_true": np.array([0, 1, 1, 0]), "y_pred": np.array([1, 1, 0, 0])} | {column: y}
    with pytest.raises(AuditorInputError) as err:
        counts_from_arrays(labels["y_true"], labels["y_pred"], {"g": np.array(["a"] * 4)})
    kind = "prediction" if column == "y_pred" else "target"
    assert str(err.value).endswith(
        f"{column}: {kind} column '{column}' has missing values: 1 row without a class in data "
        "rows 1-4 (first at data row 3); fill it, or remove that row (a row without its class "
        "cannot be audited)")


@pytest.mark.parametrize("column", ["y_true", "y_pred", "g"])
def test_blank_and_null_labels_are_counted_together_and_the_first_named(column):
    """A null label (NaN, None) was refused before a blank or '?' one was looked at: a column
    with '' at row 3, '?' at row 5 and None at row 10 said '1 row without a class ... (first at
    data row 10)', where a run's target says 2 rows, first at row 3. Every missing label of the
    batch is one count, the first the first of them."""
    labels = {c: np.array(["yes", "no"] * 6, dtype=object) for c in ("y_true", "y_pred", "g")}
    labels[column][[2, 4, 9]] = ["", "?", None]
    with pytest.raises(AuditorInputError) as err:
        counts_from_arrays(labels["y_true"], labels["y_pred"], {"g": labels["g"]})
    if column == "g":
        assert "empty or missing group label at data row 3" in str(err.value)
    else:
        assert "3 rows without a class in data rows 1-12 (first at data row 3)" in str(err.value)
