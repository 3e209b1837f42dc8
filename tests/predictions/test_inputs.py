"""What a predictions file may look like: the same kinds and header checks as the table loader
(auditor.data.header): spreadsheet CSVs with a byte-order mark, gzip CSVs, and one-line refusals
of a folder, a column named twice and a nested Parquet column, before any row is counted."""

from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from auditor.data.header import DUPLICATE_COLUMN, NESTED_COLUMN
from auditor.errors import AuditorInputError
from auditor.predictions.read import Columns, reduce_predictions
from tests.builders import predictions_columns, predictions_frame


def _counts(path):
    return reduce_predictions(path, predictions_columns(), positive_label="approved")


def _same(a, b) -> None:
    assert a.table.counts.tolist() == b.table.counts.tolist()
    assert a.scores.roc_auc == b.scores.roc_auc and a.scores.log_loss == b.scores.log_loss


def test_a_bom_csv_and_a_gzip_csv_read_as_the_plain_file(tmp_path):
    frame = predictions_frame(800, seed=2)
    plain = tmp_path / "p.csv"
    frame.to_csv(plain, index=False)
    bom = tmp_path / "excel.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    packed = tmp_path / "p.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    reference = _counts(plain)
    _same(_counts(bom), reference)
    _same(_counts(packed), reference)


def test_semicolon_tab_and_commented_csvs_read_as_the_comma_file(tmp_path):
    """European spreadsheets write ';' (and a decimal comma), pipelines tab (.tsv); '#' lines
    above the header are comments: each reads as the plain file, also per Dask partition."""
    frame = predictions_frame(800, seed=3)
    plain = tmp_path / "p.csv"
    frame.to_csv(plain, index=False)
    reference = _counts(plain)
    semi, tab = tmp_path / "semi.csv", tmp_path / "p.tsv"
    frame.to_csv(semi, index=False, sep=";")
    frame.to_csv(tab, index=False, sep="\t")
    comma = tmp_path / "comma.csv"  # a European spreadsheet: ';' and the decimal comma
    frame.to_csv(comma, index=False, sep=";", decimal=",")
    assert ";0," in comma.read_text()
    excel = tmp_path / "excel.csv"  # Excel's "sep=;" line, a byte-order mark, CRLF
    excel.write_bytes(b"\xef\xbb\xbfsep=;\r\n" + comma.read_text().replace("\n", "\r\n").encode())
    noted = tmp_path / "noted.csv"
    noted.write_text("# model v3, exported 2026-11-29\n# columns: see README\n" + plain.read_text())
    for path in (semi, tab, comma, excel, noted):
        _same(_counts(path), reference)
    for path in (noted, comma, excel):
        dask = reduce_predictions(path, predictions_columns(), positive_label="approved",
                                  dask_scheduler="synchronous")  # fmt: skip
        assert dask.table.counts.tolist() == reference.table.counts.tolist()


def refused(path, cols=None) -> AuditorInputError:
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(path, cols or predictions_columns(), positive_label="approved")
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    return err.value


def test_a_column_the_audit_reads_named_twice_is_refused(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("label,pred,score,sex,region,sex\napproved,approved,0.9,F,a,M\n")
    err = refused(path)
    assert DUPLICATE_COLUMN.format(col="sex", n=2) in str(err) and err.field == "sex"
    other = tmp_path / "other.csv"  # a duplicate the audit does not read is not its business
    rows = "approved,approved,0.9,F,a,1,2\ndenied,denied,0.1,M,b,1,2\n" * 20
    other.write_text("label,pred,score,sex,region,x,x\n" + rows)
    assert _counts(other).table.counts.sum() == 40


def test_a_nested_parquet_column_is_refused_alone_and_as_a_folders_part(tmp_path):
    path = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"y_true": [1, 0], "y_pred": [1, 1], "sex": [["F"], ["M"]]}), path)
    err = refused(path, Columns(sensitive=("sex",)))
    assert err.field == "sex" and "list" in str(err)
    assert NESTED_COLUMN.split("{")[0] in str(err)
    # a folder is read as the table its parts hold (test_folder.py): the part's refusal
    assert str(refused(tmp_path, Columns(sensitive=("sex",)))) == str(err)


@pytest.mark.parametrize(
    ("cols", "roles"),
    [
        (Columns(y_score="sex", sensitive=("sex",)), "--y-score and --sensitive"),
        (Columns(y_pred="y_true", sensitive=("sex",)), "--y-true and --y-pred"),
        (Columns(sensitive=("sex", "y_true")), "--y-true and --sensitive"),
        (Columns(sensitive=("sex", "sex")), "--sensitive"),
    ],
)
def test_one_column_in_two_roles_is_refused_before_reading(tmp_path, cols, roles):
    """pyarrow would read the column twice and fail on its own schema (a KeyError traceback)."""
    path = tmp_path / "p.csv"
    path.write_text("y_true,y_pred,sex\n1,0,F\n0,1,M\n")
    err = refused(path, cols)
    assert f"is named twice ({roles})" in str(err)


@pytest.mark.parametrize(
    ("edit", "fields"),
    [
        (lambda row: row + ",Smith, John", 8),  # an unquoted value holding the delimiter
        (lambda row: row.rsplit(",", 1)[0], 5),  # short: only a column the audit skips lacks
        (lambda row: row.split(",", 1)[1], 5),  # short: the fields shifted left by one
    ],
    ids=["long", "short-unread", "short-shifted"],
)
def test_a_ragged_row_is_refused_by_both_engines_in_the_same_line(tmp_path, edit, fields):
    """pandas (the Dask path) read only the audited columns and silently dropped a row's extra
    fields, and filled a short row's missing fields with NaN (audited where only a column the
    audit does not read lacked one), auditing a file the pyarrow path refuses; now both engines
    parse with pyarrow and refuse it in one same line."""
    frame = predictions_frame(600, seed=4).assign(note=7)
    lines = frame.to_csv(index=False).splitlines()
    lines[300] = edit(lines[300])
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n")
    lines_err = []
    for kw in ({}, {"dask_scheduler": "synchronous"}, {"dask_scheduler": "threads"}):
        with pytest.raises(AuditorInputError) as err:
            reduce_predictions(path, predictions_columns(), positive_label="approved", **kw)
        lines_err.append(str(err.value))
    assert lines_err[0].startswith(f"{path}: data row 300 has {fields} fields where the header "
                                   "has 6 (")  # fmt: skip
    assert lines_err[1] == lines_err[0] and lines_err[2] == lines_err[0]


@pytest.mark.parametrize("text", ["None", "<NA>", "nan", "#N/A"])
def test_a_group_or_label_text_reads_alike_on_both_engines(tmp_path, text):
    """pandas' CSV reader takes more words for missing than pyarrow's ('None', '<NA>'): a
    group written 'None' was a group on one engine and a refused missing value on the other.
    Both engines now parse with pyarrow: one answer, counts or the same one-line refusal."""
    path = tmp_path / "p.csv"
    rows = [f"1,1,{text}", "0,0,F", "1,0,M", "0,1,F", "1,1,M", f"0,{text},M"]
    path.write_text("y_true,y_pred,sex\n" + "\n".join(rows) + "\n")
    answers = []
    for kw in ({}, {"dask_scheduler": "synchronous"}):
        try:
            got = reduce_predictions(path, Columns(sensitive=("sex",)), **kw)
            answers.append((got.table.group_labels, got.table.counts.tolist()))
        except AuditorInputError as err:
            answers.append(str(err).replace(" (partition 1 of 1; its rows counted from 1)", ""))
    assert answers[1] == answers[0]


def test_a_column_the_audit_does_not_read_may_change_type_past_dasks_sample(tmp_path):
    """Every column is read per Dask partition now: one the audit does not read is read as
    text, so numbers in Dask's sample and text further down are no dtype mismatch."""
    frame = predictions_frame(30_000, seed=6).assign(note="1")
    frame.loc[29_990, "note"] = "see the ticket"
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    reference = _counts(path)
    dask = reduce_predictions(path, predictions_columns(), positive_label="approved",
                              dask_scheduler="synchronous")  # fmt: skip
    assert dask.table.counts.tolist() == reference.table.counts.tolist()


def _without_run_details(node):
    """audit.json less what differs by engine or clock: timings, the engine, the command."""
    if isinstance(node, dict):
        drop = ("timings_s", "seconds", "created_at", "engine", "command")
        return {k: _without_run_details(v) for k, v in node.items() if k not in drop}
    if isinstance(node, list):
        return [_without_run_details(v) for v in node]
    return node


def test_the_dask_engine_gives_the_pyarrow_engines_audit_to_the_last_digit(tmp_path):
    """A CSV of 0 / 1 labels, scores and two sensitive columns: the audit read per Dask
    partition (every column read now, no usecols) is the pyarrow engine's, number for number."""
    from auditor.api import audit_predictions

    frame = predictions_frame(3000, seed=8).assign(score=lambda f: f["score"].round(6))
    for column in ("label", "pred"):  # 0 / 1: pandas holds both in one 2-D int block
        frame[column] = (frame[column] == "approved").astype(int)
    path = tmp_path / "p.csv"
    frame.to_csv(path, index=False)
    kw = {"sensitive": ["sex", "region"], "y_true": "label", "y_pred": "pred", "y_score": "score"}
    arrow = _without_run_details(audit_predictions(path, **kw).data)
    dask = _without_run_details(audit_predictions(path, dask_scheduler="synchronous", **kw).data)
    assert json.dumps(dask, sort_keys=True) == json.dumps(arrow, sort_keys=True)  # NaN bins too


def test_a_repeated_column_the_audit_does_not_read_is_read_per_dask_partition_too(tmp_path):
    """A header written with ', ' (names given to pandas) and a column the audit does not read
    named twice: the Dask path crashed (pandas: 'Duplicate names are not allowed')."""
    rows = "approved, approved, 0.9, F, a, 1, 2\ndenied, denied, 0.1, M, b, 1, x\n" * 20
    path = tmp_path / "spaced.csv"
    path.write_text("label, pred, score, sex, region, x, x\n" + rows)
    reference = _counts(path)
    dask = reduce_predictions(path, predictions_columns(), positive_label="approved",
                              dask_scheduler="synchronous")  # fmt: skip
    assert dask.table.counts.tolist() == reference.table.counts.tolist()


def test_a_parquet_with_category_columns_audits_alike_on_both_engines(tmp_path):
    """pyarrow's dictionary and pandas' sorted categories meet the cells in other orders; the
    overall log loss and ECE were summed in that order (0.515598265824668 beside
    0.5155982658246678); now in the cells' sorted order."""
    from auditor.api import audit_predictions

    frame = predictions_frame(3000, seed=9)
    for column in ("label", "pred"):
        frame[column] = (frame[column] == "approved").astype("Int64")
    frame["sex"] = frame["sex"].astype("category")
    path = tmp_path / "p.parquet"
    frame.to_parquet(path, index=False)
    kw = {"sensitive": ["sex", "region"], "y_true": "label", "y_pred": "pred", "y_score": "score"}
    arrow = _without_run_details(audit_predictions(path, **kw).data)
    dask = _without_run_details(audit_predictions(path, dask_scheduler="synchronous", **kw).data)
    assert json.dumps(dask, sort_keys=True) == json.dumps(arrow, sort_keys=True)


def test_a_csv_in_many_dask_partitions_counts_as_the_batch_engine(tmp_path, monkeypatch):
    """Blocks of lines (the first with the comment lines and the header, BOM and CRLF kept),
    each typed as the batch engine types the file; a gzip file is one block; a ragged row in
    a later block is refused in the batch engine's words."""
    from auditor.predictions import partitions

    frame = predictions_frame(3000, seed=11)
    text = "# exported by a pipeline\n" + frame.to_csv(index=False, sep=";", decimal=",")
    path = tmp_path / "p.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    packed = tmp_path / "p.csv.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    reference = _counts(path)
    monkeypatch.setattr(partitions, "CSV_PARTITION", 8192)
    for file in (path, packed):
        got = reduce_predictions(file, predictions_columns(), positive_label="approved",
                                 dask_scheduler="threads", batch_rows=100)  # fmt: skip
        assert got.table.counts.tolist() == reference.table.counts.tolist()
        assert got.scores.roc_auc == reference.scores.roc_auc  # sums per batch: last digit
        assert got.scores.log_loss == pytest.approx(reference.scores.log_loss, rel=1e-13)
        assert got.n_batches >= 30
    lines = path.read_bytes().split(b"\r\n")
    lines[2500] += b";late"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(AuditorInputError) as arrow:
        _counts(path)
    with pytest.raises(AuditorInputError) as dask:
        reduce_predictions(path, predictions_columns(), positive_label="approved",
                           dask_scheduler="synchronous")  # fmt: skip
    assert str(dask.value) == str(arrow.value) and " has 6 fields where" in str(arrow.value)


@pytest.mark.parametrize("sep", [",", "\t", ";"])
def test_rs_row_names_under_a_header_one_name_short_are_read_as_a_first_column(tmp_path, sep):
    """R's write.table (row.names = TRUE, its default) writes each row's name first and no
    name for that column in the header: every row has one field more than the header. It is
    read as an unnamed first column (as pandas reads it), on both engines."""
    frame = predictions_frame(500, seed=13)
    plain = tmp_path / "plain.csv"
    frame.to_csv(plain, index=False)
    names = sep.join(f'"{c}"' for c in frame.columns)
    rows = [sep.join([f'"{i + 1}"', *(f'"{v}"' if isinstance(v, str) else repr(v) for v in row)])
            for i, row in enumerate(frame.itertuples(index=False))]  # fmt: skip
    path = tmp_path / "r.txt"
    path.write_text("\n".join([names, *rows]) + "\n")
    reference = _counts(plain)
    _same(_counts(path), reference)
    dask = reduce_predictions(path, predictions_columns(), positive_label="approved",
                              dask_scheduler="synchronous")  # fmt: skip
    _same(dask, reference)


def test_a_delimiter_ending_every_row_is_an_unnamed_last_column(tmp_path):
    """'y_true,y_pred,sex' over '1,0,F,': every row one field more, the extra one empty (a
    trailing delimiter, not row names): the names keep their columns. A delimiter ending the
    header line alone ('y_true,y_pred,sex,' over '1,0,F') is an empty name, dropped (every
    row was refused as ragged)."""
    frame = predictions_frame(300, seed=14)
    plain = tmp_path / "plain.csv"
    frame.to_csv(plain, index=False)
    lines = plain.read_text().splitlines()
    path = tmp_path / "trailing.csv"
    path.write_text("\n".join([lines[0], *(line + "," for line in lines[1:])]) + "\n")
    _same(_counts(path), _counts(plain))
    header = tmp_path / "header.csv"
    header.write_text("\n".join([lines[0] + ",", *lines[1:]]) + "\n")
    _same(_counts(header), _counts(plain))



def test_a_parquet_of_bytes_columns_reads_their_text(tmp_path):
    """Impala and older Hive write strings as bytes (no UTF-8 annotation): groups were shown
    as "b'F'" and a label 'approved' as bytes matched no --positive-label. Now their text;
    bytes that are not UTF-8 are refused naming the column."""
    frame = predictions_frame(600, seed=15)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name in ("label", "pred", "sex"):
        column = pa.array([v.encode() for v in frame[name]], pa.binary())
        table = table.set_column(table.schema.get_field_index(name), name, column)
    path = tmp_path / "impala.parquet"
    pq.write_table(table, path)
    reference = tmp_path / "p.parquet"
    frame.to_parquet(reference)
    got = _counts(path)
    _same(got, _counts(reference))
    assert got.table.group_labels == _counts(reference).table.group_labels
    table = table.set_column(table.schema.get_field_index("sex"), "sex",
                             pa.array([b"\xff"] * len(frame), pa.binary()))  # fmt: skip
    pq.write_table(table, path)
    err = refused(path)
    assert err.field == "sex" and "holds bytes that are not UTF-8 text" in str(err)


def test_a_parquet_partitions_messages_name_the_files_rows_as_the_batch_engine(tmp_path):
    """Row groups as Dask partitions start at their row of the file: a refusal in the third
    names the same data row as the batch engine, in the same line."""
    frame = predictions_frame(900, seed=16)
    frame.loc[700, "score"] = 1.5
    path = tmp_path / "p.parquet"
    frame.to_parquet(path, row_group_size=300)
    messages = []
    for kw in ({}, {"dask_scheduler": "synchronous"}):
        with pytest.raises(AuditorInputError) as err:
            reduce_predictions(path, predictions_columns(), positive_label="approved", **kw)
        messages.append(str(err.value))
    assert messages[1] == messages[0] and "at data row 701" in messages[0]


def test_a_quoted_value_spanning_lines_is_read_past_a_block_and_named_by_dask(tmp_path,
                                                                              monkeypatch):
    """A free-text column with line breaks in quoted values (as pandas and spreadsheets write
    them): pyarrow's reader lost its place at a block boundary ('CSV parser got out of sync
    with chunker', files over 16 MiB); now read. Dask's partitions split at line ends cannot
    hold such a file: it is read as one partition (it was refused); one over ONE_PARTITION is
    refused saying so, with the way on, not as a ragged row."""
    from auditor.predictions import partitions, source

    frame = predictions_frame(3000, seed=18)
    frame["note"] = ["called back,\nno answer" if i % 3 == 0 else "ok" for i in range(3000)]
    path = tmp_path / "notes.csv"
    frame.to_csv(path, index=False)
    reference = tmp_path / "plain.csv"
    frame.drop(columns="note").to_csv(reference, index=False)
    monkeypatch.setattr(source, "CSV_BLOCK", 4096)
    got, want = _counts(path), _counts(reference)
    assert got.table.counts.tolist() == want.table.counts.tolist()
    assert got.scores.roc_auc == want.scores.roc_auc  # the log loss: summed per block
    assert got.scores.log_loss == pytest.approx(want.scores.log_loss, rel=1e-13)
    monkeypatch.setattr(partitions, "CSV_PARTITION", 4096)
    dask = reduce_predictions(path, predictions_columns(), positive_label="approved",
                              dask_scheduler="synchronous")  # fmt: skip
    assert dask.table.counts.tolist() == want.table.counts.tolist()
    assert (dask.scores.roc_auc, dask.engine) == (want.scores.roc_auc, "dask (synchronous)")
    monkeypatch.setattr(partitions, "ONE_PARTITION", path.stat().st_size - 1)
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(path, predictions_columns(), positive_label="approved",
                           dask_scheduler="synchronous")  # fmt: skip
    said = partitions.SPANNING_VALUE.format(gib=0)
    assert str(err.value) == f"{path}: --dask-scheduler: {said}"


def test_a_bad_row_is_named_by_dask_as_by_the_batch_engine_past_the_one_partition_retry(
        tmp_path, monkeypatch):
    """A row the file holds (not a cut through a quoted value) is refused, read as one
    partition or not, in the batch engine's words."""
    from auditor.predictions import partitions

    frame = predictions_frame(3000, seed=19)
    frame.loc[2500, "score"] = 1.5
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    monkeypatch.setattr(partitions, "CSV_PARTITION", 4096)
    messages = []
    for dask in (None, "synchronous"):
        with pytest.raises(AuditorInputError) as err:
            reduce_predictions(path, predictions_columns(), positive_label="approved",
                               dask_scheduler=dask)  # fmt: skip
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "at data row 2501" in messages[0]


def test_scores_written_with_a_decimal_comma_in_a_comma_file_are_numbers(tmp_path):
    """A spreadsheet in a decimal-comma locale exporting ',' CSV quotes each score ("0,93"):
    they were refused as text; now numbers, on both engines. Other text is still refused."""
    frame = predictions_frame(500, seed=19).assign(score=lambda f: f["score"].round(4))
    plain = tmp_path / "plain.csv"
    frame.to_csv(plain, index=False)
    comma = tmp_path / "sheets.csv"
    frame.assign(score=frame["score"].map(lambda v: f"{v:g}".replace(".", ","))).to_csv(
        comma, index=False)  # fmt: skip
    assert ',"0,' in comma.read_text()
    reference = _counts(plain)
    for kw in ({}, {"dask_scheduler": "synchronous"}):
        got = reduce_predictions(comma, predictions_columns(), positive_label="approved", **kw)
        _same(got, reference)
    frame = frame.astype({"score": object})
    frame.loc[7, "score"] = "n/a yet"
    frame.to_csv(comma, index=False)
    assert "the column holds text ('n/a yet' at data row 8)" in str(refused(comma))


def test_a_csv_partitions_refusal_names_the_files_row_as_the_batch_engine(tmp_path, monkeypatch):
    """A bad value in a later CSV partition was named by its row in that partition
    ('partition 5 of 17; its rows counted from 1'); now by the file's row, in the batch
    engine's line."""
    from auditor.predictions import partitions

    frame = predictions_frame(3000, seed=20).astype({"score": object})
    frame.loc[2500, "score"] = 1.5
    path = tmp_path / "p.csv"
    frame.to_csv(path, index=False)
    monkeypatch.setattr(partitions, "CSV_PARTITION", 8192)
    messages = []
    for kw in ({}, {"dask_scheduler": "synchronous"}, {"dask_scheduler": "threads"}):
        with pytest.raises(AuditorInputError) as err:
            reduce_predictions(path, predictions_columns(), positive_label="approved", **kw)
        messages.append(str(err.value))
    assert "score 1.5 at data row 2501 is above 1" in messages[0]
    assert messages[1] == messages[0] and messages[2] == messages[0]


def test_space_separated_files_of_numpy_and_r_defaults_are_read(tmp_path):
    """numpy's savetxt (delimiter ' ', header '# ...') and R's write.table (sep ' ', quoted
    text, row names) write spaces between fields by default: read where the rows confirm it."""
    import numpy as np

    frame = predictions_frame(400, seed=21)
    numeric = frame.assign(label=(frame["label"] == "approved").astype(int),
                           pred=(frame["pred"] == "approved").astype(int),
                           sex=(frame["sex"] == "F").astype(int))  # fmt: skip
    cols = Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex",))
    plain = tmp_path / "plain.csv"
    numeric.to_csv(plain, index=False)
    saved = tmp_path / "saved.txt"
    np.savetxt(saved, numeric[["label", "pred", "score", "sex"]].to_numpy(),
               header="label pred score sex")  # fmt: skip
    reference = reduce_predictions(plain, cols)
    got = reduce_predictions(saved, cols)
    assert got.table.counts.tolist() == reference.table.counts.tolist()
    assert got.scores.roc_auc == reference.scores.roc_auc
    r_file = tmp_path / "r.txt"
    rows = [" ".join([f'"{i + 1}"', f'"{r.label}"', f'"{r.pred}"', repr(r.score), f'"{r.sex}"'])
            for i, r in enumerate(frame.itertuples())]  # fmt: skip
    r_file.write_text('"label" "pred" "score" "sex"\n' + "\n".join(rows) + "\n")
    r_cols = Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex",))
    got = reduce_predictions(r_file, r_cols, positive_label="approved")
    want = reduce_predictions(_csv(tmp_path, frame), r_cols, positive_label="approved")
    assert got.table.counts.tolist() == want.table.counts.tolist()


def _csv(folder, frame):
    path = folder / "frame.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("scored", [True, False])
def test_csv_files_joined_with_their_header_lines_are_refused_at_the_repeated_header(tmp_path,
                                                                                     scored):
    """`cat part-0.csv part-1.csv`: the second header is a data row. Without a score column a
    0/1 file was audited as four classes (0, 1, 'y_true', 'y_pred'), silently; with one, the
    score's text was refused without saying why. Now both engines name the row."""
    frame = predictions_frame(900, seed=22)
    if not scored:
        frame = frame.drop(columns="score")
    halves = [frame[:600].to_csv(index=False), frame[600:].to_csv(index=False)]
    path = tmp_path / "joined.csv"
    path.write_text("".join(halves))
    cols = predictions_columns() if scored else Columns("label", "pred", None, ("sex", "region"))
    for kw in ({}, {"dask_scheduler": "synchronous"}):
        with pytest.raises(AuditorInputError) as err:
            reduce_predictions(path, cols, positive_label="approved", **kw)
        assert str(err.value) == f"{path}: data row 601 repeats the header line: files joined " \
            "with their header lines? keep the first header line only"


def test_a_repeated_header_past_the_first_block_of_numbers_is_named(tmp_path, monkeypatch):
    """Past pyarrow's first block its columns are typed (0/1 labels as numbers): the header's
    text there failed to convert ('cannot read (... invalid value 'label')')."""
    from auditor.predictions import source

    frame = predictions_frame(900, seed=23)
    for name in ("label", "pred"):
        frame[name] = (frame[name] == "approved").astype(int)
    path = tmp_path / "joined.csv"
    path.write_text(frame[:600].to_csv(index=False) + "\n" + frame[600:].to_csv(index=False))
    monkeypatch.setattr(source, "CSV_BLOCK", 4096)
    assert str(refused(path)).endswith(": data row 601 repeats the header line: files joined "
                                       "with their header lines? keep the first header line only")


def test_a_name_missing_from_the_header_is_a_ragged_row_not_row_names(tmp_path):
    """One name short, but the first fields are labels (repeated), not R's row names (each
    its own): the rows are refused as ragged, the names not shifted onto other columns."""
    frame = predictions_frame(200, seed=25)
    lines = frame.to_csv(index=False).splitlines()
    path = tmp_path / "forgot.csv"
    path.write_text("\n".join([lines[0].replace("score,", ""), *lines[1:]]) + "\n")
    unscored = Columns("label", "pred", None, ("sex", "region"))
    assert "data row 1 has 5 fields where the header has 4" in str(refused(path, unscored))


def test_two_sensitive_columns_in_one_option_say_to_name_each_on_its_own(tmp_path):
    path = tmp_path / "p.csv"
    predictions_frame(100, seed=26).to_csv(path, index=False)
    cols = Columns("label", "pred", None, ("sex,region",))
    assert str(refused(path, cols)).endswith(
        "the file has label, pred, score, sex, region; 'sex,region' names 2 columns: give "
        "each its own --sensitive")  # fmt: skip


def test_a_quote_never_closed_is_named_not_taken_for_a_delimiter_in_text(tmp_path):
    """An opening quote with no closing one reads on across line ends (values may span lines):
    the ragged row it makes was refused with 'quote a value that holds the delimiter'."""
    lines = predictions_frame(300, seed=31).to_csv(index=False).splitlines()
    fields = lines[40].split(",")
    fields[3] = '"' + fields[3]
    lines[40] = ",".join(fields)
    path = tmp_path / "open.csv"
    path.write_text("\n".join(lines) + "\n")
    said = str(refused(path))
    assert said.startswith(f"{path}: data row 40 has 4 fields where the header has 5, read on "
                           "across "
                           f"line ends from a quote that is never closed ('{lines[40]} ")
    assert said.endswith("); close the quote, or delete it")
    assert "; quote a value that holds the delimiter" in str(refused(_ragged(tmp_path)))


def _ragged(folder):
    path = folder / "ragged.csv"
    path.write_text("label,pred,score,sex,region\napproved,denied,0.5,F,a\ndenied,x,0.5,F,a,b\n")
    return path


def test_a_row_longer_than_the_readers_block_is_refused_saying_so(tmp_path, monkeypatch):
    """Past the lines the header is sniffed from, a row over pyarrow's block was refused in
    pyarrow's words ('straddling object straddles two block boundaries')."""
    from auditor.predictions import source

    frame = predictions_frame(900, seed=32)
    frame.loc[700, "region"] = "r" * 20_000
    path = tmp_path / "long.csv"
    frame.to_csv(path, index=False)
    monkeypatch.setattr(source, "CSV_BLOCK", 4096)
    assert str(refused(path)) == f"{path}: " + source.LONG_ROW.format(mib=0)


def test_a_named_pipe_is_refused_before_anything_opens_it(tmp_path):
    """The spill's row estimate opened a named pipe first, and waited for a writer forever."""
    import os
    import threading

    from auditor.data.header import NOT_REGULAR

    path = tmp_path / "p.csv"
    os.mkfifo(path)
    said: list[str] = []

    def audit() -> None:
        said.append(str(refused(path)))

    worker = threading.Thread(target=audit, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert said == [f"{path}: {NOT_REGULAR}"]


@pytest.mark.parametrize(("flag", "said"), [
    ("y_score", "--y-score takes one, P(positive) of a binary target; a score per class is not "
                "audited (audit the labels without --y-score)"),
    ("sensitive", "give each its own --sensitive"),
])  # fmt: skip
def test_a_comma_list_of_columns_says_what_each_option_takes(tmp_path, flag, said):
    """A score per class (--y-score p_a,p_b,p_c) was told 'give each its own --y-score',
    an option that takes one column."""
    path = tmp_path / "multi.csv"
    path.write_text("label,pred,p_a,p_b,sex,region\na,b,0.4,0.6,F,x\nb,b,0.3,0.7,M,y\n")
    cols = (Columns("label", "pred", "p_a,p_b", ("sex",)) if flag == "y_score"
            else Columns("label", "pred", None, ("sex,region",)))  # fmt: skip
    text = str(refused(path, cols))
    assert text.endswith(f"names 2 columns: {said}")
