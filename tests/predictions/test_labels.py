"""The class a label given as text names in a predictions file (``class_name_of``): the one
written the same first (``auditor.config.labels.label_index``), else the one of the same value."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.fairness.counts import counts_from_arrays
from auditor.predictions.labels import class_name_of


def _table(classes: list):
    y = np.array(classes, dtype=object)
    return counts_from_arrays(y, y, {"g": np.array(["a"] * len(classes))})


@pytest.mark.parametrize(("classes", "label", "name"), [
    (["01", "1"], 1, "1"),  # written the same as one, the value of both: that one
    (["01", "1"], "01", "01"),
    (["1", "1.0"], "1.0", "1.0"),
    ([0.0, 1.0], "1", "1.0"),  # by value: '1' names the class 1.0
    ([False, True], "true", "True"),
    (["no", "yes"], "yes", "yes"),
    (["no", "yes"], "maybe", "maybe"),  # no class: the label itself (refused by its reader)
    (["01", "1"], "1.0", "1.0"),  # the value of two, written as neither: the label itself
    (["no", "yes"], None, None),
])  # fmt: skip
def test_a_label_names_the_class_written_the_same_first_else_by_value(classes, label, name):
    assert class_name_of(label, _table(classes)) == name
    assert type(class_name_of(label, _table(classes))) is type(name)


@pytest.mark.parametrize("score", [False, True])
def test_a_placeholder_in_both_label_columns_is_named_not_audited_as_a_class(tmp_path, score):
    """'-' for no label in both y_true and y_pred (both columns read as text) was audited as
    a third class '-'; with --y-score it was refused as "y_score is for binary targets only
    ... audit the labels without --y-score". Named as a placeholder either way."""
    import pandas as pd

    from auditor.api import audit_predictions
    from auditor.errors import AuditorInputError

    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 300).astype(object)
    y[[3, 9]] = "-"
    frame = pd.DataFrame({"y": y, "pred": y, "s": rng.random(300),
                          "g": rng.choice(["a", "b"], 300)})  # fmt: skip
    frame.to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(tmp_path / "p.csv", y_true="y", y_pred="pred", sensitive=["g"],
                          y_score="s" if score else None, batch_rows=100)  # fmt: skip
    assert err.value.field == "y"
    said = str(err.value)
    assert "y holds '-' (2 rows" in said and "a placeholder for no label?" in said


@pytest.mark.parametrize("written", ["inf", "-inf"])
def test_an_infinite_label_is_refused_not_a_class(tmp_path, written):
    """'inf' in a 0/1 y_true (read as a number) was audited as a third class '@inf'."""
    import pandas as pd

    from auditor.api import audit_predictions
    from auditor.errors import AuditorInputError

    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 200).astype(object)
    y[6] = written
    frame = pd.DataFrame({"y": y, "pred": rng.integers(0, 2, 200),
                          "g": rng.choice(["a", "b"], 200)})  # fmt: skip
    frame.to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(tmp_path / "p.csv", y_true="y", y_pred="pred", sensitive=["g"])
    assert err.value.field == "y"
    assert str(err.value).endswith(f"label {written} at data row 7 is not a class: labels are "
                                   "classes (0/1, yes/no); drop the row or write its label")


@pytest.mark.parametrize("batch_rows", [100, 1_000_000])
def test_a_spreadsheets_totals_row_is_refused_not_audited_as_classes(tmp_path, batch_rows):
    """A 0/1 export with a totals row below it (Total;293;307: each column's SUM) was audited,
    exit 0, as a 4-class file (classes 0, 1, 293, 307) and a group 'Total' of one row."""
    from auditor.api import audit_predictions
    from auditor.errors import AuditorInputError

    rng = np.random.default_rng(6)
    y, pred = rng.integers(0, 2, 300), rng.integers(0, 2, 300)
    lines = ["sex;y_true;y_pred"] + [f"{g};{t};{p}" for g, t, p in
                                     zip(rng.choice(["F", "M"], 300), y, pred, strict=True)]
    lines.append(f"Total;{y.sum()};{pred.sum()}")
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(tmp_path / "p.csv", y_true="y_true", y_pred="y_pred",
                          sensitive=["sex"], batch_rows=batch_rows)
    assert err.value.field == "y_true"
    assert str(err.value).endswith(
        f"y_true: label {y.sum()} (1 row) is the sum of the other 300 rows' labels: a "
        "spreadsheet's totals row below the data? delete it")


def test_a_rare_class_that_is_no_sum_is_audited_as_a_class():
    """Classes 0, 1 and 2 (one row of 2) are a multi-class file, not a totals row."""
    from auditor.predictions.labels import check_predicted_classes
    from auditor.predictions.source import Columns

    y = np.array([0] * 5 + [1] * 4 + [2], dtype=object)
    table = counts_from_arrays(y, y, {"g": np.array(["a"] * 10)})
    check_predicted_classes(table, Columns("y_true", "y_pred", None, ("g",)), "p.csv")


@pytest.mark.parametrize(("true", "pred", "extra", "negative"), [
    ({1: 1, 0: -1}, {1: 1, 0: 0}, "0", "-1"), ({1: 1, 0: 0}, {1: 1, 0: -1}, "-1", "0")])
def test_labels_encoded_minus_one_and_zero_apart_say_so(tmp_path, true, pred, extra, negative):
    """y_true -1/+1 (an SVM's labels) beside y_pred 0/1 was refused as "label '0' never occurs
    in y_true ... map it to one of the true classes", without naming the two encodings."""
    import pandas as pd

    from auditor.api import audit_predictions
    from auditor.errors import AuditorInputError

    rng = np.random.default_rng(8)
    y, p = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    pd.DataFrame({"y": [true[v] for v in y], "p": [pred[v] for v in p],
                  "g": rng.choice(["a", "b"], 200)}).to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(tmp_path / "p.csv", y_true="y", y_pred="p", sensitive=["g"])
    assert str(err.value).endswith(
        f"map it to one of the true classes; y writes the negative class {negative} where p "
        f"writes {extra} (0/1 beside -1/+1): write both columns with one encoding")


def test_a_totals_row_counting_text_labels_is_refused_too(tmp_path):
    """Yes/No labels with a totals row of COUNTIF(..., "Yes") below them (Total;293;307) were
    audited, exit 0, as 4 classes (293, 307, No, Yes)."""
    from auditor.api import audit_predictions
    from auditor.errors import AuditorInputError

    rng = np.random.default_rng(9)
    y, pred = rng.integers(0, 2, 300), rng.integers(0, 2, 300)
    word = {0: "No", 1: "Yes"}
    lines = ["sex;y_true;y_pred"] + [f"{g};{word[t]};{word[p]}" for g, t, p in
                                     zip(rng.choice(["F", "M"], 300), y, pred, strict=True)]
    lines.append(f"Total;{y.sum()};{pred.sum()}")
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(tmp_path / "p.csv", y_true="y_true", y_pred="y_pred",
                          sensitive=["sex"])
    assert str(err.value).endswith(
        f"y_true: label {y.sum()} (1 row) is the count of the rows labelled 'Yes': a "
        "spreadsheet's totals row below the data? delete it")
