"""Prediction files as real users' tools write them (Excel, R, pandas, SQL clients, BigQuery),
audited through ``auditor audit`` and checked against scikit-learn and fairlearn's MetricFrame
on the same rows read by pandas; what cannot be audited is one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.hostile.conftest import OUT, assert_nothing_written, assert_refused

SENSITIVE = ["--sensitive", "sex", "--sensitive", "race"]


def frame(n: int = 240, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = np.clip(y * 0.3 + rng.random(n) * 0.7, 0, 1).round(3)
    return pd.DataFrame({"y_true": y, "y_pred": (score > 0.5).astype(int), "y_score": score,
                         "sex": rng.choice(["Male", "Female"], n),
                         "race": rng.choice(["A", "B", "C"], n)})  # fmt: skip


def reference(rows: pd.DataFrame, feature: str) -> dict[str, tuple[int, float, float]]:
    """Per group of ``feature``: (rows, selection rate, recall) by fairlearn's MetricFrame."""
    from fairlearn.metrics import MetricFrame, count, selection_rate
    from sklearn.metrics import recall_score

    mf = MetricFrame(metrics={"n": count, "sel": selection_rate, "rec": recall_score},
                     y_true=rows.y_true, y_pred=rows.y_pred,
                     sensitive_features=rows[feature])  # fmt: skip
    return {str(g): (int(r.n), float(r.sel), float(r.rec)) for g, r in mf.by_group.iterrows()}


def audited(folder: Path, feature: str) -> dict[str, tuple[int, float, float]]:
    audit = json.loads((folder / "audit.json").read_text())
    groups = audit["fairness"]["features"][feature]["groups"]
    return {g["group"]: (g["n"], g["metrics"]["selection_rate"]["value"],
                         g["metrics"]["recall"]["value"]) for g in groups}  # fmt: skip


def assert_same(got: dict[str, tuple], want: dict[str, tuple]) -> None:
    assert got.keys() == want.keys()
    for group, values in want.items():
        assert got[group] == pytest.approx(values, rel=1e-12), group


@pytest.mark.parametrize("text", ["None", "<NA>", "?"])
def test_a_missing_group_written_as_pandas_reads_it_is_missing_with_its_count(
    cli, tmp_path, text
):
    """'None' (Python's text of a missing value) and '<NA>' (pandas') were groups of their own
    where pandas, and ``auditor run``'s table loader, read them as missing: now missing here
    too, refused or (--missing-group) the group '(missing)', its count said."""
    rows = frame()
    rows["race"] = rows.race.where(rows.index % 9 != 0, text)
    path = tmp_path / "p.csv"
    rows.to_csv(path, index=False)
    refused = assert_refused(cli(["audit", "-p", str(path), *SENSITIVE, "--out", OUT]),
                             "p.csv", "race", "data row 1")  # fmt: skip
    assert "missing group label" in refused
    assert_nothing_written(tmp_path)
    done = cli(["audit", "-p", str(path), *SENSITIVE, "--missing-group", "--exit-zero",
                "--out", OUT])  # fmt: skip
    assert done.code == 0, done.err
    read = pd.read_csv(path, na_values=["?"]).fillna({"race": "(missing)"})
    assert_same(audited(tmp_path / OUT, "race"), reference(read, "race"))
    assert "race: 27 rows with no value are audited as the group '(missing)'." in done.out


def test_a_label_written_none_is_a_missing_label_not_text_beside_numbers(cli, tmp_path):
    """y_pred 'None' in a 0/1 column was read as text, refused as "y_true holds numbers and
    y_pred text": it is a missing prediction, at its row."""
    rows = frame().astype({"y_pred": object})
    rows.loc[4, "y_pred"] = "None"
    rows.to_csv(tmp_path / "p.csv", index=False)
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, "--out", OUT]),
                          "p.csv", "y_pred", "(first at data row 5)")  # fmt: skip
    assert "text" not in line


@pytest.mark.parametrize("engine", [[], ["--dask-scheduler", "synchronous"]])
@pytest.mark.parametrize("at", [1, 120, -1])
def test_a_line_of_spaces_is_skipped_as_pandas_skips_it(cli, tmp_path, at, engine):
    """A line holding only spaces or a tab (an editor's, at the end or between rows) was
    refused as "a row has 1 fields where the header has 5 ('')", without a row; pandas reads
    past it, as past an empty line: so does the audit, on both engines."""
    rows = frame()
    lines = rows.to_csv(index=False).splitlines(keepends=True)
    lines.insert(len(lines) if at == -1 else at, " \t  \n")
    path = tmp_path / "p.csv"
    path.write_text("".join(lines))
    done = cli(["audit", "-p", str(path), *SENSITIVE, "--y-score", "y_score", *engine,
                "--exit-zero", "--out", OUT])  # fmt: skip
    assert done.code == 0, done.err
    read = pd.read_csv(path)
    assert len(read) == len(rows)
    assert_same(audited(tmp_path / OUT, "sex"), reference(read, "sex"))


def test_a_sensitive_column_named_twice_is_named(cli, tmp_path):
    """``--sensitive race --sensitive sex --sensitive race`` was refused without saying which
    column: a long command line (or a config's list) left it to find."""
    frame().to_csv(tmp_path / "p.csv", index=False)
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, "--sensitive", "race",
                               "--out", OUT]), "--sensitive", "'race'")  # fmt: skip
    assert "named twice" in line
    assert_nothing_written(tmp_path)


def test_a_positive_label_in_another_case_is_refused_naming_the_class_it_may_mean(cli, tmp_path):
    """Labels 'Yes'/'No' (a spreadsheet's) and ``--positive-label yes``: refused, as labels
    are exact, and the class it likely means is named."""
    rows = frame()
    for column in ("y_true", "y_pred"):
        rows[column] = rows[column].map({1: "Yes", 0: "No"})
    rows.to_csv(tmp_path / "p.csv", index=False)
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, "--positive-label", "yes",
                               "--out", OUT]), "--positive-label")  # fmt: skip
    assert line.endswith("positive label 'yes' is not a class (No, Yes); did you mean 'Yes'?")


@pytest.mark.parametrize(("written", "sep", "said"), [("93.5%", ",", "write 0.935 for 93.5%"),
                                                      ("93,5 %", ";", "write 0.935 for 93,5 %")])
def test_a_score_formatted_as_a_percentage_is_refused_saying_what_to_write(
    cli, tmp_path, written, sep, said
):
    """A spreadsheet's score column formatted as a percentage exports '93.5%': refused as
    text, now saying it looks like a percentage and what probability to write."""
    rows = frame().astype({"y_score": object})
    rows.loc[0, "y_score"] = written
    rows.to_csv(tmp_path / "p.csv", index=False, sep=sep)
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, "--y-score", "y_score",
                               "--out", OUT]), "y_score", "data row 1")  # fmt: skip
    assert line.endswith(f": percentages? {said} (format the column as a number)")


@pytest.mark.parametrize("engine", [[], ["--dask-scheduler", "synchronous"]])
def test_a_file_sorted_by_score_its_first_block_all_whole_numbers_is_read(
    cli, tmp_path, monkeypatch, engine
):
    """pyarrow types a CSV's columns from its first block (16 MiB): a file sorted by score
    whose first rows all score 1 (R writes 1.0 as 1) read the scores as int64, and the first
    score with decimals further down was 'cannot read (... conversion error to int64 ...)'.
    pandas reads the column as floats, and so does the audit now (a small block here)."""
    import auditor.predictions.source as source

    monkeypatch.setattr(source, "CSV_BLOCK", 1 << 12)
    rows = frame(600).sort_values("y_score", ascending=False, ignore_index=True)
    rows.loc[:299, "y_score"] = 1.0  # 300 rows of "1": about 5 KiB, past the first block
    path = tmp_path / "p.csv"
    path.write_text(rows.to_csv(index=False).replace(",1.0,", ",1,"))
    assert ",1,Male" in path.read_text() or ",1,Female" in path.read_text()
    done = cli(["audit", "-p", str(path), *SENSITIVE, "--y-score", "y_score", *engine,
                "--exit-zero", "--out", OUT])  # fmt: skip
    assert done.code == 0, done.err
    from sklearn.metrics import roc_auc_score

    read = pd.read_csv(path)
    audit = json.loads((tmp_path / OUT / "audit.json").read_text())
    auc = audit["performance"]["finetuned"]["test"]["roc_auc"]
    assert auc == pytest.approx(roc_auc_score(read.y_true, read.y_score), rel=1e-12)
    assert_same(audited(tmp_path / OUT, "race"), reference(read, "race"))


@pytest.mark.parametrize(("sep", "extra"), [(",", []), (";", ["--missing-group"]),
                                            (",", ["--dask-scheduler", "synchronous"])])
def test_a_spreadsheets_empty_rows_below_the_data_are_refused_as_empty_rows(
    cli, tmp_path, sep, extra
):
    """',,,,' lines (a spreadsheet exports them below its data where cells were formatted)
    were refused as a missing group label, whose way on (--missing-group) only reached the
    missing label next: one line now says the row is empty and to delete such rows."""
    text = frame().to_csv(index=False, sep=sep, lineterminator="\r\n")
    (tmp_path / "p.csv").write_text(text + (sep * 4 + "\r\n") * 6)
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, *extra, "--out", OUT]),
                          "p.csv")  # fmt: skip
    assert line.endswith(": data row 241 has no value in any audited column (y_true, y_pred, "
                         "sex, race): a spreadsheet's empty rows below the data? delete them")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("engine", [[], ["--dask-scheduler", "synchronous"]])
def test_text_below_a_first_block_of_numbers_is_refused_at_its_row_and_column(
    cli, tmp_path, monkeypatch, engine
):
    """A y_pred of 0/1 whose row far down says 'error' (pyarrow types a column from its first
    block) was 'cannot read (In CSV column #1: CSV conversion error to int64: invalid value
    'error')': now the column, the value and its row, and the way on."""
    import auditor.predictions.source as source

    monkeypatch.setattr(source, "CSV_BLOCK", 1 << 12)
    rows = frame(600).astype({"y_pred": object})
    rows.loc[500, "y_pred"] = "error"
    rows.to_csv(tmp_path / "p.csv", index=False)
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, *engine, "--out", OUT]),
                          "p.csv", "y_pred")  # fmt: skip
    assert line.endswith(": y_pred: 'error' at data row 501, where the column's first 0 MiB "
                         "of rows are whole numbers (the type it is read as): fix that row, or "
                         "write the whole column one way (numbers, or text)")


def test_the_row_named_skips_a_line_of_only_spaces_as_the_reader_does(cli, tmp_path, monkeypatch):
    """A line of only spaces is skipped by the reader (blank_row); the row search counted it,
    naming data row 502 for the 501st row."""
    import auditor.predictions.source as source

    monkeypatch.setattr(source, "CSV_BLOCK", 1 << 12)
    rows = frame(600).astype({"y_pred": object})
    rows.loc[500, "y_pred"] = "error"
    lines = rows.to_csv(index=False).splitlines(keepends=True)
    (tmp_path / "p.csv").write_text("".join([*lines[:11], "   \t \n", *lines[11:]]))
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, "--out", OUT]), "p.csv",
                          "y_pred")  # fmt: skip
    assert ": y_pred: 'error' at data row 501, " in line
