"""A sensitive column of many numbers (age in years) is audited one group per number and
noted, with the way to bands (auditor's own Adult age bands as the example), from a
predictions file, a table and rows supplied with a model alike; it is never refused for its
numbers (codes such as US state numbers are real groups), whatever else the column holds and
however many rows the file has."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from auditor.cli import exit_code_of
from auditor.data import load_bundle
from auditor.data.adult import AGE_BANDS, age_band
from auditor.data.number_groups import MAX_NUMBER_GROUPS, number_note
from auditor.data.supplied import supplied_rows
from tests.data.test_supplied import rows_config
from tests.data.test_table import config, make_table, write


def sizes(labels, n=3):
    return {label: n for label in labels}


def test_more_numbers_than_the_limit_are_noted_with_their_rows_and_the_way_to_bands():
    note = number_note("age", sizes(str(a) for a in range(17, 90)))
    assert note is not None
    assert note.startswith("age: 73 distinct numbers in 219 rows, each audited as a group")
    assert "better audited in bands" in note
    assert number_note("x", sizes(f"{a}.5" for a in range(60))) is not None  # floats too


def test_text_among_the_numbers_does_not_hide_them():
    """Adult's age top-coded as census files write it ('85+'), or a sentinel ('unknown'):
    the numbers are still counted (one such label switched the rule off)."""
    ages = sizes(str(a) for a in range(17, 85))
    for other in ("85+", "unknown"):
        note = number_note("age_top", {**ages, other: 40})
        assert note is not None and note.startswith("age_top: 68 distinct numbers in 204 rows")


def test_few_numbers_text_and_the_missing_group_are_not_noted():
    codes = sizes(str(i) for i in range(MAX_NUMBER_GROUPS))
    assert number_note("region", codes) is None
    assert number_note("region", {**codes, "(missing)": 5}, missing="(missing)") is None
    assert number_note("country", sizes(f"c{i}" for i in range(300))) is None


def _example(note: str) -> str:
    return re.search(r"pandas\.cut\(.*?\]\)", note).group(0)


def test_the_bands_example_is_auditors_adult_age_bands_and_sorts_as_text():
    """The example, run as written, puts every age in the band auditor's adult scenario puts
    it in (closed on the left: 25 is '25-44'), under the same label, and its labels sort in
    age order as text."""
    ages = np.arange(0, 120)
    example = _example(number_note("age", sizes(str(a) for a in range(17, 90))))
    bands = eval(example, {"pandas": pd, "df": pd.DataFrame({"age": ages})})  # noqa: S307
    assert bands.astype(str).tolist() == age_band(ages).tolist()
    assert sorted(bands.cat.categories) == list(bands.cat.categories) == list(AGE_BANDS)


def _age_frame(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"y_true": rng.integers(0, 2, n), "y_pred": rng.integers(0, 2, n),
                         "age": 17 + np.arange(n) % 73})  # fmt: skip


def test_auditor_audit_audits_an_age_column_and_notes_it(tmp_path, capsys):
    _age_frame(2000).to_parquet(tmp_path / "p.parquet")
    capsys.readouterr()
    code = exit_code_of(["audit", "-p", str(tmp_path / "p.parquet"), "--sensitive", "age",
                         "-o", str(tmp_path / "run")])  # fmt: skip
    out = capsys.readouterr()
    assert code in (0, 1), out.err
    assert "Note: age: 73 distinct numbers in 2,000 rows, each audited as a group" in out.out
    card = (tmp_path / "run" / "model_card.md").read_text(encoding="utf-8")
    assert "age: 73 distinct numbers in 2,000 rows" in card


def test_state_codes_as_text_or_categories_are_audited_as_groups(tmp_path):
    """US state numbers (51 with DC) written as text or as a pandas category were refused with
    no way past; they are audited as groups (and noted)."""
    from auditor.api import audit_predictions

    frame = _age_frame(1020).assign(state=(np.arange(1020) % 51 + 1))
    for state in (frame.state.astype(str), frame.state.astype("category")):
        result = audit_predictions(frame.assign(state=state), y_true="y_true", y_pred="y_pred",
                                   sensitive=["state"], out_dir=tmp_path / str(state.dtype))
        groups = result.data["fairness"]["features"]["state"]["groups"]
        assert len(groups) == 51


def test_a_tables_age_column_is_audited_and_noted_on_the_card(tmp_path):
    frame = make_table()
    frame["group"] = 17 + np.arange(len(frame)) % 73
    bundle = load_bundle(config(write(tmp_path, frame)), seed=0)
    assert bundle.splits["test"].sensitive["group"].nunique() > 1
    assert "group: 73 distinct numbers in 400 rows, each audited" in bundle.description


def test_rows_supplied_with_a_model_note_an_age_column():
    n = 200
    frame = pd.DataFrame({"x": np.linspace(0, 1, n), "group": 17 + np.arange(n) % 73,
                          "label": np.where(np.arange(n) % 2, "yes", "no")})  # fmt: skip
    rows = supplied_rows(rows_config(), frames={"path": frame})
    assert "group: 73 distinct numbers in 200 rows, each audited" in rows.bundle.description
