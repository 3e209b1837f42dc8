"""Prediction files as pipelines export them: unknown demographics (refused, or audited as
the group '(missing)' with --missing-group), scores that are not probabilities (percentages,
logits: named so in the one-line refusal), rows numbered as a user counts them (data row 1 is
the first row under the header) and groups that differ only in case or spaces (noted)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from auditor.errors import AuditorInputError
from auditor.predictions.notes import group_sizes, input_notes
from auditor.predictions.read import MISSING_LEVEL, reduce_predictions
from tests.builders import predictions_columns, predictions_frame

MISSING = [3, 10, 11, 400, 401]


def _with_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    gappy = frame.copy()
    gappy["sex"] = gappy["sex"].astype(object)
    gappy.loc[MISSING[:2], "sex"] = None
    gappy.loc[MISSING[2], "sex"] = ""
    gappy.loc[MISSING[3], "sex"] = "  "
    gappy.loc[MISSING[4], "sex"] = " ? "  # UCI's unknown (Adult), as the table loader reads it
    return gappy


def _write(frame: pd.DataFrame, path, kind: str):
    if kind == "csv":
        frame.to_csv(path, index=False)
    elif kind == "category":
        frame.assign(sex=frame["sex"].replace({"": None, "  ": None}).astype("category")
                     ).to_parquet(path)  # fmt: skip
    else:
        frame.to_parquet(path)
    return path


def _reduce(path, **kwargs):
    cols = predictions_columns()
    cols = type(cols)(**{**cols.__dict__, **kwargs})
    return reduce_predictions(path, cols, positive_label="approved", batch_rows=97)


@pytest.mark.parametrize("kind", ["csv", "parquet", "category"])
def test_missing_groups_are_refused_or_audited_as_the_group_missing(tmp_path, kind):
    frame = predictions_frame(1500, seed=4)
    suffix = "csv" if kind == "csv" else "parquet"
    path = _write(_with_gaps(frame), tmp_path / f"gaps.{suffix}", kind)
    with pytest.raises(AuditorInputError) as err:
        _reduce(path)
    text = str(err.value)
    assert f"sex: empty or missing group label at data row {MISSING[0] + 1} (" in text
    assert "--missing-group" in text and err.value.field == "sex"
    got = _reduce(path, missing_group=MISSING_LEVEL)
    filled = frame.copy()
    filled.loc[MISSING, "sex"] = MISSING_LEVEL  # the same file with the label written in
    want = _reduce(_write(filled, tmp_path / "filled.parquet", "parquet"))
    assert got.table.group_labels == want.table.group_labels
    assert got.table.counts.tolist() == want.table.counts.tolist()
    assert got.scores == want.scores
    assert group_sizes(got)["sex"][MISSING_LEVEL] == len(MISSING)
    notes = input_notes(group_sizes(got), MISSING_LEVEL)
    assert notes == ["sex: 5 rows with no value are audited as the group '(missing)'."]


def test_missing_groups_per_dask_partition_count_the_same(tmp_path):
    path = _write(_with_gaps(predictions_frame(900, seed=5)), tmp_path / "g.csv", "csv")
    arrow = _reduce(path, missing_group=MISSING_LEVEL)
    dask = reduce_predictions(path, type(predictions_columns())(
        **{**predictions_columns().__dict__, "missing_group": MISSING_LEVEL}),
        positive_label="approved", dask_scheduler="synchronous")  # fmt: skip
    assert dask.table.counts.tolist() == arrow.table.counts.tolist()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s * 100, "score 12.5 at data row 1 is above 1: percentages? give P(positive)"),
        (lambda s: np.log(s / (1 - s)), "is below 0: logits or decision values?"),
        (lambda s: s.where(s.index != 7, 250.0), "score 250 at data row 8 is above 1; give"),
        (lambda s: s.where(s.index != 7, 1.5), "score 1.5 at data row 8 is above 1; give"),
        (lambda s: s.where(s.index != 2, np.nan), "missing or infinite score at data row 3;"),
        (lambda s: s.astype(str).where(s.index != 4, "0,5?"), "text ('0,5?' at data row 5)"),
    ],
)  # fmt: skip
def test_a_score_that_is_not_a_probability_is_named_for_what_it_looks_like(
    tmp_path, change, message
):
    frame = predictions_frame(300, seed=6)
    frame["score"] = frame["score"].clip(0.01, 0.99)
    frame.loc[0, "score"] = 0.125
    frame["score"] = change(frame["score"])
    path = tmp_path / "s.parquet"
    frame.to_parquet(path)
    with pytest.raises(AuditorInputError) as err:
        _reduce(path)
    assert message in str(err.value) and err.value.field == "score"
    assert "\n" not in str(err.value)


def test_the_missing_group_is_named_as_the_table_loader_names_it():
    from auditor.data._tables import MISSING_LEVEL as TABLE_LEVEL

    assert MISSING_LEVEL == TABLE_LEVEL


def test_groups_alike_but_for_case_are_separate_and_noted():
    sizes = {"sex": {"Male": 5, "male": 3, "MALE": 1, "F": 9}, "region": {"a": 1, "b": 1}}
    notes = input_notes(sizes, None)
    assert notes == ["sex: 'Male' (5 rows), 'male' (3 rows), 'MALE' (1 row) differ only in "
                     "case and are audited as separate groups."]  # fmt: skip
    one = input_notes({"sex": {MISSING_LEVEL: 1, "F": 2}}, MISSING_LEVEL)
    assert one == ["sex: 1 row with no value is audited as the group '(missing)'."]
    assert input_notes({"sex": {MISSING_LEVEL: 1}}, None) == []
    json.dumps(notes)


def test_spaces_around_labels_groups_and_names_are_not_part_of_them(tmp_path):
    """A CSV written with ", " (a space after each comma, in the header too), or a group
    exported as " M": the same groups, labels and numbers as the plain file, per batch and
    per Dask partition."""
    frame = predictions_frame(900, seed=8)
    plain = tmp_path / "plain.csv"
    frame.to_csv(plain, index=False)
    spaced = tmp_path / "spaced.csv"
    spaced.write_text("\n".join(", ".join(line.split(",")) for line in
                                plain.read_text().splitlines()) + "\n")  # fmt: skip
    padded = frame.copy()
    padded.loc[::3, "sex"] = " " + padded["sex"] + "  "
    padded.loc[::2, "label"] = padded["label"] + " "
    padded_path = tmp_path / "padded.parquet"
    padded.to_parquet(padded_path)
    want = _reduce(plain)
    for path in (spaced, padded_path):
        got = _reduce(path)
        assert got.table.group_labels == want.table.group_labels
        assert got.table.class_names == want.table.class_names
        assert got.table.counts.tolist() == want.table.counts.tolist()
        assert got.scores == want.scores
    dask = reduce_predictions(spaced, predictions_columns(), positive_label="approved",
                              dask_scheduler="synchronous")  # fmt: skip
    assert dask.table.counts.tolist() == want.table.counts.tolist()


def _refused(path, **kwargs) -> AuditorInputError:
    with pytest.raises(AuditorInputError) as err:
        _reduce(path, **kwargs)
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    return err.value


def test_a_number_and_its_text_in_the_two_label_columns_are_refused_not_split(tmp_path):
    """y_true written as text ('1') and y_pred as numbers (1), as two exports of one pipeline
    do: refused naming both columns, not audited as four classes or a 'never occurs' label."""
    frame = predictions_frame(300, seed=9)
    frame["label"] = (frame["label"] == "approved").astype(int)
    frame["pred"] = (frame["pred"] == "approved").astype(int)
    for true, pred in [(str, int), (float, str)]:
        path = tmp_path / f"{true.__name__}-{pred.__name__}.parquet"
        frame.assign(label=frame["label"].astype(true), pred=frame["pred"].astype(pred)
                     ).to_parquet(path)  # fmt: skip
        err = _refused(path)
        assert "label holds" in str(err) and "write both columns the same way" in str(err)
        assert err.field == "pred"
    same = tmp_path / "floats.parquet"  # 1.0 and 1 are one class: numbers compare by value
    frame.assign(label=frame["label"].astype(float)).to_parquet(same)
    cols = predictions_columns()
    got = reduce_predictions(same, type(cols)(**{**cols.__dict__, "y_score": None}))
    assert len(got.table.classes) == 2 and got.table.n == 300


def test_a_file_without_data_rows_or_with_one_class_is_refused_with_its_field(tmp_path):
    header = tmp_path / "header.csv"
    header.write_text("label,pred,score,sex,region\n")
    assert "no data rows (only the column names)" in str(_refused(header))
    empty = tmp_path / "empty.parquet"
    predictions_frame(10).head(0).to_parquet(empty)
    assert "no data rows" in str(_refused(empty))
    one = tmp_path / "one.csv"
    one.write_text("label,pred,score,sex,region\napproved,approved,0.9,F,a\n")
    err = _refused(one)
    assert "label and pred hold a single class (approved)" in str(err) and err.field == "label"


@pytest.mark.parametrize("dask", [None, "synchronous"])
def test_a_legacy_encoded_csv_is_refused_with_how_to_fix_it(tmp_path, dask):
    """Latin-1 (a legacy spreadsheet export) in the header or deep in the rows: one line that
    says to save the file as UTF-8, per batch and per Dask partition (no internal error)."""
    frame = predictions_frame(3000, seed=10)
    frame["region"] = frame["region"].astype(object)
    frame.loc[2500, "region"] = "Dänemark"
    for name, data in [("deep.csv", frame), ("first.csv", frame.iloc[2500:])]:
        path = tmp_path / name
        data.to_csv(path, index=False, encoding="latin-1")
        with pytest.raises(AuditorInputError) as err:
            reduce_predictions(path, predictions_columns(), positive_label="approved",
                               dask_scheduler=dask)  # fmt: skip
        text = str(err.value)
        assert "not UTF-8 text" in text and "save it as UTF-8" in text and "\n" not in text


def test_a_label_given_as_text_names_a_number_or_boolean_class_by_value(tmp_path):
    """--positive-label 1 is the class 1.0 (a float y_true), 'true' is True; an unknown
    label is still refused, listing the classes; text labels match as written."""
    frame = predictions_frame(400, seed=12)
    approved = frame["label"] == "approved"
    cases = [(approved.astype(float), ["1", "1.0", "+1"], "0"),
             (approved, ["true", "True", "1"], "false")]  # fmt: skip
    for labels, names, other in cases:
        path = tmp_path / f"{labels.dtype}.parquet"
        frame.assign(label=labels, pred=(frame["pred"] == "approved").astype(labels.dtype)
                     ).to_parquet(path)  # fmt: skip
        cols = predictions_columns()
        for name in names:
            got = reduce_predictions(path, cols, positive_label=name)
            assert got.table.classes[got.positive] == 1
        unscored = type(cols)(**{**cols.__dict__, "y_score": None})  # score is P(1): refused
        got = reduce_predictions(path, unscored, positive_label=other)
        assert got.table.classes[got.positive] == 0
        with pytest.raises(AuditorInputError, match="positive label '2' is not a class"):
            reduce_predictions(path, cols, positive_label="2")
    text = _write(frame, tmp_path / "text.parquet", "parquet")
    with pytest.raises(AuditorInputError, match=r"'Approved' is not a class \(approved, denied"):
        reduce_predictions(text, predictions_columns(), positive_label="Approved")


def test_a_column_not_found_suggests_its_other_case_and_lists_a_wide_header_briefly(tmp_path):
    path = tmp_path / "wide.csv"
    names = ["label", "pred", "score", "Sex", "region", *(f"f{i}" for i in range(500))]
    path.write_text(",".join(names) + "\n" + ",".join(["approved"] * 2 + ["0.5", "F", "a"]
                                                    + ["1"] * 500) + "\n")  # fmt: skip
    err = _refused(path)
    text = str(err)
    assert err.field == "sex" and text.endswith("... (505 columns); did you mean 'Sex'?")
    assert "f24" in text and "f25" not in text and len(text) < 500


@pytest.mark.parametrize("role", ["y_true", "y_pred"])
def test_a_score_named_as_a_label_column_is_refused_not_counted_as_classes(tmp_path, role):
    """--y-true score (or --y-pred score) would make each distinct probability a class."""
    frame = predictions_frame(500, seed=14)
    path = _write(frame, tmp_path / "p.parquet", "parquet")
    cols = predictions_columns()
    swapped = type(cols)(**{**cols.__dict__, role: "score", "y_score": None})
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(path, swapped, positive_label="approved", batch_rows=128)
    first = frame["score"].iloc[0]
    assert err.value.field == "score"
    assert f"label {first:g} at data row 1 has decimals" in str(err.value)


def test_a_row_with_more_or_fewer_fields_than_the_header_is_shown(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("label,pred,score,sex,region\napproved,approved,0.9,F,a\n"
                    "denied,denied,0.2,F,a,b\n")  # fmt: skip
    text = str(_refused(path))
    assert "data row 2 has 6 fields where the header has 5 ('denied,denied,0.2,F,a,b')" in text


def test_a_label_with_decimals_is_found_past_missing_labels(tmp_path):
    frame = predictions_frame(300, seed=16)
    cols = type(predictions_columns())(**{**predictions_columns().__dict__, "y_score": None})
    gaps = frame.assign(label=(frame["label"] == "approved").astype(float))
    gaps.loc[0, "label"] = np.nan
    gaps.loc[3, "label"] = 0.5
    for kind in ("csv", "parquet"):
        path = _write(gaps, tmp_path / f"gaps.{kind}", kind)
        with pytest.raises(AuditorInputError, match="label 0.5 at data row 4 has decimals"):
            reduce_predictions(path, cols, positive_label="1")


def test_a_predicted_class_no_true_label_holds_is_noted_in_a_multi_class_file():
    from auditor.predictions.notes import class_notes

    notes = class_notes({"0": 10, "1": 12, "2": 5, "7": 0}, "label")
    assert notes[1:] == ["class '7' is predicted but never occurs in label; it is audited as a "
                         "class of its own with no true rows."]  # fmt: skip
    assert notes[0].startswith("4 classes: a multi-class audit, each class against the rest "
                               "(its rates marked @7, @2, @0, @1)")  # fmt: skip
    assert class_notes({"0": 1, "1": 1}, "label") == []


def test_a_predicted_label_a_binary_y_true_never_holds_is_refused_with_its_count(tmp_path):
    frame = predictions_frame(200, seed=17)
    frame.loc[5, "pred"] = "maybe"
    err = _refused(_write(frame, tmp_path / "p.parquet", "parquet"))
    assert "label 'maybe' (1 row) never occurs in label" in str(err) and err.field == "pred"
    frame.loc[6, "pred"] = "maybe"
    assert "'maybe' (2 rows)" in str(_refused(_write(frame, tmp_path / "q.parquet", "parquet")))


@pytest.mark.parametrize("dask", [None, "synchronous"])
def test_a_utf16_export_is_read_as_its_utf8_copy(tmp_path, dask):
    """Excel's 'Unicode Text' (UTF-16 with its byte-order mark, tab-separated) and a UTF-32
    file: the same counts and scores as the UTF-8 file, by both engines; a UTF-16 file cut
    mid-character says it is not UTF-16 text (not UTF-8)."""
    frame = predictions_frame(3000, seed=11)
    frame.loc[7, "region"] = "Dänemark"
    utf8 = tmp_path / "utf8.csv"
    frame.to_csv(utf8, index=False, sep="\t")
    want = reduce_predictions(utf8, predictions_columns(), positive_label="approved")
    for codec in ("utf-16", "utf-32"):
        path = tmp_path / f"{codec}.txt"
        frame.to_csv(path, index=False, sep="\t", encoding=codec)
        got = reduce_predictions(path, predictions_columns(), positive_label="approved",
                                 dask_scheduler=dask)  # fmt: skip
        assert got.table.counts.tolist() == want.table.counts.tolist()
        assert got.table.group_labels == want.table.group_labels
        for metric in ("roc_auc", "log_loss", "ece"):
            assert getattr(got.scores, metric) == getattr(want.scores, metric)
    cut = tmp_path / "cut.txt"
    cut.write_bytes((tmp_path / "utf-16.txt").read_bytes()[:-1])  # an odd number of bytes
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(cut, predictions_columns(), positive_label="approved",
                           dask_scheduler=dask)  # fmt: skip
    assert "not UTF-16 text" in str(err.value) and "\n" not in str(err.value)
