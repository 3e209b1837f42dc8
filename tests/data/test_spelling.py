"""A table's (and a supplied model's rows') groups and classes read in one spelling, as a
predictions file's are: "Male ", "Male", "Male" with a no-break space, NFC/NFD "Café" and a
zero-width space are one label, named on the card; a literal '(missing)' group beside
data.missing_group = true is refused in one line naming the file and the column."""

from __future__ import annotations

import json
import unicodedata

import numpy as np
import pandas as pd
import pytest

from auditor.cli import exit_code_of
from auditor.data import load_bundle
from auditor.data.spelling import canonical, canonical_values, missing_codes, missing_labels
from auditor.errors import AuditorInputError
from tests.data.test_table import config, make_table, write

NFD = unicodedata.normalize("NFD", "Café")
SPELLED = {"a": ["a ", "a\u00a0", " a", "a\u200b"], "b": ["Café", NFD]}


def spelled(frame: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """``frame`` with group 'b' as Café, and its labels in several spellings, row by row."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    group = out["group"].map({"a": "a", "b": "Café"}).astype(object)
    for label, texts in SPELLED.items():
        rows = np.flatnonzero((frame["group"] == label).to_numpy())
        group.iloc[rows] = rng.choice(np.array(texts + [canonical(texts[0])], dtype=object),
                                      len(rows))  # fmt: skip
    out["group"] = group
    yes = np.flatnonzero((frame["label"] == "yes").to_numpy())[::3]
    out.loc[out.index[yes], "label"] = "yes\u00a0"
    return out


def test_canonical_values_reads_each_distinct_value_once_and_keeps_the_rest():
    values = pd.Series(["a ", None, "a", "Café", NFD, 3, np.nan, "b"], dtype=object)
    merged: dict = {}
    got = canonical_values(values, "g", merged)
    assert got.tolist()[:6] == ["a", None, "a", "Café", "Café", 3] and pd.isna(got[6])
    assert merged == {"g": {"a": ["a", "a "], "Café": sorted(["Café", NFD])}}
    plain = pd.Series(["a", "b", None], dtype=object)
    assert canonical_values(plain, "g", merged) is plain  # nothing to change: the same column
    numbers = pd.Series([1, 2, 3])
    assert canonical_values(numbers, "g") is numbers
    strings = pd.Series(["x ", "x", pd.NA], dtype="string")
    assert canonical_values(strings, "s").tolist()[:2] == ["x", "x"]


def test_a_table_gives_the_groups_and_classes_of_its_one_spelling(tmp_path):
    clean = make_table().assign(group=lambda f: f["group"].map({"a": "a", "b": "Café"}))
    frame = spelled(make_table())
    got = load_bundle(config(write(tmp_path, frame)), seed=0)
    want = load_bundle(config(write(tmp_path, clean, "clean.csv")), seed=0)
    for name, split in want.splits.items():  # the same rows, classes, groups and inputs
        assert np.array_equal(got.splits[name].y, split.y)
        assert np.array_equal(got.splits[name].x, split.x)
        assert got.splits[name].sensitive.equals(split.sensitive)
    assert got.finetune_task.class_names == ("no", "yes")
    assert set(got.splits["test"].sensitive["group"]) == {"a", "Café"}
    text = got.description
    assert "group: 'a', 'a ', 'a\\xa0', 'a\\u200b' are read as one label 'a'" in text
    assert "label: 'yes', 'yes\\xa0' are read as one label 'yes'" in text
    assert "read as one label" not in want.description


def test_a_table_of_one_spelling_is_read_as_before(tmp_path):
    b = load_bundle(config(write(tmp_path, make_table())), seed=0)
    assert b.description.startswith("User table t.csv (400 rows, 2 input columns).")
    assert "read as one label" not in b.description


@pytest.mark.parametrize("missing", [True, False])
def test_a_group_named_missing_beside_missing_group_is_refused(tmp_path, missing):
    frame = make_table()
    frame.loc[[4, 9], "group"] = "(missing) "
    if missing:
        frame.loc[[5], "group"] = None
    path = write(tmp_path, frame)
    with pytest.raises(AuditorInputError) as err:
        load_bundle(config(path, missing_group=True), seed=0)
    text = str(err.value)
    assert str(path) in text and "column 'group' holds a group named '(missing)'" in text
    assert err.value.field == "data.sensitive" and "\n" not in text
    assert ("fill the rows with no value" in text) == missing
    if not missing:  # without the setting, a group like any other
        b = load_bundle(config(path), seed=0)
        seen = {g for split in b.splits.values() for g in split.sensitive["group"]}
        assert seen == {"a", "b", "(missing)"}


def _cli(tmp_path, capsys, frame: pd.DataFrame, extra: str = "") -> tuple[int, str]:
    frame.to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "audit.toml").write_text(
        '[data]\nsource = "table"\npath = "t.csv"\ntarget = "label"\nsensitive = ["group"]\n'
        f"{extra}[pretrain]\nepochs = 1\n[finetune]\nepochs = 2\n[privacy]\nenabled = false\n"
    )  # fmt: skip
    capsys.readouterr()
    code = exit_code_of(["run", str(tmp_path / "audit.toml"), "--out", str(tmp_path / "run"),
                         "--quiet", "--exit-zero"])  # fmt: skip
    return code, capsys.readouterr().err


def test_auditor_run_refuses_a_literal_missing_group_in_one_line(tmp_path, capsys):
    frame = make_table()
    frame.loc[[4], "group"] = "(missing)"
    frame.loc[[5], "group"] = None
    code, err = _cli(tmp_path, capsys, frame, "missing_group = true\n")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert "t.csv" in lines[0] and "column 'group' holds a group named '(missing)'" in lines[0]
    assert not (tmp_path / "run").exists()


def test_auditor_run_audits_one_group_per_spelling_and_the_card_says_so(tmp_path, capsys):
    code, err = _cli(tmp_path, capsys, spelled(make_table()))
    assert code == 0, err
    audit = json.loads((tmp_path / "run" / "audit.json").read_text())
    groups = audit["fairness"]["features"]["group"]["groups"]
    assert sorted(g["group"] for g in groups) == ["Café", "a"]
    assert audit["data"]["finetune_task"]["class_names"] == ["no", "yes"]
    assert "are read as one label 'a'" in audit["data"]["description"]
    card = (tmp_path / "run" / "model_card.md").read_text()
    assert "are read as one label 'Café'" in card


@pytest.mark.parametrize("blank", ["\u00a0", "\u200b", " \u2009 "])
def test_a_target_cell_of_spaces_or_invisible_ones_is_a_missing_value(tmp_path, blank):
    frame = make_table()
    frame.loc[3, "label"] = blank  # was the class '\xa0' (or '' once read alike)
    with pytest.raises(AuditorInputError, match="target column .label. has missing values"):
        load_bundle(config(write(tmp_path, frame)), seed=0)
    from auditor.data.supplied import supplied_rows

    with pytest.raises(AuditorInputError, match="target column .label. has missing values"):
        supplied_rows(config("rows.csv", features=["x1"]), frames={"path": frame})


def test_the_spaces_read_as_a_space_are_unicodes_space_separators():
    """SPACES is written out (not found at import): every Zs character past ASCII, no other."""
    import sys
    import unicodedata

    from auditor.data.spelling import SPACES

    zs = {c for c in range(0x80, sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Zs"}
    assert {c for c, to in SPACES.items() if to == " "} == zs
    assert {c for c, to in SPACES.items() if to is None} == {0x200B, 0x2060, 0xFEFF}


def test_a_missing_target_is_refused_saying_how_many_rows_the_first_and_what_to_do(tmp_path):
    """'target column has missing values' alone named neither the rows nor a way out, beside
    the sensitive columns' 'N missing ... (first at data row R); fill them, or ...'."""
    frame = make_table()
    frame["label"] = frame["label"].astype(object)
    frame.loc[[4, 9], "label"] = None
    expected = ("target column 'label' has missing values: 2 rows without a class in data rows "
                r"1-400 \(first at data row 5\); fill them, or remove those rows")  # fmt: skip
    with pytest.raises(AuditorInputError, match=expected):
        load_bundle(config(write(tmp_path, frame)), seed=0)
    from auditor.data.supplied import supplied_rows

    with pytest.raises(AuditorInputError, match=expected):
        supplied_rows(config("rows.csv", features=["x1"]), frames={"path": frame})
    frame.loc[9, "label"] = frame.loc[0, "label"]  # one row: 'fill it', not 'fill them' (R12)
    one = r"1 row without a class in data rows 1-400 \(first at data row 5\); fill it, or remove"
    with pytest.raises(AuditorInputError, match=one):
        load_bundle(config(write(tmp_path, frame)), seed=0)


def test_a_missing_class_reads_the_same_in_a_run_and_in_an_audit_of_predictions(tmp_path):
    """`auditor run` said "target column 'label' has missing values: 2 rows without a class
    (first at data row 5); fill them, or remove those rows" and `auditor audit` "missing value
    at data row 5; write its label, or drop the row" of the same rows: one wording."""
    import numpy as np

    from auditor.fairness.counts import CountsAccumulator

    frame = make_table()
    frame["label"] = frame["label"].astype(object)
    frame.loc[[4, 9], "label"] = None
    with pytest.raises(AuditorInputError) as run:
        load_bundle(config(write(tmp_path, frame)), seed=0)
    with pytest.raises(AuditorInputError) as audit:
        CountsAccumulator(["g"], y_true_name="label").add(
            frame["label"].to_numpy(), np.array(["no"] * 400), [np.array(["a"] * 400)]
        )
    assert run.value.message == audit.value.message


def test_one_rule_says_which_labels_hold_no_value():
    """A table's target and groups, its unnamed columns, a predictions file's counts and its
    preview each built their own mask of missing labels (strip, isin, spaces alone), which
    differed on a label of invisible characters; spelling.missing_labels is the one rule."""
    values = [None, float("nan"), "", "  ", "?", " ? ", "\u200b", "\u00a0?", "a", "?a", 0, 1.5]
    expected = [True] * 8 + [False] * 4
    assert missing_labels(pd.Series(values, dtype=object)).tolist() == expected
    assert missing_labels(pd.Series(["a", None, "?"], dtype="category")).tolist() == [
        False, True, True]
    codes = np.array([0, 1, -1, 2])
    assert missing_codes(codes, ["a", "\u200b", " ? "]).tolist() == [False, True, True, True]
