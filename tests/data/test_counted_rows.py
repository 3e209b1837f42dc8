"""Rows one field over the header that count (1, 2, 3: R's row names; 0, 1, 2: pandas' index)
through the CLI (``auditor.data.header.check_counted`` and the layout's ``numbered``): each
file written as the tool writes it."""

from __future__ import annotations

import json

from tests.hostile.conftest import assert_nothing_written, assert_refused, cli  # noqa: F401

R_BLANK = (
    "r.csv: data row 1 has 5 fields where the header has 4 ('1,1,0,M,'), as do the rows under "
    "it, each first field a number larger than the last (1, 2, 3, ...) and each last field "
    "empty: R's row names over an empty last column 'note', or an ID column 'y_true' and a "
    "delimiter ending each row? write the file with write.table(..., row.names = FALSE), or "
    "end the header in the delimiter too"
)
PANDAS = (
    "p.csv: data row 1 has 4 fields where the header has 3 ('0,0,1,F'), as do the rows under "
    "it, each first field a number larger than the last (0, 1, 2, ...): pandas' index written "
    "without its name (index_label=False), or a header missing the first column's name? write "
    "the file with to_csv(..., index=False), or name that column in the header "
    "(index_label='id')"
)


def _rows(first: int, n: int = 300) -> list[str]:
    """``n`` rows 'y_true,y_pred,g', 85% right, each after its number from ``first``."""
    out = []
    for i in range(first, first + n):
        y = i % 2
        out.append(f"{i},{y},{y if i % 20 >= 3 else 1 - y},{'FM'[i % 2]}")
    return out


def test_r_row_names_unquoted_over_an_empty_last_column_are_refused(cli, tmp_path):  # noqa: F811
    """R's write.table(frame, sep = ",", quote = FALSE) (row.names = TRUE, na = "NA", its
    defaults) of a frame whose last column 'note' is "" in every row: each row one field over
    the header, counting and ending empty. Was read as an ID column and a delimiter ending
    each row: y_true held the row numbers, every name one column left (audited with 300
    classes, rc 0); e6ce37a refused it only above 4,472 rows. Now refused, both readers."""
    lines = ["y_true,y_pred,g,note", *(row + "," for row in _rows(1))]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    line = assert_refused(cli(["audit", "-p", "r.csv", "--sensitive", "g", "-o", "out", "-q"]),
                          R_BLANK)
    assert line == f"auditor: error: {R_BLANK}"
    (tmp_path / "audit.toml").write_text('[data]\nsource = "table"\npath = "r.csv"\n'
                                         'target = "y_pred"\nsensitive = ["g"]\n')  # fmt: skip
    assert_refused(cli(["run", "audit.toml", "--out", "out", "--quiet"]),
                   R_BLANK.replace("r.csv: ", "r.csv: data.path: ", 1))
    assert_nothing_written(tmp_path)


def test_an_id_column_and_a_delimiter_ending_each_row_is_read_where_the_columns_say(
        cli, tmp_path):  # noqa: F811
    """The same shape read as an ID column: the header's last name is read (as R's row names
    it would be empty) and its first is not (as an ID it holds the row numbers). Where the
    first is read too, refused: y_true would be the row numbers."""
    lines = ["id,y_true,y_pred,g", *(row + "," for row in _rows(1))]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    done = cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", "out", "--exit-zero", "-q"])
    assert done.code == 0, done.err
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert audit["performance"]["finetuned"]["test"]["accuracy"] == 0.85
    line = assert_refused(cli(["audit", "-p", "p.csv", "--sensitive", "g", "--sensitive", "id",
                               "-o", "out2", "-q"]),
                          "p.csv: data row 1 has 5 fields where the header has 4")
    assert "an ID column 'id' and a delimiter ending each row?" in line
    assert not (tmp_path / "out2").exists()


def test_pandas_index_label_false_is_told_to_write_index_false(cli, tmp_path):  # noqa: F811
    """R16 #3: pandas' to_csv(index_label=False) (the index written, its name not: the header
    one name short, rows numbered from 0) was told to quote a value that holds the delimiter.
    Now it is told how pandas writes the file readably."""
    import pandas as pd

    rows = [row.split(",")[1:] for row in _rows(0)]
    frame = pd.DataFrame(rows, columns=["y_true", "y_pred", "g"])
    frame.to_csv(tmp_path / "p.csv", index_label=False)
    line = assert_refused(cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", "out", "-q"]),
                          PANDAS)
    assert line == f"auditor: error: {PANDAS}"
    frame.to_csv(tmp_path / "p.csv", index=False)  # the advice holds
    done = cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", "out", "--exit-zero", "-q"])
    assert done.code == 0, done.err
