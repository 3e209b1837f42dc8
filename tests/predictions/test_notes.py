"""The notes of a predictions audit are written once: the card's data description and the
terminal's lines (read back from audit.json) give the same notes in the same order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor.api import audit_predictions
from auditor.data._tables import MISSING_LEVEL
from auditor.predictions.notes import record_notes


def test_the_cards_notes_are_the_terminals():
    # a score ranked backwards (y_pred too: a bad model, not a wrong column), groups
    # written 'a' and 'A', rows with no group
    rng = np.random.default_rng(1)
    n = 2000
    p = rng.random(n)
    y = (rng.random(n) < p).astype(int)
    groups = rng.choice(["a", "A", "b", None], n, p=[0.4, 0.1, 0.4, 0.1])
    frame = pd.DataFrame({"y": y, "pred": (p < 0.5).astype(int), "score": 1 - p, "g": groups})
    data = audit_predictions(frame, y_true="y", y_pred="pred", y_score="score", sensitive=["g"],
                             missing_group=True).data  # fmt: skip
    notes = record_notes(data, ["g"], MISSING_LEVEL)
    assert len(notes) == 3 and "ROC AUC" in notes[0] and "audited as the group" in notes[1]
    assert "differ only in case" in notes[2]
    assert data["data"]["description"].endswith(" ".join(notes))


def test_a_score_of_only_0_and_1_is_noted_as_a_predicted_class():
    """y_score given the predicted class (0/1) was audited without a word: its ROC AUC is
    y_pred's balanced accuracy and its log loss some 36 per wrong row. Now noted, on the card
    and the terminal alike; a score with one value strictly inside (0, 1) is not."""
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 400)
    pred = np.where(rng.random(400) < 0.8, y, 1 - y)
    frame = pd.DataFrame({"y": y, "pred": pred, "score": pred.astype(float),
                          "g": rng.choice(["a", "b"], 400)})  # fmt: skip
    for score, noted in [(frame.score, True), (frame.score.where(frame.index != 7, 0.5), False)]:
        data = audit_predictions(frame.assign(score=score), y_true="y", y_pred="pred",
                                 y_score="score", sensitive=["g"]).data  # fmt: skip
        notes = record_notes(data, ["g"], None)
        assert data["data"]["description"].endswith(" ".join(notes))
        said = [note for note in notes if note.startswith("y_score is 0 or 1 in each of its ")]
        assert len(said) == noted, notes
        if noted:
            assert said[0].startswith("y_score is 0 or 1 in each of its 400 rows: a predicted "
                                      "class, not a probability?")  # fmt: skip


def test_a_multi_class_note_gives_each_true_classs_rows():
    """One stray '2' in a 0/1 y_true turned the audit multi-class, the note saying "3 classes"
    without showing that one of them is a single row."""
    from auditor.predictions.notes import class_notes

    notes = class_notes({"0": 118, "1": 121, "2": 1, "7": 0}, "y_true")
    assert notes[0].endswith("and no score metrics. y_true holds '2' in 1 row, '0' in 118 "
                             "rows, '1' in 121 rows.")  # fmt: skip


def test_a_merged_labels_note_gives_its_rows_on_the_card_and_the_terminal():
    """'A' and 'A\\xa0' read as one group were named without a count, where every other note
    (rows with no value, groups alike but for case) gives one."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    g = rng.choice(["A", "A\u00a0", "B"], 300)
    label = np.where(y == 1, "yes", "no").astype(object)
    label[:5] = "yes "
    y[:5] = 1
    frame = pd.DataFrame({"y": label, "pred": np.where(y == 1, "yes", "no"), "g": g})
    data = audit_predictions(frame, y_true="y", y_pred="pred", sensitive=["g"],
                             positive_label="yes").data  # fmt: skip
    notes = record_notes(data, ["g"], None)
    rows_a = int(np.isin(g, ["A", "A\u00a0"]).sum())
    assert f"g: 'A', 'A\\xa0' are read as one label 'A' ({rows_a} rows; they differ" in notes[0]
    assert f"y: 'yes', 'yes ' are read as one label 'yes' ({int(y.sum())} rows; they" in notes[1]
    assert data["data"]["description"].endswith(" ".join(notes))


def test_a_group_with_no_letter_or_digit_is_noted_as_a_mark_for_no_value():
    """'-' or '.' in a sensitive column (a spreadsheet's or SQL client's mark for no value;
    pandas reads it as text) was audited as a group without a word."""
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 300)
    g = rng.choice(["F", "M"], 300).astype(object)
    g[:4] = "-"
    frame = pd.DataFrame({"y": y, "pred": 1 - y, "g": g})
    data = audit_predictions(frame, y_true="y", y_pred="pred", sensitive=["g"]).data
    notes = record_notes(data, ["g"], None)
    assert notes == ["g: group '-' (4 rows) is written as a mark for no value: it is audited "
                     "as a group of its own; an empty cell is a missing value (refused, or the "
                     "group '(missing)' with --missing-group)."]  # fmt: skip
    assert data["data"]["description"].endswith(notes[0])


def test_only_marks_for_no_value_are_noted_as_such_and_a_long_list_says_how_many_more():
    """'\u2640' (a real group) or Rh '+' was noted as a mark for no value (it has no letter
    or digit); MAX_ALIKE cut the marks and the groups alike in case with no word of the rest."""
    from auditor.predictions.notes import input_notes

    groups = {"\u2640": 84, "+": 9, "-": 4, "?": 2, "n/a": 1, "\\N": 3,
              "a": 1, "A": 2, "b": 1, "B": 2, "c": 1, "C": 2, "d": 1, "D": 2}  # fmt: skip
    notes = input_notes({"g": groups}, None)
    assert notes[0] == ("g: 'a' (1 row), 'A' (2 rows); 'b' (1 row), 'B' (2 rows); 'c' (1 row), "
                        "'C' (2 rows); 1 more differ only in case and are audited as "
                        "separate groups.")  # fmt: skip
    assert notes[1].startswith("g: groups '-' (4 rows), '?' (2 rows), 'n/a' (1 row), 1 more are "
                               "written as marks for no value: each audited")  # fmt: skip
    assert len(notes) == 2


@pytest.mark.parametrize("mark", ["NA", "<NA>"])
def test_r_and_pandas_text_for_no_value_is_noted_as_a_mark(mark):
    """'NA' (R) or '<NA>' (pandas' text for a missing value) in a Parquet text group column
    was audited as a group without a word, where 'None' was noted (R12)."""
    from auditor.predictions.notes import input_notes

    notes = input_notes({"g": {"F": 150, "M": 147, mark: 3}}, None)
    assert notes == [f"g: group {mark!r} (3 rows) is written as a mark for no value: it is "
                     "audited as a group of its own; an empty cell is a missing value (refused, "
                     "or the group '(missing)' with --missing-group)."]  # fmt: skip


def test_classes_apart_only_in_case_are_audited_with_a_note():
    """Chess pieces 'K' and 'k' (or genotypes 'AA', 'Aa', 'aa') in y_true were refused as one
    class written two ways, with no way past. They are audited as written, the note naming
    the classes alike with their rows; 'Yes' beside 'yes' and 'no' is still refused."""
    rng = np.random.default_rng(3)
    y = rng.choice(list("KkBb"), 400)
    frame = pd.DataFrame({"y": y, "pred": y, "g": rng.choice(["a", "b"], 400)})
    data = audit_predictions(frame, y_true="y", y_pred="pred", sensitive=["g"]).data
    balance = data["data"]["splits"]["test"]["class_balance"]
    said = [note for note in record_notes(data, ["g"], None) if "differ only in case" in note]
    assert said == [f"y: 'B' ({balance['B']} rows), 'b' ({balance['b']} rows); 'K' "
                    f"({balance['K']} rows), 'k' ({balance['k']} rows) differ only in case "
                    "or a trailing period and are audited as separate classes."]


def test_a_one_row_class_among_many_is_never_left_out():
    """Labels 0-9 and one row of '10': the note showed six classes then '....', hiding the
    one-row class it exists to show."""
    from auditor.predictions.notes import class_notes

    balance = {str(k): 50 for k in range(10)} | {"10": 1}
    note = class_notes(balance, "y_true")[0]
    assert "(its rates marked @10, @0, @1, @2, @3, @4, 5 more)" in note
    assert note.endswith("y_true holds '10' in 1 row, '0' in 50 rows, '1' in 50 rows, '2' in 50 "
                         "rows, '3' in 50 rows, '4' in 50 rows, 5 more.")  # fmt: skip


def test_a_merged_y_pred_label_is_noted_with_its_rows():
    """y_pred's note on labels read as one gave no count (y_true's and the groups' do)."""
    rng = np.random.default_rng(6)
    y = rng.choice(["yes", "no"], 200).astype(object)
    pred = y.copy()
    pred[:3] = "yes\xa0"
    frame = pd.DataFrame({"y": y, "pred": pred, "g": rng.choice(["a", "b"], 200)})
    data = audit_predictions(frame, y_true="y", y_pred="pred", sensitive=["g"],
                             positive_label="yes").data  # fmt: skip
    notes = record_notes(data, ["g"], None)
    n = int(((y == "yes") | (np.arange(200) < 3)).sum())
    assert notes == [f"pred: 'yes', 'yes\\xa0' are read as one label 'yes' ({n} rows; they "
                     "differ only in spaces, invisible characters or Unicode form)."]
    assert data["data"]["description"].endswith(notes[0])


def test_an_age_column_is_noted_on_the_card_and_the_terminal_without_its_missing_rows():
    """73 ages with some rows missing (audited as '(missing)', not a number): one note with
    the numbers' own rows, the same in the card's description and the terminal's lines."""
    n = 1000
    ages = (17 + np.arange(n) % 73).astype(float)
    ages[::10] = np.nan
    frame = pd.DataFrame({"y": np.arange(n) % 2, "pred": np.arange(n) // 3 % 2, "age": ages})
    data = audit_predictions(frame, y_true="y", y_pred="pred", sensitive=["age"],
                             missing_group=True).data  # fmt: skip
    notes = record_notes(data, ["age"], MISSING_LEVEL)
    numbers = [note for note in notes if "distinct numbers" in note]
    assert len(numbers) == 1 and numbers[0].startswith("age: 73 distinct numbers in 900 rows")
    assert numbers[0] in data["data"]["description"]
