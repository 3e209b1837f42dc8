"""A folder of part files as Spark, Hive and Dask write one, read as the one table it holds: the
same audit as the joined file, each part's sha256 and one over them recorded, and the folders
that cannot be one table refused in one line."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from auditor import provenance
from auditor.api import audit_predictions
from auditor.cli import app
from auditor.errors import AuditorInputError
from auditor.predictions.folder import folder_of, folder_sha256, table_batches
from auditor.predictions.read import Columns, reduce_predictions
from auditor.predictions.spilling import expected_rows
from tests.builders import predictions_frame

COLS = dict(y_true="label", y_pred="pred", y_score="score", sensitive=["sex", "region"],
            positive_label="approved")  # fmt: skip


def _spark(folder: Path, frame: pd.DataFrame, parts: int = 4, *, csv: bool = False) -> Path:
    """``frame`` written as Spark writes it: parts, their .crc files, _SUCCESS."""
    folder.mkdir()
    size = -(-len(frame) // parts)
    for i in range(parts):
        chunk = frame.iloc[i * size:(i + 1) * size]
        name = f"part-{i:05d}-7f3a-c000" + (".csv" if csv else ".snappy.parquet")
        if csv:
            chunk.to_csv(folder / name, index=False)
        else:
            chunk.to_parquet(folder / name, index=False)
        (folder / f".{name}.crc").write_bytes(b"\x00crc")
    (folder / "_SUCCESS").touch()
    (folder / "_temporary").mkdir()
    (folder / "_temporary" / "part-9.parquet").write_bytes(b"half written")
    return folder


def _close(a: object, b: object) -> None:
    """Equal, floats to 1e-12 (sums over the rows in other batches differ in the last digit)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _close(a[key], b[key])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _close(x, y)
    elif isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15, nan_ok=True)
    else:
        assert a == b


def _same_numbers(a: dict, b: dict) -> None:
    for key in ("features", "overall"):  # counts: to the last digit
        assert json.dumps(a["fairness"][key], sort_keys=True) == json.dumps(
            b["fairness"][key], sort_keys=True)  # fmt: skip
    _close(a["fairness"]["scores"], b["fairness"]["scores"])
    _close(a["performance"]["finetuned"], b["performance"]["finetuned"])


@pytest.mark.parametrize("csv", [False, True], ids=["parquet", "csv"])
def test_a_spark_folder_audits_as_the_joined_file(tmp_path, csv):
    frame = predictions_frame(3000, seed=4)
    whole = tmp_path / ("whole.csv" if csv else "whole.parquet")
    frame.to_csv(whole, index=False) if csv else frame.to_parquet(whole, index=False)
    folder = _spark(tmp_path / "preds", frame, csv=csv)
    a = audit_predictions(whole, **COLS).data
    b = audit_predictions(folder, **COLS).data
    _same_numbers(a, b)
    parts = sorted(p for p in os.listdir(folder) if p.startswith("part-"))
    each = {f"preds/{p}": hashlib.sha256((folder / p).read_bytes()).hexdigest() for p in parts}
    assert b["data"]["source_files"] == each
    lines = "".join(f"{h}  {name.removeprefix('preds/')}\n" for name, h in each.items())
    combined = hashlib.sha256(lines.encode()).hexdigest()  # `sha256sum part-* | sha256sum`
    assert b["fairness"]["source"]["sha256"] == combined == b["performance"]["rows"]["sha256"]
    assert b["data"]["splits"]["test"]["sha256"] == combined
    assert "from 4 " in b["fairness"]["source"]["engine"]


def test_hive_partition_folders_give_the_sensitive_column(tmp_path):
    frame = predictions_frame(2000, seed=5)
    frame.loc[:40, "sex"] = None
    whole = tmp_path / "whole.parquet"
    frame.to_parquet(whole, index=False)
    root = tmp_path / "hive"
    for sex, rows in frame.assign(sex=frame["sex"].fillna("__HIVE_DEFAULT_PARTITION__")).groupby(
            "sex"):  # fmt: skip
        (root / f"sex={sex}").mkdir(parents=True)
        rows.drop(columns="sex").to_parquet(root / f"sex={sex}" / "000000_0", index=False)
    a = audit_predictions(whole, missing_group=True, **COLS).data
    b = audit_predictions(root, missing_group=True, **COLS).data
    _same_numbers(a, b)
    assert {g["group"] for g in b["fairness"]["features"]["sex"]["groups"]} == {
        "(missing)", "F", "M"}  # fmt: skip
    assert expected_rows(root) == 2000  # Hive's nameless Parquet parts counted for the spill


def test_a_folder_past_the_spill_rows_spills_and_counts_the_same(tmp_path):
    frame = predictions_frame(1200, seed=6)
    folder = _spark(tmp_path / "preds", frame, parts=3)
    cols = Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex",))
    kept = reduce_predictions(folder, cols, positive_label="approved")
    spilled = reduce_predictions(folder, cols, positive_label="approved", spill_rows=100)
    assert "spilled" in spilled.engine and kept.scores.roc_auc == spilled.scores.roc_auc
    assert (kept.table.counts == spilled.table.counts).all()


def _refused(folder: Path, *extra: str) -> str:
    out = folder.parent / "run"
    result = CliRunner().invoke(app, ["audit", "-p", str(folder), "--y-true", "label",
                                      "--y-pred", "pred", "--sensitive", "sex", "--out",
                                      str(out), *extra])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert not out.exists()
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"auditor: error: {folder}")
    return lines[0]


def test_folders_that_are_no_one_table_are_refused_in_one_line(tmp_path):
    frame = predictions_frame(100, seed=7)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "_SUCCESS").touch()
    assert "holds no data files" in _refused(empty)
    mixed = _spark(tmp_path / "mixed", frame, parts=2)
    frame.to_csv(mixed / "part-00009.csv", index=False)
    assert "Parquet parts (part-00000" in _refused(mixed) and "CSV parts (part-00009" in _refused(
        mixed)  # fmt: skip
    other = _spark(tmp_path / "other", frame, parts=2)
    (other / "notes.json").write_text("{}")
    assert "part notes.json is neither Parquet nor CSV" in _refused(other)
    schema = _spark(tmp_path / "schema", frame, parts=2)
    frame.assign(label=(frame["label"] == "approved").astype(int)).to_parquet(
        schema / "part-00002.parquet", index=False)  # fmt: skip
    said = _refused(schema)
    assert "column 'label' holds text in part-00000" in said and "numbers in part-00002" in said
    assert "not for a folder" in _refused(_spark(tmp_path / "dask", frame, parts=2),
                                          "--dask-scheduler", "threads")  # fmt: skip


def test_a_bad_row_is_named_in_its_part_with_the_parts_row_number(tmp_path):
    frame = predictions_frame(90, seed=8)
    folder = _spark(tmp_path / "preds", frame, parts=3, csv=True)
    part = sorted(folder.glob("part-00001*"))[0]
    text = part.read_text().splitlines()
    text[5] = text[5].replace("approved", "maybe", 1) if "approved" in text[5] else text[5]
    fields = text[5].split(",")
    fields[0] = ""  # no true label
    text[5] = ",".join(fields)
    part.write_text("\n".join(text) + "\n")
    said = _refused(folder, "--batch-rows", "2")  # the part read in several batches
    assert (f"{part}: label: target column 'label' has missing values: 1 row without a class "
            "in data rows 5-6 (first at data row 5)") in said


def test_a_part_changed_or_added_while_read_is_refused(tmp_path):
    folder = _spark(tmp_path / "preds", predictions_frame(100, seed=9), parts=2)
    found = folder_of(folder)
    before = found.states()
    part = folder / found.parts[0]
    os.utime(part, ns=(0, 0))
    with pytest.raises(AuditorInputError, match="part part-00000.* changed while it was read"):
        found.check_unchanged(before)
    before = found.states()
    (folder / "part-00007.parquet").write_bytes((folder / found.parts[1]).read_bytes())
    with pytest.raises(AuditorInputError, match=r"added or removed .*\(part-00007.parquet\)"):
        found.check_unchanged(before)
    assert folder_sha256(found)[1].keys() == set(found.parts)


def test_dasks_csv_parts_and_empty_partitions_are_read_and_a_headerless_part_explained(tmp_path):
    frame = predictions_frame(900, seed=10)
    whole = tmp_path / "whole.csv"
    frame.to_csv(whole, index=False)
    dask = tmp_path / "dask"  # dask.dataframe.to_csv("dask"): 0.part, 1.part, ...
    dask.mkdir()
    for i in range(3):
        frame.iloc[i * 300:(i + 1) * 300].to_csv(dask / f"{i}.part", index=False)
    (dask / "3.part").touch()  # an empty partition
    _same_numbers(audit_predictions(whole, **COLS).data, audit_predictions(dask, **COLS).data)
    spark = tmp_path / "spark"  # Spark's CSV parts: no header line unless asked for
    spark.mkdir()
    frame.to_csv(spark / "part-00000-c000.csv", index=False, header=False)
    assert "Spark writes CSV parts without a header line" in _refused(spark)


@pytest.mark.parametrize("kind", ["parquet", "csv", "csv.gz"])
def test_each_part_is_hashed_from_the_bytes_read_and_again_once_changed(tmp_path, monkeypatch,
                                                                         kind):  # fmt: skip
    import gzip

    frame = predictions_frame(300, seed=11)
    folder = _spark(tmp_path / "preds", frame, parts=3, csv=kind != "parquet")
    if kind == "csv.gz":  # Dask's to_csv(compression="gzip"): read as the plain parts
        for part in sorted(folder.glob("part-*.csv")):
            part.with_name(part.name + ".gz").write_bytes(gzip.compress(part.read_bytes()))
            part.unlink()
        cols = Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex",))
        assert reduce_predictions(folder, cols, positive_label="approved").table.n == 300
    cols = Columns(y_true="label", y_pred="pred", sensitive=("sex",))
    found = folder_of(folder)
    assert sum(b.num_rows for b in found.batches(cols, batch_rows=50, hashed=True)) == 300
    changed = folder / found.parts[2]
    changed.write_bytes((folder / found.parts[0]).read_bytes())  # after the read
    rehashed = []

    def sha256_file(path: Path) -> str:
        rehashed.append(Path(path).name)
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()

    monkeypatch.setattr(provenance, "_sha256", sha256_file)
    each = folder_sha256(folder_of(folder))[1]
    assert rehashed == [changed.name]  # the others: hashed as they were read, not read again
    assert each == {p: hashlib.sha256((folder / p).read_bytes()).hexdigest() for p in found.parts}


def test_a_part_rewritten_between_its_footer_and_its_rows_is_refused_as_changed(tmp_path):
    folder = _spark(tmp_path / "preds", predictions_frame(300, seed=12), parts=3)
    cols = Columns(y_true="label", y_pred="pred", sensitive=("sex",))
    found = folder_of(folder)
    batches = found.batches(cols, batch_rows=50)
    next(batches)  # every footer read, the first part being read
    (folder / found.parts[1]).write_bytes(b"PAR1 half written")
    with pytest.raises(AuditorInputError, match="part part-00001.* changed while it was read"):
        list(batches)


def test_parts_past_the_one_pass_size_are_read_and_hashed_as_the_others(tmp_path, monkeypatch):
    import auditor.predictions.folder as folder_module

    folder = _spark(tmp_path / "preds", predictions_frame(600, seed=13), parts=3)
    cols = Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex",))
    once = reduce_predictions(folder, cols, positive_label="approved")
    hashed = folder_sha256(folder_of(folder))
    monkeypatch.setattr(folder_module, "ONE_PASS_BYTES", 0)  # every part read by its path
    apart = reduce_predictions(folder, cols, positive_label="approved")
    assert (once.table.counts == apart.table.counts).all()
    assert once.scores.roc_auc == apart.scores.roc_auc
    assert folder_sha256(folder_of(folder)) == hashed


def test_a_part_that_is_no_parquet_file_is_refused_in_one_line(tmp_path):
    """Its footer was read raw by the schema check: pyarrow's ArrowInvalid, an internal error
    with a crash log."""
    folder = _spark(tmp_path / "preds", predictions_frame(100, seed=14), parts=2)
    (folder / "part-00001-broken.snappy.parquet").write_bytes(b"PAR1 half written")
    said = _refused(folder)
    assert "part-00001-broken.snappy.parquet: not a complete Parquet file: it ends" in said


def _kept(folder: Path) -> list[str]:
    """The hashes kept for the folder's parts (:func:`auditor.provenance.hashed_as_read`)."""
    return [key for key in provenance._AHEAD if key.startswith(str(folder.resolve()))]


def test_a_hash_is_kept_only_for_a_read_whose_parts_are_hashed_next(tmp_path, monkeypatch):
    # the mitigation preview's second read (table_batches) hashed every part again and kept
    # the hashes, never taken: a long-lived process kept gaining them
    folder = _spark(tmp_path / "preds", predictions_frame(300, seed=15), parts=3)
    cols = Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex",))
    hashes, sha256 = [], hashlib.sha256
    monkeypatch.setattr(hashlib, "sha256", lambda *a: hashes.append(1) or sha256(*a))
    assert sum(b.num_rows for b in table_batches(folder, cols, batch_rows=100)) == 300
    assert hashes == [] and _kept(folder) == []
    reduce_predictions(folder, cols, positive_label="approved")
    assert len(hashes) == 3 and len(_kept(folder)) == 3
    each = folder_sha256(folder_of(folder))[1]
    assert len(hashes) == 4 and _kept(folder) == []  # taken once, not read again: the lines'
    assert each == {p.name: sha256(p.read_bytes()).hexdigest()
                    for p in folder.glob("part-*")}  # fmt: skip


def test_a_part_replaced_by_a_larger_file_after_its_stat_is_not_read_whole(tmp_path, monkeypatch):
    # the one-pass bound was checked on the stat, then read_bytes read the file to its end
    # whatever its size by then (a 100 MiB file renamed over a small part: read, then refused)
    import tracemalloc

    import auditor.predictions.folder as folder_module

    folder = _spark(tmp_path / "preds", predictions_frame(300, seed=16), parts=3)
    found = folder_of(folder)
    big = tmp_path / "big.parquet"
    with big.open("wb") as fh:
        fh.truncate(100 << 20)  # sparse: no disk taken
    target = str(folder / found.parts[1])
    real, armed = folder_module.file_state, []

    def file_state(path: str) -> tuple[int, ...] | None:
        state = real(path)
        if armed and path == target:  # the part's stat taken, then a file renamed over it
            armed.clear()
            os.replace(big, target)
        return state

    monkeypatch.setattr(folder_module, "file_state", file_state)
    batches = found.batches(Columns(y_true="label", y_pred="pred", sensitive=("sex",)),
                            batch_rows=1000, hashed=True)  # fmt: skip
    next(batches)  # the footers read, the first part
    armed.append(True)
    tracemalloc.start()
    try:
        with pytest.raises(AuditorInputError, match="part part-00001.* changed while it was"):
            list(batches)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not armed and peak < 8 << 20


def test_a_folders_spill_rows_come_from_the_footers_the_read_keeps(tmp_path, monkeypatch):
    # spill_for looked the folder up again and opened every part's footer a second time
    import pyarrow.parquet as pq

    import auditor.predictions.spilling as spilling

    folder = _spark(tmp_path / "preds", predictions_frame(900, seed=17), parts=3)
    opened, real = [], pq.ParquetFile

    def parquet_file(source, *args, **kwargs):
        if isinstance(source, (str, Path)):
            opened.append(Path(source).name)
        return real(source, *args, **kwargs)

    def read_metadata(source, *args, **kwargs):  # a footer parsed (the folder's check)
        if isinstance(source, (str, Path)):
            opened.append(Path(source).name)
        return real_metadata(source, *args, **kwargs)

    real_metadata = pq.read_metadata
    monkeypatch.setattr(pq, "ParquetFile", parquet_file)
    monkeypatch.setattr(pq, "read_metadata", read_metadata)
    monkeypatch.setattr(spilling, "folder_of", None)  # the read's folder is used
    cols = Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex",))
    spilled = reduce_predictions(folder, cols, positive_label="approved", spill_rows=899)
    assert "spilled" in spilled.engine and spilled.table.n == 900
    assert sorted(opened) == sorted(p.name for p in folder.glob("part-*"))  # each once
    opened.clear()
    kept = reduce_predictions(folder, cols, positive_label="approved", spill_rows=900)
    assert "spilled" not in kept.engine and kept.scores.roc_auc == spilled.scores.roc_auc
    assert len(opened) == 3
