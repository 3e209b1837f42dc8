"""Bring-your-own tables: which columns are inputs, and every refusal names file and key."""

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from auditor.config import TableData
from auditor.config.labels import label_index
from auditor.data import load_bundle
from auditor.data import table as T
from auditor.errors import AuditorInputError, data_row, rows_text
from tests.data.test_sources import assert_disjoint


def make_table(n=400, seed=0):
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b"], n)
    x1 = rng.normal(size=n)
    cat = rng.choice(["u", "v", "w"], n)
    y = np.where(x1 + (cat == "u") + rng.normal(scale=0.5, size=n) > 0.5, "yes", "no")
    return pd.DataFrame({"x1": x1, "cat": cat, "group": g, "label": y})


def write(tmp_path, frame, name="t.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False) if name.endswith(".csv") else frame.to_parquet(path)
    return path


def config(path, **changes):
    return TableData(**{"path": path, "target": "label", "sensitive": ["group"], **changes})


def refused(cfg, field):
    """The one-line error of loading ``cfg``; it names the file and ``field``."""
    with pytest.raises(AuditorInputError) as err:
        load_bundle(cfg, seed=0)
    text = str(err.value)
    assert str(cfg.path) in text and "\n" not in text
    if field is not None:
        assert err.value.field == field and field in text
    return text


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_table_bundle(tmp_path, suffix):
    path = write(tmp_path, make_table(), f"t{suffix}")
    b = load_bundle(config(path, positive_label="yes"), seed=0)
    assert_disjoint(b)
    assert b.finetune_task.class_names == ("no", "yes")
    assert b.feature_names == ("x1", "cat=u", "cat=v", "cat=w")
    pre = b.preprocessing
    assert pre.features == ["x1", "cat"] and pre.sensitive_excluded == ["group"]
    assert not pre.sensitive_as_features and "group" not in b.sensitive_input_columns
    assert [(c.column, c.n_levels) for c in pre.one_hot] == [("cat", 3)]
    assert pre.imputed == [] and pre.numeric == ["x1"]


def test_sensitive_as_features_makes_them_inputs(tmp_path):
    path = write(tmp_path, make_table())
    b = load_bundle(config(path, sensitive_as_features=True), seed=0)
    assert "group=a" in b.feature_names and b.sensitive_input_columns["group"]
    assert b.preprocessing.sensitive_excluded == []


def test_sensitive_named_as_feature_needs_the_switch(tmp_path):
    path = write(tmp_path, make_table())
    text = refused(config(path, features=["x1", "group"]), "data.features")
    assert T.SENSITIVE_AS_INPUT.format(col="group") in text


def test_id_column_refused_unless_named(tmp_path):
    frame = make_table()
    frame.insert(0, "applicant_id", [f"A{i:05d}" for i in range(len(frame))])
    frame["row_number"] = np.arange(len(frame), dtype=float)  # an ID stored as float
    path = write(tmp_path, frame)
    text = refused(config(path), "data.features")
    assert T.ID_LIKE.format(col="applicant_id", n=400) in text
    text = refused(config(path, drop=["applicant_id"]), "data.features")
    assert T.ID_LIKE.format(col="row_number", n=400) in text
    b = load_bundle(config(path, drop=["applicant_id"], features=["x1", "row_number"]), seed=0)
    assert b.preprocessing.id_like_features == ["row_number"]
    assert b.preprocessing.dropped == ["applicant_id"]
    # named as an input, a string ID is still bounded by max_categories
    text = refused(config(path, features=["x1", "applicant_id"]), "data.max_categories")
    assert T.TOO_MANY_LEVELS.format(col="applicant_id", n=400, k=100) in text


def test_continuous_float_is_not_an_id(tmp_path):
    path = write(tmp_path, make_table())  # x1: distinct in every row, not integers
    assert load_bundle(config(path), seed=0).preprocessing.id_like_features == []


def test_drop_keeps_a_column_out(tmp_path):
    path = write(tmp_path, make_table())
    b = load_bundle(config(path, drop=["cat"]), seed=0)
    assert b.feature_names == ("x1",) and b.preprocessing.dropped == ["cat"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"target": "nope"}, "data.target", T.NO_COLUMN.format(col="nope")),
        ({"sensitive": ["sex"]}, "data.sensitive", T.NO_COLUMN.format(col="sex")),
        ({"drop": ["nope"]}, "data.drop", T.NO_COLUMN.format(col="nope")),
        ({"features": ["x1", "nope"]}, "data.features", T.NO_COLUMN.format(col="nope")),
        ({"features": ["x1", "label"]}, "data.features", T.TARGET_AS_INPUT.format(col="label")),
        (
            {"features": ["x1"], "drop": ["x1"]},
            "data.features",
            T.FEATURE_AND_DROP.format(col="x1"),
        ),
        (
            {"positive_label": "maybe"},
            "data.positive_label",
            "positive_label 'maybe' is not a value of 'label' (it holds: 'no', 'yes'); name one",
        ),
    ],
)
def test_table_bad_columns(tmp_path, change, field, message):
    path = write(tmp_path, make_table())
    assert message in refused(config(path, **change), field)


def test_a_positive_label_of_another_case_is_refused_naming_the_classes_it_could_be(tmp_path):
    """'Yes' / 'No' with positive_label = "yes": the refusal said only that 'yes' is not a
    value, leaving the user to open the file; it names the classes (the first 12 of many)."""
    frame = make_table()
    frame["label"] = frame["label"].str.capitalize()
    text = refused(config(write(tmp_path, frame), positive_label="yes"), "data.positive_label")
    assert "positive_label 'yes' is not a value of 'label' (it holds: 'No', 'Yes')" in text
    from auditor.data.groups import held

    assert held([f"c{i}" for i in range(14)]) == ", ".join(f"'c{i}'" for i in range(12)) + (
        " and 2 more")


def test_duplicate_csv_column_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("x1,g,g,label,group\n1,2,3,yes,a\n2,3,4,no,b\n")
    text = refused(config(path), "g")  # the column is the field, not data.path (read_table)
    assert T.DUPLICATE_COLUMN.format(col="g", n=2) in text


def test_duplicate_parquet_column_refused(tmp_path):
    path = tmp_path / "t.parquet"
    arrays = [pa.array([1.5, 2.5]), pa.array([1, 2]), pa.array([3, 4]), pa.array(["y", "n"]),
              pa.array(["a", "b"])]  # fmt: skip
    pq.write_table(pa.Table.from_arrays(arrays, names=["x1", "g", "g", "label", "group"]), path)
    assert T.DUPLICATE_COLUMN.format(col="g", n=2) in refused(config(path), None)


def test_header_only_table_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("x1,cat,group,label\n")
    assert T.NO_ROWS in refused(config(path), None)


def test_not_utf8_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"x1,gr\xffoup,label\n1,a,yes\n")
    assert T.NOT_UTF8 in refused(config(path), None)


def test_a_utf16_table_is_read_as_its_utf8_copy(tmp_path):
    """Excel's 'Unicode Text' (UTF-16 with its byte-order mark, tab-separated): the same frame
    as the UTF-8 file."""
    frame = make_table()
    frame.loc[3, "cat"] = "Dänemark"
    utf8, utf16 = tmp_path / "t.csv", tmp_path / "t.txt"
    frame.to_csv(utf8, index=False)
    frame.to_csv(utf16, index=False, sep="\t", encoding="utf-16")
    pd.testing.assert_frame_equal(T.read_frame(utf16), T.read_frame(utf8))


def test_numeric_imputation_reported(tmp_path):
    frame = make_table()
    frame.loc[[3, 7, 11], "x1"] = np.nan
    frame.loc[[4, 8], "cat"] = np.nan
    path = write(tmp_path, frame)
    b = load_bundle(config(path), seed=0)
    (imp,) = b.preprocessing.imputed
    assert imp.column == "x1" and imp.n_missing == 3
    fit = np.concatenate([b["pretrain"].ids, b["finetune_train"].ids])
    assert imp.fill_value == pytest.approx(np.nanmean(frame["x1"].to_numpy()[fit]))
    assert all(np.isfinite(s.x).all() for s in b.splits.values())
    (cat,) = b.preprocessing.one_hot
    assert cat.n_missing == 2 and cat.n_levels in (3, 4)  # "(missing)" if a training row has it
    assert "cat=nan" not in b.feature_names


def test_high_cardinality_refused_above_the_bound(tmp_path):
    frame = make_table()
    frame["city"] = [f"c{i % 150}" for i in range(len(frame))]
    path = write(tmp_path, frame)
    text = refused(config(path), "data.max_categories")
    assert T.TOO_MANY_LEVELS.format(col="city", n=150, k=100) in text
    b = load_bundle(config(path, max_categories=200), seed=0)
    assert {c.column: c.n_levels for c in b.preprocessing.one_hot}["city"] <= 150


def test_missing_sensitive_refused_by_default(tmp_path):
    frame = make_table()
    frame.loc[[5, 9], "group"] = None
    path = write(tmp_path, frame)
    text = refused(config(path), "data.sensitive")
    # the 6th row under the header: 'data row 6', as the predictions reader names rows
    assert T.MISSING_SENSITIVE.format(col="group", labels="2 missing or empty group labels",
                                       row="data row 6") in text


def test_missing_group_audits_them_as_a_group(tmp_path):
    frame = make_table()
    frame.loc[[5, 9], "group"] = None
    path = write(tmp_path, frame)
    b = load_bundle(config(path, missing_group=True), seed=0)
    labels = pd.concat([s.sensitive["group"] for s in b.splits.values()])
    assert (labels == "(missing)").sum() <= 2 and set(labels) <= {"a", "b", "(missing)"}
    assert b.preprocessing.missing_group == "(missing)"
    assert b.preprocessing.missing_sensitive == {"group": 2}


def test_single_class_refused(tmp_path):
    frame = make_table()
    frame["label"] = "yes"
    path = write(tmp_path, frame)
    text = refused(config(path), "data.target")
    assert T.SINGLE_CLASS.format(col="label", label="yes") in text


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_text("x")
    assert T.UNSUPPORTED in refused(config(path), None)


def test_validate_table_does_not_import_torch(tmp_path):
    frame = make_table()
    frame["applicant_id"] = range(len(frame))
    path = write(tmp_path, frame)
    code = (
        "import sys\nfrom auditor.config import TableData\nfrom auditor.data.table import "
        "validate_table\nfrom auditor.errors import AuditorInputError\n"
        f"cfg = TableData(path={str(path)!r}, target='label', sensitive=['group'])\n"
        "try:\n    validate_table(cfg)\nexcept AuditorInputError as e:\n    print(e.field)\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["data.features", "False"]


def test_validate_data_checks_a_table_before_any_work(tmp_path):
    from auditor.data import validate_data

    frame = make_table()
    frame.loc[2, "group"] = None
    path = write(tmp_path, frame)
    with pytest.raises(AuditorInputError) as err:
        validate_data(config(path))
    assert err.value.field == "data.sensitive" and str(path) in str(err.value)
    validate_data(config(path, missing_group=True))  # accepted: nothing raised


def test_ragged_csv_is_one_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("x1,cat,group,label\n1,u,a,yes\n2,v,b,no,extra,more\n")
    text = refused(config(path), None)
    assert T.CANNOT_READ.split("(")[0] in text and "ParserError" in text


def test_preflight_read_is_handed_to_the_loader_once(tmp_path, monkeypatch):
    # preflight reads with keep=True; the loader that follows takes that frame instead of
    # parsing the file again, and only while the file is unchanged
    path = write(tmp_path, make_table())
    parses = []
    real = T._parse_frame
    monkeypatch.setattr(T, "_parse_frame", lambda p, *a: parses.append(p) or real(p, *a))
    kept = T.read_frame(path, keep=True)
    assert T.read_frame(path) is kept and len(parses) == 1
    assert T.read_frame(path) is not kept and len(parses) == 2  # taken: parsed again
    T.read_frame(path, keep=True)
    write(tmp_path, make_table(n=300, seed=1))  # the file changes after the check
    assert len(T.read_frame(path)) == 300 and len(parses) == 4


def test_the_handoff_holds_a_runs_files_and_drops_the_oldest(tmp_path, monkeypatch):
    # a run's three files (rows, members, non-members) are each kept; a fourth kept file
    # drops the oldest, so frames of a run that never loaded do not pile up
    monkeypatch.setattr(T, "_HANDOFF", {})
    paths = [write(tmp_path, make_table(n=50 + i), name=f"f{i}.csv") for i in range(4)]
    kept = [T.read_frame(p, keep=True) for p in paths[:3]]
    assert [T.read_frame(p) is k for p, k in zip(paths[:3], kept, strict=True)] == [True] * 3
    kept = [T.read_frame(p, keep=True) for p in paths]
    assert len(T._HANDOFF) == T.HANDOFF_FILES
    assert T.read_frame(paths[0]) is not kept[0] and T.read_frame(paths[3]) is kept[3]


def test_question_marks_and_spaces_after_commas_read_as_in_uci_files(tmp_path):
    # UCI Adult writes "39, State-gov, ?": a space after each comma and "?" for missing
    frame = make_table()
    frame["age"] = (np.arange(len(frame)) % 50 + 20).astype(object)
    frame.loc[::7, "age"] = "?"
    path = tmp_path / "uci.csv"
    path.write_text(frame.to_csv(index=False).replace(",", ", "))
    bundle = load_bundle(config(path, drop=["cat"]), seed=0)
    pre = bundle.preprocessing
    assert pre.features == ["x1", "age"] and pre.numeric == ["x1", "age"]  # not 'age' as text
    assert [c.column for c in pre.imputed] == ["age"] and pre.imputed[0].n_missing > 0
    assert set(bundle["test"].sensitive["group"]) == {"a", "b"}  # not " a"


@pytest.mark.parametrize("name", ["t.csv", "t.parquet"])
def test_question_mark_group_label_is_missing(tmp_path, name):
    """'?' is a missing group in a Parquet file too, as `auditor audit` reads it: a run read it
    as a group of its own ('?' is missing in a CSV only by the CSV reader's na_values)."""
    frame = make_table()
    frame.loc[3, "group"] = "?"
    text = refused(config(write(tmp_path, frame, name)), "data.sensitive")
    assert "missing" in text and "data row 4" in text  # frame row 3: the 4th under the header
    bundle = load_bundle(config(write(tmp_path, frame, name), missing_group=True), seed=0)
    assert bundle.preprocessing.missing_sensitive == {"group": 1}


@pytest.mark.parametrize("name", ["t.csv", "t.parquet"])
def test_a_run_counts_a_missing_target_as_an_audit_does(tmp_path, name):
    """A Parquet target with '' at data row 3, '?' at 5, None at 10 and ' ' at 14: `auditor
    audit` said 4 rows without a class, a run 3 ('?' was a class of its own: a target of only
    '?' and two classes was said to have 3 classes). One rule in both, CSV and Parquet alike."""
    from auditor.fairness.counts import counts_from_arrays

    frame = make_table(n=40)
    frame["label"] = frame["label"].astype(object)
    frame.loc[[2, 4, 9, 13], "label"] = ["", "?", None, " "]
    path = write(tmp_path, frame, name)
    text = refused(config(path), "data.target")
    assert "4 rows without a class in data rows 1-40 (first at data row 3)" in text
    with pytest.raises(AuditorInputError) as err:  # the audit's count of the same column
        counts_from_arrays(frame["label"].to_numpy(), np.array(["no"] * 40, dtype=object),
                           {"g": frame["group"].to_numpy()})  # fmt: skip
    assert "4 rows without a class in data rows 1-40 (first at data row 3)" in str(err.value)


def test_target_as_sensitive_feature_is_refused(tmp_path):
    path = write(tmp_path, make_table())
    text = refused(config(path, sensitive=["group", "label"]), "data.sensitive")
    assert "'label'" in text and "target" in text


def test_numbers_with_a_text_marker_are_refused_not_one_hot(tmp_path):
    # 'unknown' among ages: read as text, the column would be 50 one-hot categories
    frame = make_table()
    frame["age"] = (np.arange(len(frame)) % 50 + 20).astype(object)
    frame.loc[[5, 9], "age"] = "unknown"
    text = refused(config(write(tmp_path, frame)), "data.features")
    assert "'age'" in text and "'unknown' in 2 rows" in text and "data row 6" in text
    assert "name the inputs in data.features" in text


def test_codes_and_text_named_in_features_are_kept_as_categories(tmp_path):
    """Grades 1..12 and K are categories: refused as 'numbers and text' when guessed, kept
    when data.features names the column (there was no way to keep them)."""
    frame = make_table()
    frame["grade"] = [str(i % 12 + 1) if i % 9 else "K" for i in range(len(frame))]
    path = write(tmp_path, frame)
    refused(config(path), "data.features")
    bundle = load_bundle(config(path, features=["x1", "grade"]), seed=0)
    assert [c.column for c in bundle.preprocessing.one_hot] == ["grade"]


def test_a_few_codes_with_text_stay_categorical(tmp_path):
    frame = make_table()
    frame["grade"] = np.where(np.arange(len(frame)) % 5 == 0, "X", (np.arange(len(frame)) % 4))
    pre = load_bundle(config(write(tmp_path, frame)), seed=0).preprocessing
    assert ("grade", 5) in [(c.column, c.n_levels) for c in pre.one_hot]


def test_a_continuous_target_is_refused_as_such(tmp_path):
    frame = make_table()
    frame["label"] = frame["x1"] * 1000  # 400 distinct values: a regression target
    text = refused(config(write(tmp_path, frame.drop(columns="x1"))), "data.target")
    assert "400 distinct values" in text and "max_categories = 100" in text  # not a split size


def test_positive_label_names_a_float_label_by_its_number(tmp_path):
    frame = make_table()
    frame["label"] = (frame["label"] == "no").astype(float)  # 0.0 / 1.0 in the file
    bundle = load_bundle(config(write(tmp_path, frame), positive_label=0), seed=0)
    assert bundle.finetune_task.class_names == ("1.0", "0.0")
    assert label_index([0.0, 1.0], "1") == 1
    assert label_index(["1.0", "01"], 1) is None  # two labels equal 1: neither


def test_supplied_rows_refuse_a_positive_label_that_is_not_a_label(tmp_path):
    from auditor.data.supplied import supplied_rows

    frame = make_table()
    cfg = config(tmp_path / "rows.csv", positive_label="maybe", features=["x1"])
    with pytest.raises(AuditorInputError) as err:
        supplied_rows(cfg, frames={"path": frame})  # it was ignored: 'yes' was positive
    assert err.value.field == "data.positive_label" and "'maybe'" in str(err.value)
    rows = supplied_rows(config(tmp_path / "rows.csv", positive_label="no", features=["x1"]),
                         frames={"path": frame})  # fmt: skip
    assert rows.labels == ("yes", "no")


def test_a_label_the_model_does_not_know_is_named_as_written(tmp_path):
    from auditor.data.supplied import supplied_rows

    frame = make_table().assign(label=lambda f: (f.label == "yes").astype(int))
    cfg = config(tmp_path / "rows.csv", features=["x1"])
    with pytest.raises(AuditorInputError) as err:
        supplied_rows(cfg, frames={"path": frame}, labels=("no", "yes"))
    assert re.search(r"target value [01] is not", str(err.value)) and "np." not in str(err.value)


@pytest.mark.parametrize("changes", [{"features": []}, {"drop": ["x1", "cat"]}])
def test_a_table_without_input_columns_is_refused(tmp_path, changes):
    # it trained a model on 0 inputs (torch warned on stderr) and audited it
    text = refused(config(write(tmp_path, make_table()), **changes), "data.features")
    assert "no model input columns" in text


def test_a_pandas_row_index_column_is_named_as_one(tmp_path):
    path = tmp_path / "t.csv"
    make_table().to_csv(path)  # index=True: an unnamed first column 0..n-1
    text = refused(config(path), "data.features")
    assert "no name in the header ('Unnamed: 0')" in text and "index=False" in text
    bundle = load_bundle(config(path, drop=["Unnamed: 0"]), seed=0)
    assert bundle.preprocessing.dropped == ["Unnamed: 0"]


def test_a_delimiter_ending_every_line_header_too_is_no_column(tmp_path):
    """A SAS or Excel export ending every line, the header's too, in the delimiter: the empty
    last column ('Unnamed: 4', no value anywhere) was a model input, 0 in every row."""
    path = tmp_path / "t.csv"
    lines = make_table().to_csv(index=False).splitlines()
    path.write_text("".join(f"{line},\n" for line in lines))
    bundle = load_bundle(config(path), seed=0)
    assert bundle.preprocessing.features == ["x1", "cat"]
    assert bundle.preprocessing.imputed == []
    path.write_text(f"{lines[0]},x9\n" + "".join(f"{line},\n" for line in lines[1:]))
    assert "column 'x9' has no value" in refused(config(path), "data.features")  # named: kept


def test_two_delimiters_ending_every_line_are_no_columns(tmp_path):
    """Excel's export ending every line, the header's too, in ',,': the two empty names were
    refused as "column '' appears 2 times in the header; name each column once", which the user
    cannot do; both empty unnamed columns are no columns, as one is."""
    path = tmp_path / "t.csv"
    lines = make_table().to_csv(index=False).splitlines()
    path.write_text("".join(f"{line},,,\n" for line in lines))
    bundle = load_bundle(config(path), seed=0)
    assert bundle.preprocessing.features == ["x1", "cat"]
    assert bundle.preprocessing.imputed == []
    # a value in a column the header ends without naming is refused, not a model input
    # under pandas' name: one value in the 400 rows was an input imputed to 7.0 everywhere
    for row in (1, 250):
        body = [f"{line},7," if i == row else f"{line},," for i, line in enumerate(lines[1:], 1)]
        path.write_text(f"{lines[0]},,\n" + "".join(f"{line}\n" for line in body))
        text = refused(config(path), "data.path")
        assert (f"data row {row} has a value past the header's 4 names ('7'), where 1 row of "
                "400 holds one") in text, text


@pytest.mark.parametrize("changes", [{}, {"features": ["x1", "empty"]}])
def test_a_column_without_any_value_is_refused_as_a_model_input(tmp_path, changes):
    """A column never filled was a model input of one imputed constant (0.0 in all 400 rows),
    said only as 'imputed' in audit.json; it is refused, saying to drop it."""
    frame = make_table().assign(empty=np.nan)
    text = refused(config(write(tmp_path, frame), **changes), "data.features")
    assert "column 'empty' has no value in any of its 400 rows" in text
    # named in features, drop would be refused beside it (R12): the way out is features
    fix = "remove it from data.features" if changes else "add it to data.drop"
    assert text.endswith(fix), text
    bundle = load_bundle(config(write(tmp_path, frame), drop=["empty"]), seed=0)
    assert bundle.preprocessing.features == ["x1", "cat"]


def test_an_unreadable_file_names_the_key_that_points_at_it(tmp_path):
    from auditor.data.supplied import supplied_rows

    text = refused(config(tmp_path / "absent.csv"), "data.path")
    assert text.endswith("absent.csv: data.path: no such file")
    (tmp_path / "rows.csv").write_text("x1,group,label\n")  # a header and no rows
    assert "no data rows" in refused(config(tmp_path / "rows.csv"), "data.path")
    write(tmp_path, make_table(), "rows.csv")
    cfg = config(tmp_path / "rows.csv", members=tmp_path / "m.csv", features=["x1"])
    with pytest.raises(AuditorInputError) as err:
        supplied_rows(cfg)
    assert err.value.field == "data.members" and "m.csv: data.members: no such file" in str(
        err.value
    )


def test_the_tables_license_and_citation_reach_the_bundle(tmp_path):
    path = write(tmp_path, make_table())
    assert load_bundle(config(path), seed=0).license == ""  # none written: none claimed
    bundle = load_bundle(config(path, license="CC BY 4.0", citation="Survey 2024"), seed=0)
    assert (bundle.license, bundle.citation) == ("CC BY 4.0", "Survey 2024")


def test_a_savetxt_header_names_the_tables_columns(tmp_path):
    """numpy's savetxt writes its header as '# name,...': the names are the columns (the
    first one without its '#'), not a comment above a header of numbers."""
    path = tmp_path / "t.csv"
    make_table().to_csv(path, index=False)
    path.write_text("# " + path.read_text())
    bundle = load_bundle(config(path), seed=0)
    assert bundle.preprocessing.features == ["x1", "cat"]


def test_a_positive_label_among_three_classes_is_refused(tmp_path):
    # it was ignored: every class of a 3-class target is audited one-vs-rest
    frame = make_table()
    frame["label"] = np.where(frame["x1"] > 0.5, "high", np.where(frame["x1"] < -0.5, "low", "mid"))
    text = refused(config(write(tmp_path, frame.drop(columns="x1")), positive_label="high"),
                   "data.positive_label")  # fmt: skip
    assert ("positive label 'high' needs a binary target, and target column 'label' has 3 "
            "classes (high, low, mid)") in text
    assert load_bundle(config(write(tmp_path, frame.drop(columns="x1"))), seed=0)


def test_supplied_rows_refuse_a_positive_label_among_a_models_three_classes(tmp_path):
    from auditor.data.supplied import supplied_rows

    cfg = config(tmp_path / "rows.csv", positive_label="yes", features=["x1"])
    said = "the model has 3 classes \\(maybe, no, yes\\)"
    with pytest.raises(AuditorInputError, match=said) as err:
        supplied_rows(cfg, frames={"path": make_table()}, labels=("maybe", "no", "yes"))
    assert err.value.field == "data.positive_label"


@pytest.mark.parametrize("column", ["label", "group"])
def test_values_the_same_but_for_spaces_are_one_label_named_on_the_card(tmp_path, column):
    # 'yes ' was a third class (or 'a ' a third group), silently; then it was refused; now it
    # is read as 'yes' (as a predictions file's is), and the card names the merge
    clean = make_table()
    frame = clean.copy()
    frame.loc[frame.index[::7], column] = frame[column].iloc[::7] + " "
    got, want = (load_bundle(config(write(tmp_path, f, name)), seed=0)
                 for f, name in ((frame, "t.csv"), (clean, "clean.csv")))  # fmt: skip
    for name, split in want.splits.items():
        assert np.array_equal(got.splits[name].y, split.y)
        assert got.splits[name].sensitive.equals(split.sensitive)
    assert got.finetune_task.class_names == want.finetune_task.class_names
    label = clean[column].iloc[0]
    note = f"{column}: {label!r}, {label + ' '!r} are read as one label {label!r}"
    assert note in got.description


def _not_mixed_row_by_row(values, *, col, src):
    """check_not_mixed as it was: every row parsed (the reference for the distinct-values one)."""
    present = values.dropna()
    numbers = pd.to_numeric(present, errors="coerce")
    text = numbers.isna()
    if not text.any() or text.mean() >= 0.5 or numbers.nunique() <= T.MAX_CODES:
        return
    first = present.index[text.to_numpy()][0]
    raise AuditorInputError(T.NUMBERS_AND_TEXT.format(
        col=col, n_numbers=int(numbers.nunique()), text=str(present[first]),
        n_text=rows_text(int(text.sum())), row=data_row(int(values.index.get_loc(first))),
    ), source=src, field="data.features")  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_not_mixed_reads_each_distinct_value_once_with_the_row_by_row_verdict(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    numbers = rng.integers(0, int(rng.integers(2, 40)), n).astype(str)
    pool = np.array(["unknown", "-", "K", " 7", "1.0", "1e3", "", "x y"], dtype=object)
    values = np.where(rng.random(n) < rng.uniform(0, 0.8), rng.choice(pool, n), numbers)
    series = pd.Series(values, dtype=object, index=rng.permutation(n) + 5)
    series[rng.random(n) < 0.1] = None
    for column in (series, series.astype("string"), series.astype(str).where(series.notna())):
        outcome = []
        for check in (T.check_not_mixed, _not_mixed_row_by_row):
            try:
                check(column, col="c", src="t.csv")
                outcome.append(None)
            except AuditorInputError as err:
                outcome.append(str(err))
        assert outcome[0] == outcome[1]


@pytest.mark.parametrize(
    ("values", "id_like"),
    [(pd.Series([0.5, 1.5, 2.5]), False),  # distinct, continuous: a measurement
     (pd.Series([1.0, 2.0, np.nan]), True), (pd.Series([1.0, np.nan, np.nan]), False),
     (pd.Series([1.0, 2.0, np.inf]), True), (pd.Series([1.0, 2.0, None], dtype="Float64"), True),
     (pd.Series([1.5, None], dtype="Float64"), False), (pd.Series([3, 1, 2]), True),
     (pd.Series([1, 1, 2]), False), (pd.Series(["a", None, "b"]), True),
     (pd.Series([True, False]), False), (pd.Series([7.0]), False)],
)  # fmt: skip
def test_an_id_is_a_distinct_value_in_every_row_unless_a_continuous_float(values, id_like):
    assert T.is_id_like(values) is id_like


def test_a_parquet_file_of_two_empty_column_names_is_refused_as_a_duplicate(tmp_path):
    """Two Parquet columns named "" (pyarrow writes them) were let past the header check by the
    CSV's exemption for Excel's ',,' and refused as a damaged file ('Multiple matches for
    FieldRef'), which it is not; a Parquet file's names are its own: one named twice is said so."""
    path = tmp_path / "t.parquet"
    frame = make_table()
    arrays = [pa.array(frame[c]) for c in frame.columns] + [pa.array([None] * len(frame))] * 2
    pq.write_table(pa.Table.from_arrays(arrays, names=[*frame.columns, "", ""]), path)
    text = refused(config(path), None)
    assert T.DUPLICATE_COLUMN.format(col="", n=2) in text and "damaged" not in text


@pytest.mark.parametrize(
    ("header_end", "row_end", "kept"),
    [(",", ",,", []), (",,", ",,,", []), (",,", ",,5", None)],
)
def test_every_empty_unnamed_column_ending_the_header_is_no_column(tmp_path, header_end, row_end,
                                                                   kept):  # fmt: skip
    """Rows with one delimiter more than the header (the header ',', rows ',,') kept the header's
    own empty column, and validation refused it ("column 'Unnamed: 4' has no value in any of its
    400 rows"); an empty column before one with values was kept the same way. Each trailing
    unnamed column holding no value is no column; one with values (None) is refused: a column
    nobody named is no model input."""
    path = tmp_path / "t.csv"
    lines = make_table().to_csv(index=False).splitlines()
    rows = [f"{line}{row_end if i % 50 == 0 else row_end.replace('5', '')}\n"
            for i, line in enumerate(lines[1:])]  # fmt: skip
    path.write_text(f"{lines[0]}{header_end}\n" + "".join(rows))
    if kept is None:
        text = refused(config(path), "data.path")
        assert "data row 1 has a value past the header's 4 names ('5'), where 8 rows of 400 " \
               "hold one" in text, text
        return
    assert list(T.read_frame(path).columns) == [*make_table().columns, *kept]
    assert load_bundle(config(path), seed=0).preprocessing.features == ["x1", "cat", *kept]


def test_a_value_past_the_layout_sample_in_the_field_after_the_header_is_refused(tmp_path):
    """The layout is read from the first 100 rows: rows there ending in the delimiter made the
    field after the header's last name an empty column, dropped whatever it held, so values in
    rows past the sample ('7' in rows 296-300) were lost without a word."""
    path = tmp_path / "t.csv"
    lines = make_table(n=300).to_csv(index=False).splitlines()
    path.write_text(f"{lines[0]}\n" + "".join(f"{line},{'7' if i >= 295 else ''}\n"
                                              for i, line in enumerate(lines[1:])))  # fmt: skip
    with pytest.raises(AuditorInputError) as info:
        T.read_frame(path)
    assert info.value.source == str(path)
    assert info.value.message == T.PAST_HEADER.format(
        n=4, where="5 rows of 300 hold one", value="7", row=data_row(295))
    path.write_text(f"{lines[0]}\n" + "".join(f"{line},\n" for line in lines[1:]))
    assert list(T.read_frame(path).columns) == list(make_table().columns)  # no value: no column


def test_an_unnamed_column_of_quoted_spaces_is_no_column(tmp_path):
    """A trailing unnamed column of '" "' in every row (the reader keeps a quoted space) was
    kept as the model input 'Unnamed: 4', one constant ' ', where a label of spaces is a
    missing value; it holds no value, as an empty one."""
    path = tmp_path / "t.csv"
    lines = make_table().to_csv(index=False).splitlines()
    path.write_text(f"{lines[0]},\n" + "".join(f'{line}," ",\n' for line in lines[1:]))
    assert list(T.read_frame(path).columns) == list(make_table().columns)
    assert load_bundle(config(path), seed=0).preprocessing.features == ["x1", "cat"]
