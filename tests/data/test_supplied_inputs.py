"""A supplied model's inputs by default (no data.features): an ID column is refused as in a
table, and a PyTorch module is not handed missing values (it took them as NaN)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor.config import TableData
from auditor.data.supplied import supplied_rows, validate_supplied
from auditor.errors import AuditorInputError


def _frames(seed: int = 0, n: int = 200) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    out = {}
    for i, key in enumerate(("path", "members", "non_members")):
        out[key] = pd.DataFrame({
            "applicant_id": np.arange(i * n, (i + 1) * n) + 10_000,
            "age": rng.integers(18, 70, n), "income": rng.normal(50, 10, n).round(1),
            "sex": rng.choice(["F", "M"], n), "y": rng.choice([0, 1], n),
        })  # fmt: skip
    return out


def _write(folder, frames: dict[str, pd.DataFrame], **changes) -> TableData:
    for key, frame in frames.items():
        frame.to_csv(folder / f"{key}.csv", index=False)
    return TableData(path=folder / "path.csv", members=folder / "members.csv",
                     non_members=folder / "non_members.csv", target="y", sensitive=["sex"],
                     **changes)  # fmt: skip


def test_an_id_column_is_not_a_default_input(tmp_path):
    frames = _frames()
    config = _write(tmp_path, frames)
    for call in (lambda: supplied_rows(config, as_frame=False, numeric_only=True),
                 lambda: validate_supplied(config, module=True)):  # fmt: skip
        with pytest.raises(AuditorInputError) as err:
            call()
        assert err.value.field == "data.features" and err.value.source == str(config.path)
        assert "column 'applicant_id' has a distinct value in every one of the 600 rows" in str(
            err.value
        )
    dropped = _write(tmp_path, frames, drop=["applicant_id"])
    assert supplied_rows(dropped, as_frame=False).bundle.feature_names == ("age", "income")
    named = _write(tmp_path, frames, features=["applicant_id", "age"])  # the user's choice
    assert supplied_rows(named, as_frame=False).bundle.feature_names == ("applicant_id", "age")
    # an estimator that names its inputs takes them as they are
    rows = supplied_rows(config, columns=["age", "applicant_id"])
    assert rows.bundle.feature_names == ("age", "applicant_id")


def test_an_integer_column_distinct_in_one_small_file_only_is_kept(tmp_path):
    # 20 evaluation rows of distinct ages: the members repeat them, so not an ID
    frames = _frames(n=200)
    frames["path"] = frames["path"].iloc[:20].assign(age=np.arange(20, 40))
    config = _write(tmp_path, frames, drop=["applicant_id"])
    validate_supplied(config, module=True)
    assert "age" in supplied_rows(config, as_frame=False).bundle.feature_names


def test_a_missing_input_is_refused_for_a_module_naming_file_column_and_row(tmp_path):
    frames = _frames()
    frames["members"].loc[[4, 9], "income"] = np.nan
    config = _write(tmp_path, frames, drop=["applicant_id"])
    with pytest.raises(AuditorInputError) as err:
        validate_supplied(config, module=True)
    assert err.value.field == "data.features" and err.value.source == str(config.members)
    text = str(err.value)
    assert "column 'income' has a missing value in 2 rows (first at data row 5)" in text
    assert "fill them" in text and "scikit-learn pipeline with an imputer" in text
    validate_supplied(config)  # an estimator may handle them (HistGradientBoosting does)


def test_preflight_refuses_a_checkpoints_missing_input_and_keeps_an_estimators(tmp_path):
    from auditor import preflight
    from auditor.config import validate_config

    frames = _frames()
    frames["path"].loc[7, "age"] = np.nan
    data = _write(tmp_path, frames, drop=["applicant_id"]).model_dump(mode="json")
    (tmp_path / "model.pt").write_bytes(b"")
    (tmp_path / "model.skops").write_bytes(b"")
    (tmp_path / "f.py").write_text("def build(input_shape, n_classes):\n    return None\n")
    models = {"checkpoint": {"kind": "checkpoint", "path": str(tmp_path / "model.pt"),
                             "factory": "f:build"},
              "sklearn": {"kind": "sklearn", "path": str(tmp_path / "model.skops")}}  # fmt: skip
    for kind, model in models.items():
        config = validate_config({"data": data, "model": model}, source="a.toml")
        if kind == "sklearn":
            preflight.check_run(config, config_file=str(tmp_path / "a.toml"), out=tmp_path / "o")
            continue
        with pytest.raises(AuditorInputError, match=r"'age' has a missing value in 1 row \("):
            preflight.check_run(config, config_file=str(tmp_path / "a.toml"), out=tmp_path / "o")
