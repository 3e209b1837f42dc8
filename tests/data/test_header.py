"""A data file's kind and header: the checks the table loader and the predictions reader share."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from auditor.data import header as H
from auditor.errors import AuditorInputError
from tests.hostile.conftest import assert_refused, cli  # noqa: F401


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(AuditorInputError) as err:
        fn(*args, **kwargs)
    text = str(err.value)
    assert "\n" not in text
    return text


def test_a_byte_order_mark_is_not_part_of_the_first_name(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfy_true,y_pred\n1,0\n")
    assert H.read_header(path) == ["y_true", "y_pred"]


def test_gzip_csv_is_read_and_a_broken_one_is_refused(tmp_path):
    good = tmp_path / "p.csv.gz"
    good.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    assert H.file_kind(good) == "csv" and H.read_header(good) == ["a", "b"]
    bad = tmp_path / "q.csv.gz"
    bad.write_bytes(b"not gzip at all")
    assert refused(H.read_header, bad).endswith(H.NOT_GZIP)  # was "cannot read (BadGzipFile"


def test_kinds_and_what_is_not_a_data_file(tmp_path):
    for name, kind in [("a.parquet", "parquet"), ("b.PQ", "parquet"), ("c.CSV", "csv"),
                       ("d.txt", "csv")]:  # fmt: skip
        (tmp_path / name).write_bytes(b"x")
        assert H.file_kind(tmp_path / name) == kind
    (tmp_path / "e.json").write_text("{}")
    assert H.UNSUPPORTED in refused(H.file_kind, tmp_path / "e.json")
    # pandas' to_parquet example writes df.parquet.gzip: known by its bytes, as a part is
    (tmp_path / "df.parquet.gzip").write_bytes(b"PAR1" + b"\0" * 8 + b"PAR1")
    assert H.file_kind(tmp_path / "df.parquet.gzip") == "parquet"
    assert H.IS_DIRECTORY in refused(H.file_kind, tmp_path)
    parts = tmp_path / "preds.parquet"  # Spark's and Dask's output: a folder of parts
    parts.mkdir()
    for i in range(3):
        (parts / f"part-{i:05d}.parquet").write_bytes(b"")
    assert refused(H.file_kind, parts).endswith(
        "is a folder, not a file (it holds 3 .parquet files: a dataset written in parts, as "
        "Spark and Dask write them? join them into one file)")  # fmt: skip
    assert H.NO_FILE in refused(H.file_kind, tmp_path / "missing.csv")


def test_a_column_named_twice_is_refused_with_its_count():
    H.check_header(["a", "b"], source="f.csv")
    text = refused(H.check_header, ["a", "b", "a", "b", "a"], source="f.csv")
    assert text.startswith("f.csv") and H.DUPLICATE_COLUMN.format(col="a", n=3) in text


def test_nested_parquet_columns_are_refused_flat_and_dictionary_ones_pass(tmp_path):
    path = tmp_path / "n.parquet"
    table = pa.table({"y": [1, 0], "tags": [["a"], ["b", "c"]],
                      "sex": pa.array(["F", "M"]).dictionary_encode()})  # fmt: skip
    pq.write_table(table, path)
    H.check_flat_columns(path, ["y", "sex", "absent"])
    text = refused(H.check_flat_columns, path, ["y", "tags"])
    assert "'tags'" in text and "list" in text


@pytest.mark.parametrize(
    ("name", "text", "delimiter"),
    [("semi.csv", "a;b;c\n1;2;3\n", ";"), ("tab.csv", "a\tb\tc\n1\t2\t3\n", "\t"),
     ("pipe.txt", "a|b|c\n1|2|3\n", "|"), ("comma.csv", "a,b,c\n1;2,3\n", ","),
     ("tab.tsv", "a\tb\tc\n", "\t"), ("quoted.csv", '"a;x",b,c\n', ",")],
)  # fmt: skip
def test_the_delimiter_is_the_one_that_splits_the_header_most(tmp_path, name, text, delimiter):
    path = tmp_path / name
    path.write_text(text)
    assert H.csv_layout(path) == H.CsvLayout(delimiter=delimiter, skip_rows=0)
    assert H.read_header(path)[1:] == ["b", "c"]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [("P(yes | age, sex, race, income);y_true;y_pred\n0,3;1;0\n0,7;0;1\n", ";"),
     ('"Score, %";"Label, true";"Label, pred";Sex\n"0,3";"1";"0";F\n', ";"),
     ("x, y|z, w|q\n1|2|3\n4|5|6\n", "|"),
     ('a,b,c\n1;2,3\n', ","), ('a;b,c;d\n1;2;3\n', ";"), ('a;b,c;d\n1,2\n', ","),
     ("a b c\n1 2 3\n", " "), ("true label,pred,sex\n1,0,F\n", ","), ("a b,c\n", ","),
     ("a, b, c\n1, 2, 3\n", ","), ("a b c\n1  2 3\n", ","),
     ("first name,last name\nJohn Smith,Jane Doe\n", ",")],
)  # fmt: skip
def test_the_rows_under_the_header_confirm_the_delimiter(tmp_path, text, delimiter):
    """Names holding another delimiter (a ';' file whose quoted names hold commas, a '|' file
    whose names hold a comma): the delimiter that splits the header and the rows under it
    alike wins; where none does, the one that splits the header most."""
    path = tmp_path / "p.csv"
    path.write_text(text)
    assert H.csv_layout(path).delimiter == delimiter


def test_a_tsv_is_a_csv_and_a_single_column_header_keeps_the_comma(tmp_path):
    for name in ("p.tsv", "p.TSV", "p.tsv.gz"):
        (tmp_path / name).write_bytes(b"x")
        assert H.file_kind(tmp_path / name) == "csv"
    one = tmp_path / "one.csv"
    one.write_text("only\n1\n")
    assert H.csv_layout(one).delimiter == "," and H.read_header(one) == ["only"]


def test_comment_lines_above_the_header_are_skipped(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("# exported by pipeline v2\n#\ty;z\na;b\n1;2\n")
    assert H.csv_layout(path) == H.CsvLayout(delimiter=";", skip_rows=2)
    assert H.read_header(path) == ["a", "b"]
    only = tmp_path / "only.csv"
    only.write_text("# nothing else\n")
    assert H.NO_HEADER in refused(H.read_header, only)


def test_a_decimal_comma_is_read_beside_another_delimiter_only(tmp_path):
    cases = [("a;b\n1;0,93\n", ","), ("a;b\n1;0.93\n", "."), ("a;b\n", "."),
             ('a,b\n1,"0,93"\n', "."), ("a\tb\n-2,5\tx\n", ",")]  # fmt: skip
    for i, (text, mark) in enumerate(cases):
        path = tmp_path / f"{i}.csv"
        path.write_text(text)
        assert H.csv_layout(path).decimal_point == mark, text


def test_a_hash_header_is_the_header_not_a_comment(tmp_path):
    """Some tools write the header as '#id,...', numpy's savetxt as '# y_true,...': a last
    '#' line naming the fields of the data row under it is the header (the '#' is not part
    of the first name); comments above it are still skipped."""
    path = tmp_path / "h.csv"
    path.write_text("# exported by tool x\n#id;a;b\n1;2,5;3\n")
    assert H.csv_layout(path) == H.CsvLayout(
        delimiter=";", skip_rows=1, decimal_point=",", hash_header=True
    )
    assert H.read_header(path) == ["id", "a", "b"]
    path.write_text("#id,a,b\n1,2,3\n")
    assert H.read_header(path) == ["id", "a", "b"]
    path.write_text("# y_true,y_pred,group\n1.000000000000000000e+00,0,1\n")  # np.savetxt
    assert H.read_header(path) == ["y_true", "y_pred", "group"]


def test_a_hash_line_above_a_header_of_names_is_a_comment(tmp_path):
    """'#model=v3,date=2026-11-01,split=test' has as many fields as the header under it, but
    that header names columns (no number in it): the '#' line is a comment."""
    path = tmp_path / "meta.csv"
    path.write_text("#model=v3,date=2026-11-01,split=test\ny_true,y_pred,sex\n1,0,F\n")
    assert H.csv_layout(path) == H.CsvLayout(skip_rows=1)
    assert H.read_header(path) == ["y_true", "y_pred", "sex"]


@pytest.mark.parametrize(
    ("rows", "mark"),
    [
        ("1;1;F\n0;0,118;M\n", ","),  # the first row's score is 1: the second shows the comma
        ("1;0;F\n" * 50 + "0;0,5;M\n", ","),
        ("1;0,5;F\n0;0.25;M\n1;0.75;F\n", "."),  # more written 0.25: the point
        ("1.0;0,5;F\n", ","),  # as many: the comma, as a spreadsheet writes it
        ("1;1;F\n0;0;M\n", "."),
    ],
)
def test_the_decimal_mark_is_read_from_the_rows_under_the_header(tmp_path, rows, mark):
    path = tmp_path / "semi.csv"
    path.write_text("y_true;y_score;sex\n" + rows)
    assert H.csv_layout(path).decimal_point == mark


def test_excels_sep_line_names_the_delimiter(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfsep=;\r\na;b,c;d\r\n1;0,5;x\r\n")
    assert H.csv_layout(path) == H.CsvLayout(delimiter=";", skip_rows=1, decimal_point=",")
    assert H.read_header(path) == ["a", "b,c", "d"]


def test_the_table_loader_reads_each_layout_under_the_headers_names(tmp_path):
    """The table loader (auditor run on a CSV) reads a file's columns under the names this
    module finds: numpy's savetxt with spaces and a '# ' header (its names were shifted one
    column right), R's row names (dropped, as pandas' index), a delimiter ending each row
    (pandas took the first column for an index and shifted every name)."""
    import numpy as np

    from auditor.data.table import read_frame

    saved = tmp_path / "saved.txt"
    np.savetxt(saved, np.array([[1, 0, 0.5], [0, 1, 0.25]]), header="label pred score")
    r_file = tmp_path / "r.txt"
    r_file.write_text('"label" "pred" "score"\n"1" 1 0 0.5\n"2" 0 1 0.25\n')
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("label,pred,score\n1,0,0.5,\n0,1,0.25,\n")
    header = tmp_path / "header.csv"  # only the header line ends in the delimiter
    header.write_text("label,pred,score,\n1,0,0.5\n0,1,0.25\n")
    for path in (saved, r_file, trailing, header):
        frame = read_frame(path)
        assert list(frame.columns) == ["label", "pred", "score"], path.name
        assert frame.to_numpy().tolist() == [[1, 0, 0.5], [0, 1, 0.25]], path.name


def test_a_title_line_above_the_header_is_refused_saying_so(tmp_path):
    """'Predictions exported 2026-11-29' above the names: its one field over rows of four
    made every row ragged ('a row has 4 fields where the header has 1'); now the line is
    named, with the fix. A one-column file is still read."""
    for sep in (",", ";"):
        path = tmp_path / "titled.csv"
        rows = sep.join("ypsg") + "\n" + sep.join("100F") + "\n"
        path.write_text("Predictions exported 2026-11-29\n" + rows)
        assert refused(H.read_header, path).endswith(
            "line 1 ('Predictions exported 2026-11-29') is one field above rows of more: a "
            "title above the header? delete it, or start it with '#'")  # fmt: skip
    one = tmp_path / "one.csv"
    one.write_text("only\n1\n2\n")
    assert H.read_header(one) == ["only"]


def _rows_with_text(n: int, text: str) -> list[str]:
    """``id,y_true,y_pred,female,race,comment`` rows: a distinct ID first, ``text`` last."""
    return [f"u{i:04d},{i % 2},{i // 2 % 2},{i // 3 % 2},{'abc'[i % 3]},{text}" for i in range(n)]


def test_an_unquoted_comma_in_text_under_an_id_column_is_a_ragged_row_not_row_names(tmp_path):
    """'called back, no answer' unquoted under an ID column: every row one field longer than
    the header with a distinct first field, as R's row names are. They were read as row names,
    every name shifted one column (accuracy 0.52 where it was 0.85, the race values audited as
    'female' groups). Row names only where R's layout is evident (each row's first field
    quoted) and no field starts with a space after the delimiter; the table loader refuses the
    longer rows too (pandas dropped their last field)."""
    from auditor.data.table import read_frame

    header = "id,y_true,y_pred,female,race,comment\n"
    texts = {"spaced": "called back, no answer", "tight": "called back,no answer"}
    for name, text in texts.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(header + "\n".join(_rows_with_text(50, text)) + "\n")
        assert H.csv_layout(path).unnamed is None, name
        assert H.read_header(path) == header.strip().split(","), name
        assert refused(read_frame, path).endswith(
            "a row has more fields than the header's 6 names; quote a value that holds the "
            "delimiter, or write the row in full")  # fmt: skip
    quoted = tmp_path / "quoted.csv"  # quoted IDs, but ', ' in unquoted text: not R's
    quoted.write_text(header + "\n".join(
        '"' + row.replace(",", '",', 1) for row in _rows_with_text(50, "called back, no answer")
    ) + "\n")  # fmt: skip
    assert H.csv_layout(quoted).unnamed is None
    quoted_names = tmp_path / "quoted_names.csv"  # a quoted header alone is not R's either
    names = ",".join(f'"{n}"' for n in header.strip().split(","))
    quoted_names.write_text(names + "\n" + "\n".join(_rows_with_text(50, "no,answer")) + "\n")
    assert H.csv_layout(quoted_names).unnamed is None


@pytest.mark.parametrize("sep", [",", ";", "\t", " "])
def test_rs_write_table_with_text_holding_the_delimiter_is_still_read_by_row_names(tmp_path, sep):
    """R's write.table (quote = TRUE, row.names = TRUE, its defaults) quotes row names, names
    and text: its text may hold the delimiter and ', '; the row names are found, on both
    loaders."""
    from auditor.data.table import read_frame

    path = tmp_path / "r.txt"
    rows = [sep.join([f'"{i + 1}"', str(i % 2), f'"{"FM"[i % 3 % 2]}"', f'"said{sep} no, {i}"'])
            for i in range(40)]  # fmt: skip
    path.write_text(sep.join(['"y"', '"sex"', '"note"']) + "\n" + "\n".join(rows) + "\n")
    assert H.csv_layout(path) == H.CsvLayout(delimiter=sep, unnamed="first")
    assert H.read_header(path) == ["", "y", "sex", "note"]
    frame = read_frame(path)
    assert list(frame.columns) == ["y", "sex", "note"]
    assert frame["note"].tolist()[:2] == [f"said{sep} no, 0", f"said{sep} no, 1"]


@pytest.mark.parametrize("width", [3, 6])
def test_a_title_line_holding_the_delimiter_is_refused_as_a_title(tmp_path, width):
    """'Model predictions, exported 2024-01-01' (two fields) above a header of 3 names over an
    ID column was taken for R's row names (the names shifted, 'Model predictions' a column);
    above 6 names it was the header ('no column y_true; the file has Model predictions, ...').
    Both are refused as a title, by the table loader too; a header missing a name over data
    is not a title (refused as ragged rows)."""
    from auditor.data.table import read_frame

    names = ["id", "y_true", "comment", "y_pred", "female", "race"][:width]
    rows = [",".join([f"u{i}", str(i % 2), "ok", "1", "0", "a"][:width]) for i in range(30)]
    path = tmp_path / "titled.csv"
    path.write_text("Model predictions, exported 2024-01-01\n" + ",".join(names) + "\n"
                    + "\n".join(rows) + "\n")  # fmt: skip
    want = ("line 1 ('Model predictions, exported 2024-01-01') is 2 fields above rows of more: "
            "a title above the header? delete it, or start it with '#'")  # fmt: skip
    assert refused(H.read_header, path).endswith(want)
    assert refused(read_frame, path).endswith(want)
    short = tmp_path / "short.csv"
    short.write_text(",".join(names[1:]) + "\n" + "\n".join(rows) + "\n")
    assert not H.csv_layout(short).title


def test_a_text_field_over_pythons_csv_limit_is_read(tmp_path):
    """A quoted field of 150 KB in the first rows: Python's csv module (the layout's look at
    the first lines) refused it ('field larger than field limit (131072)'); its limit is back
    to what it was after."""
    import csv

    from auditor.data.table import read_frame

    big = "x" * 150_000 + ', said "hi"'.replace('"', '""')
    path = tmp_path / "big.csv"
    path.write_text("y,sex,note\n" + "\n".join(f'{i % 2},F,"{big if i == 3 else "ok"}"'
                                              for i in range(20)) + "\n")  # fmt: skip
    before = csv.field_size_limit()
    assert H.csv_layout(path) == H.CsvLayout()
    assert H.read_header(path) == ["y", "sex", "note"]
    assert read_frame(path)["note"].str.len().max() == len(big.replace('""', '"'))
    assert csv.field_size_limit() == before


def test_a_title_line_over_a_quoted_file_is_a_title_not_rs_layout(tmp_path):
    """Every row quoted (pandas' QUOTE_ALL) under a title holding the delimiter: the rows
    start quoted as R's do, but the title does not (R quotes its names): a title."""
    path = tmp_path / "quoted.csv"
    rows = "\n".join(f'"u{i}","{i % 2}","ok"' for i in range(20))
    path.write_text('Model predictions, exported 2024-01-01\n"id","y_true","note"\n' + rows + "\n")
    assert H.csv_layout(path).title
    assert "is 2 fields above rows of more" in refused(H.read_header, path)


def test_a_column_holding_another_delimiter_is_not_taken_for_a_title(tmp_path):
    """Tags written 'x;y;z' in a ',' file split every row into as many ';' fields, more than
    the header's one: the file is read, not refused as a title."""
    path = tmp_path / "tags.csv"
    rows = "\n".join(f"{i % 2},{(i + 1) % 2},t{i};u{i};v{i}" for i in range(30))
    path.write_text("y_true,y_pred,tags\n" + rows + "\n")
    assert H.csv_layout(path) == H.CsvLayout()
    assert H.read_header(path) == ["y_true", "y_pred", "tags"]


@pytest.mark.parametrize("where", ["header", "row", "comment"])
def test_a_line_longer_than_pyarrows_block_is_refused_before_it_is_read_whole(tmp_path, where):
    """A file with no line ends (or one row of 17 MiB) was read whole and split by each
    delimiter in turn: minutes and gigabytes for 200 MB, then refused by pyarrow in words of
    its own ('header is larger than block size')."""
    from auditor.data.text import LONGEST_LINE

    long = "x" * (LONGEST_LINE + 1)
    text = {"header": f"y_true,y_pred,{long}\n1,1,F\n", "row": f"y_true,y_pred,sex\n1,1,{long}\n",
            "comment": f"# {long}\ny_true,y_pred,sex\n1,1,F\n"}[where]
    path = tmp_path / "p.csv"
    path.write_text(text)
    line = 2 if where == "row" else 1
    assert refused(H.csv_header, path) == (
        f"{path}: line {line} is longer than 16 MiB: not a CSV file of rows (one row a line)? a "
        "row must fit in 16 MiB")
    path.write_text(text.replace(long, long[:LONGEST_LINE - 100]))
    assert H.csv_header(path)[1][:2] == ["y_true", "y_pred"]  # just under: read


def test_comment_lines_above_the_header_are_counted_not_kept(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("# note\n" * 100_000 + "# y_true,y_pred\n1,0\n")
    layout, header = H.csv_header(path)
    assert (layout.skip_rows, layout.hash_header, header) == (100_000, True, ["y_true", "y_pred"])


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_pipe_or_device_is_refused_as_not_a_regular_file(tmp_path, kind):
    """A named pipe or /dev/zero: 'no such file' (they exist), or a reader waiting forever."""
    import os

    path = tmp_path / "p.csv"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    assert refused(H.file_kind, path) == f"{path}: {H.NOT_REGULAR}"
    assert refused(H.file_kind, tmp_path / "none.csv").endswith(": no such file")


@pytest.mark.parametrize("top", ["\n", "\r\n \r\n\t\r\n", "# exported\n\n", ",\n", ",, ,\r\n;;\n"])
def test_blank_lines_above_the_header_are_skipped_as_pandas_skips_them(tmp_path, top):
    """An export starting with an empty line was refused as "no header line" (the empty line
    read as the header) where pandas reads past it: the table loader reads it as pandas. A
    spreadsheet's empty first row (',,,,') is skipped alike (it said "the file has , , , ,")."""
    from auditor.data.table import read_frame

    path = tmp_path / "p.csv"
    path.write_text(top + "label,pred\n1,0\n0,1\n", newline="")
    assert H.read_header(path) == ["label", "pred"]
    assert read_frame(path).to_dict("list") == {"label": [1, 0], "pred": [0, 1]}


def test_a_file_of_blank_lines_has_no_header():
    """A file of spaces and empty lines said "no column 'y_true'; the file has " (no names)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.csv"
        path.write_text("   \n\n")
        assert refused(H.read_header, path).endswith(f": {H.NO_HEADER}")


@pytest.mark.parametrize(("written", "name"), [
    ("\ufeff\ufeffsex", "sex"),  # a mark added to a file that had one: the second stayed
    ("sex\u200b", "sex"),  # a zero-width space copied in with the name
    ("ge\u0301nero", "g\u00e9nero"),  # NFD, as macOS tools may write it
    ("gender\u00a0identity", "gender identity"),
])  # fmt: skip
def test_a_name_is_read_without_what_a_reader_cannot_see(tmp_path, written, name):
    """'género' written NFD was "no column 'género'; the file has ..., género": the names
    differ only in what no reader sees, as groups' labels do (:func:`canonical`)."""
    from auditor.data.table import read_frame

    path = tmp_path / "p.csv"
    path.write_text(f"label,{written}\n1,a\n", encoding="utf-8")
    assert H.read_header(path) == ["label", name]
    assert list(read_frame(path).columns) == ["label", name]
    path.write_text(f"sex,{written}\n1,a\n", encoding="utf-8")
    if name == "sex":  # one name twice, however it is written
        assert "column 'sex' appears 2 times" in refused(H.check_header, H.read_header(path),
                                                         source="p.csv")  # fmt: skip


def test_a_nested_column_says_to_give_one_value_per_row(tmp_path):
    """A list column of per-class probabilities named as --y-score was refused as "holds
    list<...> values, not one label or number per row", without the way on."""
    path = tmp_path / "n.parquet"
    pq.write_table(pa.table({"y": [1, 0], "probs": [[0.1, 0.9], [0.8, 0.2]]}), path)
    text = refused(H.check_flat_columns, path, ["y", "probs"])
    assert text.endswith("not one label or number per row: give each its own column (as a "
                         "score, P(positive) alone)")


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_a_quoted_name_with_a_line_break_is_read(tmp_path, end):
    """R19: a quoted header name spanning two lines ('"sex<LF>group"') was blamed on "data
    row 1 has 1 fields where the header has 3 ('group\"')"; 8036635 refused it in both
    readers (r2 #5: the table loader had read it). The layout takes the header's lines as
    one (CsvLayout.header_lines), each reader skips them: read. A '#' line above it too."""
    path = tmp_path / "span.csv"
    path.write_bytes(f'"y_true","y_pred","sex{end}group"{end}1,0,F{end}0,0,M{end}'.encode())
    layout, header = H.csv_header(path)
    assert header == ["y_true", "y_pred", f"sex{end}group"] and layout.header_lines == 2
    path.write_text("# made by hand\n" + path.read_text())
    layout, header = H.csv_header(path)
    assert header[2] == "sex\ngroup" and (layout.skip_rows, layout.header_lines) == (1, 2)


def test_a_line_break_in_a_name_the_layout_cannot_see_names_the_header(tmp_path):
    """A quote inside a name ('y_p"red', no quote to the reader) pairs with the one opening
    '"sex': the layout takes the header for one line, the reader for two: refused, naming
    the header (8036635's words), not read shifted."""
    path = tmp_path / "span.csv"
    path.write_text('y_true,y_p"red,"sex\ngroup",age\n1,0,F,3\n0,0,M,4\n')
    assert refused(H.csv_header, path) == (
        f"{path}: the header names a column 'sex\\ngroup', a line break in it: the header "
        "spans lines 1-2; name that column on one line")


def test_both_readers_read_a_header_spanning_lines(cli, tmp_path):  # noqa: F811
    """r2 #5 through the CLI: 'auditor audit' counts every row under its own name (the
    rows a header spanning lines hid were read as data, or refused), a later bad row is
    numbered as a data row (found_rows skips the header's lines too)."""
    rows = [f"{i % 2},{i // 3 % 2},{'FM'[i % 2]},{i % 7}" for i in range(400)]
    head = '"y_true","y_pred","sex\ngroup","age"\n'
    (tmp_path / "p.csv").write_text(head + "\n".join(rows) + "\n")
    done = cli(["audit", "-p", "p.csv", "--sensitive", "sex\ngroup", "-o", "out", "-q",
                "--exit-zero"])  # fmt: skip
    assert done.code == 0, done.err
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    groups = audit["fairness"]["features"]["sex\ngroup"]["groups"]
    assert {g["group"]: g["n"] for g in groups} == {"F": 200, "M": 200}
    right = sum(r.split(",")[0] == r.split(",")[1] for r in rows) / len(rows)
    assert audit["performance"]["finetuned"]["test"]["accuracy"] == pytest.approx(right)
    rows = [r + ("," if i != 6 else ",7") for i, r in enumerate(rows)]  # ending empty but one
    (tmp_path / "p.csv").write_text(head + "\n".join(rows) + "\n")
    assert_refused(cli(["audit", "-p", "p.csv", "--sensitive", "sex\ngroup", "-o", "o2", "-q"]),
                   "p.csv: data row 7 has a value past the header's 4 names ('7')")


def test_the_table_loader_reads_a_quoted_name_with_a_line_break(tmp_path):
    """r2 #5: the table loader (pandas reads a quoted line break) read '"sex<LF>group"' before
    8036635 and was refused since (the predictions reader's refusal made both readers'):
    read again, the name as written, every row under its own name."""
    from auditor.data.table import read_table

    path = tmp_path / "span.csv"
    path.write_bytes(b'"y_true","y_pred","sex\r\ngroup","age"\r\n1,0,F,41\r\n0,0,M,56\r\n')
    frame = read_table(path, field="data.path")
    assert list(frame.columns) == ["y_true", "y_pred", "sex\r\ngroup", "age"]
    assert frame.to_dict("list") == {"y_true": [1, 0], "y_pred": [0, 0],
                                     "sex\r\ngroup": ["F", "M"], "age": [41, 56]}


def test_an_unclosed_quote_in_the_header_is_said_so(tmp_path):
    """r2 #6: a header's quote never closed ('"y_true,y_pred,g' over 20,000 rows) was 'the
    header names a column 'y_true,y_pred,g\\n0,1,F\\n…[…139,671 characters left out…]…''
    spanning lines 1-20001: the whole file offered as a name. It is an unclosed quote, said
    so with the header's line, where the quote runs to the end, or past lines that hold the
    delimiter (rows); both readers (csv_header is theirs)."""
    path = tmp_path / "unbal.csv"
    path.write_text('"y_true,y_pred,g\n' + "0,1,F\n1,0,M\n" * 10_000)
    said = (f"{path}: an unclosed quote in the header (line 1): close it after the name, or "
            "delete it")
    assert refused(H.csv_header, path) == said
    path.write_text('# made by hand\ny_true,y_pred,"g\n' + "0,1,F\n" * 5 + '1,0,"M"\n' * 5)
    assert "an unclosed quote in the header (line 2)" in refused(H.csv_header, path)


def test_closed_quoted_names_are_read_or_refused_for_what_they_are(tmp_path):
    """r19 #1, #2: a quoted name whose quote closes, its text after the line break holding
    the delimiter ('"sex<LF>group, self-reported"'), was refused as an unclosed quote, and so
    was one holding U+2028 too (str.splitlines ended a line there); both read, as pandas
    does. Quotes closing over four lines name the three-line limit, not an unclosed quote."""
    path = tmp_path / "c.csv"
    for name in ("sex\ngroup, self-reported", "g\u2028x, y\nz", "s\r\nx, y"):
        path.write_bytes(f'y_true,y_pred,"{name}"\n1,0,a\n0,0,b\n'.encode())
        assert H.csv_header(path)[1] == ["y_true", "y_pred", name]
        assert H.csv_header(path)[0].header_lines == 2
    path.write_text('y_true,"y_pred\na\nb\nc",g\n0,1,F\n')  # four lines, none a row
    assert refused(H.csv_header, path) == (
        f"{path}: the header spans lines 1-4 (quoted names holding line breaks), more than 3; "
        "name each column on one line")


@pytest.mark.parametrize("mark", ["\u2028", "\x0c", "\x1c", "\x85"])
def test_a_name_holding_a_line_separator_python_splits_on_is_one_name(tmp_path, mark):
    """The layout reads the header by Python's reader, which ends a line at '\\n' and '\\r'
    alone: a name holding U+2028 or a form feed (str.splitlines ends a line there) is one
    name, and the rows ending in the delimiter are seen so (677b774 read 's' and 'x' apart:
    'data row 1 has 4 fields where the header has 3')."""
    path = tmp_path / "p.csv"
    path.write_text(f"y_true,s{mark}x,y_pred\n" + "1,0,1,\n0,1,0,\n" * 5)
    layout, header = H.csv_header(path)
    assert header == ["y_true", f"s{mark}x", "y_pred", ""] and layout.unnamed == "last"
