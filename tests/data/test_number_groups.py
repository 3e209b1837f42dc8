"""A sensitive column of many numbers (age in years) is refused with the way to bands, not
audited one group per value (73 ages were 73 groups, a gap between 'age 20' and 'age 25');
a few numbers (codes) and text stay groups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.cli import exit_code_of
from auditor.data.number_groups import MAX_NUMBER_GROUPS, number_groups
from tests.data.test_table import config, make_table, refused, write


def test_more_numbers_than_the_limit_are_refused_with_the_way_to_bands():
    ages = [str(a) for a in range(17, 90)]
    message = number_groups(ages, col="age", rows=900)
    assert message is not None
    assert message.startswith("73 distinct numbers in 900 rows, more than 50")
    assert "pandas.cut(df['age'], [0, 25, 45, 65, 120]).astype(str)" in message
    assert number_groups([f"{a}.5" for a in range(60)], col="x", rows=60) is not None  # floats too


def test_few_numbers_text_and_the_missing_group_are_groups():
    codes = [str(i) for i in range(MAX_NUMBER_GROUPS)]
    assert number_groups(codes, col="region", rows=99) is None
    assert number_groups([*codes, "(missing)"], col="region", rows=99, missing="(missing)") is None
    assert number_groups([f"c{i}" for i in range(300)], col="country", rows=300) is None
    assert number_groups([*(str(i) for i in range(80)), "other"], col="mixed", rows=81) is None


def test_a_table_with_an_age_column_as_a_sensitive_feature_is_refused(tmp_path):
    frame = make_table()
    frame["group"] = np.random.default_rng(0).integers(17, 90, len(frame))
    text = refused(config(write(tmp_path, frame)), "data.sensitive")
    assert "column 'group': " in text and "distinct numbers in 400 rows, more than 50" in text


def test_auditor_audit_refuses_an_age_column_in_one_line_and_writes_no_run(tmp_path, capsys):
    rng = np.random.default_rng(1)
    n = 2000
    frame = pd.DataFrame({"y_true": rng.integers(0, 2, n), "y_pred": rng.integers(0, 2, n),
                          "age": rng.integers(17, 90, n)})  # fmt: skip
    frame.to_parquet(tmp_path / "p.parquet")
    capsys.readouterr()
    code = exit_code_of(["audit", "-p", str(tmp_path / "p.parquet"), "--sensitive", "age",
                         "-o", str(tmp_path / "run"), "-q"])  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "p.parquet: age: 73 distinct numbers in 2,000 rows, more than 50" in err
    assert not (tmp_path / "run").exists()
