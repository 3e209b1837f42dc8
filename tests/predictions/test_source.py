"""The CSV reader's quieting of pyarrow's row-decoding traceback is installed only while rows
are parsed: the process's sys.unraisablehook is the caller's again after a read. A row at
fault (too many or too few fields, a value past the header's names) is refused naming it."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from auditor.api import audit_predictions
from auditor.cli import app
from auditor.errors import AuditorInputError
from auditor.predictions.read import Columns, reduce_predictions


def _rows(n: int = 200) -> str:
    return "y_true,y_pred,sex\n" + "".join(f"{i % 2},{i % 3 % 2},{'FM'[i % 2]}\n"
                                           for i in range(n))  # fmt: skip


def test_a_read_puts_back_the_callers_unraisable_hook(tmp_path, monkeypatch):
    """The hook was replaced for good on the first CSV read, in the user's process too (a
    notebook's audit_predictions): a library changing a global and leaving it changed."""
    seen = []
    mine = seen.append
    monkeypatch.setattr(sys, "unraisablehook", mine)
    path = tmp_path / "p.csv"
    path.write_text(_rows())
    audit_predictions(path, y_true="y_true", y_pred="y_pred", sensitive=["sex"],
                      out_dir=tmp_path / "run")  # fmt: skip
    assert sys.unraisablehook is mine
    bad = tmp_path / "cut.csv"  # a row one field short, cut inside its 'é': refused
    bad.write_bytes((_rows() + "1,0").encode() + "é".encode()[:1])
    with pytest.raises(AuditorInputError):
        audit_predictions(bad, y_true="y_true", y_pred="y_pred", sensitive=["sex"],
                          out_dir=tmp_path / "run2")  # fmt: skip
    assert sys.unraisablehook is mine
    assert seen == []  # the quieted decoding error never reached the caller's hook


def test_a_dask_read_puts_back_the_callers_unraisable_hook(tmp_path, monkeypatch):
    mine = [].append
    monkeypatch.setattr(sys, "unraisablehook", mine)
    path = tmp_path / "p.csv"
    path.write_text(_rows())
    audit_predictions(path, y_true="y_true", y_pred="y_pred", sensitive=["sex"],
                      out_dir=tmp_path / "run", dask_scheduler="synchronous")  # fmt: skip
    assert sys.unraisablehook is mine


COLS = Columns(y_true="y_true", y_pred="y_pred", y_score=None, sensitive=("sex",))
NOTE = "n" * 200  # a wide row: 34 MiB is 160,000 rows, the 16 MiB block passed at ~76,000
# "first lines": among the 100 the layout is read from (where the rows end in the delimiter,
# a value there keeps the layout from taking it for a delimiter ending each row)
PLACES = {"first lines": (300, 11), "first block": (300, 150), "later block": (160_000, 150_000),
          "last line": (300, 300)}  # fmt: skip


def _faulty(path, kind: str, n: int, at: int) -> None:
    """``n`` rows (a header of 4 names) with data row ``at`` at fault; "shifted" and "past"
    end every row in the delimiter (as a trailing empty column is written), the file's last
    line without a line end."""
    end = "," if kind in ("shifted", "past") else ""
    rows = [f"{'FM'[i % 2]},{i % 2},{i % 3 % 2},{NOTE}{end}" for i in range(n)]
    fault = {"shifted": f"white, M,1,0,{NOTE}",  # an unquoted comma; no field left empty
             "past": f"M,1,0,{NOTE},x",  # a value in the field the header leaves unnamed
             "long": f"white, M,1,0,{NOTE}", "short": "M,1,0"}[kind]  # fmt: skip
    rows[at - 1] = fault
    path.write_text("sex,y_true,y_pred,note\n" + "\n".join(rows))


@pytest.mark.parametrize("kind", ["shifted", "past", "long", "short"])
@pytest.mark.parametrize("place", list(PLACES))
def test_a_row_at_fault_is_refused_naming_the_row(tmp_path, kind, place):
    """R10: a row shifted by an unquoted comma where every row ends in the delimiter was read
    shifted (y_true 'M'), a value in that last field ignored (the row audited as if empty),
    each without a word; a row of too many or too few fields was refused without its number.
    Each is refused naming the row, wherever it is, by both engines alike; among the first
    lines, where every row was refused as ragged naming data row 1, too."""
    n, at = PLACES[place]
    path = tmp_path / f"{kind}.csv"
    _faulty(path, kind, n, at)
    said = []
    for kw in ({}, {"dask_scheduler": "synchronous"}):
        with pytest.raises(AuditorInputError) as err:
            reduce_predictions(path, COLS, **kw)
        said.append(str(err.value))
    assert said[0].startswith(f"{path}: data row {at} has "), said[0][:200]
    past = kind in ("shifted", "past")
    assert ("a value past the header's 4 names" in said[0]) == past
    assert said[1] == said[0]


def test_the_cli_refuses_a_shifted_row_in_one_line_without_a_run_folder(tmp_path):
    path = tmp_path / "shifted.csv"
    _faulty(path, "shifted", 300, 120)
    done = CliRunner().invoke(app, ["audit", "-p", str(path), "--sensitive", "sex",
                                    "-o", str(tmp_path / "run"), "--exit-zero"])  # fmt: skip
    assert done.exit_code == 2, done.output
    assert done.output == (
        f"auditor: error: {path}: data row 120 has a value past the header's 4 names "
        f"('{NOTE[:40]}'), where the rows above it end in an empty field: a delimiter in an "
        "unquoted value of that row? quote it; a column the header does not name? name it in "
        "the header, or leave the field empty\n")  # fmt: skip
    assert not (tmp_path / "run").exists()


def test_rows_ending_in_the_delimiter_and_excels_empty_names_are_read(tmp_path):
    """What the check must not refuse: every row's last field empty (blank or 'NA' past the
    first 100 rows), and Excel's ',,' ending the header and every row."""
    path = tmp_path / "ok.csv"
    rows = [f"{'FM'[i % 2]},{i % 2},{i % 3 % 2},{['', ' ', 'NA'][i % 3] if i > 100 else ''}"
            for i in range(300)]  # fmt: skip
    path.write_text("sex,y_true,y_pred\n" + "\n".join(rows) + "\n")
    assert reduce_predictions(path, COLS).table.counts.sum() == 300
    excel = tmp_path / "excel.csv"
    rows = [f"{'FM'[i % 2]},{i % 2},{i % 3 % 2},," for i in range(300)]
    excel.write_text("sex,y_true,y_pred,,\n" + "\n".join(rows) + "\n")
    for kw in ({}, {"dask_scheduler": "synchronous"}):
        assert reduce_predictions(excel, COLS, **kw).table.counts.sum() == 300
