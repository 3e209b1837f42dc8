"""Rows one field over the header that count (1, 2, 3: R's row names; 0, 1, 2: pandas' index)
through the CLI (``auditor.data.header.check_counted`` and the layout's ``numbered``): each
file written as the tool writes it."""

from __future__ import annotations

import json

import pytest

from tests.hostile.conftest import assert_nothing_written, assert_refused, cli  # noqa: F401

R_BLANK = (
    "r.csv: data row 1 has 5 fields where the header has 4 ('1,1,0,M,'), as do the rows under "
    "it, each first field a number larger than the last (1, 2, 3, ...) and each last field "
    "empty: R's row names over an empty last column 'note', or an ID column 'y_true' and a "
    "delimiter ending each row (read so only where the last column is read, the first not)? "
    "write the file with write.table(..., row.names = FALSE), or end the header in the "
    "delimiter too"
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
    assert_refused(cli(["run", "audit.toml", "--out", "out", "--quiet"]),  # y_true an input
                   R_BLANK.replace("r.csv: ", "r.csv: data.path: ", 1).replace(
                       "(read so only where the last column is read, the first not)",
                       "(to read it so, add 'y_true' to data.drop)"))
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
    assert "an ID column 'id' and a delimiter ending each row (read so only where" in line
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


TABLE = """[data]
source = "table"
path = "t.csv"
target = "target"
sensitive = ["g"]
{extra}
[pretrain]
epochs = 1
[finetune]
epochs = 1
[privacy]
enabled = false
"""


def _table_rows(n: int = 300) -> list[str]:
    """``n`` rows 'id,age,income,g,target' (ids 1..n), each ending in the delimiter."""
    return [f"{i},{20 + i * 7 % 50},{i * 13 % 97 / 10},{'FM'[i % 2]},{i * 7 % 3 % 2},"
            for i in range(1, n + 1)]


@pytest.mark.parametrize("extra", ['drop = ["id"]', 'features = ["age", "income"]'])
def test_the_table_reader_reads_an_id_column_its_config_does_not(cli, tmp_path, extra):  # noqa: F811
    """r2 #1: an ID column and a delimiter ending each row, the ID in data.drop (as auditor
    itself advises: 'add it to data.drop') or left out of data.features, the target last:
    refused since ed83257 as 'R's row names over an empty last column 'target'' (the table
    reader took every column for read). The columns the config reads tell them apart, as
    the predictions reader's do: read. With the ID read (neither), refused."""
    (tmp_path / "t.csv").write_text("id,age,income,g,target\n" + "\n".join(_table_rows()) + "\n")
    (tmp_path / "audit.toml").write_text(TABLE.format(extra=extra))
    done = cli(["run", "audit.toml", "--out", "out", "--quiet", "--exit-zero"])
    assert done.code == 0, done.err
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert audit["data"]["preprocessing"]["features"] == ["age", "income"]
    (tmp_path / "audit.toml").write_text(TABLE.format(extra=""))
    line = assert_refused(cli(["run", "audit.toml", "--out", "out2", "--quiet"]),
                          "t.csv: data.path: data row 1 has 6 fields where the header has 5")
    assert "or an ID column 'id' and a delimiter ending each row" in line
    assert not (tmp_path / "out2").exists()


def test_read_table_takes_the_columns_a_config_reads(tmp_path):
    """Every read_table caller (the table loader, a supplied model's files, audit_model's
    paths) hands it the config's columns (ReadColumns): the target, sensitive and features,
    else all but data.drop."""
    from types import SimpleNamespace

    from auditor.data.table import ReadColumns, read_table
    from auditor.errors import AuditorInputError

    path = tmp_path / "t.csv"
    path.write_text("id,age,income,g,target\n" + "\n".join(_table_rows(20)) + "\n")
    config = SimpleNamespace(target="target", sensitive=["g"], features=None, drop=["id"])
    frame = read_table(path, field="data.path", reads=ReadColumns(config))
    assert list(frame.columns) == ["id", "age", "income", "g", "target"]
    assert frame["id"].tolist() == list(range(1, 21))
    config.drop = []
    with pytest.raises(AuditorInputError, match="or an ID column 'id' and a delimiter"):
        read_table(path, field="data.path", reads=ReadColumns(config))


def test_an_id_column_over_a_last_column_not_read_is_refused_saying_so(cli, tmp_path):  # noqa: F811
    """r2 #2: an ID column and a delimiter ending each row whose last column ('age') the
    audit does not read was read before ed83257 and is refused since: the message says when
    such a file is read, and its fix (the header ending in the delimiter too) reads it."""
    lines = ["id,y_true,y_pred,g,age", *(row + f",{20 + int(row.split(',')[0]) % 50},"
                                         for row in _rows(1))]  # fmt: skip
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    line = assert_refused(cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", "out", "-q"]),
                          "p.csv: data row 1 has 6 fields where the header has 5")
    assert line.endswith(
        "R's row names over an empty last column 'age', or an ID column 'id' and a delimiter "
        "ending each row (to read it so, --y-score age, where it is the score)? write "
        "the file with write.table(..., row.names = FALSE), or end the header in the "
        "delimiter too"), line
    lines[0] += ","
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    done = cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", "out", "--exit-zero", "-q"])
    assert done.code == 0, done.err


def _shuffled(first: int = 1, n: int = 300) -> list[str]:
    """:func:`_rows` in a shuffled order, as R writes df[sample(nrow(df)), ]: the row names
    (the numbers first) distinct whole numbers in no order."""
    import random

    rows = _rows(first, n)
    random.Random(5).shuffle(rows)
    return rows


def test_r_row_names_of_shuffled_rows_over_an_empty_last_column_are_refused(cli, tmp_path):  # noqa: F811
    """r2 #3: R's write.table(df[sample(nrow(df)), ], sep = ",", quote = FALSE) over an empty
    last column: row names 335, 619, ..., each row ending empty. ed83257 refused only row
    names that count; these were read with y_true the row names (accuracy 0.000, 'g' holding
    y_pred's 0/1). The shift cannot be excluded where the first column is read: refused,
    both readers; an ID column of shuffled ids, not read, over a last column read is read."""
    lines = ["y_true,y_pred,g,note", *(row + "," for row in _shuffled())]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    first = lines[1].split(",")[0]
    line = assert_refused(cli(["audit", "-p", "r.csv", "--sensitive", "g", "-o", "out", "-q"]),
                          f"r.csv: data row 1 has 5 fields where the header has 4 ('{first},")
    assert f"each first field a different whole number ({first}, " in line
    assert line.endswith(
        "R's row names or pandas' index over an empty last column 'note', or an ID column "
        "'y_true' and a delimiter ending each row (read so only where the last column is "
        "read, the first not)? write the file with row.names = FALSE (R) or index=False "
        "(pandas), or end the header in the delimiter too"), line
    (tmp_path / "audit.toml").write_text('[data]\nsource = "table"\npath = "r.csv"\n'
                                         'target = "y_pred"\nsensitive = ["g"]\n')  # fmt: skip
    assert_refused(cli(["run", "audit.toml", "--out", "out", "--quiet"]),
                   "r.csv: data.path: data row 1 has 5 fields", "'y_true' and a delimiter")
    assert_nothing_written(tmp_path)
    lines = ["id,y_true,y_pred,g", *(row + "," for row in _shuffled())]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    done = cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", "out", "--exit-zero", "-q"])
    assert done.code == 0, done.err
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert audit["performance"]["finetuned"]["test"]["accuracy"] == 0.85


def test_a_header_ending_in_its_own_empty_names_is_read_by_its_last_name(cli, tmp_path):  # noqa: F811
    """r2 #4: Excel's ',,' ending the header over rows one field longer (BOM, CRLF): the
    header's last name is 'g' past its own empty ones, read, and the first, 'id', not: read
    (refused since ed83257 as 'an empty last column '''). A column is never quoted as ''."""
    lines = ["\ufeffid,y_true,y_pred,g,,", *(row + ",,," for row in _rows(1))]
    (tmp_path / "x.csv").write_bytes("\r\n".join(lines).encode() + b"\r\n")
    done = cli(["audit", "-p", "x.csv", "--sensitive", "g", "-o", "out", "--exit-zero", "-q"])
    assert done.code == 0, done.err
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert audit["performance"]["finetuned"]["test"]["accuracy"] == 0.85
    line = assert_refused(cli(["audit", "-p", "x.csv", "--sensitive", "g", "--sensitive", "id",
                               "-o", "out2", "-q"]),
                          "over an empty last column 'g', or an ID column 'id' and")
    lines = [",y_true,y_pred,g,note", *(row + ",," for row in _rows(1))]  # no first name
    (tmp_path / "x.csv").write_text("\n".join(lines) + "\n")
    line = assert_refused(cli(["audit", "-p", "x.csv", "--sensitive", "g", "-o", "out2", "-q"]),
                          "or an ID column and a delimiter ending each row")
    assert "''" not in line
    assert not (tmp_path / "out2").exists()


def _income_rows(n: int = 300) -> list[str]:
    """``n`` rows 'income,age,g,target' ending in the delimiter: incomes whole numbers, the
    first 100 distinct (as any 10+ rows of a wide range), later ones repeating."""
    import random

    rng = random.Random(3)
    incomes = rng.sample(range(20_000, 120_000), min(n, 100))
    incomes += [rng.choice(incomes) for _ in range(n - len(incomes))]
    return [f"{v},{20 + i * 7 % 50},{'FM'[i % 2]},{int(v > 70_000) ^ (i % 9 == 0)},"
            for i, v in enumerate(incomes)]


def _whole_numbers_first(shape: str) -> tuple[list[str], list[str], tuple[str, str], str]:
    """A table of each ``shape`` whose first column is whole numbers over rows ending in the
    delimiter (the header not): its header and rows, its first fields, its delimiter and
    line end, and the config's extra line."""
    if shape in ("comma", "semicolon_crlf", "small"):  # incomes, the first 100 distinct
        rows = _income_rows(300 if shape != "small" else 100)  # 100: the whole file sampled
        named = 'features = ["income", "age"]' if shape == "small" else ""  # each distinct
        ends = (";", "\r\n") if shape == "semicolon_crlf" else (",", "\n")
        return ["income,age,g,target", *rows], [r.split(",")[0] for r in rows], ends, named
    n = 400
    if shape == "sorted":
        values = [*range(20_000, 22_000, 10), *(22_000 + 10 * (i // 2) for i in range(n - 200))]
    elif shape == "below_rows":
        values = [*range(n - 100, n - 200, -1), *(i % 300 + 1 for i in range(n - 100))]
    else:
        n = 150
        values = [*range(n + 1, 2 * n + 1)][::-1]
    note = ',"a\nb\nc"' if shape == "quoted_breaks" else ""
    head = "income,age,g,target" + (",note" if note else "")
    rows = [f"{v},{20 + i * 7 % 50},{'FM'[i % 2]},{int(i % 3 == 0) ^ (i % 9 == 0)}{note},"
            for i, v in enumerate(values)]
    return [head, *rows], list(map(str, values)), (",", "\n"), 'features = ["income", "age"]'


@pytest.mark.parametrize("shape", ["comma", "semicolon_crlf", "small", "sorted", "below_rows",
                                   "quoted_breaks"])  # fmt: skip
def test_whole_numbers_first_that_are_no_row_names_are_read(cli, tmp_path, shape):  # noqa: F811
    """r11 #1: an own table whose first column is whole numbers (income 81751) over rows
    ending in the delimiter, the header not, read at b2611a3 and was refused since e3e5f5d
    as R's row names of shuffled rows ('each first field a different whole number'); R20
    #1-#3: so were sorted incomes (each larger than the last in the first rows), numbers
    none above the rows but repeating past the first rows, numbers above the rows only as
    records (quoted line breaks). R's row names are each its own over the whole file and
    none above its rows: these are read (the table loader and the predictions reader); a
    shuffled 1..n is still refused (test above)."""
    lines, firsts, (sep, end), extra = _whole_numbers_first(shape)
    (tmp_path / "t.csv").write_bytes((end.join(lines) + end).replace(",", sep).encode())
    (tmp_path / "audit.toml").write_text(TABLE.format(extra=extra))
    done = cli(["run", "audit.toml", "--out", "out", "--quiet", "--exit-zero"])
    assert done.code == 0, done.err
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert audit["data"]["preprocessing"]["features"] == ["income", "age"]
    lines = ["score_int,y_true,y_pred,g", *(f"{v},{i % 2},{i % 3 % 2},{'FM'[i % 2]},"
                                           for i, v in enumerate(firsts))]
    (tmp_path / "p.csv").write_bytes((end.join(lines) + end).replace(",", sep).encode())
    done = cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", "po", "--exit-zero", "-q"])
    assert done.code == 0, done.err
    audit = json.loads((tmp_path / "po" / "audit.json").read_text())
    assert audit["data"]["splits"]["test"]["n_rows"] == len(firsts)


def test_an_id_column_refused_says_the_setting_that_reads_it(cli, tmp_path):  # noqa: F811
    """r11 #2, #3: ids 1.. (or shuffled) and a delimiter ending each row (not the header),
    refused as possibly R's row names: 'id,y_true,y_pred,g,y_score' audited without
    --y-score is read with it, and an own table with no data.drop is read with 'id' there
    (b2611a3 said 'add it to data.drop'): each refusal names that setting."""
    lines = ["id,y_true,y_pred,g,y_score", *(f"{row},0.{len(row) % 9}," for row in _shuffled())]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    line = assert_refused(cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", "out", "-q"]),
                          "p.csv: data row 1 has 6 fields")
    assert "(to read it so, --y-score y_score, where it is the score)?" in line, line
    done = cli(["audit", "-p", "p.csv", "--sensitive", "g", "--y-score", "y_score", "-o",
                "out", "--exit-zero", "-q"])  # fmt: skip
    assert done.code == 0, done.err
    (tmp_path / "t.csv").write_text("id,age,income,g,target\n" + "\n".join(_table_rows()) + "\n")
    (tmp_path / "audit.toml").write_text(TABLE.format(extra=""))
    line = assert_refused(cli(["run", "audit.toml", "--out", "out2", "--quiet"]),
                          "t.csv: data.path: data row 1 has 6 fields")
    assert "(to read it so, add 'id' to data.drop)?" in line, line
    (tmp_path / "audit.toml").write_text(TABLE.format(extra='drop = ["id"]'))
    done = cli(["run", "audit.toml", "--out", "out3", "--quiet", "--exit-zero"])
    assert done.code == 0, done.err
