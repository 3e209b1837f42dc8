"""The disjointness evidence names shared rows as a user finds them: ``data row N`` of the
named file, counting from 1 under the header; a supplied model's rows each in their own file
(they were 0-based ids counting across the three files: 'holdout rows 3672' was
non_members.csv's data row 1173)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.checks.disjointness import disjointness_item, rows_text
from auditor.config import TableData, TransparencyConfig
from auditor.data.supplied import supplied_rows
from auditor.data.table import load_table_bundle


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                         "sex": rng.choice(["F", "M"], n), "y": rng.choice([0, 1], n)})  # fmt: skip


def test_a_supplied_models_shared_row_names_its_file_and_data_row():
    frames = {"path": _frame(50, 0), "members": _frame(60, 1), "non_members": _frame(70, 2)}
    frames["non_members"].iloc[11] = frames["members"].iloc[40]  # non_members data row 12
    frames["path"].iloc[0] = frames["members"].iloc[3]  # eval data row 1
    config = TableData(path="eval.csv", members="members.csv", non_members="holdout.csv",
                       target="y", sensitive=["sex"], features=["x1", "x2"])  # fmt: skip
    bundle = supplied_rows(config, frames=frames, as_frame=False).bundle
    status, evidence, details = disjointness_item(bundle, TransparencyConfig(), supplied=True)
    assert status == "warn"
    # the user's files in their roles, not auditor's split names (test, finetune_train, holdout)
    assert ("eval.csv (evaluation rows) shares 1 of 50 inputs with members.csv (members) "
            "(0 by source row id; data row 1 of eval.csv)") in evidence  # fmt: skip
    assert ("holdout.csv (non-members) shares 1 of 70 inputs with members.csv (members) "
            "(0 by source row id; data row 12 of holdout.csv)") in evidence  # fmt: skip
    assert "finetune_train" not in evidence and "transparency.content_overlap" in evidence
    pairs = {(p["train"], p["eval"]): p for p in details["pairs"]}
    # audit.json keeps the source row ids (its schema is unchanged)
    assert pairs["finetune_train", "holdout"]["rows"][0]["eval_ids"] == [50 + 60 + 11]
    assert bundle.row_file(50 + 60 + 11) == ("holdout.csv", 11)
    assert bundle.row_file(0) == ("eval.csv", 0) and bundle.row_file(50) == ("members.csv", 0)


def test_a_tables_rows_count_from_one_under_its_header(tmp_path):
    frame = _frame(400, 3)
    frame.to_csv(tmp_path / "t.csv", index=False)
    bundle = load_table_bundle(TableData(path=tmp_path / "t.csv", target="y", sensitive=["sex"]),
                               seed=0)  # fmt: skip
    test_ids = bundle["test"].ids.tolist()
    assert rows_text(bundle, test_ids[:2]) == (
        f"data rows {test_ids[0] + 1}, {test_ids[1] + 1} of t.csv"
    )
    assert rows_text(bundle, test_ids[:1]) == f"data row {test_ids[0] + 1} of t.csv"


def test_a_builtin_sources_rows_are_source_row_ids(digits_context):
    bundle = digits_context.bundle
    assert bundle.row_files == ()
    assert rows_text(bundle, [4, 9]) == "source row ids 4, 9"
    assert rows_text(bundle, [4]) == "source row id 4"
