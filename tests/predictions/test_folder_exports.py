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


def test_a_part_whose_group_column_is_all_missing_is_read_as_missing_groups(tmp_path):
    # pandas writes a column of only None as Parquet's null type: the folder was refused as
    # "holds text in part-0 and null in part-1", where the rows are the group '(missing)'
    folder = tmp_path / "preds"
    folder.mkdir()
    frame = predictions_frame(300, seed=42)
    frame.iloc[:200].to_parquet(folder / "part-0.parquet", index=False)
    frame.iloc[200:].assign(sex=None).to_parquet(folder / "part-1.parquet", index=False)
    result = audit_predictions(folder, **COLS, missing_group=True)
    groups = {g["group"]: g["n"] for g in result.data["fairness"]["features"]["sex"]["groups"]}
    assert groups["(missing)"] == 100 and sum(groups.values()) == 300
    with pytest.raises(AuditorInputError, match="part-1.parquet: sex: empty or missing group"):
        audit_predictions(folder, **COLS)


def _rows_by_group(folder: Path) -> dict[str, int]:
    result = audit_predictions(folder, **COLS)
    return {g["group"]: g["n"] for g in result.data["fairness"]["features"]["sex"]["groups"]}


def test_a_linked_partition_folder_is_read_and_a_broken_link_or_a_loop_refused(tmp_path):
    # a link to a folder was not followed: a partition folder linked in (sex=F -> elsewhere)
    # was left out unsaid (522 of 1,000 rows audited, where pandas' read_parquet reads all),
    # and a part linked to a deleted file was skipped as no file
    frame = predictions_frame(300, seed=43)
    store, folder = tmp_path / "store", tmp_path / "preds"
    for group, rows in frame.groupby("sex"):
        (store / f"sex={group}").mkdir(parents=True)
        rows.drop(columns="sex").to_parquet(store / f"sex={group}" / "part-0.parquet")
    folder.mkdir()
    for group in frame["sex"].unique():
        (folder / f"sex={group}").symlink_to(store / f"sex={group}", target_is_directory=True)
    assert _rows_by_group(folder) == frame["sex"].value_counts().to_dict()
    (folder / "part-9.parquet").symlink_to(tmp_path / "deleted.parquet")
    with pytest.raises(AuditorInputError, match="part part-9.parquet is a link to .*deleted"):
        audit_predictions(folder, **COLS)
    (folder / "part-9.parquet").unlink()
    group = next(iter(frame["sex"].unique()))
    (store / f"sex={group}" / "back").symlink_to(folder, target_is_directory=True)
    with pytest.raises(AuditorInputError, match=f"sex={group}/back is a link to a folder above"):
        audit_predictions(folder, **COLS)
    (store / f"sex={group}" / "back").unlink()
    (folder / "up").symlink_to(tmp_path, target_is_directory=True)  # all of tmp_path not walked
    with pytest.raises(AuditorInputError, match=r"preds: up is a link to a folder above it"):
        audit_predictions(folder, **COLS)


def test_a_folder_that_cannot_be_listed_is_refused_not_skipped(tmp_path, monkeypatch):
    folder = _parts(tmp_path / "preds")
    (folder / "more").mkdir()
    real = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("more"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(AuditorInputError, match=r"cannot list more under it \(Permission"):
        audit_predictions(folder, **COLS)


def test_a_part_read_from_its_bytes_is_opened_once(tmp_path, monkeypatch):
    # iter_batches opened a part read ahead twice: once for its header check, once to read it
    import pyarrow.parquet as pq

    folder = _parts(tmp_path / "preds")
    opened, real = [], pq.ParquetFile

    def counted(source: object, *args: object, **kwargs: object) -> object:
        opened.append(source)
        return real(source, *args, **kwargs)

    footers, real_metadata = [], pq.read_metadata

    def parsed(source: object, *args: object, **kwargs: object) -> object:
        footers.append(source)
        return real_metadata(source, *args, **kwargs)

    monkeypatch.setattr(pq, "ParquetFile", counted)
    monkeypatch.setattr(pq, "read_metadata", parsed)
    audit_predictions(folder, **COLS)
    assert len(footers) == 3 and len(opened) == 3  # each part's footer (its schema), its rows


def test_csv_parts_compressed_other_than_gzip_are_refused_saying_how_to_write_them(tmp_path):
    # Spark's .option('compression', 'bzip2') parts were "neither Parquet nor CSV"
    folder = tmp_path / "preds"
    folder.mkdir()
    predictions_frame(100, seed=44).to_csv(folder / "part-00000-7f3a.csv.bz2", index=False)
    with pytest.raises(AuditorInputError, match=r"part-00000-7f3a.csv.bz2 is compressed as "
                       r"\.bz2, which is not read: write the parts uncompressed or with gzip"):
        audit_predictions(folder, **COLS)


@pytest.mark.parametrize(("log", "name"), [("_delta_log", "Delta Lake"), (".hoodie", "Hudi"),
                                           ("metadata", "Iceberg")])  # fmt: skip
def test_a_table_formats_folder_is_refused_not_read_with_its_older_versions(tmp_path, log, name):
    # a Delta table's folder keeps the parquet files a DELETE or an overwrite replaced until
    # VACUUM: every part was read, old and current, and counted (rows twice, deleted rows)
    folder = _parts(tmp_path / "preds")
    (folder / log).mkdir()
    (folder / log / ("v1.metadata.json" if name == "Iceberg" else "00000.json")).write_text("{}")
    with pytest.raises(AuditorInputError, match=f"a {name} table \\({log}/\\): its folder also "
                       "holds the files of older versions"):  # fmt: skip
        audit_predictions(folder, **COLS)


def test_a_folder_named_metadata_of_no_iceberg_table_is_read_as_a_partition(tmp_path):
    folder = _parts(tmp_path / "preds")
    (folder / "metadata").mkdir()
    predictions_frame(10, seed=45).to_parquet(folder / "metadata" / "part-9.parquet")
    assert sum(_rows_by_group(folder).values()) == 310


def test_a_spark_folder_still_written_is_refused_and_one_done_is_read(tmp_path):
    # its committed parts were audited as the whole table while the job was still running
    folder = _parts(tmp_path / "preds")
    (folder / "_temporary" / "0").mkdir(parents=True)
    with pytest.raises(AuditorInputError, match=r"the Spark job writing it has not finished"):
        audit_predictions(folder, **COLS)
    (folder / "_SUCCESS").touch()  # done (a _temporary/ a speculative task left: no matter)
    assert sum(_rows_by_group(folder).values()) == 300


def test_a_parquet_files_footer_is_parsed_once_for_its_check_and_its_read(tmp_path, monkeypatch):
    # its header check read the schema (a parse of the footer), then its reader parsed it
    # again: 35 ms a parse for a footer of 1,000 columns in 50 row groups
    import pyarrow.parquet as pq

    from auditor.predictions.source import Columns, iter_batches

    path = tmp_path / "preds.parquet"
    predictions_frame(100, seed=46).to_parquet(path, index=False)

    def parsed_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("the footer parsed again")

    monkeypatch.setattr(pq, "read_schema", parsed_again)
    cols = Columns(y_true="label", y_pred="pred", sensitive=("sex",))
    assert sum(batch.num_rows for batch in iter_batches(path, cols, batch_rows=40)) == 100


@pytest.mark.parametrize(("log", "under"), [("_delta_log", "date=2024-01-01"),
                                            ("metadata", "data")])  # fmt: skip
def test_a_partition_or_data_folder_of_a_table_format_is_refused_too(tmp_path, log, under):
    # -p table/date=2024-01-01 (Delta) or -p table/data (Iceberg) read every version's files
    table = tmp_path / "table"
    (table / log).mkdir(parents=True)
    folder = _parts(table / under)
    (table / log / ("v1.metadata.json" if log == "metadata" else "00000.json")).write_text("{}")
    with pytest.raises(AuditorInputError, match=f"{under}: a .* table \\(.*table/{log}/\\)"):
        audit_predictions(folder, **COLS)
