"""Hostile output folders and model files: ``--out`` that is a file, inside a file, a folder
of other files or read-only is refused before any work; a malicious pickle named as a
checkpoint never runs (its payload would create a marker file) and is refused in one line
naming the file and ``model.path``."""

from __future__ import annotations

import errno
import os
import pickle
from pathlib import Path

import pytest

from tests.builders import folder_bytes
from tests.hostile.conftest import OUT, assert_nothing_written, assert_refused, write_files

HEADER = "label,pred,score,sex\n"
ROWS = "".join(
    f"{'approved' if i % 3 else 'denied'},{'approved' if i % 4 else 'denied'},{(i % 10) / 10},"
    f"g{i % 2}\n"
    for i in range(120)
)
AUDIT = ["audit", "-p", "p.csv", "--sensitive", "sex", "--y-true", "label", "--y-pred", "pred",
         "--positive-label", "approved"]  # fmt: skip


def _out_is_a_file(tmp: Path) -> str:
    (tmp / "taken").write_text("x")
    return "taken"


def _out_below_a_file(tmp: Path) -> str:
    (tmp / "taken").write_text("x")
    return "taken/run"


def _out_holds_other_files(tmp: Path) -> str:
    write_files(tmp, {"mine/notes.txt": "keep me"})
    return "mine"


def _out_is_the_current_folder(tmp: Path) -> str:
    return "."


def _out_is_empty_text(tmp: Path) -> str:
    return ""


OUT_CASES = {
    "is-a-file": (_out_is_a_file, "is a file"),
    "below-a-file": (_out_below_a_file, "taken"),
    "holds-other-files": (_out_holds_other_files, "no audit.json"),
    "current-folder": (_out_is_the_current_folder, "no audit.json"),
    "empty-text": (_out_is_empty_text, "--out"),
}


@pytest.mark.parametrize("command", ["audit", "run"])
@pytest.mark.parametrize("case", sorted(OUT_CASES))
def test_bad_out_is_refused_before_any_work(cli, tmp_path, command, case):
    make, text = OUT_CASES[case]
    write_files(tmp_path, {"p.csv": HEADER + ROWS})
    out = make(tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    args = [*AUDIT, "--out", out] if command == "audit" else ["run", "--out", out]
    assert_refused(cli(args), "--out", text)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before


@pytest.mark.parametrize("command", ["audit", "run"])
@pytest.mark.parametrize(("extra", "named"), [("notes.txt", "notes.txt"), ("sub/a.txt", "sub"),
                                              ("checkpoints/mine.pt", "checkpoints/mine.pt")])
def test_a_rerun_never_deletes_the_users_files(cli, tmp_path, previous_run, command, extra,
                                               named):  # fmt: skip
    """A previous run folder the user added a file to is refused before any work (replacing
    it whole would delete the file), and left as it was."""
    previous_run()
    write_files(tmp_path, {"p.csv": HEADER + ROWS, f"{OUT}/{extra}": "mine"})
    before = folder_bytes(tmp_path / OUT)
    args = [*AUDIT, "--out", OUT] if command == "audit" else ["run", "--out", OUT]
    assert_refused(cli(args), "--out", repr(named), "did not write")
    assert_nothing_written(tmp_path, before)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_parent_is_refused(cli, tmp_path):
    write_files(tmp_path, {"p.csv": HEADER + ROWS})
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert_refused(cli([*AUDIT, "--out", "locked/run"]), "--out", "permission")
    finally:
        locked.chmod(0o755)
    assert not (locked / "run").exists()


def test_stale_staging_is_removed_and_the_run_replaced_whole(cli, tmp_path, previous_run):
    """A writer killed earlier left staging and trash; the next run removes them."""
    previous_run()
    write_files(tmp_path, {"p.csv": HEADER + ROWS, f".{OUT}.x1000000.staging/half": "x",
                           f".{OUT}.x2000000.trash/old": "y"})  # fmt: skip
    outcome = cli([*AUDIT, "--out", OUT, "--exit-zero"])
    assert outcome.code == 0, outcome.err
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".staging", ".trash"))]
    assert "p.csv" in (tmp_path / OUT / "audit.json").read_text()


# -- checkpoints: a pickle is data, never code ------------------------------------------------

FACTORY = """
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self, n_in, n_classes):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(n_in, 4), nn.ReLU())
        self.head = nn.Linear(4, n_classes)

    def forward(self, x):
        return self.head(self.backbone(x.flatten(1)))

def build(input_shape, n_classes):
    return Net(int(torch.Size(input_shape).numel()), n_classes)
"""
TABLE = "".join(f"{i % 3},{(i * 7) % 5},g{i % 2},{(i // 2) % 2}\n" for i in range(200))
CONFIG = """[data]
source = "table"
path = "t.csv"
target = "y"
sensitive = ["sex"]
[model]
kind = "checkpoint"
path = "model.pt"
factory = "fact_h9x:build"
"""


class _Payload:
    """Unpickling this runs ``touch MARKER`` (what an attacker's checkpoint would do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _raw_pickle(marker: Path) -> bytes:
    return pickle.dumps(_Payload(marker), protocol=2)


def _torch_zip_with_payload(marker: Path) -> bytes:
    import io

    import torch

    buffer = io.BytesIO()
    torch.save({"state_dict": {"w": _Payload(marker)}}, buffer)
    return buffer.getvalue()


def _not_a_state_dict(marker: Path) -> bytes:
    import io

    import torch

    buffer = io.BytesIO()
    torch.save([torch.zeros(2)], buffer)
    return buffer.getvalue()


def _truncated(marker: Path) -> bytes:
    return _not_a_state_dict(marker)[:100]


def _state(dtype) -> dict:
    """The factory's state dict (2 inputs: x and z) in ``dtype``."""
    import torch

    shapes = {"backbone.0.weight": (4, 2), "backbone.0.bias": (4,), "head.weight": (2, 4),
              "head.bias": (2,)}  # fmt: skip
    return {key: torch.ones(shape).to(dtype) for key, shape in shapes.items()}


def _saved(value) -> bytes:
    import io

    import torch

    buffer = io.BytesIO()
    torch.save(value, buffer)
    return buffer.getvalue()


def _torchscript(marker: Path) -> bytes:
    import io

    import torch

    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), buffer)
    return buffer.getvalue()


CHECKPOINTS = {
    # int8 / bool / complex weights loaded into float parameters were audited as a model
    "int8-weights": lambda marker: _saved(_state(__import__("torch").int8)),
    "bool-weights": lambda marker: _saved(_state(__import__("torch").bool)),
    "complex-weights": lambda marker: _saved(_state(__import__("torch").complex64)),
    "torchscript": _torchscript,
    "raw-pickle-payload": _raw_pickle,
    "torch-zip-payload": _torch_zip_with_payload,
    "not-a-state-dict": _not_a_state_dict,
    "truncated": _truncated,
    "text": lambda marker: b"just some text\n",
}


@pytest.mark.parametrize("case", sorted(CHECKPOINTS))
def test_malicious_or_broken_checkpoint_never_runs(cli, tmp_path, case):
    marker = tmp_path / "PWNED"
    checkpoint = CHECKPOINTS[case](marker)
    write_files(tmp_path, {"t.csv": "x,z,sex,y\n" + TABLE, "a.toml": CONFIG,
                           "fact_h9x.py": FACTORY, "model.pt": checkpoint})  # fmt: skip
    assert_refused(cli(["run", "a.toml", "--out", OUT]), "model.pt", "model.path")
    assert not marker.exists()
    assert_nothing_written(tmp_path)


def test_missing_checkpoint(cli, tmp_path):
    write_files(tmp_path, {"t.csv": "x,z,sex,y\n" + TABLE, "a.toml": CONFIG,
                           "fact_h9x.py": FACTORY})  # fmt: skip
    assert_refused(cli(["run", "a.toml", "--out", OUT]), "model.pt", "model.path")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["diff", "{run}", "{run}", "--out", "."], ["--out", "is a folder"]),
        (["diff", "{run}", "{run}", "--out", "taken/diff.md"], ["taken", "--out"]),
        (["init", ".", "--force"], ["PATH", "is a folder"]),
        (["init", "taken/auditor.toml"], ["taken", "PATH"]),
    ],
    ids=["diff-out-folder", "diff-out-below-a-file", "init-folder", "init-below-a-file"],
)
def test_bad_output_file_is_refused(cli, tmp_path, finished_run, args, names):
    (tmp_path / "taken").write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    outcome = cli([a.replace("{run}", str(finished_run)) for a in args])
    assert_refused(outcome, *names)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "taken").read_text() == "x"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT], ids=["disk-full", "quota"])
def test_a_full_disk_keeps_the_previous_report(cli, tmp_path, previous_run, monkeypatch, code):
    """A full disk while the run folder is written: one line naming --out (it was an
    'internal error' with a crash log), the previous report as it was, no staging left."""
    from auditor import run_folder

    before = previous_run()
    write_files(tmp_path, {"p.csv": HEADER + ROWS})

    def full(path: Path, text: str) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(run_folder, "atomic_write_text", full)
    outcome = cli([*AUDIT, "--out", OUT, "--exit-zero"])
    line = assert_refused(outcome, "--out", "nothing was replaced")
    assert os.strerror(code) in line
    assert_nothing_written(tmp_path, before)


def test_a_full_disk_writing_a_single_file_is_one_line(cli, tmp_path, finished_run, monkeypatch):
    """Any write, not only the run folder's: `diff --out` on a full disk was an 'internal
    error' with a crash log."""
    from auditor import io

    def full(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(io, "atomic_write_text", full)
    outcome = cli(["diff", str(finished_run), str(finished_run), "--out", "d.md"])
    line = assert_refused(outcome, "d.md", os.strerror(errno.ENOSPC))
    assert "internal error" not in line


# -- single output files (init PATH, diff --out) that are links, pipes or devices ---------------


@pytest.mark.parametrize("command", ["init", "diff"])
def test_an_output_through_a_link_replaces_the_file_it_names(cli, tmp_path, finished_run,
                                                             command):  # fmt: skip
    """The link stays a link and its file gets the text (the link was replaced by a regular
    file beside the file it named)."""
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    args = (["init", "link.txt", "--force"] if command == "init"
            else ["diff", str(finished_run), str(finished_run), "--out", "link.txt"])  # fmt: skip
    assert cli(args).code == 0
    assert (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "real.txt").read_text() != "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


@pytest.mark.parametrize("command", ["init", "diff"])
def test_an_output_that_is_a_pipe_is_written_into(cli, tmp_path, finished_run, command):
    """A named pipe (or /dev/stdout, /dev/fd/63 of a shell's >(...)) gets the text; it was
    replaced by a regular file (as root, --out /dev/stdout replaced /dev/stdout itself)."""
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    args = (["init", "pipe", "--force"] if command == "init"
            else ["diff", str(finished_run), str(finished_run), "--out", "pipe"])  # fmt: skip
    outcome = cli(args)
    reader.join(10)
    assert outcome.code == 0, outcome.err
    assert fifo.is_fifo() and len(got[0]) > 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_reader_that_left_is_not_a_crash():
    """``--out /dev/stdout | head``: a broken pipe is exit 2 without an 'internal error'."""
    import io

    from auditor.commands import exit_for

    err = io.StringIO()
    assert exit_for(BrokenPipeError(32, "Broken pipe"), err=err) == 2
    assert "internal error" not in err.getvalue()


@pytest.mark.parametrize("command", ["init", "diff"])
@pytest.mark.parametrize(("target", "why"), [("/dev/full", "No space left on device"),
                                             ("/proc/version", "cannot write the file here")],
                         ids=["dev-full", "proc-file"])  # fmt: skip
def test_a_device_or_file_system_refusing_the_write_is_one_line(cli, finished_run, command,
                                                                target, why):  # fmt: skip
    """/dev/full's error named no file; /proc (mkstemp beside the file fails) was an
    'internal error' with a crash log for `diff --out`."""
    if not os.path.exists(target):
        pytest.skip(f"{target} is not on this system")
    args = (["init", target, "--force"] if command == "init"
            else ["diff", str(finished_run), str(finished_run), "--out", target])  # fmt: skip
    field = "PATH" if command == "init" else "--out"
    assert_refused(cli(args), target, field, why)


LONG = "a" * 300  # one name past every file system's 255 bytes


@pytest.mark.parametrize(
    "args",
    [["card", "{run}", "--out", LONG], ["gate", "{run}", "--out", LONG], ["card", LONG],
     ["diff", "{run}", LONG], ["run", "--quiet", "--out", LONG]],
    ids=["card-out", "gate-out", "card-run", "diff-run", "run-out"],
)  # fmt: skip
def test_a_name_no_file_system_holds_is_one_line(cli, tmp_path, finished_run, monkeypatch, args):
    """A 300-byte name (ENAMETOOLONG from a stat) was an internal error with a crash log."""
    from auditor import api

    def no_work(*a, **k):
        raise AssertionError("the audit ran")

    monkeypatch.setattr(api, "run", no_work)
    before = sorted(p.name for p in tmp_path.iterdir())
    outcome = cli([a.replace("{run}", str(finished_run)) for a in args])
    assert_refused(outcome, LONG, "File name too long")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
