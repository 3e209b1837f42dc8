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


def _sliced_file(tmp_path, frame, kind: str):
    path = tmp_path / f"preds.{kind}"
    if kind == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, row_group_size=700)  # dictionaries per row group
    return path


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_small_batches_of_dictionary_columns_give_the_engines_numbers(files, tmp_path, kind):
    """Group columns arrive as dictionary codes (a CSV block's or a row group's dictionary,
    possibly holding values a batch lacks) and numbers as views of sliced buffers: counts,
    groups and score metrics equal the in-memory engine's and scikit-learn's."""
    from sklearn import metrics as skm

    from auditor.predictions.read import Columns, reduce_predictions

    _, frame = files
    frame = frame.sort_values("region", kind="stable").reset_index(drop=True)  # batches lack groups
    cols = Columns("label", "pred", "score", ("sex", "region"))
    ref = counts_from_arrays(frame["label"], frame["pred"], frame[["sex", "region"]])
    path = _sliced_file(tmp_path, frame, kind)
    got = reduce_predictions(path, cols, positive_label="approved", batch_rows=333)
    assert got.n_batches > 3
    assert got.table.group_labels == ref.group_labels
    assert (got.table.counts == ref.counts).all()
    y = (frame["label"] == "approved").astype(int)
    assert got.scores.roc_auc == pytest.approx(skm.roc_auc_score(y, frame["score"]), abs=1e-12)
    assert got.scores.log_loss == pytest.approx(skm.log_loss(y, frame["score"]), rel=1e-12)


def test_arrow_numpy_views_a_sliced_buffer_and_copies_with_nulls():
    import numpy as np
    import pyarrow as pa

    from auditor.fairness.counts import arrow_numpy

    values = pa.array(np.arange(10, dtype=np.int32)).slice(3, 4)
    assert arrow_numpy(values).tolist() == [3, 4, 5, 6]
    scores = pa.array([0.25, None, 0.5])
    assert np.isnan(arrow_numpy(scores)[1]) and arrow_numpy(scores)[2] == 0.5


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_batches_reduced_on_threads_come_in_order_and_errors_at_their_batch(workers):
    """Reduced on several threads, the partials come in the file's order with their row
    offsets; a reading error comes after every batch read before it, a reducing error at
    its own batch."""
    from types import SimpleNamespace

    from auditor.errors import AuditorInputError
    from auditor.predictions.read import reduced_in_order

    def batches(broken_read: bool):
        yield from (SimpleNamespace(num_rows=n) for n in (10, 20, 30, 40, 50))
        if broken_read:
            raise AuditorInputError("cannot read (broken block)", source="f.csv")

    def reduce(offset: int, batch: SimpleNamespace):
        if batch.num_rows == 40 and offset < 0:
            raise AuditorInputError("score outside [0, 1]", source="f.csv")
        return offset, batch.num_rows

    got = []
    with pytest.raises(AuditorInputError, match="broken block"):
        for part in reduced_in_order(batches(True), reduce, workers=workers):
            got.append(part)
    assert got == [(0, 10), (10, 20), (30, 30), (60, 40), (100, 50)]
    assert list(reduced_in_order(iter([]), reduce, workers=workers)) == []
    got = []
    with pytest.raises(AuditorInputError, match="outside"):
        for part in reduced_in_order(batches(False), lambda o, b: reduce(-1, b), workers=workers):
            got.append(part)
    assert got == [(-1, 10), (-1, 20), (-1, 30)]


@pytest.mark.parametrize("dask", [None, "synchronous"])
def test_a_file_written_to_while_it_is_read_is_refused(tmp_path, monkeypatch, dask):
    """Rows appended while the batches were read: the audit counted some of them, and
    recorded the sha256 of another state of the file, silently."""
    from auditor.errors import AuditorInputError
    from auditor.predictions import read
    from tests.builders import predictions_columns

    path = tmp_path / "growing.csv"
    text = predictions_frame(500, seed=9).to_csv(index=False)
    path.write_text(text)
    row = text.splitlines()[1] + "\n"
    engine = "dask_partials" if dask else "reduced_in_order"
    reduce = getattr(read, engine)

    def appending(*args, **kwargs):
        for i, part in enumerate(reduce(*args, **kwargs)):
            if i == 0:
                with path.open("a") as fh:
                    fh.write(row * 10)
            yield part

    monkeypatch.setattr(read, engine, appending)
    with pytest.raises(AuditorInputError) as err:
        read.reduce_predictions(path, predictions_columns(), positive_label="approved",
                                batch_rows=100, dask_scheduler=dask)  # fmt: skip
    size = len(text.encode())
    assert str(err.value) == f"{path}: " + read.CHANGED.format(before=size,
                                                               after=size + 10 * len(row))


def test_a_file_replaced_by_a_rename_while_it_is_read_is_refused(tmp_path, monkeypatch):
    """Another file of the same size and modification time renamed over it (rsync, cp -p):
    the counts were of the old file and the recorded sha256 of the new one."""
    import os

    from auditor.errors import AuditorInputError
    from auditor.predictions import read
    from tests.builders import predictions_columns

    path, other = tmp_path / "p.csv", tmp_path / "p.csv.new"
    text = predictions_frame(500, seed=9).to_csv(index=False)
    path.write_text(text)
    other.write_text(text)
    stat = path.stat()
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    reduce = read.reduced_in_order

    def replacing(*args, **kwargs):
        for i, part in enumerate(reduce(*args, **kwargs)):
            if i == 0:
                os.replace(other, path)
            yield part

    monkeypatch.setattr(read, "reduced_in_order", replacing)
    with pytest.raises(AuditorInputError) as err:
        read.reduce_predictions(path, predictions_columns(), positive_label="approved",
                                batch_rows=100)  # fmt: skip
    assert str(err.value) == f"{path}: {read.REPLACED}"


def test_small_row_groups_are_decoded_on_the_reading_thread(tmp_path, monkeypatch):
    # pyarrow's pool cost more than it saved on a part of 200 rows (167 against 75 us of CPU):
    # a folder of 2,000 such parts read in 5.5 s of CPU, 4.4 s without it, the same counts
    import pyarrow.parquet as pq

    from auditor.predictions.read import Columns, reduce_predictions
    from auditor.predictions.source import THREADED_ROWS

    threaded, real = [], pq.ParquetFile.iter_batches

    def iter_batches(self, *args, **kwargs):
        threaded.append(kwargs.get("use_threads", True))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", iter_batches)
    frame = predictions_frame(THREADED_ROWS + 10, seed=8)
    cols = Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex",))
    small, large = tmp_path / "small.parquet", tmp_path / "large.parquet"
    frame.to_parquet(small, index=False, row_group_size=THREADED_ROWS // 4)
    frame.to_parquet(large, index=False)  # one row group
    counts = [reduce_predictions(path, cols, positive_label="approved") for path in (small, large)]
    assert threaded == [False, True]
    assert (counts[0].table.counts == counts[1].table.counts).all()
    assert counts[0].scores.roc_auc == counts[1].scores.roc_auc


def test_a_parquet_file_overwritten_while_read_is_said_to_have_changed(tmp_path, monkeypatch):
    """Its pages overwritten in place (the same size) under the read: its next row group did
    not decode, and it was called "a damaged Parquet file ... export it again"."""
    from auditor.errors import AuditorInputError
    from auditor.predictions import read
    from tests.builders import predictions_columns

    path = tmp_path / "p.parquet"
    predictions_frame(500, seed=9).to_parquet(path, index=False, row_group_size=100)
    size = path.stat().st_size
    reduce = read.reduced_in_order

    def overwriting(*args, **kwargs):
        for i, part in enumerate(reduce(*args, **kwargs)):
            if i == 0:
                with path.open("r+b") as fh:
                    fh.write(b"\0" * (size - 1024))  # its footer kept, its pages gone
            yield part

    monkeypatch.setattr(read, "reduced_in_order", overwriting)
    with pytest.raises(AuditorInputError) as err:
        read.reduce_predictions(path, predictions_columns(), positive_label="approved",
                                batch_rows=100)  # fmt: skip
    assert str(err.value) == f"{path}: " + read.CHANGED.format(before=size, after=size)


@pytest.mark.parametrize("name", ["P.CSV.GZ", "p.csv.Gz"])
@pytest.mark.parametrize("engine", [{}, {"dask_scheduler": "synchronous"}])
def test_a_gzip_csv_named_in_capitals_is_gunzipped(files, tmp_path, name, engine):
    """'P.CSV.GZ' (a Windows tool's name) was read as a CSV but parsed by pyarrow uncompressed
    (its own test of '.gz' is case-sensitive): gzip's bytes as rows, a ragged-row refusal of
    binary text and a traceback printed from pyarrow's row handler."""
    from auditor.predictions.read import Columns, reduce_predictions

    _, frame = files
    frame.to_csv(tmp_path / name, index=False, compression="gzip")
    cols = Columns("label", "pred", "score", ("sex", "region"))
    ref = counts_from_arrays(frame["label"], frame["pred"], frame[["sex", "region"]])
    got = reduce_predictions(tmp_path / name, cols, positive_label="approved", **engine)
    assert (got.table.counts == ref.counts).all()


def test_an_identifier_named_as_y_true_is_refused_naming_y_true(tmp_path):
    """y_true naming a column of row numbers or IDs (R's unquoted row names read under the
    header's first name, or --y-true id) was refused on field 'sex' as too many combinations
    of the sensitive columns' groups, with 'audit fewer sensitive columns' as the way on."""
    from auditor.errors import AuditorInputError
    from auditor.predictions.read import Columns, reduce_predictions

    path = tmp_path / "ids.csv"
    path.write_text("y_true,y_pred,sex\n" + "".join(f"{i},{i % 2},{'FM'[i % 2]}\n"
                                                    for i in range(6000)))  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(path, Columns("y_true", "y_pred", None, ("sex",)))
    assert err.value.field == "y_true"
    assert str(err.value) == (
        f"{path}: y_true: 6,000 distinct labels in y_true, more classes than a count of each "
        "(true, predicted) pair holds (at most 4,472): an identifier or row numbers, not "
        "classes? name the column of classes")


@pytest.mark.parametrize("engine", [{}, {"dask_scheduler": "synchronous"}])
def test_an_identifier_named_as_y_pred_is_refused_naming_y_pred(tmp_path, engine):
    """R2 #4: IDs named as the predictions (--y-pred id) were refused on y_true, saying '6,002
    distinct labels in y_true and id', where y_true held 0 and 1: the column at fault is
    named, and the count is its own."""
    from auditor.errors import AuditorInputError
    from auditor.predictions.read import Columns, reduce_predictions

    path = tmp_path / "ids.csv"
    path.write_text("y_true,id,sex\n" + "".join(f"{i % 2},{i},{'FM'[i % 2]}\n"
                                                for i in range(6000)))  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(path, Columns("y_true", "id", None, ("sex",)), **engine)
    assert err.value.field == "id"
    assert str(err.value) == (
        f"{path}: id: 6,000 distinct labels in id, more classes than a count of each (true, "
        "predicted) pair holds (at most 4,472): an identifier or row numbers, not classes? "
        "name the column of classes")
