"""An own table in Parquet whose name is not UTF-8 (b'tab\\xff.parquet', held by Python as
'tab\\udcff.parquet'), or under such a folder: pyarrow encodes a str name as UTF-8 and cannot,
so `auditor run` said "internal error", exit 2 (MD4). The table is read by its name's bytes
(:func:`auditor.data.damaged.parquet_bytes`, as the predictions reader reads its files)."""

from __future__ import annotations

import os
import shutil

import pandas as pd
from typer.testing import CliRunner

from auditor.cli import app
from auditor.data import load_bundle
from auditor.data import table as T
from auditor.errors import AuditorInputError
from tests.data.test_table import config, make_table, write

NOT_UTF8 = os.fsdecode(b"tab\xff.parquet")  # 'tab\udcff.parquet'


def test_a_parquet_table_named_not_utf8_reads_as_under_a_utf8_name(tmp_path):
    plain = write(tmp_path, make_table(), "t.parquet")
    odd = tmp_path / NOT_UTF8
    shutil.copy(plain, odd)
    pd.testing.assert_frame_equal(T.read_frame(odd), T.read_frame(plain))
    want, got = (load_bundle(config(p, positive_label="yes"), seed=0) for p in (plain, odd))
    assert got.feature_names == want.feature_names
    assert got.finetune_task.class_names == want.finetune_task.class_names


def test_an_empty_parquet_file_named_not_utf8_is_refused_in_one_line(tmp_path):
    path = tmp_path / os.fsdecode(b"e\xff.parquet")
    path.write_bytes(b"")
    try:
        T.read_table(path, field="data.path")
    except AuditorInputError as err:
        assert err.field == "data.path" and "the file is empty (0 bytes)" in str(err)
    else:
        raise AssertionError("read")


def test_auditor_run_reads_a_parquet_table_under_a_folder_not_utf8(tmp_path):
    """As r15 found it: the config beside its table in a folder b'd\\xff'."""
    folder = tmp_path / os.fsdecode(b"d\xff")
    folder.mkdir()
    with (folder / "t.parquet").open("wb") as fh:  # pyarrow cannot encode the name either
        make_table().to_parquet(fh)
    (folder / "audit.toml").write_text('name = "t"\n[data]\nsource = "table"\npath = '
                                       '"t.parquet"\ntarget = "label"\nsensitive = ["group"]\n'
                                       'positive_label = "yes"\n')  # fmt: skip
    res = CliRunner().invoke(app, ["run", str(folder / "audit.toml"), "-o",
                                   str(tmp_path / "run"), "-q", "--exit-zero"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (tmp_path / "run" / "audit.json").is_file()
