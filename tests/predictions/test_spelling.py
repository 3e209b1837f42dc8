"""Labels typed differently but read alike ("Male " and "Male", a non-breaking space, Unicode's
composed and decomposed forms) are one group, and the audit names the spellings it merged;
a literal group "(missing)" beside --missing-group is refused, never merged."""

from __future__ import annotations

import json
import unicodedata

import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from auditor.api import audit_predictions
from auditor.cli import app
from auditor.errors import AuditorInputError
from auditor.predictions.notes import record_notes
from auditor.predictions.read import Columns, reduce_predictions
from auditor.predictions.spelling import Spellings, canonical, canonical_column

NFD = unicodedata.normalize("NFD", "Café")


def _frame() -> pd.DataFrame:
    sex = ["Male ", "Male", "Female", "Female", "Male\u00a0", "Female", "Male", " Female"]
    city = ["Café", NFD, "Köln", "Köln"] * 2
    return pd.DataFrame({"y_true": [0, 1, 0, 1, 1, 0, 1, 0] * 5,
                         "y_pred": [0, 1, 1, 1, 0, 0, 1, 0] * 5,
                         "sex": sex * 5, "city": city * 5})  # fmt: skip


def _groups(data: dict, feature: str) -> dict[str, int]:
    return {g["group"]: g["n"] for g in data["fairness"]["features"][feature]["groups"]}


def test_canonical_reads_spaces_and_unicode_forms_as_one_label():
    assert canonical(" Male\u00a0") == canonical("Male") == "Male"
    assert canonical(NFD) == canonical("Café") and NFD != "Café"
    assert canonical("New\u00a0York") == "New York"
    assert canonical("\ufeffMale\u200b") == "Male"  # invisible: a BOM, a zero-width space
    assert canonical("Ｍale") != "Male"  # a full-width letter is another label (no NFKC)


def test_merged_spellings_are_one_group_named_in_the_record_card_and_terminal(tmp_path):
    frame = _frame()
    frame.to_csv(tmp_path / "p.csv", index=False)
    runs = [audit_predictions(src, y_true="y_true", y_pred="y_pred", sensitive=["sex", "city"])
            for src in (frame, tmp_path / "p.csv")]  # fmt: skip
    for result in runs:
        data = result.data
        assert _groups(data, "sex") == {"Female": 20, "Male": 20}
        assert _groups(data, "city") == {"Café": 20, "Köln": 20}
        merged = data["fairness"]["source"]["merged_labels"]
        assert merged == {"city": {"Café": sorted(["Café", NFD])},
                          "sex": {"Female": [" Female", "Female"],
                                  "Male": ["Male", "Male ", "Male\u00a0"]}}  # fmt: skip
        notes = record_notes(data, ["sex", "city"], None)
        assert len(notes) == 3 and all("read as one label" in note for note in notes)
        assert "'Male\\xa0'" in notes[2] and "'Cafe\\u0301'" in notes[0]
        assert data["data"]["description"].endswith(" ".join(notes))
    # the DataFrame and the CSV agree, to the last number
    same = [json.dumps(run.data["fairness"]["features"], sort_keys=True) for run in runs]
    assert same[0] == same[1]  # as text: NaN (an undefined rate) is not equal to itself


def test_a_file_of_one_spelling_each_records_no_merge(tmp_path):
    frame = pd.DataFrame({"y_true": [0, 1] * 20, "y_pred": [0, 1] * 20, "g": [" a", " b"] * 20})
    data = audit_predictions(frame, y_true="y_true", y_pred="y_pred", sensitive=["g"]).data
    assert "merged_labels" not in data["fairness"]["source"]
    assert _groups(data, "g") == {"a": 20, "b": 20}


@pytest.mark.parametrize("batch_rows", [3, 4])
def test_spellings_merged_in_separate_batches_are_named_together(tmp_path, batch_rows):
    """At 4 rows a batch, 'x' and 'x ' never share one: the merge was counted but not named
    (found by a reader)."""
    path = tmp_path / "p.csv"
    pd.DataFrame({"y_true": [0, 1] * 6, "y_pred": [1, 1] * 6,
                  "g": ["x"] * 4 + ["x "] * 4 + ["y"] * 4}).to_csv(path, index=False)  # fmt: skip
    pc = reduce_predictions(path, Columns(sensitive=("g",)), batch_rows=batch_rows)
    assert pc.merged == {"g": {"x": ["x", "x "]}}
    assert pc.table.group_labels == (("x", "y"),)


def test_a_class_label_typed_two_ways_is_one_class_and_named():
    frame = pd.DataFrame({"y_true": ["yes", "yes ", "no"] * 10, "y_pred": ["yes", "no", "no"] * 10,
                          "g": ["a", "b", "a"] * 10})  # fmt: skip
    data = audit_predictions(frame, y_true="y_true", y_pred="y_pred", sensitive=["g"],
                             positive_label="yes").data  # fmt: skip
    assert data["fairness"]["source"]["merged_labels"] == {"y_true": {"yes": ["yes", "yes "]}}
    assert data["data"]["splits"]["test"]["class_balance"] == {"no": 10, "yes": 20}


def test_an_unused_dictionary_entry_is_not_named_as_merged():
    column = pa.DictionaryArray.from_arrays(pa.array([0, 0, 2], pa.int32()),
                                            pa.array(["M", "M ", "F"]))  # fmt: skip
    found = Spellings()
    out = canonical_column(column, "g", found)
    assert out.to_pylist() == ["M", "M", "F"] and found.merged == {}


CSV = "y_true,y_pred,sex\n0,0,(missing)\n1,1,M\n0,1,{blank}\n1,0,F\n"


@pytest.mark.parametrize(("blank", "way"), [("", "fill the rows with no value"),
                                            ("M", "audit without --missing-group")])
def test_a_literal_missing_group_beside_missing_group_is_refused(tmp_path, blank, way):
    path = tmp_path / "p.csv"
    path.write_text(CSV.format(blank=blank))
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["audit", "-p", str(path), "--sensitive", "sex",
                                      "--missing-group", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    said = f"{path}: sex: the column holds a group named '(missing)'"
    assert len(lines) == 1 and said in lines[0]
    assert way in lines[0] and not out.exists()


def test_a_literal_missing_group_is_refused_in_a_later_batch_and_in_pythons_words(tmp_path):
    frame = pd.DataFrame({"y_true": [0, 1] * 6, "y_pred": [0, 1] * 6,
                          "g": [None] + ["a"] * 9 + ["(missing)", "b"]})  # fmt: skip
    with pytest.raises(AuditorInputError, match="missing_group=True gives rows with no value"):
        audit_predictions(frame, y_true="y_true", y_pred="y_pred", sensitive=["g"],
                          missing_group=True, batch_rows=4)  # fmt: skip
    # without --missing-group, '(missing)' is a group like any other
    data = audit_predictions(frame.fillna("c"), y_true="y_true", y_pred="y_pred",
                             sensitive=["g"]).data  # fmt: skip
    assert "(missing)" in _groups(data, "g")


def test_the_audit_json_of_a_merge_reads_back(tmp_path):
    out = tmp_path / "run"
    audit_predictions(_frame(), y_true="y_true", y_pred="y_pred", sensitive=["sex"], out_dir=out)
    data = json.loads((out / "audit.json").read_text())
    assert data["fairness"]["source"]["merged_labels"]["sex"]["Male"][2] == "Male\u00a0"
    assert "read as one label" in (out / "model_card.html").read_text()


def test_the_preview_reads_groups_as_the_counts_do():
    """The mitigation preview's groups: one spelling first, then a value of only invisible
    characters is missing ('(missing)' as in the counts; it was the group '')."""
    import numpy as np
    import pyarrow as pa

    from auditor.predictions.audit import _groups_frame, _stripped
    from auditor.predictions.source import Columns

    cols = Columns(sensitive=("sex",), missing_group="(missing)")
    frame = _groups_frame(pa.table({"sex": ["a", "\u200b", "b\u00a0", None]}), cols)
    assert frame["sex"].tolist() == ["a", "(missing)", "b", "(missing)"]
    assert _stripped(np.array(["Yes ", "no", "Yes"], dtype=object)).tolist() == ["Yes", "no", "Yes"]


@pytest.mark.parametrize("batch_rows", [7, 1_000_000])
def test_a_group_number_written_as_an_integer_and_a_float_is_refused_not_split(tmp_path,
                                                                                batch_rows):
    """Region 1 written '1' in some rows and '1.0' in others (a file pandas wrote as floats, for
    a missing value, joined with one written as integers) was audited as two groups '1' and
    '1.0', each with half the region's rows; '007' beside '7' (codes) stay two groups."""
    frame = _frame().assign(region=["1", "1.0", "2", "2"] * 10, site=["007", "7"] * 20)
    frame.to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(tmp_path / "p.csv", y_true="y_true", y_pred="y_pred",
                          sensitive=["site", "region"], batch_rows=batch_rows)
    assert err.value.field == "region"
    assert str(err.value).endswith(
        "region: groups '1' (10 rows) and '1.0' (10 rows) are one number written two ways "
        "(files joined, written by different tools? pandas writes integers with a missing "
        "value as floats): write the column one way")
    data = audit_predictions(frame, y_true="y_true", y_pred="y_pred", sensitive=["site"]).data
    assert _groups(data, "site") == {"007": 20, "7": 20}
    long = ["12345678901234567890", "12345678901234567891"]  # apart only past a float's digits
    data = audit_predictions(frame.assign(site=long * 20), y_true="y_true", y_pred="y_pred",
                             sensitive=["site"]).data  # fmt: skip
    assert _groups(data, "site") == dict.fromkeys(long, 20)
    frame = frame.assign(band=["1.5", "1.50", "2", "2.0"] * 10)  # '1.5', '1.50': codes
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(frame, y_true="y_true", y_pred="y_pred", sensitive=["band"])
    assert "groups '2' (10 rows) and '2.0' (10 rows) are one number" in str(err.value)


def test_codes_apart_in_trailing_decimal_zeros_are_audited_as_written_and_noted(tmp_path):
    """Region codes '1.1' and '1.10' (section numbers; ICD-9 250.1 and 250.10 are different
    diagnoses) were refused as 'one number written two ways: write the column one way', which
    would merge two real groups. They are two groups, noted as equal as numbers."""
    codes = ["1.1", "1.10", "1.2", "2.1", "1.0", "1.00"]
    frame = _frame().assign(region=(codes * 10)[:40])
    frame.to_csv(tmp_path / "p.csv", index=False)
    got = audit_predictions(tmp_path / "p.csv", y_true="y_true", y_pred="y_pred",
                            sensitive=["region"], out_dir=tmp_path / "run")  # fmt: skip
    assert _groups(got.data, "region") == {"1.1": 7, "1.10": 7, "1.2": 7, "2.1": 7, "1.0": 6,
                                           "1.00": 6}  # fmt: skip
    said = got.data["data"]["description"]
    assert ("region: groups '1.1' (7 rows) and '1.10' (7 rows) are equal as numbers, apart in "
            "trailing zeros: audited as written, as codes (section numbers, ICD codes); if they "
            "are one number written two ways, write the column one way.") in said
    assert "groups '1.0' (6 rows) and '1.00' (6 rows) are equal as numbers" in said


@pytest.mark.parametrize("batch_rows", [7, 1_000_000])
def test_whole_numbers_written_with_one_and_two_decimal_zeros_are_refused(tmp_path, batch_rows):
    """A column of whole numbers written '1.0'/'2.0' by one tool and '1.00'/'2.00' by another
    (R5's grp_10_100.csv) was audited as four groups, each region split in two: every number
    of the column whole, it is one number written two ways, refused as '1' beside '1.0' is."""
    frame = _frame().assign(region=["1.0", "1.00", "2.0", "2.00"] * 10)
    frame.to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(tmp_path / "p.csv", y_true="y_true", y_pred="y_pred",
                          sensitive=["region"], batch_rows=batch_rows,
                          out_dir=tmp_path / "run")  # fmt: skip
    assert err.value.field == "region"
    assert "region: groups '1.0' (10 rows) and '1.00' (10 rows) are one number written two " \
        "ways" in str(err.value)  # fmt: skip
    assert not (tmp_path / "run").exists()
