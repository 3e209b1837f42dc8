"""A run folder is swapped in whole under a lock: no mix, no leftovers, a second writer waits."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from auditor import preflight, run_folder
from auditor.errors import AuditorInputError
from auditor.run_folder import check_out_dir, staged_run
from tests.builders import folder_bytes, leftovers

# files a run folder holds (a rerun refuses a folder holding others: auditor.io.foreign_files)
FILES = ("model_card.html", "model_card.md", "junit.xml", "summary.md", "predictions.parquet")


def _write(stage: Path, tag: str, n_files: int = 5) -> None:
    (stage / "audit.json").write_text(tag)
    for name in FILES[:n_files]:
        (stage / name).write_text(tag)


def test_swap_replaces_the_whole_folder(tmp_path):
    out = tmp_path / "run"
    with staged_run(out) as stage:
        _write(stage, "one", n_files=3)
        (stage / "run.log").write_text("one")  # only in the first run
    with staged_run(out) as stage:
        _write(stage, "two", n_files=3)
    assert folder_bytes(out) == {"audit.json": b"two", **{name: b"two" for name in FILES[:3]}}
    assert leftovers(tmp_path) == []


def test_error_inside_leaves_the_previous_folder_byte_identical(tmp_path):
    out = tmp_path / "run"
    with staged_run(out) as stage:
        _write(stage, "old")
    before = folder_bytes(out)
    with pytest.raises(OSError), staged_run(out) as stage:
        _write(stage, "new", n_files=2)
        raise OSError("disk full on the third file")
    assert folder_bytes(out) == before
    assert leftovers(tmp_path) == []


def test_interrupt_inside_cleans_up(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt), staged_run(out) as stage:
        _write(stage, "new")
        raise KeyboardInterrupt
    assert not out.exists() and leftovers(tmp_path) == []


def test_failed_final_rename_restores_the_old_folder(tmp_path, monkeypatch):
    out = tmp_path / "run"
    with staged_run(out) as stage:
        _write(stage, "old")
    before = folder_bytes(out)
    real = os.replace

    def failing(src, dst):
        if str(src).endswith(".staging"):
            raise OSError("I/O error")
        return real(src, dst)

    monkeypatch.setattr(run_folder.os, "replace", failing)
    with pytest.raises(OSError), staged_run(out) as stage:
        _write(stage, "new")
    assert folder_bytes(out) == before and leftovers(tmp_path) == []


def test_stale_staging_and_trash_of_killed_runs_are_removed(tmp_path):
    out = tmp_path / "run"
    for name in (".run.abc123de.staging", ".run.def456gh.trash"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "half.json").write_text("{")
    (tmp_path / ".other.x.staging").mkdir()  # another run folder's: not ours to remove
    with staged_run(out) as stage:
        _write(stage, "new")
    assert leftovers(tmp_path) == [".other.x.staging"]


def test_second_writer_waits_and_never_mixes(tmp_path):
    out = tmp_path / "run"
    inside = threading.Event()
    order: list[str] = []

    def slow_writer() -> None:
        with staged_run(out) as stage:
            inside.set()
            (stage / "audit.json").write_text("slow")
            for i in range(5):
                (stage / f"f{i}.txt").write_text("slow")
                time.sleep(0.05)
            order.append("slow")

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert inside.wait(10)
    with staged_run(out) as stage:  # waits for the lock
        order.append("fast")
        _write(stage, "fast")
    thread.join()
    assert order == ["slow", "fast"]
    assert set(folder_bytes(out).values()) == {b"fast"}


def test_lock_timeout_is_bad_input(tmp_path):
    out = tmp_path / "run"
    with staged_run(out) as stage:
        _write(stage, "held")
        with pytest.raises(AuditorInputError, match="another auditor is writing"):
            with staged_run(out, lock_timeout=0.1):
                pass
    assert set(folder_bytes(out).values()) == {b"held"}


def test_out_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("x")
    with pytest.raises(AuditorInputError) as err:
        check_out_dir(path)
    assert preflight.OUT_IS_A_FILE in str(err.value) and "--out" in str(err.value)
    with pytest.raises(AuditorInputError):
        check_out_dir(path / "below")


def test_a_folder_of_other_files_is_never_replaced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(AuditorInputError) as err:
        check_out_dir(tmp_path)
    assert preflight.OUT_NOT_A_RUN in str(err.value)
    check_out_dir(tmp_path / "new")  # a new folder, an empty one or a run folder: fine
    (tmp_path / "empty").mkdir()
    check_out_dir(tmp_path / "empty")
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_out_in_a_read_only_folder_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(AuditorInputError) as err:
            check_out_dir(ro / "run")
        assert preflight.OUT_NOT_WRITABLE in str(err.value)
    finally:
        ro.chmod(0o755)


def test_a_rerun_never_deletes_a_file_auditor_did_not_write(tmp_path):
    """A run folder with the user's notes in it (or in its checkpoints/) is refused: swapping
    the new run in whole would delete them."""
    out = tmp_path / "run"
    for extra in ("notes.txt", "checkpoints/mine.pt"):
        with staged_run(out) as stage:
            (stage / "audit.json").write_text("{}")
            (stage / "checkpoints").mkdir()
            (stage / "checkpoints" / "finetuned.pt").write_text("w")
        (out / extra).write_text("mine")
        with pytest.raises(AuditorInputError) as err:
            with staged_run(out):
                pass
        assert f"holds '{extra}'" in str(err.value) and "--out" in str(err.value)
        assert (out / extra).read_text() == "mine"
        (out / extra).unlink()
    check_out_dir(out)  # auditor's own files alone: replaced whole


def test_the_run_folder_files_are_the_ones_auditor_writes():
    from auditor.checks.rows import PREDICTIONS_FILE
    from auditor.io import RUN_FOLDER_FILES
    from auditor.report.render import RENDERERS
    from auditor.run_folder import RUN_LOG

    assert RUN_FOLDER_FILES == {"audit.json", RUN_LOG, PREDICTIONS_FILE,
                                *(name for name, _ in RENDERERS)}  # fmt: skip


def test_out_dir_that_is_not_a_path_is_named(tmp_path, monkeypatch):
    for value in (5, None, ["a"]):
        with pytest.raises(AuditorInputError, match="--out: a path"):
            check_out_dir(value)
    monkeypatch.chdir(tmp_path)  # empty: "" was the working folder, replaced whole
    for value in ("", "  "):
        with pytest.raises(AuditorInputError, match="--out: empty"):
            check_out_dir(value)


def test_out_through_a_link_replaces_the_folder_it_names(tmp_path):
    """``--out latest`` linked to a run folder: that folder is replaced and the link kept (the
    link was renamed to a trash name rmtree never removes, and a folder took its place)."""
    real = tmp_path / "run-1"
    with staged_run(real) as stage:
        _write(stage, "one")
    (tmp_path / "latest").symlink_to("run-1")
    with staged_run(tmp_path / "latest") as stage:
        _write(stage, "two")
    assert (tmp_path / "latest").is_symlink()
    assert set(folder_bytes(real).values()) == {b"two"}
    assert leftovers(tmp_path) == []


def test_a_stale_trash_link_is_removed(tmp_path):
    out = tmp_path / "run"
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / ".run.x1000000.trash").symlink_to("elsewhere")
    with staged_run(out) as stage:
        _write(stage, "one")
    assert leftovers(tmp_path) == [] and (tmp_path / "elsewhere").is_dir()


@pytest.mark.parametrize("signal_error", [KeyboardInterrupt, SystemExit])
def test_a_signal_between_the_two_renames_restores_the_old_folder(
    tmp_path, monkeypatch, signal_error
):
    # a Ctrl-C landing after the old folder was renamed to its trash name and before the
    # staging folder took its place left no run folder at all (the trash, removed by the
    # next writer, held the previous run)
    out = tmp_path / "run"
    with staged_run(out) as stage:
        _write(stage, "old")
    before = folder_bytes(out)
    real = os.replace

    def then_interrupted(src, dst):
        real(src, dst)
        if str(dst).endswith(".trash"):
            raise signal_error

    monkeypatch.setattr(run_folder.os, "replace", then_interrupted)
    with pytest.raises(signal_error), staged_run(out) as stage:
        _write(stage, "new")
    assert folder_bytes(out) == before and leftovers(tmp_path) == []


def test_a_run_killed_between_the_two_renames_gets_its_folder_back(tmp_path):
    # SIGKILL after the old folder took its trash name and before staging took its place:
    # no folder at --out, and the next writer deleted the trash, the previous run with it,
    # even where that writer then failed
    out = tmp_path / "run"
    with staged_run(out) as stage:
        _write(stage, "old")
    before = folder_bytes(out)
    os.replace(out, tmp_path / ".run.k1ll3d00.trash")
    (tmp_path / ".run.k1ll3d00.staging").mkdir()  # the staging folder it was swapping in
    with pytest.raises(OSError), staged_run(out) as stage:
        raise OSError("the next run failed")
    assert folder_bytes(out) == before and leftovers(tmp_path) == []


def test_a_trash_left_after_the_swap_is_never_put_back(tmp_path):
    # killed while deleting the trash (the swap done, no staging left), the folder then
    # removed by hand: the half-deleted trash is no run to restore
    out = tmp_path / "run"
    (tmp_path / ".run.h4lf0000.trash").mkdir()
    (tmp_path / ".run.h4lf0000.trash" / "audit.json").write_text("old")
    with pytest.raises(OSError), staged_run(out):
        raise OSError("the next run failed")
    assert not out.exists() and leftovers(tmp_path) == []


def test_only_the_trash_paired_with_a_staging_folder_is_put_back(tmp_path):
    # a trash and a staging folder share one stem: the killed writer's trash is the one whose
    # staging is there; an older half-deleted trash (its mtime bumped by the deletions, so the
    # newest) was put back instead, and the killed writer's whole trash deleted
    out = tmp_path / "run"
    with staged_run(out) as stage:
        _write(stage, "new")
    before = folder_bytes(out)
    os.replace(out, tmp_path / ".run.k1ll3d00.trash")
    (tmp_path / ".run.k1ll3d00.staging").mkdir()
    (tmp_path / ".run.h4lf0000.trash").mkdir()
    (tmp_path / ".run.h4lf0000.trash" / "audit.json").write_text("old, half deleted")
    newer = (tmp_path / ".run.k1ll3d00.trash").stat().st_mtime + 5
    os.utime(tmp_path / ".run.h4lf0000.trash", (newer, newer))
    (tmp_path / ".run.x0000000.staging").mkdir()  # a staging of no trash: no swap was under way
    with pytest.raises(OSError), staged_run(out):
        raise OSError("the next run failed")
    assert folder_bytes(out) == before and leftovers(tmp_path) == []


def test_the_swap_trash_shares_the_staging_folder_stem(tmp_path, monkeypatch):
    out = tmp_path / "run"
    with staged_run(out) as stage:
        _write(stage, "old")
    seen = []
    real = os.replace

    def record(src, dst):
        seen.append((Path(src).name, Path(dst).name))
        real(src, dst)

    monkeypatch.setattr(run_folder.os, "replace", record)
    with staged_run(out) as stage:
        _write(stage, "new")
    stem = stage.name.removesuffix(".staging")
    assert seen == [("run", f"{stem}.trash"), (stage.name, "run")]


def test_another_folder_whose_name_extends_ours_keeps_its_staging_and_trash(tmp_path):
    # `run` and `run.x` side by side: `.run.x.<stem>.staging` is run.x's (maybe its live writer,
    # under its own lock), yet it started with `.run.` and ended with `.staging`, so a writer
    # of `run` deleted it, and put run.x's trash in place of `run`
    theirs = [".run.x.k1ll3d.staging", ".run.x.k1ll3d.trash", ".run.x.abc.trash"]
    for name in theirs:
        (tmp_path / name).mkdir()
    (tmp_path / ".run.x.k1ll3d.trash" / "audit.json").write_text("run.x's")
    with pytest.raises(OSError), staged_run(tmp_path / "run"):
        raise OSError("the run failed")
    assert not (tmp_path / "run").exists() and sorted(leftovers(tmp_path)) == sorted(theirs)


def test_a_staging_stem_whose_trash_name_is_taken_is_drawn_again(tmp_path, monkeypatch):
    # a trash rmtree could not remove (a killed writer's, files it may not delete) holds its
    # stem: a staging folder of that stem would swap the old run onto it (ENOTEMPTY)
    import tempfile

    out = tmp_path / "run"
    with staged_run(out) as stage:
        _write(stage, "old")
    (tmp_path / ".run.taken.trash").mkdir()
    (tmp_path / ".run.taken.trash" / "left").write_text("x")
    monkeypatch.setattr(run_folder.shutil, "rmtree", lambda path, ignore_errors=False: None)
    stems = iter(["taken", "free"])

    def mkdtemp(prefix, suffix, dir):  # noqa: A002 - tempfile's own name
        path = Path(dir) / f"{prefix}{next(stems)}{suffix}"
        path.mkdir()
        return str(path)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    with staged_run(out) as stage:
        _write(stage, "new")
    assert stage.name == ".run.free.staging" and (out / "audit.json").read_text() == "new"
    assert (tmp_path / ".run.free.trash" / "audit.json").read_text() == "old"


def test_a_users_own_hidden_folders_beside_the_run_are_kept(tmp_path):
    # a stem mkdtemp never draws (R14): '.run.backup.trash', '.run.staging' and
    # '.run.old-v1.staging' are the user's, not a killed writer's leftovers
    out = tmp_path / "run"
    out.mkdir()
    theirs = [".run.backup.trash", ".run.staging", ".run.old-v1.staging", ".run.ABCDEFGH.trash"]
    for name in theirs:
        (tmp_path / name).mkdir()
    leftover = tmp_path / ".run.k1ll3d_x.staging"  # 8 of a-z0-9_: mkdtemp's
    leftover.mkdir()
    assert run_folder.remove_stale(out) == [leftover]
    assert all((tmp_path / name).is_dir() for name in theirs)
