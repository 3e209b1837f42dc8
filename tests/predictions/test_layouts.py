"""CSV layouts through the predictions reader and ``auditor audit``: an unquoted comma in
text under an ID column is a ragged row (never R's row names), a title line holding the
delimiter is named as a title, a text field over Python's csv limit is read."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.errors import AuditorInputError
from auditor.predictions.read import Columns, reduce_predictions

COLS = Columns(y_true="y_true", y_pred="y_pred", y_score=None, sensitive=("female",))
HEADER = "id,y_true,y_pred,female,race,comment"


def _rows(n: int, text: str) -> list[str]:
    """85% right, a distinct ID first and ``text`` last."""
    rows = []
    for i in range(n):
        y = i % 2
        pred = y if i % 20 >= 3 else 1 - y
        rows.append(f"u{i:04d},{y},{pred},{i // 3 % 2},{'abc'[i % 3]},{text}")
    return rows


def _audit(path, out) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["audit", "-p", str(path), "--sensitive", "female",
                                    "-o", str(out), "--exit-zero"])  # fmt: skip
    return done.exit_code, done.output


def test_an_unquoted_comma_in_text_under_an_id_column_is_refused_as_ragged(tmp_path):
    """Was read as R's row names: accuracy 0.52 where it is 0.85, the race values audited as
    'female' groups, exit 1. Now exit 2, naming the row, no run folder."""
    path = tmp_path / "shift_id.csv"
    path.write_text(HEADER + "\n" + "\n".join(_rows(300, "called back, no answer")) + "\n")
    code, output = _audit(path, tmp_path / "out")
    assert code == 2, output
    assert output.strip() == (
        f"auditor: error: {path}: data row 1 has 7 fields where the header has 6 ('u0000,0,1,0,a,"
        "called back, no answer'); quote a value that holds the delimiter, or write the row "
        "in full")  # fmt: skip
    assert not (tmp_path / "out").exists()
    fixed = tmp_path / "fixed.csv"  # the same rows, the text quoted: read, 85% right
    fixed.write_text(HEADER + "\n" + "\n".join(_rows(300, '"called back, no answer"')) + "\n")
    got = reduce_predictions(fixed, COLS)
    assert got.table.counts.sum() == 300
    code, output = _audit(fixed, tmp_path / "fixed_out")
    assert code == 0, output
    audit = json.loads((tmp_path / "fixed_out" / "audit.json").read_text())
    assert audit["performance"]["finetuned"]["test"]["accuracy"] == 0.85


@pytest.mark.parametrize("width", [3, 6])
def test_a_title_line_holding_the_delimiter_is_refused_as_a_title(tmp_path, width):
    path = tmp_path / "titled.csv"
    names = HEADER.split(",")[:width]
    rows = [",".join(r.split(",")[:width]) for r in _rows(50, "ok")]
    path.write_text("Model predictions, exported 2024-01-01\n" + ",".join(names) + "\n"
                    + "\n".join(rows) + "\n")  # fmt: skip
    code, output = _audit(path, tmp_path / "out")
    assert code == 2 and output.strip() == (
        f"auditor: error: {path}: line 1 ('Model predictions, exported 2024-01-01') is 2 "
        "fields above rows of more: a title above the header? delete it, or start it with "
        "'#'")  # fmt: skip
    with pytest.raises(AuditorInputError, match="a title above the header"):
        reduce_predictions(path, COLS)


def test_a_text_field_over_pythons_csv_limit_is_audited(tmp_path):
    """A 150 KB quoted comment in the first rows was refused ('cannot read (Error: field
    larger than field limit (131072))'); the counts are the file's without it."""
    big = '"' + "x" * 150_000 + ', said ""hi"""'
    rows = _rows(300, "ok")
    path, plain = tmp_path / "big.csv", tmp_path / "plain.csv"
    path.write_text(HEADER + "\n" + "\n".join([*rows[:5], rows[5][:-2] + big, *rows[6:]]) + "\n")
    plain.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    assert (reduce_predictions(path, COLS).table.counts.tolist()
            == reduce_predictions(plain, COLS).table.counts.tolist())  # fmt: skip
    code, output = _audit(path, tmp_path / "out")
    assert code == 0, output


@pytest.mark.parametrize("at", [150, 300])
def test_a_comment_line_among_the_rows_is_refused_as_a_comment(tmp_path, at):
    """A '#' line below the header (a tool's '# exported by ...' at the end) was refused as
    "a row has 1 fields ...; quote a value that holds the delimiter", wrong advice for it."""
    path = tmp_path / "p.csv"
    rows = _rows(300, "ok")
    rows.insert(at, "# exported by tool 1.2")
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    code, output = _audit(path, tmp_path / "out")
    assert code == 2, output
    assert output.strip() == (
        f"auditor: error: {path}: a '#' line among the rows ('# exported by tool 1.2'): a "
        "comment below the header? delete it (a '#' line is skipped only above the header)")
    assert not (tmp_path / "out").exists()


def test_a_ragged_hash_row_of_many_fields_is_named_a_comment_or_data(tmp_path):
    """A data row '#metoo,#ai,1,0' (two hashtags, the delimiter unquoted) was named a comment
    to delete, which would lose a row; a '#' row of more than one field gives both readings."""
    path = tmp_path / "p.csv"
    path.write_text("tag,y_true,y_pred\n" + "#1,0,0\n#2,1,1\n" * 30 + "#metoo,#ai,1,0\n")
    runner = CliRunner()
    result = runner.invoke(app, ["audit", "-p", str(path), "--sensitive", "tag", "-o",
                                 str(tmp_path / "out")])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert result.output.strip().endswith(
        "data row 61 has 4 fields where the header has 3 ('#metoo,#ai,1,0'): a comment below "
        "the header? delete it (a '#' line is skipped only above the header); a value holding "
        "the delimiter? quote it")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("engine", [[], ["--dask-scheduler", "processes"]])
def test_a_file_cut_short_inside_a_character_is_refused_without_a_traceback(tmp_path, engine):
    """A CSV cut short inside its last row's 'é' (a download stopped mid-character; the row
    one field short) printed pyarrow's "Exception ignored in: <function blank_row>" and a
    traceback of its UnicodeDecodeError above the one-line refusal of the short row."""
    import subprocess
    import sys

    path = tmp_path / "p.csv"
    rows = [f"{y},{p},{g}" for y, p, g in zip([0, 1] * 300, [1, 1, 0] * 200, ["F", "M"] * 300,
                                              strict=True)]  # fmt: skip
    path.write_bytes(("y_true,y_pred,sex,city\n" + "".join(f"{r},Köln\n" for r in rows)
                      + "1,0,F").encode() + "é".encode()[:1])  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "auditor", "audit", "-p", str(path),
                           "--sensitive", "sex", "-o", str(tmp_path / "out"), "-q", *engine],
                          capture_output=True, text=True, errors="replace")  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("end", ["\x1a", "\x1a\n", "\r\n\x1a"])
def test_a_dos_end_of_file_mark_is_not_a_row(tmp_path, end):
    """An old DOS/Windows tool's Ctrl-Z (0x1A) after the last row was refused as "a row has 1
    fields where the header has 6 ('\\x1a'); quote a value that holds the delimiter"."""
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "\n" + "\n".join(_rows(300, "ok")) + end, newline="")
    assert reduce_predictions(path, COLS).table.counts.sum() == 300
