"""A CSV's row found again on a refusal's path (:mod:`auditor.predictions.found_rows`)."""

from __future__ import annotations

import pytest

from auditor.errors import AuditorInputError
from auditor.predictions.read import Columns, reduce_predictions

COLS = Columns(y_true="y_true", y_pred="y_pred", y_score=None, sensitive=("sex",))
NOTE = "n" * 200  # a wide row: the 16 MiB block that types the columns is passed at ~76,000


def test_a_text_label_written_after_a_space_in_a_later_block_is_named_by_its_row(tmp_path):
    """Past the first block, y_true ' M' (written after ', ', as Adult's rows are) in a column
    of whole numbers was refused "'M' at a row": pyarrow names the value without its space,
    which the row's field was compared to as written. Its row is named."""
    path = tmp_path / "p.csv"
    rows = [f"{'FM'[i % 2]},{i % 2},{i % 3 % 2},{NOTE}" for i in range(90_000)]
    rows[85_000] = f"F, M,0,{NOTE}"
    path.write_text("sex,y_true,y_pred,note\n" + "\n".join(rows) + "\n")
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(path, COLS)
    assert str(err.value).startswith(f"{path}: y_true: 'M' at data row 85001, where the ")


ENGINES = ({}, {"dask_scheduler": "synchronous"})


def _file(path, header: str, ends: list[str]) -> None:
    rows = [f"{i % 2},{i % 3 % 2},{'FM'[i % 2]},{end}" for i, end in enumerate(ends)]
    path.write_text(header + "\n" + "\n".join(rows) + "\n")


def test_an_unnamed_last_column_holding_values_is_read_as_one_in_the_middle(tmp_path):
    """R2 #1: a header ending in an empty name over rows holding a value there on every row
    (an unnamed last column, 'y_true,y_pred,sex,' over '1,0,F,0.3') was refused "data row 1
    has a value past the header's 3 names ('0.0'), where the rows end in an empty field",
    where no row did; 441919e read it, as it reads the same column in the middle."""
    path = tmp_path / "unnamed_last.csv"
    _file(path, "y_true,y_pred,sex,", [f"0.{i % 10}" for i in range(300)])
    middle = tmp_path / "unnamed_middle.csv"
    rows = [f"{i % 2},0.{i % 10},{i % 3 % 2},{'FM'[i % 2]}\n" for i in range(300)]
    middle.write_text("y_true,,y_pred,sex\n" + "".join(rows))
    for kw in ENGINES:
        got = reduce_predictions(path, COLS, **kw).table
        assert got.counts.sum() == 300
        assert (got.counts == reduce_predictions(middle, COLS, **kw).table.counts).all()


def test_an_unnamed_last_column_is_read_where_most_first_rows_hold_a_value(tmp_path):
    """An unnamed last column with a blank here and there (most of the first rows hold a value)
    is one column, not read; one mostly blank in the first rows is checked in every row."""
    dense = tmp_path / "dense.csv"
    _file(dense, "y_true,y_pred,sex,", ["" if i % 4 == 0 else "0.3" for i in range(300)])
    sparse = tmp_path / "sparse.csv"
    _file(sparse, "y_true,y_pred,sex,", ["0.3" if i % 4 == 3 else "" for i in range(300)])
    for kw in ENGINES:
        assert reduce_predictions(dense, COLS, **kw).table.counts.sum() == 300
        with pytest.raises(AuditorInputError, match="data row 4 has a value past the header's"):
            reduce_predictions(sparse, COLS, **kw)


@pytest.mark.parametrize(("at", "value"), [(150, "checked by hand"), (50, "checked by hand"),
                                         (50, "M"), (2, "M")])  # fmt: skip
def test_a_value_in_a_named_empty_last_column_empty_in_the_first_rows_is_refused(tmp_path, at,
                                                                                value):
    """Where the header's last name is empty and the rows mostly leave that field empty, a
    value there (a note on one row, or a row's 'M' shifted there by an unquoted comma) is
    refused naming its row, in words that hold: the rows above it end in an empty field. R5 #5:
    3b44d40 read a value among the first 100 rows as an unnamed column, not read: row 50
    passed silently (audited as sex 'F') where row 150 was refused; now wherever it is."""
    path = tmp_path / "notes.csv"
    ends = [""] * 300
    ends[at - 1] = value
    _file(path, "y_true,y_pred,sex,", ends)
    for kw in ENGINES:
        with pytest.raises(AuditorInputError) as err:
            reduce_predictions(path, COLS, **kw)
        # R14 #3: "1 of the first 100 rows holds one" was of this row alone
        where = ("the rows above it end in an empty field" if at > 100 else
                 "no other of the first 100 rows holds one (an unnamed column is read where "
                 "most do)")  # fmt: skip
        assert str(err.value) == (
            f"{path}: data row {at} has a value past the header's 3 names ({value!r}), "
            f"where {where}: a delimiter in an unquoted value of that row? quote it; a column "
            "the header does not name? name it in the header, or leave the field empty")


@pytest.mark.parametrize(("ends", "words"), [
    (["0.3" if i % 2 == 0 else "" for i in range(300)], "49 others of the first 100 rows hold one"),
    (["0.3" if i == 0 else "" for i in range(300)], "no other of the first 100 rows holds one"),
    (["0.3", "", "0.3", ""], "1 other of the first 4 rows holds one"),
])  # fmt: skip
def test_a_value_refused_among_the_first_rows_is_worded_from_what_they_hold(tmp_path, ends,
                                                                          words):
    """R9 #1: a value at data row 1 in a field half the first rows fill was refused "where the
    rows above it end in an empty field": no row is above it, and half the rows hold one.
    R14 #3: the count is of the other rows; it held the row refused ("where 1 of the first 100
    rows holds one" of data row 1 alone; "2 of the first 4 rows" of a 4-row file)."""
    path = tmp_path / "half.csv"
    _file(path, "y_true,y_pred,sex,", ends)
    for kw in ENGINES:
        with pytest.raises(AuditorInputError) as err:
            reduce_predictions(path, COLS, **kw)
        assert str(err.value) == (
            f"{path}: data row 1 has a value past the header's 3 names ('0.3'), where {words} "
            "(an unnamed column is read where most do): a delimiter in an unquoted value of "
            "that row? quote it; a column the header does not name? name it in the header, or "
            "leave the field empty")


@pytest.mark.parametrize("at", [5, 201])
def test_na_in_the_field_ending_each_row_is_no_value_wherever_the_row_is(tmp_path, at):
    """R2 #2, R5 #6: rows ending in the delimiter, one of them 'M,1,0,NA': at row 201 read (NA
    is no value there, as everywhere in a CSV), at row 5 refused, because the first lines'
    reading of the delimiter ending each row took 'NA' for a value. The layout now takes a
    word for no value there for none (data.layout.NO_VALUE_WORDS): read at both."""
    path = tmp_path / "na.csv"
    ends = [""] * 300
    ends[at - 1] = "NA"
    _file(path, "y_true,y_pred,sex", ends)
    for kw in ENGINES:
        assert reduce_predictions(path, COLS, **kw).table.counts.sum() == 300


def test_a_value_past_the_header_below_na_in_the_first_rows_is_the_row_named(tmp_path):
    """R15 #7: rows ending in the delimiter, 'NA' there at data row 3 and '7' at data row 7:
    refused as "data row 3 ends in 'NA' ... leave it empty there", the word past_header took
    for the row at fault, which every reader takes for no value. The row holding a value is
    named."""
    path = tmp_path / "na7.csv"
    ends = [""] * 300
    ends[2], ends[6] = "NA", "7"
    _file(path, "y_true,y_pred,sex", ends)
    for kw in ENGINES:
        with pytest.raises(AuditorInputError) as err:
            reduce_predictions(path, COLS, **kw)
        assert str(err.value).startswith(
            f"{path}: data row 7 has a value past the header's 3 names ('7'), where "), err.value
