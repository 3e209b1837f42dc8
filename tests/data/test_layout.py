"""A CSV's layout read from its first lines (``auditor.data.layout``), through the CLI: a line
of only spaces among them is no row, as both readers skip it (pyarrow's blank_row, pandas)."""

from __future__ import annotations

import json
import random

from auditor.data.header import PAST_HEADER
from auditor.data.layout import csv_layout
from tests.hostile.conftest import assert_nothing_written, assert_refused, cli  # noqa: F401


def _predictions(spaces_at: int | None = None) -> str:
    """300 rows ending in the delimiter (an unnamed last column), 85% right; a line of only
    spaces inserted before line ``spaces_at`` (the header is line 0)."""
    lines = ["y_true,y_pred,g"]
    for i in range(300):
        y = i % 2
        lines.append(f"{y},{y if i % 20 >= 3 else 1 - y},{'FM'[i % 2]},")
    if spaces_at is not None:
        lines.insert(spaces_at, "   ")
    return "\n".join(lines) + "\n"


def test_a_line_of_spaces_in_the_first_lines_is_no_row_of_predictions(cli, tmp_path):  # noqa: F811
    """Was refused: 'data row 1 has 4 fields where the header has 3 ('0,1,F,')': the spaces read
    as a row of one field, so the rows' widths differed and the delimiter ending each was not
    taken for an unnamed column."""
    (tmp_path / "p.csv").write_text(_predictions(spaces_at=11))
    done = cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", "out", "--exit-zero", "-q"])
    assert done.code == 0, done.err
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert audit["performance"]["finetuned"]["test"]["accuracy"] == 0.85
    assert csv_layout(tmp_path / "p.csv").unnamed == "last"


def test_a_short_row_later_is_named_past_a_line_of_spaces(cli, tmp_path):  # noqa: F811
    """A row without the ending delimiter at data row 200: that row is named, not row 1."""
    lines = _predictions(spaces_at=11).splitlines()
    lines[201] = lines[201].rstrip(",")  # data row 200 (the spaces are no row)
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    line = assert_refused(cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", "out", "-q"]),
                          "p.csv: data row 200 has 3 fields")  # fmt: skip
    assert "data row 1 " not in line
    assert_nothing_written(tmp_path)


TABLE = """[data]
source = "table"
path = "t.csv"
target = "y"
sensitive = ["g"]
"""


def test_a_line_of_spaces_in_the_first_lines_of_an_own_table(cli, tmp_path):  # noqa: F811
    """Rows ending in the delimiter and a value past the header at data row 149: was refused as
    'a row has more fields than the header's 3 names' (the spaces kept the layout from seeing
    the rows end in an empty field), naming no row; now the value and its row are named."""
    lines = ["x,g,y"] + [f"{i % 7 / 10},{'ab'[i % 2]},{i % 3 % 2}," for i in range(240)]
    lines.insert(11, " \t ")
    lines[150] += "7"  # data row 149: the line of spaces is no row
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "audit.toml").write_text(TABLE)
    line = assert_refused(cli(["run", "audit.toml", "--out", "out", "--quiet"]),
                          "t.csv: data.path:")  # fmt: skip
    assert line.endswith(PAST_HEADER.format(n=3, where="1 row of 240 holds one", value="7",
                                            row="data row 149")), line  # fmt: skip
    assert_nothing_written(tmp_path)



R_HINT = ("R's row names written unquoted, or a header missing the first column's name? write "
          "the file with write.table(..., row.names = FALSE) or quote = TRUE, or name that "
          "column in the header")  # fmt: skip


def _r_table(sep: str, quote: bool, rows: range) -> str:
    """R's write.table(frame, sep = sep, quote = quote) (row.names = TRUE, its default): the
    header one name short, each row starting with its row name."""
    q = '"' if quote else ""
    lines = [sep.join(f"{q}{name}{q}" for name in ("y_true", "y_pred", "g"))]
    for i in rows:
        y = i % 2
        values = [f"{q}{i}{q}", str(y), str(y if i % 20 >= 3 else 1 - y), f"{q}{'FM'[i % 2]}{q}"]
        lines.append(sep.join(values))
    return "\n".join(lines) + "\n"


def test_unquoted_r_row_names_are_refused_with_how_r_writes_them(cli, tmp_path):  # noqa: F811
    """Was 'data row 1 has 4 fields where the header has 3 ('1,0,1,F'); quote a value that holds
    the delimiter, or write the row in full', advice an R user cannot act on."""
    hint = R_HINT
    cases = [("r.csv", ",", range(1, 301), "('1,1,0,M')", "(1, 2, 3, ...)"),
             ("r.txt", " ", range(1, 301), "('1 1 0 M')", "(1, 2, 3, ...)"),  # R's default sep
             ("subset.csv", ",", range(2, 900, 3), "('2,0,1,F')", "(2, 5, 8, ...)")]  # fmt: skip
    for name, sep, rows, row, numbers in cases:
        (tmp_path / name).write_text(_r_table(sep, quote=False, rows=rows))
        line = assert_refused(cli(["audit", "-p", name, "--sensitive", "g", "-o", "out", "-q"]),
                              f"{name}: data row 1 has 4 fields where the header has 3 {row}")
        assert line.endswith(f", as do the rows under it, each first field a number larger "
                             f"than the last {numbers}: {hint}"), line  # fmt: skip
    assert_nothing_written(tmp_path)
    (tmp_path / "t.csv").write_text(_r_table(",", quote=False, rows=range(1, 241)))
    (tmp_path / "audit.toml").write_text(TABLE.replace('"y"', '"y_true"'))
    line = assert_refused(cli(["run", "audit.toml", "--out", "out", "--quiet"]),
                          "t.csv: data.path: data row 1 has 4 fields where the header has 3")
    assert line.endswith(hint), line
    assert_nothing_written(tmp_path)
    (tmp_path / "quoted.csv").write_text(_r_table(",", quote=True, rows=range(1, 301)))
    done = cli(["audit", "-p", "quoted.csv", "--sensitive", "g", "-o", "out", "-q", "--exit-zero"])
    assert done.code == 0, done.err  # the advice holds: quote = TRUE is read, row names dropped


def _r_unquoted_na(rows: int, na_rows: int) -> str:
    """R's write.table(frame, quote = FALSE, row.names = FALSE, na = ""): names and values one
    space apart, the text value of each of the first ``na_rows`` rows NA (nothing between two
    spaces), so that none of the first 100 rows is without an empty field."""
    lines = ["age sex y z"]
    for i in range(rows):
        sex = "" if i < na_rows else "FM"[i % 2]
        lines.append(f"{20 + i % 50} {sex} {i % 3 % 2} {i / 400:.3f}")
    return "\n".join(lines) + "\n"


def test_rs_unquoted_write_table_with_text_na_in_every_first_row_is_read(cli, tmp_path):  # noqa: F811
    """R8 #1: R's write.table(quote = FALSE, na = "") with the text value NA in rows 1-120 was
    read as one column ('age sex y z') and auditor run said "data.target: no column 'y' in the
    file": cf08b63 read such a file space separated only where one of the first 100 rows has
    no empty field. Every row splits into exactly the header's names: no padding there."""
    (tmp_path / "t.txt").write_text(_r_unquoted_na(300, 120))
    (tmp_path / "audit.toml").write_text(TABLE.replace('"t.csv"', '"t.txt"')
                                         .replace('["g"]', '["sex"]') + "missing_group = true\n")
    done = cli(["run", "audit.toml", "--out", "out", "--quiet", "--exit-zero"])
    assert done.code == 0, done.err
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert "t.txt (300 rows, 2 input columns)" in audit["data"]["description"]
    assert audit["data"]["feature_names"] == ["age", "z"]
    assert csv_layout(tmp_path / "t.txt").delimiter == " "


def test_columns_aligned_with_runs_of_spaces_are_still_one_column(tmp_path):
    """The aligned-columns guard holds: rows wider than the header's names one space apart
    (an empty field inside the line: padding), or a header padded itself, are not split on a
    single space."""
    for name, text in [("a.txt", "a b c\n1  2 3\n"),
                       ("b.txt", "a b c\n" + "".join(f"{i}  {i % 2} 1\n" for i in range(20))),
                       ("c.txt", "a  b  c\n" + "".join(f"{i}  {i % 2}  1\n" for i in range(20)))]:
        (tmp_path / name).write_text(text)
        assert csv_layout(tmp_path / name).delimiter == ",", name


def test_a_no_value_word_in_the_field_ending_each_row_is_none_wherever_it_is(cli, tmp_path):  # noqa: F811
    """R5 #6: rows ending in the delimiter, one ending in 'NA' (or another word the readers
    take for no value): at data row 201 read, at data row 5 refused, the layout taking the
    word among its first 100 lines for a value. It is no value wherever it is."""
    for word in ("NA", "null", "?"):
        lines = _predictions().splitlines()
        lines[5] += word  # data row 5
        (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
        done = cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", word, "--exit-zero", "-q"])
        assert done.code == 0, (word, done.err)
        audit = json.loads((tmp_path / word / "audit.json").read_text())
        assert audit["performance"]["finetuned"]["test"]["accuracy"] == 0.85
        assert csv_layout(tmp_path / "p.csv").unnamed == "last"
    lines = ["x,g,y"] + [f"{i % 7 / 10},{'ab'[i % 2]},{i % 3 % 2}," for i in range(240)]
    lines[5] += "NA"  # an own table's data row 5
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "audit.toml").write_text(TABLE)
    done = cli(["run", "audit.toml", "--out", "out", "--quiet", "--exit-zero"])
    assert done.code == 0, done.err


def test_r_row_names_unquoted_over_na_ending_each_row_are_still_refused(cli, tmp_path):  # noqa: F811
    """R's write.table(quote = FALSE) with its row names and na = "NA" (its defaults) in a last
    column NA in the first rows: each row one field over the header, ending in 'NA'. Not read
    as a delimiter ending each row (every name would fall one column left): refused with how R
    writes it readably, as before."""
    lines = _r_table(",", quote=False, rows=range(1, 301)).splitlines()
    lines = [lines[0]] + [line.rsplit(",", 1)[0] + ",NA" for line in lines[1:]]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    line = assert_refused(cli(["audit", "-p", "r.csv", "--sensitive", "g", "-o", "out", "-q"]),
                          "r.csv: data row 1 has 4 fields where the header has 3 ('1,1,0,NA')")
    assert line.endswith(R_HINT), line
    assert_nothing_written(tmp_path)


def test_the_r_row_names_hint_only_where_it_holds(cli, tmp_path):  # noqa: F811
    """R11 #4: the hint fired on an ID column over an unquoted comma in text in every row
    ('Austin, TX': the old advice, quote the value, was right). pandas' index_label=False
    (rows numbered from 0) is told its own fix: test_counted_rows."""
    rows = [f"{i},{i % 2},{i % 3 % 2},{'FM'[i % 2]},Austin, TX" for i in range(1, 301)]
    (tmp_path / "city.csv").write_text("id,y_true,y_pred,g,city\n" + "\n".join(rows) + "\n")
    for name, row in (("city.csv", "'1,1,1,M,Austin, TX'"),):
        line = assert_refused(cli(["audit", "-p", name, "--sensitive", "g", "-o", "out", "-q"]),
                              f"{name}: data row 1 has")
        assert row in line and "R's row names" not in line, line
        assert line.endswith("quote a value that holds the delimiter, or write the row in full")
    assert_nothing_written(tmp_path)


def test_the_r_row_names_hint_shows_the_numbers_there_are(cli, tmp_path):  # noqa: F811
    """Two rows numbered 1, 2 were shown as '(1, 2, ...)'; a header missing its first
    column's name, rows numbered from 1, is told so too."""
    (tmp_path / "two.csv").write_text("y_true,y_pred,g\n1,1,0,M\n2,0,1,F\n")
    line = assert_refused(cli(["audit", "-p", "two.csv", "--sensitive", "g", "-o", "out", "-q"]),
                          "two.csv: data row 1 has 4 fields where the header has 3 ('1,1,0,M')")
    assert line.endswith(f"each first field a number larger than the last (1, 2): {R_HINT}")
    assert_nothing_written(tmp_path)


def _r_names_over_na(names: list[str]) -> str:
    """R's write.table(frame, sep = ",", quote = FALSE) with its row names ``names`` and
    na = "NA" (its defaults) over a last column 'note' NA in every row: each row one field
    over the header, ending in 'NA'."""
    lines = ["y_true,y_pred,g,note"]
    for i, name in enumerate(names):
        y = i % 2
        lines.append(f"{name},{y},{y if i % 20 >= 3 else 1 - y},{'FM'[i % 2]},NA")
    return "\n".join(lines) + "\n"


def test_r_row_names_shuffled_or_words_over_na_ending_each_row_are_refused(cli, tmp_path):  # noqa: F811
    """R15 #1: R's row names, shuffled (df[order(...), ]) or words (mtcars'), over na = "NA"
    in every row were read since eacbbc5 as a delimiter ending each row, every name one column
    left (accuracy 0.5, y_true reading the row names). A delimiter ending each row leaves some
    row's last field blank; 'NA' in every one is R's: refused as ragged, as before."""
    shuffled = [str(n) for n in random.Random(0).sample(range(1, 301), 300)]
    words = [f"car {i}" for i in range(300)]
    for name, names in (("shuffled.csv", shuffled), ("words.csv", words)):
        (tmp_path / name).write_text(_r_names_over_na(names))
        row = f"'{names[0]},0,1,F,NA'"
        assert_refused(cli(["audit", "-p", name, "--sensitive", "g", "-o", "out", "-q"]),
                       f"{name}: data row 1 has 5 fields where the header has 4 ({row})")
        assert csv_layout(tmp_path / name).unnamed is None
    assert_nothing_written(tmp_path)
    lines = ["x,g,y,note"] + [f"r{i},{i % 7 / 10},{'ab'[i % 2]},{i % 3 % 2},NA" for i in range(240)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")  # an own table: pandas dropped
    (tmp_path / "audit.toml").write_text(TABLE + 'drop = ["x"]\n')  # 'NA' last, unwarned
    assert_refused(cli(["run", "audit.toml", "--out", "out", "--quiet"]),
                   "t.csv: data.path: a row has more fields than the header's 4 names")
    assert_nothing_written(tmp_path)


def test_an_id_column_counting_over_rows_ending_in_the_delimiter_is_read(cli, tmp_path):  # noqa: F811
    """R15 #2: a named id column counting 1, 2, 3 over rows ending in the delimiter, 'NA' at
    data row 5, was refused with the R row-names hint (at data row 201 it was read): the rows'
    blanks say a delimiter ends them; the header names the id."""
    for at in (5, 201):
        lines = _predictions().splitlines()
        lines = ["id," + lines[0]] + [f"{i}," + line for i, line in enumerate(lines[1:], 1)]
        lines[at] += "NA"
        (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
        out = f"out{at}"
        done = cli(["audit", "-p", "p.csv", "--sensitive", "g", "-o", out, "--exit-zero", "-q"])
        assert done.code == 0, (at, done.err)
        audit = json.loads((tmp_path / out / "audit.json").read_text())
        assert audit["performance"]["finetuned"]["test"]["accuracy"] == 0.85
        assert csv_layout(tmp_path / "p.csv").unnamed == "last"


def test_one_column_under_a_name_with_a_space_is_one_column(cli, tmp_path):  # noqa: F811
    """R15 #3: numpy's savetxt(fmt='% .3f') of one column under 'risk score' (rows ' 0.100'),
    and such a column of ' 5' or ' note0', was read space separated since cb32cd9, as columns
    'risk' (empty) and 'score': every row splits into as many fields as the header, each with
    an empty one. A row of one value is one column; R's na = "" rows hold two or more."""
    cases = {"s.txt": "risk score\n" + "".join(f" {i / 20:.3f}\n" for i in range(20)),
             "t.csv": "total score\n" + "".join(f" {i % 10}\n" for i in range(20)),
             "n.csv": "free text\n" + "".join(f" note{i}\n" for i in range(20))}
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        assert csv_layout(tmp_path / name).delimiter == ",", name
    line = assert_refused(cli(["audit", "-p", "s.txt", "--y-true", "y", "--sensitive", "g",
                               "-o", "out", "-q"]), "s.txt: y: no column 'y' (--y-true)")
    assert line.endswith("the file has risk score"), line
    assert_nothing_written(tmp_path)


def test_both_readers_word_a_value_past_the_header_alike(cli, tmp_path):  # noqa: F811
    """The table loader said "a row has more fields than the header's 3 names: the rows end in
    an empty field, but 1 row holds a value there ('7', first at data row 150)", the
    predictions reader "data row 150 has a value past the header's 3 names ('7'), where ...":
    one wording (PAST_HEADER), each reader's own 'where' (README: their rules differ)."""
    lines = ["x,g,y"] + [f"{i % 3 % 2},{'ab'[i % 2]},{i % 3 % 2}," for i in range(240)]
    lines[150] += "7"
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "audit.toml").write_text(TABLE)
    table = assert_refused(cli(["run", "audit.toml", "--out", "out", "--quiet"]), "t.csv: ")
    audit = assert_refused(cli(["audit", "-p", "t.csv", "--y-true", "y", "--y-pred", "x",
                                "--sensitive", "g", "-o", "out", "-q"]), "t.csv: ")
    head = "data row 150 has a value past the header's 3 names ('7'), where "
    tail = PAST_HEADER.split("{where}")[1]
    assert head in table and head in audit, (table, audit)
    assert table.endswith(tail) and audit.endswith(tail), (table, audit)
    assert_nothing_written(tmp_path)
