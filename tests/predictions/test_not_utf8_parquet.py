"""A Parquet file, or a folder of Parquet parts, whose name holds a byte that is not UTF-8
(Python holds it as a lone surrogate, 'p\\udcff.parquet'): pyarrow encodes a name as UTF-8,
and failed on it ('internal error: UnicodeEncodeError', R15 #1); it is read by its bytes, as
the CSV reader reads such a file (7cebeb4), by both engines and through the Python API."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.errors import AuditorInputError
from auditor.predictions.read import Columns, reduce_predictions
from tests.builders import predictions_frame

ODD = os.fsdecode(b"p\xff")  # 'p\udcff'
COLS = Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex",))


def _parquet(frame, path: Path) -> Path:
    with open(path, "wb") as fh:  # pandas opens a name as pyarrow does: by a file object
        frame.to_parquet(fh, index=False)
    return path


def _same_counts(path: Path, plain: Path, **kw) -> None:
    odd = reduce_predictions(path, COLS, positive_label="approved", **kw)
    base = reduce_predictions(plain, COLS, positive_label="approved", **kw)
    assert odd.source == str(path)
    assert odd.table.group_labels == base.table.group_labels
    assert (odd.table.counts == base.table.counts).all() and odd.table.counts.sum() == 300
    assert odd.scores.roc_auc == base.scores.roc_auc


@pytest.mark.parametrize("engine", [None, "synchronous"])
def test_a_parquet_file_named_not_utf8_is_read(tmp_path, engine):
    frame = predictions_frame(300, seed=3)
    path = _parquet(frame, tmp_path / f"{ODD}.parquet")
    plain = _parquet(frame, tmp_path / "p.parquet")
    _same_counts(path, plain, dask_scheduler=engine)
    _same_counts(path, plain, dask_scheduler=engine, batch_rows=64)


@pytest.mark.parametrize("hive", [False, True])
def test_a_folder_of_parquet_parts_named_not_utf8_is_read(tmp_path, hive):
    frame = predictions_frame(300, seed=4)
    for name in (ODD, "plain"):
        for i, (key, part) in enumerate(frame.groupby("sex")):
            where = tmp_path / name / (f"sex={key}" if hive else "")
            where.mkdir(parents=True, exist_ok=True)
            _parquet(part.drop(columns="sex") if hive else part, where / f"part-{ODD}-{i}.parquet")
    _same_counts(tmp_path / ODD, tmp_path / "plain")


def test_a_part_past_the_one_pass_size_named_not_utf8_is_read(tmp_path, monkeypatch):
    import auditor.predictions.folder as folder_module

    monkeypatch.setattr(folder_module, "ONE_PASS_BYTES", 0)  # no part's bytes read ahead
    test_a_folder_of_parquet_parts_named_not_utf8_is_read(tmp_path, False)


def test_an_empty_parquet_file_named_not_utf8_is_refused_in_one_line(tmp_path):
    path = tmp_path / f"{ODD}.parquet"
    path.write_bytes(b"")
    with pytest.raises(AuditorInputError, match="the file is empty") as err:
        reduce_predictions(path, COLS, positive_label="approved")
    assert err.value.source == str(path)


def test_the_python_api_audits_a_parquet_file_named_not_utf8(tmp_path):
    from auditor.api import audit_predictions
    from auditor.run_folder import read_audit

    path = _parquet(predictions_frame(300, seed=5), tmp_path / f"{ODD}.parquet")
    result = audit_predictions(str(path), y_true="label", y_pred="pred", y_score="score",
                               sensitive=["sex"], positive_label="approved",
                               out_dir=tmp_path / f"run-{ODD}")  # fmt: skip
    assert result.run_dir == tmp_path / f"run-{ODD}" and (result.run_dir / "audit.json").is_file()
    read_audit(result.run_dir / "audit.json")  # and it reads back


def test_the_python_api_audits_a_frame_where_the_temporary_folder_is_named_not_utf8(
    tmp_path, monkeypatch
):
    """A DataFrame is written to a Parquet file in a temporary folder first: under a TMPDIR
    whose name is not UTF-8, pandas' write by name failed (UnicodeEncodeError)."""
    import tempfile

    from auditor.api import audit_predictions

    odd = tmp_path / ODD
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))
    result = audit_predictions(predictions_frame(300, seed=6), y_true="label", y_pred="pred",
                               sensitive=["sex"], positive_label="approved")  # fmt: skip
    assert result.data["run"]["scenario"].startswith("predict") and not list(odd.iterdir())
