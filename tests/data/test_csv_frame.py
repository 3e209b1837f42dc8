"""A CSV's rows as a frame: the unnamed column its layout adds (R's row names, a delimiter
ending each row) is left out only where it holds no value, and a value there is refused in
words that fit each cause."""

import pytest

from auditor.data import csv_frame as C
from auditor.data.layout import CsvLayout, csv_layout
from auditor.errors import AuditorInputError, data_row


def r_table(path, n=300, na_until=None):
    """R's ``write.table(sep=",", na="")``: the header one name short, row names and text
    quoted, the last column (y) empty in its first ``na_until`` rows (all where None)."""
    def y(i):
        return "" if na_until is None or i < na_until else f'"{["no", "yes"][i % 3 == 0]}"'

    path.write_text('"x1","sex","y"\n' + "".join(
        f'"{i + 1}",{i % 7 / 3:.3f},"{"ab"[i % 2]}",{y(i)}\n' for i in range(n)))
    return path


@pytest.mark.parametrize("na_until", [None, 120])
def test_rs_row_names_over_a_last_column_empty_in_the_first_rows_are_row_names(tmp_path,
                                                                               na_until):
    """R's write.table output whose last column is NA (na = "") in the first rows ends every
    row of them in a delimiter: it was read as a delimiter ending each row, the names shifted
    one column left without a word (x1 the row names, sex x1's numbers), or refused where y
    held values later, asking for a column name. R's quoted row names decide it."""
    path = r_table(tmp_path / "r.csv", na_until=na_until)
    assert csv_layout(path).unnamed == "first"
    frame = C.read_csv_frame(path)
    assert list(frame.columns) == ["x1", "sex", "y"]
    assert frame["x1"].tolist()[:3] == [0.0, 0.333, 0.667]
    assert frame["sex"].tolist()[:2] == ["a", "b"]
    held = frame["y"].dropna()
    assert len(held) == (0 if na_until is None else 300 - na_until)
    assert set(held) <= {"no", "yes"}


def test_a_value_past_the_header_is_refused_in_words_for_each_cause(tmp_path):
    """The refusal asked only to name the column, where an unquoted delimiter in a value of
    that row (or R's row names written unquoted) puts a value there too."""
    path = tmp_path / "u.csv"
    path.write_text("x1,note,sex,y\n" + "".join(
        f"{i % 7},{'called back, no answer' if i == 250 else 'ok'},{'ab'[i % 2]},"
        f"{['no', 'yes'][i % 3 == 0]}{',' if i != 250 else ''}\n" for i in range(300)))
    with pytest.raises(AuditorInputError) as info:
        C.read_csv_frame(path)
    message = info.value.message
    assert message == C.PAST_HEADER.format(n=4, value="no", row=data_row(250),
                                           where="1 row of 300 holds one")
    for cause in ("a delimiter in an unquoted value of that row? quote it", "name it in the header",
                  "leave the field empty"):
        assert cause in message


@pytest.mark.parametrize(("held", "said"), [(1, ("1 row", "holds one")),
                                             (5, ("5 rows", "hold one"))])
def test_the_refusal_of_a_value_past_the_header_counts_its_rows_in_good_grammar(tmp_path, held,
                                                                                said):
    """One row with a value past the header was said to be '1 row hold a value there'."""
    path = tmp_path / "t.tsv"
    path.write_text("x1\tsex\ty\n" + "".join(
        f"{i % 7}\t{'ab'[i % 2]}\t{['no', 'yes'][i % 3 == 0]}\t{'x' if i >= 300 - held else ''}\n"
        for i in range(300)))
    with pytest.raises(AuditorInputError) as info:
        C.read_csv_frame(path)
    assert info.value.message.startswith(f"{data_row(300 - held)} has a value past the header's "
                                         f"3 names ('x'), where {said[0]} of 300 {said[1]}")


@pytest.mark.parametrize(("header", "row_end", "value", "n"), [
    ("x1;sex;y", ";", "7,5", 3),  # a ';' CSV with decimal commas: the value as written
    ("x1,sex,y,", ",,", "7", 3),  # the header's own empty last name is no name
    ("x1,sex,y", ",", "007", 3),
])
def test_the_refusal_of_a_value_past_the_header_shows_it_as_written(tmp_path, header, row_end,
                                                                    value, n):
    """The refusal showed '7,5' as '7.5' (read with the decimal comma) and '007' as '7', and
    counted the header 'x1,sex,y,' as 4 names, its empty last one among them."""
    sep = header[2]
    x1 = "0,5" if sep == ";" else "0.5"
    path = tmp_path / "t.csv"
    path.write_text(f"{header}\n" + "".join(
        f"{x1}{sep}{'ab'[i % 2]}{sep}{['no', 'yes'][i % 3 == 0]}{row_end}"
        f"{value if i == 250 else ''}\n" for i in range(300)))
    with pytest.raises(AuditorInputError) as info:
        C.read_csv_frame(path)
    assert info.value.message.startswith(
        f"{data_row(250)} has a value past the header's {n} names ({value!r}), where 1 row of "
        "300 holds one: ")


def test_an_unnamed_column_of_invisible_characters_is_no_column(tmp_path):
    """A trailing unnamed column holding only a zero-width space (a cell that reads '' as a
    group label or a class) was kept as a model input 'Unnamed: 3' of one constant: its 'no
    value' was spaces alone, where labels use the one rule (spelling.missing_labels)."""
    path = tmp_path / "t.csv"
    path.write_text("x1,sex,y,\n" + "".join(
        f"{i % 7},{'ab'[i % 2]},{['no', 'yes'][i % 3 == 0]},\u200b\n" for i in range(50)),
        encoding="utf-8")
    assert list(C.read_csv_frame(path).columns) == ["x1", "sex", "y"]


@pytest.mark.parametrize("row_names", [True, False])
def test_rs_default_write_table_with_a_last_column_empty_in_the_first_rows_is_read(tmp_path,
                                                                                   row_names):
    """R's ``write.table(df, "x.txt", na = "")`` (space separator, quoted text and row names):
    a last column empty in the first rows ends those rows in an empty field. That field made
    the space look like aligned columns, the file was read as one column (``"age" "sex"
    ...``) and ``auditor run`` said the target was missing. An empty field is a sign of
    alignment only inside a line; the same file without row names reads too."""
    path = tmp_path / "x.txt"
    path.write_text('"age" "sex" "y" "z"\n' + "".join(
        (f'"{i + 1}" ' if row_names else "")
        + f'{20 + i % 50} "{"FM"[i % 2]}" {i % 3 % 2} {"" if i < 150 else f"{i / 400:.3f}"}\n'
        for i in range(300)))
    layout = csv_layout(path)
    assert (layout.delimiter, layout.unnamed) == (" ", "first" if row_names else None)
    frame = C.read_csv_frame(path)
    assert list(frame.columns) == ["age", "sex", "y", "z"]
    assert frame["age"].tolist()[:2] == [20, 21]
    assert frame["sex"].tolist()[:2] == ["F", "M"]
    assert frame["z"].isna().sum() == 150


def test_runs_of_spaces_inside_a_line_still_keep_the_space_from_being_the_delimiter(tmp_path):
    """Columns aligned with runs of spaces (an empty field inside a line) are not read as
    space-separated, even where each row ends in an empty field too."""
    path = tmp_path / "aligned.txt"
    path.write_text("a b c\n" + "".join(f"{i}  {i % 2} 1 \n" for i in range(20)))
    assert csv_layout(path).delimiter == ","


def test_rs_default_write_table_with_an_empty_field_inside_a_line_is_read(tmp_path):
    """R's ``write.table(df, na = "")`` with a text column NA in some rows writes two spaces
    there: an empty field inside the line, read as aligned columns (one column, the target
    said to be missing). R quotes every name of its header, one space apart, which aligned
    columns do not: with that header, an empty field is an empty value."""
    def sex(i):
        return "" if i % 10 == 0 else f'"{"FM"[i % 2]}"'

    path = tmp_path / "x.txt"
    path.write_text('"age" "sex" "y" "z"\n' + "".join(
        f'"{i + 1}" {20 + i % 50} {sex(i)} {i % 3 % 2} {"" if i < 150 else f"{i / 400:.3f}"}\n'
        for i in range(300)))
    assert csv_layout(path) == CsvLayout(delimiter=" ", unnamed="first", space_empties=True)
    frame = C.read_csv_frame(path)
    assert list(frame.columns) == ["age", "sex", "y", "z"]
    assert frame["sex"].isna().sum() == 30 and frame["z"].isna().sum() == 150
    assert frame["sex"].tolist()[1:3] == ["M", "F"]


def _r_unquoted(path, *, row_names):
    """R's ``write.table(df, quote = FALSE, na = "")``: names and values one space apart, a
    text value NA as nothing between two spaces (every 10th row)."""
    path.write_text("age sex y z\n" + "".join(
        (f"{i + 1} " if row_names else "")
        + f"{20 + i % 50} {'' if i % 10 == 0 else 'FM'[i % 2]} {i % 3 % 2} {i / 400:.3f}\n"
        for i in range(300)))
    return path


def test_rs_write_table_unquoted_with_an_empty_field_inside_a_line_is_read(tmp_path):
    """``write.table(df, quote = FALSE, row.names = FALSE, na = "")`` with a text value NA:
    two spaces inside the line were taken for aligned columns, the file read as one column
    ('age sex y z') and ``auditor run`` said the target was missing. Under a header of names
    one space apart, rows as wide as it hold no padding: the empty field is an empty value."""
    path = _r_unquoted(tmp_path / "x.txt", row_names=False)
    assert csv_layout(path).delimiter == " "
    frame = C.read_csv_frame(path)
    assert list(frame.columns) == ["age", "sex", "y", "z"]
    assert frame["sex"].isna().sum() == 30
    assert frame["sex"].tolist()[1:3] == ["M", "F"] and frame["age"].tolist()[:2] == [20, 21]


def test_rs_write_table_unquoted_with_row_names_is_refused_not_read_as_one_column(tmp_path):
    """With R's row names unquoted (row.names = TRUE, quote = FALSE) every row has one field
    more than the header; unquoted, they cannot be told from a text value holding a space in
    every row, so the rows are refused as ragged (exit 2), as without the empty field; each
    row's first field a larger number (1, 2, 3), the refusal says how R writes it readably."""
    path = _r_unquoted(tmp_path / "x.txt", row_names=True)
    assert csv_layout(path).delimiter == " "
    with pytest.raises(AuditorInputError) as err:
        C.read_csv_frame(path)
    assert "has 5 fields where the header has 4" in str(err.value)
    assert str(err.value).endswith(
        "(1, 2, 3, ...): R's row names written unquoted, or a header missing the first column's "
        "name? write the file with write.table(..., row.names = FALSE) or quote = TRUE, or name "
        "that column in the header")


def test_a_padded_value_past_the_first_lines_of_a_space_separated_file_is_read(tmp_path):
    """numpy's ``savetxt(fmt="%5.2f")`` pads a value under 10 with a space (' 5.00'). Where no
    such value is among the first lines, the layout sees no empty field, so spaces before a
    value stay padding: the row is read, not refused as one field too many (as e2305d6 did
    by keeping every second space as an empty value)."""
    rows = [f"{10 + i % 80:5.2f} {20 + i % 30:5.2f} {i % 2}" for i in range(300)]
    rows[200] = " 5.00 33.62 1"
    path = tmp_path / "s.txt"
    path.write_text("a b y\n" + "\n".join(rows) + "\n")
    assert not csv_layout(path).space_empties
    frame = C.read_csv_frame(path)
    assert frame.shape == (300, 3) and frame["a"].tolist()[200] == 5.0
