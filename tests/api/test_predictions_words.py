"""``audit_predictions`` called from Python names its own arguments in an error
(``positive_label=``, ``missing_group=True``, ``out_dir``), never a command-line flag; the
same refusal from ``auditor audit`` names the flag (one message text, two vocabularies)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from auditor.api import audit_predictions
from auditor.cli import app
from auditor.config import AuditConfig, FairnessConfig
from auditor.errors import AuditorInputError

FLAG = re.compile(r"--[a-z]")


def _frame(**changes) -> pd.DataFrame:
    frame = pd.DataFrame({"y": [1, 0] * 20, "p": [1, 0, 0, 1] * 10, "s": [0.2, 0.8] * 20,
                          "g": ["a", "b", "a", "c"] * 10})  # fmt: skip
    return frame.assign(**changes)


TEXT = {"y": ["yes", "no"] * 20, "p": ["yes", "no", "no", "yes"] * 10}
CASES = {
    "text-labels": ({**TEXT}, {}, "positive_label", "with positive_label="),
    "unknown-positive": ({}, {"positive_label": "7"}, "positive_label", "is not a class"),
    "missing-group": ({"g": ["a", None] * 20}, {}, "g", "one group with missing_group=True"),
    "no-column": ({}, {"y_score": "score"}, "y_score", "no column 'score'"),
    "two-roles": ({}, {"y_pred": "y"}, "y", "named twice (y_true= and y_pred=)"),
    "no-sensitive": ({}, {"sensitive": []}, None, "sensitive column (sensitive=)"),
    "score-as-label": ({}, {"y_pred": "s"}, "s", "belongs in y_score="),
    "favourable": (
        {},
        {"config": AuditConfig(fairness=FairnessConfig(favourable_label="9"))},
        "fairness.favourable_label",
        "favourable label '9'",
    ),
    "dask": ({}, {"dask_scheduler": "bogus"}, "dask_scheduler", "cannot reach Dask scheduler"),
    "sensitive-twice": ({}, {"sensitive": ["g", "g"]}, "sensitive", "named twice"),
}


@pytest.mark.parametrize(("changes", "kw", "field", "words"), CASES.values(), ids=CASES.keys())
def test_a_python_callers_error_names_the_argument_not_a_flag(changes, kw, field, words):
    kw = {"y_true": "y", "y_pred": "p", "sensitive": ["g"], **kw}
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(_frame(**changes), **kw)
    assert not FLAG.search(str(err.value)), str(err.value)
    assert err.value.field == field and words in str(err.value)


def test_a_files_missing_column_names_the_argument(tmp_path):
    path = tmp_path / "p.csv"
    _frame().to_csv(path, index=False)
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(path, y_true="y", y_pred="p", y_score="score", sensitive=["g"])
    assert f"{path}: score: no column 'score' (y_score=); the file has y, p, s, g" == str(err.value)


def test_out_dir_that_is_a_file_names_out_dir(tmp_path):
    file = tmp_path / "notes.txt"
    file.write_text("x")
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(_frame(), y_true="y", y_pred="p", sensitive=["g"], out_dir=file)
    assert err.value.field == "out_dir" and not FLAG.search(str(err.value))


def test_the_command_line_names_its_flags_for_the_same_refusals(tmp_path):
    path = tmp_path / "p.csv"
    _frame(**TEXT).to_csv(path, index=False)
    base = ["audit", "-p", str(path), "--y-true", "y", "--y-pred", "p", "--sensitive", "g",
            "--out", str(tmp_path / "run")]  # fmt: skip
    text = CliRunner().invoke(app, base)
    assert text.exit_code == 2 and "--positive-label: " in text.output
    assert "with --positive-label" in text.output
    missing = tmp_path / "m.csv"
    _frame(g=["a", ""] * 20).to_csv(missing, index=False)
    base[2] = str(missing)
    refused = CliRunner().invoke(app, base)
    assert refused.exit_code == 2 and "with --missing-group" in refused.output
