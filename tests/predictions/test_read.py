"""Reading predictions files: pyarrow batches, Dask partitions and a distributed scheduler
reduce a file to the same counts."""

from __future__ import annotations

import pytest

from auditor.fairness.counts import counts_from_arrays
from tests.builders import predictions_frame


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    base = tmp_path_factory.mktemp("pred")
    frame = predictions_frame()
    frame.to_parquet(base / "preds.parquet")
    return base, frame


def test_parquet_batches_and_dask_give_the_same_counts(files, tmp_path):
    from auditor.predictions.read import Columns, reduce_predictions

    base, frame = files
    cols = Columns("label", "pred", "score", ("sex", "region"))
    ref = counts_from_arrays(frame["label"], frame["pred"], frame[["sex", "region"]])
    for kw in ({"batch_rows": 500}, {"dask_scheduler": "synchronous"}):
        got = reduce_predictions(base / "preds.parquet", cols, positive_label="approved", **kw)
        assert got.table.group_labels == ref.group_labels
        assert (got.table.counts == ref.counts).all()


@pytest.mark.slow
def test_distributed_scheduler_address_gives_the_same_counts(files):
    from dask.distributed import LocalCluster

    from auditor.predictions.read import Columns, reduce_predictions

    base, frame = files
    cols = Columns("label", "pred", "score", ("sex", "region"))
    ref = reduce_predictions(base / "preds.parquet", cols, positive_label="approved")
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        got = reduce_predictions(
            base / "preds.parquet", cols, dask_scheduler=cluster.scheduler_address,
            positive_label="approved",
        )  # fmt: skip
    assert got.engine.startswith("dask (inproc://")
    assert (got.table.counts == ref.table.counts).all()
    assert got.scores.roc_auc == ref.scores.roc_auc
