"""A misspelt column flag (--y-true lable) named the columns but suggested none, where
--sensitive sex got "did you mean 'Sex'?" (case alone); a DataFrame's suggested neither.
Now a close name is suggested for every flag, from a file and from a DataFrame."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import auditor
from auditor.cli import app

runner = CliRunner()
ROWS = "label,pred,score,Sex\n1,1,0.9,F\n0,0,0.2,M\n"


@pytest.mark.parametrize(
    ("flags", "meant"),
    [
        (["--y-true", "lable", "--y-pred", "pred", "--sensitive", "Sex"], "label"),
        (["--y-true", "label", "--y-pred", "prd", "--sensitive", "Sex"], "pred"),
        (["--y-true", "label", "--y-pred", "pred", "--y-score", "scor", "--sensitive", "Sex"],
         "score"),
        (["--y-true", "label", "--y-pred", "pred", "--sensitive", "sexx"], "Sex"),
    ],
)
def test_a_misspelt_column_is_suggested(tmp_path, flags, meant):
    path = tmp_path / "p.csv"
    path.write_text(ROWS, encoding="utf-8")
    result = runner.invoke(app, ["audit", "-p", str(path), *flags, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "\n" not in text and text.endswith(f"; did you mean {meant!r}?"), text
    assert not (tmp_path / "o").exists()


def test_no_suggestion_where_no_name_is_close(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(ROWS, encoding="utf-8")
    flags = ["--y-true", "label", "--y-pred", "pred", "--sensitive", "region"]
    result = runner.invoke(app, ["audit", "-p", str(path), *flags])
    assert result.exit_code == 2 and "did you mean" not in result.output, result.output


def test_a_dataframe_column_is_suggested_too():
    frame = pd.DataFrame({"label": [1, 0], "pred": [1, 0], "Sex": ["F", "M"]})
    with pytest.raises(auditor.AuditorInputError, match=r"y_true: .*; did you mean 'label'\?$"):
        auditor.audit_predictions(frame, y_true="lable", y_pred="pred", sensitive=["Sex"])


def test_an_unnamed_column_is_shown_as_unnamed_in_the_list_of_columns(tmp_path):
    """pandas' to_csv with its index writes a header starting ',label': the list of columns
    read "the file has , label, pred", a stray comma where the unnamed column is."""
    path = tmp_path / "p.csv"
    path.write_text(",label,pred,Sex\n0,1,1,F\n1,0,0,M\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", "-p", str(path), "--y-true", "label", "--y-pred",
                                 "pred", "--sensitive", "sex"])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "the file has '' (unnamed), label, pred, Sex; did you mean 'Sex'?" in result.output
