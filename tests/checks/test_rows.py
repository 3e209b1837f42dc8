"""predictions.parquet (issue 11 item 8): every fine-tuned split's rows, and the numbers of
audit.json recomputed from it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from auditor.checks.fairness import fairness_check
from auditor.checks.performance import NO_RUN_FOLDER, performance_check
from auditor.checks.rows import PREDICTIONS_FILE
from auditor.provenance import sha256_file
from auditor.results import dump


@pytest.fixture(scope="module")
def written(digits_context, tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    ctx = dataclasses.replace(digits_context, artifacts_dir=folder)
    performance = dump(performance_check(ctx, {}))
    fairness = dump(fairness_check(ctx, {}))
    return folder, performance, fairness


def test_rows_hold_every_split_and_are_recorded_by_hash(written, digits_context):
    folder, performance, _ = written
    rows = performance["rows"]
    path = folder / rows["file"]
    assert rows["copied"] and rows["file"] == PREDICTIONS_FILE
    assert rows["sha256"] == sha256_file(path)
    frame = pd.read_parquet(path)
    assert list(frame.columns) == rows["columns"] and len(frame) == rows["n_rows"]
    for split in ("finetune_train", "holdout", "val", "test"):
        part = frame[frame["split"] == split]
        assert len(part) == len(digits_context.bundle[split])
        assert (part["row_id"].to_numpy() == digits_context.bundle[split].ids).all()


def test_accuracy_and_a_group_tpr_recomputed_from_the_parquet_equal_audit_json(written):
    folder, performance, fairness = written
    frame = pd.read_parquet(folder / performance["rows"]["file"])
    test = frame[frame["split"] == "test"]
    accuracy = float((test["label"] == test["prediction"]).mean())
    assert accuracy == performance["finetuned"]["test"]["accuracy"]
    feature = next(iter(fairness["sensitive_kinds"]))
    column = performance["rows"]["group_columns"][feature]
    group = fairness["features"][feature]["groups"][0]
    rows = test[(test[column] == group["values"][feature]) & (test["label"] == 1)]
    tpr = float((rows["prediction"] == 1).mean()) if len(rows) else np.nan
    assert group["metrics"]["recall"]["value"] == pytest.approx(tpr, abs=0, nan_ok=True)
    assert group["metrics"]["recall"]["n"] == len(rows)


def test_per_group_roc_auc_comes_from_the_same_rows(written):
    from sklearn.metrics import roc_auc_score

    folder, performance, fairness = written
    frame = pd.read_parquet(folder / performance["rows"]["file"])
    test = frame[frame["split"] == "test"]
    feature = next(iter(fairness["sensitive_kinds"]))
    column = performance["rows"]["group_columns"][feature]
    for g in fairness["scores"]["features"][feature]:
        part = test[test[column] == g["group"]]
        if part["label"].nunique() == 2:
            auc = roc_auc_score(part["label"], part["score"])
            assert g["roc_auc"]["value"] == pytest.approx(auc, abs=1e-6)  # float32 logits


def test_without_a_run_folder_nothing_is_written(digits_context):
    assert performance_check(digits_context, {}).rows.reason == NO_RUN_FOLDER


def test_rows_are_written_in_a_run_folder_named_not_utf8(written, digits_context, tmp_path):
    """pyarrow encodes a str name as UTF-8: `auditor run CONFIG -o $'o\\xff'` ended in
    "internal error: UnicodeEncodeError" (R5 #5). The file is written by its name's bytes,
    the same bytes as under a UTF-8 name."""
    import os

    folder = tmp_path / os.fsdecode(b"o\xff")
    folder.mkdir()
    ctx = dataclasses.replace(digits_context, artifacts_dir=folder)
    rows = dump(performance_check(ctx, {}))["rows"]
    assert rows["sha256"] == sha256_file(folder / PREDICTIONS_FILE)
    assert rows["sha256"] == written[1]["rows"]["sha256"]
