"""A file cut short, empty or damaged, or another kind under a Parquet name, refused in a
user's words, in one line naming the file: pyarrow's were 'cannot read (ArrowInvalid: Parquet
file size is 0 bytes)', '... magic bytes not found in footer', and a .csv.gz cut short in its
first lines was an internal error (EOFError, with a crash log)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.data.header import read_header
from auditor.data.table import read_frame
from auditor.errors import AuditorInputError
from tests.builders import predictions_frame


def _good(tmp_path: Path) -> bytes:
    path = tmp_path / "good.parquet"
    predictions_frame(400, seed=3).to_parquet(path, index=False)
    return path.read_bytes()


BROKEN = {
    "empty": (lambda good, text: b"", "the file is empty (0 bytes)"),
    "cut in half": (lambda good, text: good[: len(good) // 2], "not a complete Parquet file"),
    "its last bytes lost": (lambda good, text: good[:-4], "not a complete Parquet file"),
    "only its mark": (lambda good, text: b"PAR1", "not a complete Parquet file"),
    "a CSV named .parquet": (lambda good, text: text, "text, not a Parquet file"),
    "gzip-compressed": (lambda good, text: gzip.compress(good), "gzip-compressed, not a Parquet"),
    "zeros": (lambda good, text: bytes(600), "not a Parquet file: it starts with zero bytes"),
    "another kind": (lambda good, text: b"\x89PNG" + good[4:-4] + b"IEND",
                     "not a Parquet file (it does"),
    "a footer of nonsense": (lambda good, text: good[:-40] + b"\xff" * 32 + good[-8:],
                             "a damaged Parquet file: its footer"),
}  # fmt: skip


@pytest.mark.parametrize("case", BROKEN)
def test_a_file_that_is_no_whole_parquet_file_says_what_it_is(tmp_path, case):
    make, words = BROKEN[case]
    good = _good(tmp_path)
    path = tmp_path / "preds.parquet"
    path.write_bytes(make(good, b"label,pred,score,sex\napproved,denied,0.3,F\n"))
    with pytest.raises(AuditorInputError) as caught:
        read_header(path)
    said = str(caught.value)
    assert said.startswith(f"{path}: {words}") and "\n" not in said
    assert "magic bytes" not in said and "ArrowInvalid" not in said
    out = tmp_path / "run"
    done = CliRunner().invoke(app, ["audit", "-p", str(path), "--y-true", "label", "--y-pred",
                                    "pred", "--sensitive", "sex", "--out", str(out)])  # fmt: skip
    assert done.exit_code == 2 and not out.exists()
    assert done.output.strip() == f"auditor: error: {said}"


def _damaged_page(path: Path) -> Path:
    """A Parquet file whose first page's header is damaged (its footer whole)."""
    table = pa.table({"label": ["approved", "denied"] * 2000, "pred": ["denied"] * 4000,
                      "sex": ["F", "M", "M", "F"] * 1000})  # fmt: skip
    pq.write_table(table, path, compression="none", use_dictionary=False)
    data = bytearray(path.read_bytes())
    meta = pq.read_metadata(path).row_group(0).column(0)
    at = meta.data_page_offset + 1  # the page header's second byte: its lengths
    data[at:at + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    return path


def test_a_page_that_does_not_decode_says_the_file_is_damaged(tmp_path):
    path = _damaged_page(tmp_path / "preds.parquet")
    for engine in ([], ["--dask-scheduler", "synchronous"]):
        out = tmp_path / "run"
        done = CliRunner().invoke(app, ["audit", "-p", str(path), "--y-true", "label",
                                        "--y-pred", "pred", "--sensitive", "sex", "--out",
                                        str(out), *engine])  # fmt: skip
        assert done.exit_code == 2 and not out.exists(), done.output
        line = done.output.strip()
        assert line.startswith(f"auditor: error: {path}: a damaged Parquet file: its rows")
        assert line.endswith("export it again") and "\n" not in line


def test_an_empty_parquet_part_is_refused_not_skipped(tmp_path):
    # a 0-byte .parquet part (a write that failed) was skipped as an empty CSV partition is:
    # the audit counted the other parts' rows as the whole table
    folder = tmp_path / "preds"
    folder.mkdir()
    predictions_frame(200, seed=5).to_parquet(folder / "part-00000.parquet", index=False)
    (folder / "part-00001.parquet").write_bytes(b"")
    (folder / "_SUCCESS").touch()
    out = tmp_path / "run"
    done = CliRunner().invoke(app, ["audit", "-p", str(folder), "--y-true", "label", "--y-pred",
                                    "pred", "--sensitive", "sex", "--out", str(out)])  # fmt: skip
    assert done.exit_code == 2 and not out.exists()
    assert done.output.strip() == (f"auditor: error: {folder / 'part-00001.parquet'}: the file "
                                   "is empty (0 bytes), not a Parquet file: its export failed? "
                                   "export it again")  # fmt: skip


@pytest.mark.parametrize("kept", [30, 300, 0.5])
def test_a_csv_gz_cut_short_is_refused_as_not_complete(tmp_path, kept):
    frame = predictions_frame(3000, seed=6)
    packed = gzip.compress(frame.to_csv(index=False).encode())
    path = tmp_path / "preds.csv.gz"
    path.write_bytes(packed[: int(len(packed) * kept) if kept < 1 else kept])
    out = tmp_path / "run"
    done = CliRunner().invoke(app, ["audit", "-p", str(path), "--y-true", "label", "--y-pred",
                                    "pred", "--sensitive", "sex", "--out", str(out)])  # fmt: skip
    assert done.exit_code == 2 and not out.exists(), done.output
    assert done.output.strip() == (f"auditor: error: {path}: not a complete gzip file: it ends "
                                   "mid-stream (cut short while it was written or copied?); "
                                   "export it again")  # fmt: skip


def test_the_table_loader_says_the_same_of_a_damaged_page_and_a_gz_cut_short(tmp_path):
    # auditor run's data.path: 'cannot read (OSError: Unexpected end of stream)' and
    # 'cannot read (EOFError: Compressed file ended before the end-of-stream marker ...)'
    packed = gzip.compress(predictions_frame(3000, seed=6).to_csv(index=False).encode())
    cut = tmp_path / "data.csv.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    for path, words in [(_damaged_page(tmp_path / "data.parquet"), "a damaged Parquet file: "
                         "its rows cannot be read ("), (cut, "not a complete gzip file: it ends")]:
        with pytest.raises(AuditorInputError) as caught:
            read_frame(path)
        assert str(caught.value).startswith(f"{path}: {words}")


def test_a_sparse_file_claiming_a_2_gib_footer_is_refused_before_it_is_read(tmp_path):
    # pyarrow read the claimed footer whole (2.2 GB of memory, 10-27 s) before it failed
    import time

    from auditor.api import audit_predictions

    path = tmp_path / "part-9.parquet"
    with path.open("wb") as fh:
        fh.write(b"PAR1")
        fh.truncate(3 << 30)  # sparse: no disk used
        fh.seek((3 << 30) - 8)
        fh.write((2 << 30).to_bytes(4, "little") + b"PAR1")
    folder = tmp_path / "preds"
    folder.mkdir()
    (folder / "part-9.parquet").symlink_to(path)
    for given in (path, folder):
        started = time.monotonic()
        with pytest.raises(AuditorInputError, match=r"part-9.parquet: a damaged Parquet file: "
                           r"its footer claims 2,147,483,648 bytes"):  # fmt: skip
            audit_predictions(given, y_true="label", y_pred="pred", y_score="score",
                              sensitive=["sex"], positive_label="approved")  # fmt: skip
        assert time.monotonic() - started < 2
