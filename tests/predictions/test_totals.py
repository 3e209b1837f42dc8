"""A totals row below the labels is refused only where the row itself looks like totals; a
rare real class whose label happens to be the sum of the others is audited, and noted."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.api import audit_predictions
from auditor.errors import AuditorInputError


def _write(path, rows):
    path.write_text("sex,y_true,y_pred\n" + "".join(f"{g},{t},{p}\n" for g, t, p in rows))
    return path


def _audit(path):
    return audit_predictions(path, y_true="y_true", y_pred="y_pred", sensitive=["sex"],
                             out_dir=path.parent / "run")  # fmt: skip


def _notes(path):
    """The notes, as audit.json's data description (the card's and the terminal's) holds them."""
    import json

    return json.loads((path.parent / "run" / "audit.json").read_text())["data"]["description"]


@pytest.mark.parametrize(("groups", "true", "pred", "noted"), [
    # a rare third class (R2's mc_small.csv): 2 = 0*97 + 1*2
    (["F", "M"] * 50, [0] * 97 + [1] * 2 + [2], [0] * 98 + [1] + [2],
     "y_true: label 2 (1 row) is the sum of the other 99 rows' labels"),
    # a count label, predicted right in the same row (count_label.csv): 3 = 1*3
    (["F", "M"] * 50, [0] * 96 + [1] * 3 + [3], [0] * 96 + [1] * 3 + [3],
     "y_true: label 3 (1 row) is the sum of the other 99 rows' labels"),
    # a model predicting class 2 once and class 1 twice (R2's mc_pred.csv)
    (["F", "M"] * 50, [0] * 40 + [1] * 40 + [2] * 20, [0] * 97 + [1] * 2 + [2],
     "y_pred: label 2 (1 row) is the sum of the other 99 rows' labels"),
    # a region named 'Total' of many rows (R5's total_region_rare.csv), class 2's one row in it
    (["North", "South", "Total"] * 33 + ["Total"], [0] * 97 + [1] * 2 + [2],
     [0] * 97 + [1] * 2 + [2], "y_true: label 2 (1 row) is the sum of the other 99 rows' labels"),
])  # fmt: skip
def test_a_rare_class_whose_label_is_the_sum_of_the_others_is_audited_and_noted(
        tmp_path, groups, true, pred, noted):  # fmt: skip
    """Classes 0, 1, k where 1 occurs k times and k once were refused as a totals row ('label
    2 (1 row) is the sum of the other 99 rows' labels ... delete it'): a real multi-class file,
    which the counts alone cannot tell from one; so were a rare predicted class, and a region
    named 'Total' of many rows (the word counts only where its group is that one row). Each
    is audited, the label noted."""
    path = _write(tmp_path / "p.csv", zip(groups, true, pred, strict=True))
    _audit(path)
    assert (f"{noted}: a spreadsheet's totals row below the data? if so, delete it; it is "
            "audited as a class of its own.") in _notes(path)  # fmt: skip


@pytest.mark.parametrize("group", ["Total", "SUM:", "gesamt"])
def test_a_totals_row_named_so_in_its_group_cell_is_refused_however_small(tmp_path, group):
    y, p = [0] * 95 + [1] * 5, [0] * 96 + [1] * 4
    rows = [*zip(["F", "M"] * 50, y, p, strict=True), (group, 5, 4)]
    path = _write(tmp_path / "p.csv", rows)
    with pytest.raises(AuditorInputError) as err:
        _audit(path)
    assert err.value.field == "y_true"
    assert str(err.value).endswith("y_true: label 5 (1 row) is the sum of the other 100 rows' "
                                   "labels: a spreadsheet's totals row below the data? delete it")
    assert not (tmp_path / "run").exists()


def test_a_totals_row_in_both_columns_is_refused_without_a_word(tmp_path):
    """Both labels of one row are their column's sums (a SUM under y_true and y_pred), each 30
    or more: refused, though its group cell is a group like any other."""
    rng = np.random.default_rng(3)
    y, p = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    rows = [*zip(rng.choice(["F", "M"], 200), y, p, strict=True), ("F", y.sum(), p.sum())]
    with pytest.raises(AuditorInputError) as err:
        _audit(_write(tmp_path / "p.csv", rows))
    assert f"label {y.sum()} (1 row) is the sum of the other 200 rows' labels" in str(err.value)


@pytest.mark.parametrize("batch_rows", [10**6, 64])
@pytest.mark.parametrize("total", ["0.3", "30.1", ""])
def test_a_totals_row_is_said_before_a_score_column_is_refused_for_it(
        tmp_path, batch_rows, total):  # fmt: skip
    """With a score column the totals row was refused as a third class ('y_score is for binary
    targets only, and y_true holds 3 classes (0, 1, 5)') or for its score (a sum above 1, or
    none), though the file is binary but for that row: the totals row is said first, as it
    is without --y-score; in one batch or in the last of several."""
    y, p = [0] * 95 + [1] * 5, [0] * 96 + [1] * 4
    rows = [*zip(["F", "M"] * 50, y, p, [0.3] * 100, strict=True), ("Total", 5, 4, total)]
    path = tmp_path / "p.csv"
    path.write_text("sex,y_true,y_pred,score\n" + "".join(",".join(map(str, r)) + "\n"
                                                          for r in rows))  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(path, y_true="y_true", y_pred="y_pred", y_score="score",
                          sensitive=["sex"], batch_rows=batch_rows)  # fmt: skip
    assert err.value.field == "y_true", str(err.value)
    assert str(err.value).endswith("y_true: label 5 (1 row) is the sum of the other 100 rows' "
                                   "labels: a spreadsheet's totals row below the data? delete it")


@pytest.mark.parametrize("batch_rows", [64, 10**6])
@pytest.mark.parametrize("bad_at", [30, 150])
@pytest.mark.parametrize(("labels", "third"), [((0, 1), 2), ((0, 1), 3), ((1, 2), 3),
                                               (("no", "yes"), "maybe"), ((1, 2), 0)])  # fmt: skip
def test_a_third_class_is_refused_at_its_batch_before_a_score(
        tmp_path, labels, third, bad_at, batch_rows):  # fmt: skip
    """Since ca7d9ad a class of one row waited for the whole file's counts (a totals row?),
    scores included: 10M rows with row 2's y_true set to 2 were refused in 8 s, not 2 (r8 #3).
    One that cannot be a totals row (text; a number below 2, or below the sum of its batch's
    other labels) is refused in its batch: a later batch's bad score is never read (it was
    the line said). And it was refused after its own batch's scores were checked: a bad
    score in the same batch was the line said, so the line hung on --batch-rows (2,000 rows,
    row 2's y_true 2, row 101's score 7: 'score 7 at data row 101 is above 1' in one batch,
    the binary-only line in batches of 64) (r13 #4). The binary-only line comes first."""
    rows = [("F" if i % 2 else "M", labels[i % 7 == 0], labels[0], 0.3) for i in range(200)]
    rows[1] = ("M", third, labels[0], 0.3)
    rows[bad_at] = ("F", labels[0], labels[0], 7.5)  # in the first or third batch of 64 rows
    path = tmp_path / "p.csv"
    path.write_text("sex,y_true,y_pred,score\n" + "".join(",".join(map(str, r)) + "\n"
                                                          for r in rows))  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(path, y_true="y_true", y_pred="y_pred", y_score="score",
                          sensitive=["sex"], batch_rows=batch_rows)  # fmt: skip
    assert "y_score is for binary targets only" in str(err.value), str(err.value)
    assert err.value.field == "score", str(err.value)


@pytest.mark.parametrize(("labels", "third"), [((0, 1), 2), (("no", "yes"), "maybe")])
def test_no_batch_is_read_past_a_third_class(tmp_path, monkeypatch, labels, third):
    """r8 #3: a third class that cannot be totals is refused at its batch, the rest of the file
    unread (10M rows with row 2's class 2 took 8 s, not 2). No test held it once score faults
    waited for the file's end: the refusal could wait as well and the binary-only line still
    came (R5 #1). One batch at a time, the reduce is called for the first batch only."""
    from auditor.predictions import read

    monkeypatch.setattr(read, "available_cores", lambda: [0])
    real, calls = read.reduce_arrow, []
    monkeypatch.setattr(read, "reduce_arrow", lambda *a, **k: (calls.append(a[3]),
                                                               real(*a, **k))[1])
    rows = [("F" if i % 2 else "M", labels[i % 3 % 2], labels[0], 7.5 if i == 300 else 0.3)
            for i in range(640)]  # fmt: skip
    rows[1] = ("M", third, labels[0], 0.3)
    path = tmp_path / "p.csv"
    path.write_text("sex,y_true,y_pred,score\n" + "".join(",".join(map(str, r)) + "\n"
                                                          for r in rows))  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(path, y_true="y_true", y_pred="y_pred", y_score="score",
                          sensitive=["sex"], batch_rows=64)  # fmt: skip
    assert "y_score is for binary targets only" in str(err.value), str(err.value)
    assert calls == [0]
