"""One batch reduced: quoted decimal-comma scores parsed in pyarrow's kernels with the same
numbers and refusals as the per-value Python parse, and the read path on pyarrow before 16
(no ``binary_view`` type)."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.errors import AuditorInputError
from auditor.predictions import batch as B
from auditor.predictions import score_faults as S
from auditor.predictions.read import Columns, reduce_predictions
from tests.builders import predictions_columns, predictions_frame

TRICKY = [
    ["0,5", "1", "-0,25", "+0,75", ",5", "0", "00,125", None],
    [" 0,5", "0,5 ", "\t1,0\t", None, None],
    ["0,93", "1,000.5"],  # a thousands mark and a decimal point: text
    ["0,5", ""],  # an empty string is text, not missing
    ["0,5", "0.5"],  # both marks: text (refused, as before)
    ["0,5", "1e-3"], ["0,5", "nan"], ["0,5", "inf"], ["0,5", "1,2,3"], ["0,5", ","],
    ["0,5", "\xa00,5"],  # a no-break space: the Python path strips it
    ["0,5", "\u0661,\u0665"],  # Arabic-Indic digits: Python's \\d and float read them
    ["0,5", "- 0,5"], ["0,5", "abc"], [None, None],
    ["4,822e-01", "1,5E-05", "3e-07", ",5e+1"], ["0,5", "1,5e"], ["0,5", "1,5e-0,1"],
]


def _slow(values: list) -> np.ndarray | None:
    return S._comma_decimals(np.array(values, dtype=object))


def _scores(values: list) -> np.ndarray | str:
    """The batch's checked scores, or its refusal."""
    score, faults, _ = S.read_scores(pa.array(values, pa.string()), source="f", row_offset=0)
    return score if faults is None else str(faults.error(len(values), "s"))


@pytest.mark.parametrize("values", TRICKY)
def test_pyarrows_parse_of_decimal_comma_scores_is_the_python_parse(values, monkeypatch):
    """Where the kernels read every value, the numbers are the per-value parse's; where they
    do not (None), the per-value parse decides: the same scores and the same refusals as with
    the per-value parse alone."""
    fast = S._arrow_comma_decimals(pa.array(values, pa.string()))
    slow = _slow(values)
    if fast is not None:
        assert slow is not None and np.array_equal(fast, slow, equal_nan=True), values
    got = _scores(values)
    monkeypatch.setattr(S, "_arrow_comma_decimals", lambda column: None)
    want = _scores(values)
    assert type(got) is type(want) and (got == want if isinstance(got, str)
                                        else np.array_equal(got, want))  # fmt: skip


@pytest.mark.parametrize(("delimiter", "written"), [(";", "{:.3e}"), (",", '"{:.3E}"')])
def test_decimal_comma_scores_in_scientific_notation_are_numbers(tmp_path, delimiter, written):
    """'4,822e-01' (a spreadsheet's scientific format in a decimal-comma locale) was refused as
    "the column holds text", in a ';' file and quoted in a ',' file alike."""
    frame = predictions_frame(300, seed=32)
    frame["score"] = [float(f"{v:.3e}") for v in frame["score"]]  # the values written below
    plain, comma = tmp_path / "plain.csv", tmp_path / "sheets.csv"
    frame.to_csv(plain, index=False)
    lines = [delimiter.join(frame.columns)] + [
        delimiter.join(written.format(v).replace(".", ",") if c == "score" else str(v)
                       for c, v in row.items()) for _, row in frame.iterrows()]  # fmt: skip
    comma.write_text("\n".join(lines) + "\n")
    audits = []
    for path in (plain, comma):
        counts = reduce_predictions(path, cols=Columns("label", "pred", "score", ("sex",)),
                                    positive_label="approved")  # fmt: skip
        audits.append((counts.scores.roc_auc, counts.table.n))
    assert audits[0] == audits[1]


def test_random_texts_parse_the_same_in_pyarrow_and_python():
    rng = np.random.default_rng(5)
    alphabet = list("0123456789,,,.-+ eE")
    agreed = 0
    for _ in range(3000):
        values = ["".join(rng.choice(alphabet, size=rng.integers(0, 6))) for _ in range(3)]
        fast = S._arrow_comma_decimals(pa.array(values))
        slow = _slow(values)
        if slow is None:
            assert fast is None, values
        else:  # ASCII text: the kernels read whatever Python reads
            agreed += 1
            assert fast is not None and np.array_equal(fast, slow, equal_nan=True), values
    assert agreed > 50


def test_a_decimal_comma_file_is_audited_without_a_python_parse_per_value(tmp_path, monkeypatch):
    """Every batch of a ',' file with quoted '0,93' scores went through a Python loop and a
    regex per value (a second per million); now pyarrow's kernels, with the plain file's
    numbers, through `auditor audit`."""
    frame = predictions_frame(2000, seed=31).assign(score=lambda f: f["score"].round(4))
    plain, comma = tmp_path / "plain.csv", tmp_path / "sheets.csv"
    frame.to_csv(plain, index=False)
    frame.assign(score=frame["score"].map(lambda v: f"{v:g}".replace(".", ","))).to_csv(
        comma, index=False)  # fmt: skip

    def slow(values):
        raise AssertionError("the per-value parse ran")

    monkeypatch.setattr(S, "_comma_decimals", slow)
    audits = []
    for path in (plain, comma):
        out = tmp_path / path.stem
        done = CliRunner().invoke(app, [
            "audit", "-p", str(path), "--y-true", "label", "--y-pred", "pred", "--y-score",
            "score", "--sensitive", "sex", "--positive-label", "approved", "-o", str(out),
            "--exit-zero"])  # fmt: skip
        assert done.exit_code == 0, done.output
        test = json.loads((out / "audit.json").read_text())["performance"]["finetuned"]["test"]
        audits.append((test["roc_auc"], test["log_loss"], test["brier"], test["ece"]))
    assert audits[0] == audits[1] and audits[0][0] is not None


def test_bytes_columns_read_on_pyarrow_without_view_types(tmp_path, monkeypatch):
    """pyproject allows pyarrow >= 14; ``pa.types.is_binary_view`` (and ``is_string_view``)
    came in 16: every batch was an internal error (AttributeError) there."""
    frame = predictions_frame(400, seed=32)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    column = pa.array([v.encode() for v in frame["sex"]], pa.binary())
    table = table.set_column(table.schema.get_field_index("sex"), "sex", column)
    path = tmp_path / "impala.parquet"
    pq.write_table(table, path)
    reference = tmp_path / "p.parquet"
    frame.to_parquet(reference)
    for name in ("is_binary_view", "is_string_view"):
        monkeypatch.delattr(pa.types, name, raising=False)
    got = reduce_predictions(path, predictions_columns(), positive_label="approved")
    want = reduce_predictions(reference, predictions_columns(), positive_label="approved")
    assert got.table.counts.tolist() == want.table.counts.tolist()
    done = CliRunner().invoke(app, [
        "audit", "-p", str(path), "--y-true", "label", "--y-pred", "pred", "--sensitive", "sex",
        "--positive-label", "approved", "-o", str(tmp_path / "out"), "--exit-zero"])  # fmt: skip
    assert done.exit_code == 0, done.output


def _header_check(y: pa.Array, p: pa.Array) -> str | None:
    cols = Columns(y_true="label", y_pred="pred", sensitive=("g",))
    fault = B._repeated_header({"label": y, "pred": p}, cols, source="f", row_offset=10)
    return None if fault is None else str(fault[1])


@pytest.mark.parametrize("rows", [
    (["a", "b", " label ", "a"], ["b", "a", "pred", "b"]),  # row 2 repeats the header
    (["a", "label", "b"], ["b", "a", "pred"]),  # never both in one row
    (["a", "b", "a"], ["b", "pred", "a"]),  # y_true's labels never its name
    (["label", "b"], ["pred", "b"]),
])
def test_a_dictionary_label_column_refuses_a_repeated_header_as_its_text_does(rows):
    """Categorical labels (pandas' category dtype in Parquet) are checked on their dictionary
    first; the refusal is the text column's, row for row."""
    y, p = (pa.array(values, pa.string()) for values in rows)
    want = _header_check(y, p)
    for encoded in ((y.dictionary_encode(), p), (y, p.dictionary_encode()),
                    (y.dictionary_encode(), p.dictionary_encode())):
        assert _header_check(*encoded) == want
    y_slice = pa.DictionaryArray.from_arrays(pa.array([0, 0], pa.int32()),
                                             pa.array(["a", "label"]))  # an unused 'label'
    assert _header_check(y_slice, pa.array(["b", "pred"])) is None
    assert _header_check(pa.array([0, 1]).dictionary_encode(), p) is None  # integer classes


def test_first_classes_names_six_then_says_there_are_more():
    from auditor.predictions.labels import first_classes

    assert first_classes(list("abcdef")) == "a, b, c, d, e, f"
    assert first_classes(list("abcdefg")) == "a, b, c, d, e, f, 1 more"
    assert first_classes([]) == ""


def test_a_float32_score_above_1_is_shown_as_written(tmp_path):
    """A float32 Parquet score of 1.0000001 was shown as its float64 expansion, "score
    1.0000001192092896 at data row 8 is above 1" (the same value in a CSV: "1.0000001")."""
    import pandas as pd

    from auditor.api import audit_predictions
    from auditor.errors import AuditorInputError

    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 100)
    score = rng.random(100).astype(np.float32)
    score[7] = np.float32(1.0000001)
    frame = pd.DataFrame({"y": y, "pred": y, "s": score, "g": rng.choice(["a", "b"], 100)})
    frame.to_parquet(tmp_path / "p.parquet")
    with pytest.raises(AuditorInputError, match=r"score 1\.0000001 at data row 8 is above 1;"):
        audit_predictions(tmp_path / "p.parquet", y_true="y", y_pred="pred", y_score="s",
                          sensitive=["g"])  # fmt: skip


def test_number_scores_do_not_load_pyarrow_compute(tmp_path):
    """pyarrow.compute (30 ms, on the reading thread) is loaded for scores written as text
    (a decimal comma) only: a float score column, CSV or Parquet, is read without it; nor is
    numpy.ma (25 ms), which np.union1d loaded for the overall ROC AUC."""
    import subprocess
    import sys

    frame = predictions_frame(400, seed=3)
    frame["label"], frame["pred"] = frame.label.eq("approved") * 1, frame.pred.eq("approved") * 1
    frame.to_csv(tmp_path / "p.csv", index=False)
    frame.to_parquet(tmp_path / "p.parquet")
    child = (
        "import sys\nfrom auditor.cli import exit_code_of\n"
        "code = exit_code_of(sys.argv[1:])\n"
        "print(code, any(m in sys.modules for m in ('pyarrow.compute', 'numpy.ma')))\n"
    )
    for name in ("p.csv", "p.parquet"):
        args = ["audit", "-p", name, "--sensitive", "sex", "--y-true", "label", "--y-pred",
                "pred", "--y-score", "score", "-o", f"out-{name}", "--exit-zero"]  # fmt: skip
        done = subprocess.run([sys.executable, "-c", child, *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.stdout.split()[-2:] == ["0", "False"], done.stdout + done.stderr


@pytest.mark.parametrize("mark", [".", "\\N", "-", "n/a"])
def test_a_mark_for_no_score_says_what_to_do_with_its_rows(mark):
    """SAS's '.', MySQL's '\\N' or '-' for no score was refused as "the column holds text
    ('.' at data row 2)", without the way on."""
    said = _scores(["0.5", mark, "0.25"])
    assert said == (f"f: s: scores must be numbers (probabilities in [0, 1]); the column holds "
                    f"text ({mark!r} at data row 2): a mark for no score? give every row its "
                    "P(positive), or drop the rows without one")


@pytest.mark.parametrize("batch_rows", [70, 1_000_000])
def test_the_predicted_class_confidence_as_a_score_is_refused(tmp_path, batch_rows):
    """A Hugging Face pipeline's export (label, score: the predicted label's probability, at
    least 0.5 in every row) audited with --y-score score gave ROC AUC 0.51 where P(positive)
    gives 0.84, and failed the calibration gate on it, exit 1."""
    rng = np.random.default_rng(12)
    y = rng.integers(0, 2, 600)
    p1 = np.clip(y * 0.3 + rng.random(600) * 0.7, 0, 1).round(4)
    pred = (p1 >= 0.5).astype(int)
    confidence = np.where(pred == 1, p1, 1 - p1).round(4)
    word = np.array(["LABEL_0", "LABEL_1"])
    path = tmp_path / "hf.csv"
    path.write_text("label,pred,score,g\n" + "".join(
        f"{word[a]},{word[b]},{c},a\n" for a, b, c in zip(y, pred, confidence, strict=True)))
    cols = Columns("label", "pred", "score", ("g",))
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(path, cols, positive_label="LABEL_1", batch_rows=batch_rows)
    assert err.value.field == "score"
    assert str(err.value).endswith(
        "score: every score is 0.5 or more, rows predicted 'LABEL_0' score as high as rows "
        "predicted 'LABEL_1', and read as 1 - the score where pred is 'LABEL_0' the scores "
        f"rank label better (ROC AUC about 0.85 against 0.46 as written, of 600 rows: "
        f"{int(y.sum())} 'LABEL_1' in label, beyond chance at those counts): the predicted "
        "label's probability (a Hugging Face "
        "pipeline's score), not P('LABEL_1')? give P('LABEL_1'): the score where pred is "
        "'LABEL_1', else 1 - the score")
    fixed = tmp_path / "fixed.csv"  # the way the message says: audited
    fixed.write_text("label,pred,score,g\n" + "".join(
        f"{word[a]},{word[b]},{c if b else round(1 - c, 4)},a\n"
        for a, b, c in zip(y, pred, confidence, strict=True)))  # fmt: skip
    got = reduce_predictions(fixed, cols, positive_label="LABEL_1", batch_rows=batch_rows)
    assert got.scores.roc_auc > 0.8


def test_scores_all_above_a_half_thresholded_above_it_are_audited(tmp_path):
    """P(positive) of a model whose every row scores 0.5 or more, y_pred its threshold 0.8:
    the predicted classes' scores do not overlap, so it is no predicted label's probability."""
    rng = np.random.default_rng(13)
    y = rng.integers(0, 2, 400)
    score = (0.5 + 0.5 * np.clip(y * 0.3 + rng.random(400) * 0.7, 0, 1)).round(4)
    path = tmp_path / "p.csv"
    path.write_text("y,p,s,g\n" + "".join(f"{a},{int(c >= 0.8)},{c},a\n"
                                          for a, c in zip(y, score, strict=True)))  # fmt: skip
    got = reduce_predictions(path, Columns("y", "p", "s", ("g",)))
    assert got.scores.roc_auc > 0.8


@pytest.mark.parametrize("batch_rows", [70, 1_000_000])
def test_p_positive_thresholded_per_group_is_audited_not_taken_for_confidence(tmp_path,
                                                                              batch_rows):
    """P(positive) of a good model at a 90% base rate (every score 0.5 or more), y_pred from
    per-group thresholds (a: 0.8, b: 0.7, as fairlearn's ThresholdOptimizer gives) was refused
    as a Hugging Face export, since rows predicted 0 in one group score above rows predicted 1
    in the other; its advice (1 - the score where y_pred is 0) would corrupt right scores.
    Read so, the scores rank y_true worse: audited."""
    rng = np.random.default_rng(14)
    y = (rng.random(600) < 0.9).astype(int)
    score = np.where(y == 1, 0.55 + 0.45 * rng.random(600), 0.5 + 0.25 * rng.random(600))
    group = rng.choice(["a", "b"], 600)
    pred = (score >= np.where(group == "a", 0.8, 0.7)).astype(int)
    path = tmp_path / "p.csv"
    path.write_text("y,p,s,g\n" + "".join(f"{a},{b},{c:.4f},{g}\n" for a, b, c, g
                                          in zip(y, pred, score, group, strict=True)))  # fmt: skip
    got = reduce_predictions(path, Columns("y", "p", "s", ("g",)), batch_rows=batch_rows)
    assert got.scores.roc_auc > 0.8
