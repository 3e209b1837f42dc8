"""Folders of parts as real exporters leave them (pandas per chunk, Spark, links), and what a
refused read of one leaves behind: nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor import provenance
from auditor.api import audit_predictions
from auditor.errors import AuditorInputError
from tests.builders import predictions_frame

COLS = dict(y_true="label", y_pred="pred", y_score="score", sensitive=["sex"],
            positive_label="approved")  # fmt: skip


def _parts(folder: Path, n_rows: int = 300, parts: int = 3, *, seed: int = 40,
           no_group_at: int | None = None) -> Path:  # fmt: skip
    """``parts`` Parquet parts; ``no_group_at``: a row with no sensitive value (refused)."""
    folder.mkdir()
    frame = predictions_frame(n_rows, seed=seed)
    if no_group_at is not None:
        frame.loc[frame.index[no_group_at], "sex"] = None
    size = -(-n_rows // parts)
    for i in range(parts):
        frame.iloc[i * size:(i + 1) * size].to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder


def _kept(under: Path) -> list[str]:
    """The hashes :mod:`auditor.provenance` keeps for files at or under ``under``."""
    key = os.path.abspath(under)
    return [k for k in provenance._AHEAD if k == key or k.startswith(key + os.sep)]


@pytest.mark.parametrize("broken", ["last part", "after the read"])
def test_a_refused_audit_of_a_folder_keeps_no_hash_of_its_parts(tmp_path, broken):
    # the parts read before the refusal stayed recorded: a long-lived caller kept them
    folder = _parts(tmp_path / "preds", no_group_at=250 if broken == "last part" else None)
    with pytest.raises(AuditorInputError):
        audit_predictions(folder, **{**COLS, "positive_label": "no such class"}
                          if broken == "after the read" else COLS)  # fmt: skip
    assert _kept(folder) == []
    assert not (tmp_path / "run").exists()


def test_a_refused_audit_of_a_file_keeps_no_hash_of_it(tmp_path):
    path = tmp_path / "preds.parquet"
    predictions_frame(200, seed=41).to_parquet(path, index=False)
    with pytest.raises(AuditorInputError):
        audit_predictions(path, **{**COLS, "positive_label": "no such class"})
    assert _kept(path) == []
