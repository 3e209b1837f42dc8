"""Prediction files as people export them, round 3: placeholders for no label, blank lines and
invisible characters around the header, audited through ``auditor audit`` and checked against
fairlearn's MetricFrame on the same rows read by pandas, or refused in one line, exit 2."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.hostile.conftest import OUT, assert_nothing_written, assert_refused
from tests.hostile.test_predictions_round2 import SENSITIVE, assert_same, audited, frame, reference


@pytest.mark.parametrize("column", ["y_true", "y_pred"])
@pytest.mark.parametrize("text", ["-", "unknown"])
def test_a_placeholder_among_number_labels_is_named_with_its_rows_and_column(
    cli, tmp_path, column, text
):
    """'-' for no label in a 0/1 column made that column text, refused as "y_pred: y_true holds
    text and y_pred numbers ...: write both columns the same way": the wrong column (y_pred
    for a '-' in y_true) and the wrong advice (both are written alike). Now the column with
    the placeholder, the placeholder and its rows."""
    rows = frame().astype({column: object})
    rows.loc[[4, 9], column] = text
    rows.to_csv(tmp_path / "p.csv", index=False)
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, "--out", OUT]),
                          "p.csv", f": {column}: ", f"{text!r} (2 rows)")  # fmt: skip
    assert "write both columns the same way" not in line
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("engine", [[], ["--dask-scheduler", "synchronous"]])
def test_an_empty_first_line_above_the_header_is_read_as_pandas_reads_it(cli, tmp_path, engine):
    """An export starting with an empty line (CRLF, as Windows tools end lines) was refused as
    "no header line"; pandas reads past it, and so does the audit, naming rows as before."""
    rows = frame()
    path = tmp_path / "p.csv"
    path.write_bytes(b"\r\n" + rows.to_csv(index=False, lineterminator="\r\n").encode())
    done = cli(["audit", "-p", "p.csv", *SENSITIVE, "--y-score", "y_score", *engine,
                "--exit-zero", "--out", OUT])  # fmt: skip
    assert done.code == 0, done.err
    read = pd.read_csv(path)
    assert len(read) == len(rows)
    assert_same(audited(tmp_path / OUT, "race"), reference(read, "race"))
    gap = rows.astype({"y_true": object})
    gap.loc[6, "y_true"] = ""
    path.write_text("\n" + gap.to_csv(index=False))
    assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, *engine, "--out", "again"]),
                   "p.csv", "y_true", "(first at data row 7)")  # fmt: skip


@pytest.mark.parametrize("engine", [[], ["--dask-scheduler", "synchronous"]])
def test_a_column_name_written_nfd_or_with_a_second_mark_is_found(cli, tmp_path, engine):
    """A header written NFD ('género' as 'ge' + U+0301, macOS tools) was refused as "no column
    'género'; the file has ..., género"; a second byte-order mark (added to a file that had
    one) as "no column 'y_true'": the names are read as the labels are, invisibly alike."""
    rows = frame().rename(columns={"sex": "g\u00e9nero"})
    path = tmp_path / "p.csv"
    text = rows.to_csv(index=False).replace("g\u00e9nero", "ge\u0301nero", 1)
    path.write_text("\ufeff\ufeff" + text, encoding="utf-8")
    done = cli(["audit", "-p", "p.csv", "--sensitive", "g\u00e9nero", *engine, "--exit-zero",
                "--out", OUT])  # fmt: skip
    assert done.code == 0, done.err
    assert_same(audited(tmp_path / OUT, "g\u00e9nero"), reference(rows, "g\u00e9nero"))


@pytest.mark.parametrize(("labels", "stray", "said"), [
    ({1: "yes", 0: "no"}, {1: "Yes"}, "'Yes' (1 row) and 'yes' (121 rows)"),
    ({1: ">50K", 0: "<=50K"}, {1: ">50K.", 0: "<=50K."}, "'<=50K' ("),  # adult.data + .test
])  # fmt: skip
def test_a_true_class_written_two_ways_is_refused_not_audited_as_two(cli, tmp_path, labels,
                                                                    stray, said):  # fmt: skip
    """y_true 'Yes' in 2 rows beside 'yes' (or adult.data's '>50K' beside adult.test's '>50K.'
    in files joined) was audited silently as a multi-class file, --positive-label ignored."""
    rows = frame()
    for column in ("y_true", "y_pred"):
        rows[column] = rows[column].map(labels)
    at = rows.index[rows.index % 100 == 3]
    rows.loc[at, "y_true"] = rows.loc[at, "y_true"].map(lambda v: stray.get(
        next(k for k, t in labels.items() if t == v), v))  # fmt: skip
    rows.to_csv(tmp_path / "p.csv", index=False)
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, "--positive-label",
                               labels[1], "--out", OUT]), "p.csv", ": y_true: ", said)  # fmt: skip
    assert "alike but for case or a trailing period" in line
    assert_nothing_written(tmp_path)


def test_a_positive_label_for_a_multi_class_file_is_refused_not_ignored(cli, tmp_path):
    """``--positive-label 1`` on a file whose y_true holds a third class was ignored without a
    word (fairness.positive_class null, the threshold section's 1), as --favourable-label is
    not: refused, naming the classes and the ways on."""
    rows = frame()
    rows.loc[5, "y_true"] = 2
    rows.to_csv(tmp_path / "p.csv", index=False)
    asked = cli(["audit", "-p", "p.csv", *SENSITIVE, "--positive-label", "1", "--out", OUT])
    line = assert_refused(asked, "p.csv", "--positive-label", "3 classes (0, 1, 2)")
    assert line.endswith("or audit without it (each class against the rest)")
    assert_nothing_written(tmp_path)
    done = cli(["audit", "-p", "p.csv", *SENSITIVE, "--exit-zero", "--out", OUT])
    assert done.code == 0 and "3 classes: a multi-class audit" in done.out, done.err


@pytest.mark.parametrize("engine", [["--batch-rows", "100"], ["--dask-scheduler", "synchronous"]])
def test_with_a_score_a_placeholder_label_is_named_not_counted_as_a_class(cli, tmp_path, engine):
    """With --y-score, MySQL's '\\N' for no label in a 0/1 y_true was refused as "y_true holds
    3 classes (1, 0, \\N); audit the labels without --y-score", which then refused it for
    what it is; a 'Yes' beside 'yes' likewise. Both are named at once, with the batch's rows."""
    rows = frame().astype({"y_true": object})
    rows.loc[[3, 4], "y_true"] = "\\N"
    rows.to_csv(tmp_path / "p.csv", index=False)
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, "--y-score", "y_score",
                               *engine, "--out", OUT]), "p.csv", ": y_true: ")  # fmt: skip
    assert "y_true holds '\\\\N' (2 rows in data rows 1 to " in line
    for column in ("y_true", "y_pred"):
        rows[column] = rows[column].map({1: "yes", 0: "no"}.get).fillna("yes")
    rows.loc[150, "y_true"] = "Yes"
    rows.to_csv(tmp_path / "p.csv", index=False)
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, "--y-score", "y_score",
                               "--positive-label", "yes", *engine, "--out", OUT]),
                          "p.csv", ": y_true: ", "'Yes' (1 row in data rows ")  # fmt: skip
    assert "alike but for case or a trailing period" in line
    assert_nothing_written(tmp_path)


def test_with_a_score_classes_alike_in_a_first_batch_are_not_told_to_be_merged(cli, tmp_path):
    """Chess pieces 'K', 'k', 'B' in the first batch and 'b' after it: the file's classes are
    four (audited as written without a score), but its first batch alone looked like one
    class written two ways, and the refusal said "write it one way" (Q1)."""
    rows = frame().astype({"y_true": object, "y_pred": object})
    n = len(rows)
    rows["y_true"] = (["K", "k", "B"] * n)[:n]
    rows.loc[n // 2:, "y_true"] = (["K", "k", "B", "b"] * n)[: n - n // 2]
    rows["y_pred"] = rows["y_true"]
    rows.to_csv(tmp_path / "p.csv", index=False)
    line = assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, "--y-score", "y_score",
                               "--batch-rows", "30", "--out", OUT]),
                          "p.csv", ": y_true: ")  # fmt: skip
    assert "if they are two classes" in line and "without --y-score" in line
    done = cli(["audit", "-p", "p.csv", *SENSITIVE, "--out", OUT, "--exit-zero"])
    assert done.code == 0 and "4 classes" in done.out, done.err


@pytest.mark.parametrize(("written", "said"), [
    ("1.0000001", "score 1.0000001 at data row 8 is above 1"),
    ("-1e-9", "score -1e-09 at data row 8 is below 0"),
    ("7.5", "score 7.5 at data row 8 is above 1"),
])  # fmt: skip
def test_a_score_just_outside_0_to_1_is_shown_as_written(cli, tmp_path, written, said):
    """1.0000001 (a float32 sigmoid's rounding, written out) was refused as "score 1 at data row
    8 is above 1": the number shown to six digits, the one thing wrong with it hidden."""
    rows = frame().astype({"y_score": object})
    rows.loc[7, "y_score"] = written
    rows.to_csv(tmp_path / "p.csv", index=False)
    assert_refused(cli(["audit", "-p", "p.csv", *SENSITIVE, "--y-score", "y_score", "--out", OUT]),
                   "p.csv", ": y_score: ", said)  # fmt: skip
