"""The run folder's lock: one writer at a time, and no lock file left beside the run once the
last writer is done (its holder unlinks it; a waiter that then gets the unlinked file tries
again on the path's new one)."""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
import types

import pytest

from auditor import run_folder
from auditor.run_folder import lock_path, locked, staged_run
from auditor.runtime import lock_notes


def test_no_lock_file_stays_beside_the_run(tmp_path):
    out = tmp_path / "run"
    with staged_run(out) as stage:
        (stage / "audit.json").write_text("{}")
        assert lock_path(out).exists()  # held while writing
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_lock_file_left_by_a_killed_writer_is_taken_and_removed(tmp_path):
    out = tmp_path / "run"
    lock_path(out).write_text("")  # SIGKILL after the lock was taken: the file stays
    with locked(out, timeout=1):
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_file_unlinked_before_its_flock_is_not_the_lock(tmp_path, monkeypatch):
    """The race of removing a lock file: a waiter opened it, its holder unlinked it and let go,
    a newcomer made and locked the path's new file; then the waiter's flock succeeds on the
    unlinked one. It must not count as holding the lock (both would be inside)."""
    out = tmp_path / "run"
    path, newcomer = lock_path(out), []

    def flock_after_the_holder_let_go(fd: int, op: int) -> None:
        if not newcomer:
            path.unlink()
            newcomer.append(os.open(path, os.O_RDWR | os.O_CREAT))
            fcntl.flock(newcomer[0], fcntl.LOCK_EX)
        fcntl.flock(fd, op)

    path.touch()
    fake = types.SimpleNamespace(flock=flock_after_the_holder_let_go, LOCK_EX=fcntl.LOCK_EX,
                                 LOCK_NB=fcntl.LOCK_NB)  # fmt: skip
    monkeypatch.setattr(run_folder, "fcntl", fake)
    with pytest.raises(run_folder.AuditorInputError, match="gave up waiting"):
        with locked(out, timeout=0.2):
            pass
    os.close(newcomer[0])
    with locked(out, timeout=1):  # let go: taken, and removed after
        pass
    assert os.listdir(tmp_path) == []


def test_many_writers_never_hold_the_lock_at_once(tmp_path):
    """flock is per open file, so threads contend as processes do."""
    n_threads = 6
    out, inside, overlaps, rounds = tmp_path / "run", [0], [], 25

    def writer() -> None:
        for _ in range(rounds):
            with locked(out, timeout=60):
                inside[0] += 1
                if inside[0] != 1:
                    overlaps.append(inside[0])
                time.sleep(0.001)
                inside[0] -= 1

    threads = [threading.Thread(target=writer) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == [] and not lock_path(out).exists()


def test_a_waiter_times_out_with_one_line(tmp_path):
    out = tmp_path / "run"
    with locked(out):
        with pytest.raises(run_folder.AuditorInputError, match="gave up waiting after 0.1 s"):
            with locked(out, timeout=0.1):
                pass
    assert os.listdir(tmp_path) == []


def test_without_flock_the_filelock_lock_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(run_folder, "fcntl", None)
    out = tmp_path / "run"
    with locked(out):
        with pytest.raises(run_folder.AuditorInputError, match="gave up waiting"):
            with locked(out, timeout=0.1):
                pass


def _write(out):
    with staged_run(out):
        pass


@pytest.mark.parametrize("when", ["writing", "before-any-work"])
@pytest.mark.parametrize("kind", ["folder", "link"])
def test_a_folder_or_link_in_the_locks_place_is_one_line(tmp_path, kind, when):
    """It was an 'internal error' (IsADirectoryError, ELOOP) with a crash log; then it was
    found only when the run folder was written (after training): check_out_dir (preflight,
    every entry point) finds it before any work."""
    from auditor.preflight import check_out_dir

    out = tmp_path / "run"
    if kind == "folder":
        lock_path(out).mkdir()
    else:
        lock_path(out).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(run_folder.AuditorInputError) as err:
        (_write if when == "writing" else check_out_dir)(out)
    assert err.value.field == "--out" and "not usable as the run folder's lock" in str(err.value)
    assert err.value.source == str(lock_path(out))
    assert not (tmp_path / "elsewhere").exists() and not out.exists()


@pytest.mark.parametrize("code", [errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS])
def test_a_filesystem_without_flock_is_one_line(tmp_path, monkeypatch, code):
    """filelock's Unix lock is the same flock (the same error, an 'internal error'), and its
    soft lock read the file _try_lock had made as held: an hour's wait, then 'another auditor
    is writing'."""

    def no_locks(fd, op):
        raise OSError(code, os.strerror(code))

    fake = types.SimpleNamespace(flock=no_locks, LOCK_EX=fcntl.LOCK_EX, LOCK_NB=fcntl.LOCK_NB)
    monkeypatch.setattr(run_folder, "fcntl", fake)
    out = tmp_path / "run"
    with pytest.raises(run_folder.AuditorInputError) as err:
        with locked(out, timeout=0.5):
            pass
    assert err.value.field == "--out" and "no file locks" in str(err.value)
    assert os.strerror(code) in str(err.value)
    assert os.listdir(tmp_path) == []  # the lock file it made is gone


def test_the_lock_check_makes_nothing_and_lets_a_writer_be(tmp_path):
    """No lock: none is made by the check. A writer holding it: the check neither waits nor
    removes its file."""
    from auditor.io import check_lock

    out = tmp_path / "run"
    check_lock(out)
    assert list(tmp_path.iterdir()) == []
    with locked(out, timeout=1):
        check_lock(out)
        assert lock_path(out).exists()
    assert list(tmp_path.iterdir()) == []


def test_a_waiter_says_once_what_it_waits_for(tmp_path, capsys, monkeypatch):
    # a second `auditor run` to one --out, or a hung writer, waited up to an hour in silence
    out = tmp_path / "run"
    monkeypatch.setattr(run_folder, "WAIT_NOTE_AFTER_S", 0.0)
    with lock_notes(quiet=False), locked(out):
        with pytest.raises(run_folder.AuditorInputError):
            with locked(out, timeout=0.3):
                pass
    note = run_folder.WAITING.format(out=out, lock=lock_path(out), seconds=0.3)
    assert capsys.readouterr().err == f"auditor: {note}\n"


def test_a_waiter_says_nothing_under_quiet_and_logs_it_from_python(tmp_path, capsys, caplog,
                                                                   monkeypatch):  # fmt: skip
    """The note was a bare print on stderr: under -q, on a pipe and from the Python API.
    -q says nothing; from Python it is a warning of the logger auditor.run_folder."""
    out = tmp_path / "run"
    monkeypatch.setattr(run_folder, "WAIT_NOTE_AFTER_S", 0.0)
    with lock_notes(quiet=True), locked(out):
        with pytest.raises(run_folder.AuditorInputError):
            with locked(out, timeout=0.2):
                pass
    assert capsys.readouterr().err == "" and caplog.records == []
    with locked(out):
        with pytest.raises(run_folder.AuditorInputError):
            with locked(out, timeout=0.2):
                pass
    note = run_folder.WAITING.format(out=out, lock=lock_path(out), seconds=0.2)
    assert capsys.readouterr().err == ""  # no print: the caller's logging says it
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("auditor.run_folder", "WARNING", note)]


LOCK_WAIT_FROM_PYTHON = """
import logging, sys
from pathlib import Path
from auditor import run_folder
from auditor.runtime import stage_log
run_folder.WAIT_NOTE_AFTER_S = 0.0
out = Path(sys.argv[1]) / "run"
if sys.argv[2] == "basicConfig":
    logging.basicConfig()
elif sys.argv[2].startswith("at ERROR"):  # set up to say errors only: Python prints nothing
    handler = logging.StreamHandler()
    handler.setLevel(logging.ERROR)
    logging.getLogger(sys.argv[2].removeprefix("at ERROR").strip() or None).addHandler(handler)
with run_folder.locked(out), stage_log() as lines:
    try:
        with run_folder.locked(out, timeout=0.2):
            pass
    except run_folder.AuditorInputError:
        pass
print(lines)
"""


@pytest.mark.parametrize("logging_set_up",
                         ["none", "basicConfig", "at ERROR", "at ERROR auditor"])  # fmt: skip
def test_a_waiter_in_a_trained_run_says_it_as_every_python_entry_point(tmp_path,
                                                                       logging_set_up):
    """A trained run and audit_model wait inside stage_log, whose run.log handler kept Python's
    last resort from printing: nothing on stderr for up to an hour, the line in run.log only
    (where the command line never puts it). Now: stderr where the caller set up no logging, the
    caller's own format where it did, never run.log; "auditor: " said once."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", LOCK_WAIT_FROM_PYTHON, str(tmp_path),
                          logging_set_up], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout == "[]\n"  # run.log: nothing of the folder's lock
    out = tmp_path / "run"
    note = run_folder.WAITING.format(out=out, lock=lock_path(out), seconds=0.2)
    said = {"none": f"auditor: {note}\n", "basicConfig": f"WARNING:auditor.run_folder:{note}\n"}
    assert run.stderr == said.get(logging_set_up, "")  # a handler at ERROR: the caller's choice


def test_a_short_wait_says_nothing(tmp_path, capsys):
    out = tmp_path / "run"
    with locked(out):
        with pytest.raises(run_folder.AuditorInputError):
            with locked(out, timeout=0.2):
                pass
    assert capsys.readouterr().err == ""


def test_the_waiting_line_makes_a_workflow_command_in_the_path_inert(tmp_path, capsys, monkeypatch):
    # the path was shown with its controls escaped but not '##[' ('auditor: error:' lines
    # turn it into '##\x5b'): '##[error]' in --out was a GitHub Actions command in the log
    out = tmp_path / "##[error]x"
    monkeypatch.setattr(run_folder, "WAIT_NOTE_AFTER_S", 0.0)
    with lock_notes(quiet=False), locked(out):
        with pytest.raises(run_folder.AuditorInputError):
            with locked(out, timeout=0.2):
                pass
    err = capsys.readouterr().err
    assert "##[" not in err and err.count("##\\x5berror]x") == 2


@pytest.mark.parametrize("quiet", [False, True])
def test_auditor_audit_says_what_it_waits_for_unless_quiet(tmp_path, monkeypatch, quiet):
    from typer.testing import CliRunner

    from auditor.cli import app

    preds, out = tmp_path / "p.csv", tmp_path / "run"
    preds.write_text("y_true,y_pred,g\n" + "1,1,a\n0,0,b\n" * 20, encoding="utf-8")
    monkeypatch.setattr(run_folder, "WAIT_NOTE_AFTER_S", 0.0)
    taken, done, seen = threading.Event(), threading.Event(), []

    def other_writer():
        with locked(out):
            taken.set()
            done.wait(60)  # let go once the audit is seen waiting (a clock raced a slow audit)

    def seen_waiting(record):
        if record.getMessage().startswith("waiting for another auditor"):
            seen.append(record)
            done.set()
        return True

    holder = threading.Thread(target=other_writer)
    holder.start()
    taken.wait(10)
    run_folder.LOCK_LOG.addFilter(seen_waiting)  # before its handlers: said even under -q
    try:
        res = CliRunner().invoke(app, ["audit", "-p", str(preds), "--sensitive", "g", "--out",
                                       str(out), *(["-q"] if quiet else [])])  # fmt: skip
    finally:
        run_folder.LOCK_LOG.removeFilter(seen_waiting)
        done.set()
        holder.join()
    assert len(seen) == 1  # the audit waited, and said so once (to no one under -q)
    assert res.exit_code in (0, 1), res.output
    assert ("auditor: waiting for another auditor writing" in res.output) is not quiet, res.output
