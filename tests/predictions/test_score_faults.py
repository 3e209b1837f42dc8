"""A file's scores that are not probabilities are said once its labels are read, in one line
whatever ``--batch-rows`` is: a totals row or a third class in a file sorted by label was
refused for a score in its batch at small batch sizes (R13 #5, R17 #2), and which score the
line named (below 0 or above 1, percentages or not) hung on the batch that held it."""

from __future__ import annotations

import pytest

from auditor.errors import AuditorInputError
from auditor.predictions.read import Columns, reduce_predictions

BATCHES = [1, 64, 10**6]
COLS = Columns(y_true="y_true", y_pred="y_pred", y_score="score", sensitive=("sex",))
BINARY_ONLY = "score: y_score is for binary targets only, and y_true holds 3 classes (0, 1, 2)"


def _write(path, rows):
    path.write_text("sex,y_true,y_pred,score\n"
                    + "".join(",".join(map(str, r)) + "\n" for r in rows))  # fmt: skip
    return path


def _said(path, batch_rows, dask=None):
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(path, COLS, batch_rows=batch_rows, dask_scheduler=dask)
    return str(err.value)


def _sorted(n=2000, third=0):
    """``n`` rows sorted by y_true (0s, then 1s, then ``third`` rows of class 2), scores 0.3."""
    labels = [0] * ((n - third) // 2) + [1] * (n - third - (n - third) // 2) + [2] * third
    return [("F" if i % 2 else "M", t, min(t, 1), 0.3) for i, t in enumerate(labels)]


@pytest.mark.parametrize("batch_rows", BATCHES)
@pytest.mark.parametrize(("first", "score"), [(False, 990.242), (True, "")])
def test_a_totals_row_of_a_sorted_file_is_said_at_any_batch_size(tmp_path, batch_rows, first,
                                                                 score):  # fmt: skip
    """Totals row last, its score a sum (990.242), or first with none: in batches of 64 its
    batch held one other class, so its score was said ('score 990.242 at data row 2001 is
    above 1', 'missing or infinite score at data row 1')."""
    rows = _sorted()
    total = ("Total", sum(r[1] for r in rows), sum(r[2] for r in rows), score)
    path = _write(tmp_path / "p.csv", [total, *rows] if first else [*rows, total])
    assert _said(path, batch_rows).endswith(
        "y_true: label 1000 (1 row) is the sum of the other 2,000 rows' labels: a "
        "spreadsheet's totals row below the data? delete it")  # fmt: skip


@pytest.mark.parametrize("batch_rows", BATCHES)
@pytest.mark.parametrize("bad_at", [100, 1950])
def test_a_third_class_of_a_sorted_file_is_said_before_a_score(tmp_path, batch_rows, bad_at):
    """Class 2 in rows 1801+ only (R17's c3_sorted.csv), score 7 in a batch of 0s or of 2s:
    'score 7 at data row 1951 is above 1' at --batch-rows 64 or 500, binary-only in one."""
    rows = _sorted(third=200)
    rows[bad_at] = (*rows[bad_at][:3], 7)
    assert BINARY_ONLY in _said(_write(tmp_path / "p.csv", rows), batch_rows)


@pytest.mark.parametrize(("bad", "said"), [
    # the least score is said before the first above 1, in one batch or in the file
    ({9: 5, 150: -1}, "score -1 at data row 151 is below 0: logits or decision values?"),
    ({9: 5, 150: -1, 180: -2.5}, "score -2.5 at data row 181 is below 0"),
    # a missing score before any other
    ({9: 5, 20: -1, 150: ""}, "missing or infinite score at data row 151; give P(positive)"),
    # percentages only where more than a tenth of the file's scores are above 1
    ({i: 50 for i in range(15)}, "score 50 at data row 1 is above 1; give P(positive)"),
    ({i: 50 for i in range(30)}, "score 50 at data row 1 is above 1: percentages?"),
    # text before numbers
    ({9: 5, 150: "high"}, "the column holds text ('high' at data row 151)"),
])  # fmt: skip
def test_a_files_score_line_is_the_same_at_any_batch_size(tmp_path, bad, said):
    """Batches of 64 said the first bad batch's worst score: 'score 5 at data row 10 is above
    1' where one batch says row 151's -1; 'percentages?' where 15 of a batch's 64 rows are
    above 1 (but not 15 of the file's 200)."""
    rows = _sorted(200)
    for at, score in bad.items():
        rows[at] = (*rows[at][:3], score)
    path = _write(tmp_path / "p.csv", rows)
    lines = {batch_rows: _said(path, batch_rows) for batch_rows in BATCHES}
    assert set(lines.values()) == {lines[10**6]}, lines
    assert said in lines[10**6]


def test_dask_partitions_say_the_files_score_line(tmp_path, monkeypatch):
    """A CSV's partitions number their rows from their own start: the file's faults are read
    again by the batch engine, so both engines say one line."""
    from auditor.predictions import partitions

    rows = _sorted(3000)
    rows[40] = (*rows[40][:3], 5)
    rows[2500] = (*rows[2500][:3], -0.5)
    path = _write(tmp_path / "p.csv", rows)
    monkeypatch.setattr(partitions, "CSV_PARTITION", 4096)
    said = _said(path, 100)
    assert "score -0.5 at data row 2501 is below 0" in said
    assert _said(path, 100, dask="synchronous") == said


@pytest.mark.parametrize("spill_rows", [None, 1])
def test_no_batch_keeps_scores_once_the_file_has_a_score_fault(tmp_path, monkeypatch, spill_rows):
    """Once a batch had a score fault, each later batch still built its cell codes, score
    ranges and bins (or spilled its scores), all thrown away: a 1M-row file with row 2's score
    1.7 took 19 s in batches of 64 (a good file 20 s). A later batch's scores are now checked
    and not kept (R5 #4); the file's line is the same."""
    from auditor.fairness.spill_cells import SpilledCells
    from auditor.predictions import batch, read

    calls = []
    for owner, name in [(batch, "add_cell_codes"), (batch, "pred_ranges"),
                        (batch, "pred_bins"), (SpilledCells, "add_codes")]:  # fmt: skip
        real = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda *a, _r=real, _n=name, **k: (calls.append(_n),
                                                                            _r(*a, **k))[1])
    monkeypatch.setattr(read, "available_cores", lambda: [0])  # one batch at a time
    rows = [("F" if i % 2 else "M", i % 3 % 2, i % 2, 0.75) for i in range(640)]
    rows[1] = (*rows[1][:3], 1.7)
    path = _write(tmp_path / "p.csv", rows)
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(path, COLS, batch_rows=64, spill_rows=spill_rows)
    assert "score 1.7 at data row 2 is above 1" in str(err.value)
    assert calls == []


def _commas(path, scores):
    rows = [("F" if i % 2 else "M", i % 3 % 2, i % 2, s) for i, s in enumerate(scores)]
    return _write(path, rows)


@pytest.mark.parametrize(("scores", "said"), [
    # 300 dot scores, row 5's "0,4" (R5 #2): read as 0.4 in batches of 1, refused in 7
    (['"0,4"' if i == 4 else f"0.{i % 9 + 1}" for i in range(300)], "('0,4' at data row 5)"),
    # comma scores, a dot at row 201: refused at the file's first comma
    (['"0.4"' if i == 200 else f'"0,{i % 9 + 1}"' for i in range(300)], "('0,1' at data row 1)"),
    # whole numbers first, commas from row 101, a dot at row 299; text at row 200 named first
    ([str(i % 2) if i < 100 else '"0.4"' if i == 298 else "abc" if i == 199
      else f'"0,{i % 9 + 1}"' for i in range(300)], "('0,2' at data row 101)"),
])  # fmt: skip
def test_decimal_commas_are_decided_once_per_file(tmp_path, scores, said):
    """Each batch decided alone whether its scores had decimal commas: a file was accepted in
    batches of 1 and refused in batches of 7. The file decides once: its scores both ways are
    refused at its first value that is not a number, as one batch of it is."""
    path = _commas(tmp_path / "p.csv", scores)
    lines = {batch_rows: _said(path, batch_rows) for batch_rows in [1, 7, 64, 10**6]}
    assert set(lines.values()) == {lines[10**6]}, lines
    assert "the column holds text " + said in lines[10**6]
    assert _said(path, 7, dask="synchronous") == lines[10**6]


def test_a_file_of_decimal_commas_reads_alike_at_any_batch_size(tmp_path):
    """Whole numbers first, then decimal commas: the same numbers at any --batch-rows."""
    path = _commas(tmp_path / "p.csv", [str(i % 2) if i < 100 else f'"0,{i % 9 + 1}"'
                                        for i in range(300)])  # fmt: skip
    read = {b: reduce_predictions(path, COLS, batch_rows=b).scores for b in [1, 7, 64, 10**6]}
    for scores in read.values():  # sums added in other batches: the last digits may differ
        for name in ("log_loss", "brier", "ece", "roc_auc"):
            assert getattr(scores, name) == pytest.approx(getattr(read[10**6], name)), name


def _spied(monkeypatch, owner, names, calls=None):
    """Calls of each ``owner.name`` (still made), listed in ``calls``."""
    calls = [] if calls is None else calls
    for name in names:
        real = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda *a, _r=real, _n=name, **k: (calls.append(_n),
                                                                            _r(*a, **k))[1])
    return calls


def test_a_good_file_of_decimal_commas_is_read_once_under_dask(tmp_path, monkeypatch):
    """A partition's first comma was read as a fault: a good file of quoted decimal commas was
    read and reduced a second time by the batch engine (1M rows: 3.5 s, not 2.8). Only a file
    whose partitions mix marks (a point in one, a comma in another) is read again (R12 #1)."""
    from auditor.predictions import partitions

    monkeypatch.setattr(partitions, "CSV_PARTITION", 4096)  # 5+ partitions
    calls = _spied(monkeypatch, partitions, ["_file_faults"])
    good = _commas(tmp_path / "good.csv", [f'"0,{i % 9 + 1}"' for i in range(3000)])
    dask = reduce_predictions(good, COLS, batch_rows=100, dask_scheduler="synchronous")
    assert calls == []
    assert dask.scores.roc_auc == pytest.approx(reduce_predictions(good, COLS).scores.roc_auc)
    mixed = _commas(tmp_path / "mixed.csv", [f'"0,{i % 9 + 1}"' if i >= 2500 else
                                             f'"0.{i % 9 + 1}"' for i in range(3000)])  # fmt: skip
    said = _said(mixed, 10**6)
    assert "('0,8' at data row 2501)" in said
    assert _said(mixed, 100, dask="synchronous") == said


def test_a_dask_files_faults_are_read_again_without_its_scores_kept(tmp_path, monkeypatch):
    """The batch engine's second read of a faulted CSV (its rows numbered as the file's) built
    every batch's cell codes, ranges and bins and dropped them (R12 #2): none now."""
    from auditor.predictions import batch, partitions

    real_faults, during = partitions._file_faults, []

    def file_faults(*args):
        during.append(len(calls))
        found = real_faults(*args)
        during.append(len(calls))
        return found

    calls = _spied(monkeypatch, batch, ["add_cell_codes", "pred_ranges", "pred_bins"])
    monkeypatch.setattr(partitions, "_file_faults", file_faults)
    real_batches = partitions.iter_batches  # the file read again in batches of 100, not 1M
    monkeypatch.setattr(partitions, "iter_batches",
                        lambda path, cols, **k: real_batches(path, cols, batch_rows=100))
    rows = [("F" if i % 2 else "M", i % 3 % 2, i % 2, 0.75) for i in range(3000)]
    rows[2900] = (*rows[2900][:3], 1.7)
    path = _write(tmp_path / "p.csv", rows)
    monkeypatch.setattr(partitions, "CSV_PARTITION", 4096)
    said = _said(path, 100, dask="synchronous")
    assert "score 1.7 at data row 2901 is above 1" in said
    assert len(during) == 2 and during[0] == during[1], during


@pytest.mark.parametrize("comma_first", [False, True])
@pytest.mark.parametrize("batch_rows", [1, 7, 10**6])
def test_a_folder_whose_parts_mix_decimal_marks_is_refused(tmp_path, comma_first, batch_rows):
    """A folder whose part-00000.csv wrote 0.879 and part-00001.csv "0,63" (or the reverse) was
    read, "0,63" as 0.63, where the same rows in one file are refused: a float part had no say
    in the folder's one decision (R12 #3). Refused at the comma part's first comma, naming it."""
    folder = tmp_path / "out"
    folder.mkdir()
    points = [f"0.{i % 9 + 1}" for i in range(200)]
    commas = [f'"0,{i % 9 + 1}"' for i in range(200)]
    first, second = (commas, points) if comma_first else (points, commas)
    _commas(folder / "part-00000.csv", first)
    _commas(folder / "part-00001.csv", second)
    said = _said(folder, batch_rows)
    part = folder / f"part-0000{0 if comma_first else 1}.csv"
    assert said.startswith(f"{part}: score: ") and "('0,1' at data row 1)" in said, said


@pytest.mark.parametrize("whole_first", [False, True])
@pytest.mark.parametrize("batch_rows", [1, 7, 10**6])
def test_a_part_of_whole_numbers_beside_a_part_of_commas_is_read(tmp_path, whole_first,
                                                                 batch_rows):
    """6faf5ef took any float part for a decimal point's, so a part of scores 0 and 1 (no mark
    written) beside a part of "0,63" was refused, where the same rows in one file are read
    (R15 #1): a float part votes for the point only where a score has a fraction."""
    folder = tmp_path / "out"
    folder.mkdir()
    whole = [str(i % 2) for i in range(200)]
    commas = [f'"0,{i % 9 + 1}"' for i in range(200)]
    first, second = (whole, commas) if whole_first else (commas, whole)
    _commas(folder / "part-00000.csv", first)
    _commas(folder / "part-00001.csv", second)
    reduced = reduce_predictions(folder, COLS, batch_rows=batch_rows)
    assert reduced is not None
