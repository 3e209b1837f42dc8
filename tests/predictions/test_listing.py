"""Which files of a folder are its parts (:mod:`auditor.predictions.listing`): each real folder
walked once, and what is no part refused in one line."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from auditor.errors import AuditorInputError
from auditor.predictions.listing import part_files


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "preds"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "p.csv").write_text("a\n1\n")
    return folder


def test_a_folder_linked_in_twice_is_refused_not_counted_twice(tmp_path):
    # preds/copy -> preds/sub read sub's rows twice: "Rows: 600" for 300 rows
    folder = _folder(tmp_path)
    assert part_files(folder) == ["sub/p.csv"]
    (folder / "copy").symlink_to(folder / "sub", target_is_directory=True)
    with pytest.raises(AuditorInputError, match=r"preds: (copy|sub) is a second way into the "
                       r"folder (sub|copy)/ \(a link\): its rows would be read twice"):  # fmt: skip
        part_files(folder)


def test_one_file_reached_as_two_parts_is_read_as_pandas_reads_it(tmp_path):
    # DVC's cache (hardlink or symlink) links identical parts to one object: Spark's empty
    # and Dask's header-only partitions were refused as "a second way into the file"
    folder = _folder(tmp_path)
    (tmp_path / "empty").write_text("")
    (tmp_path / "header").write_text("a\n")
    for i, target in enumerate(["empty", "empty", "header", "header"]):
        link = folder / f"part-{i}.csv"
        if i % 2:
            os.link(tmp_path / target, link)
        else:
            link.symlink_to(tmp_path / target)
    assert part_files(folder) == ["part-2.csv", "part-3.csv", "sub/p.csv"]


def test_a_hostile_chain_of_links_is_refused_at_once_not_walked_exponentially(tmp_path):
    # d_i/{a,b} -> d_{i+1}: 14 levels listed one p.csv 8,192 times in 22 s; 18 never ended
    levels = 18
    for i in range(levels + 1):
        (tmp_path / f"d{i}").mkdir()
    (tmp_path / f"d{levels}" / "p.csv").write_text("a\n1\n")
    for i in range(levels):
        for link in "ab":
            (tmp_path / f"d{i}" / link).symlink_to(tmp_path / f"d{i + 1}",
                                                   target_is_directory=True)  # fmt: skip
    started = time.monotonic()
    with pytest.raises(AuditorInputError, match=r"is a second way into the folder"):
        part_files(tmp_path / "d0")
    assert time.monotonic() - started < 2


def test_a_link_to_a_fifo_or_a_fifo_is_no_regular_file_and_a_dangling_link_is_missing(tmp_path):
    # a link to /dev/zero was "a link to /dev/zero, which does not exist"; a FIFO was skipped
    folder = _folder(tmp_path)
    os.mkfifo(tmp_path / "fifo")
    (folder / "part-9.parquet").symlink_to(tmp_path / "fifo")
    with pytest.raises(AuditorInputError, match=r"preds: part part-9.parquet is not a regular "
                       r"file \(a pipe, a device or a socket\)"):  # fmt: skip
        part_files(folder)
    (folder / "part-9.parquet").unlink()
    os.mkfifo(folder / "sub" / "part-8.parquet")
    with pytest.raises(AuditorInputError, match=r"part sub/part-8.parquet is not a regular file"):
        part_files(folder)
    (folder / "sub" / "part-8.parquet").unlink()
    (folder / "part-7.parquet").symlink_to(tmp_path / "gone.parquet")
    with pytest.raises(AuditorInputError, match=r"part-7.parquet is a link to .*gone.parquet, "
                       r"which does not exist"):  # fmt: skip
        part_files(folder)


def test_a_part_deleted_while_the_folder_is_listed_is_a_part_removed(tmp_path, monkeypatch):
    # was "cannot list part-1.parquet under it (No such file or directory)"
    folder = _folder(tmp_path)
    (folder / "part-1.csv").write_text("a\n2\n")
    real = os.scandir

    def scandir(where: str) -> object:
        entries = list(real(where))
        if os.path.exists(os.path.join(where, "part-1.csv")):
            os.unlink(os.path.join(where, "part-1.csv"))  # a job cleaning up, after the listing
        return iter(entries)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(AuditorInputError, match=r"preds: parts were added or removed while it "
                       r"was read \(part-1.csv\)"):  # fmt: skip
        part_files(folder)
