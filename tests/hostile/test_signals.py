"""Signals and concurrency through the real command in a subprocess: Ctrl-C (130) and SIGTERM
(143) while the report is being written leave the previous report byte-identical and no
staging behind; two ``auditor audit`` processes writing one ``--out`` at once leave a folder
that is wholly one of the two runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditor.errors import EXIT_INTERRUPTED, EXIT_TERMINATED
from tests.builders import SLOW_WRITER, folder_bytes, leftovers, predictions_csv
from tests.hostile.conftest import OUT

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
COLS = ["--sensitive", "sex", "--y-true", "label", "--y-pred", "pred", "--y-score", "score",
        "--positive-label", "approved", "--exit-zero"]  # fmt: skip


@pytest.mark.parametrize(
    ("signum", "code", "words"),
    [
        (signal.SIGINT, EXIT_INTERRUPTED, "interrupted"),
        (signal.SIGTERM, EXIT_TERMINATED, "SIGTERM"),
    ],
    ids=["sigint", "sigterm"],
)
def test_signal_while_writing_keeps_the_previous_report(tmp_path, previous_run, signum, code,
                                                        words):  # fmt: skip
    before = previous_run()
    csv = predictions_csv(tmp_path, n=300)
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SLOW_WRITER), "audit", "-p", str(csv), *COLS,
         "--out", str(tmp_path / OUT)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=ENV,
    )  # fmt: skip
    try:
        assert child.stdout.readline().strip() == "READY"
        assert any(p.name.endswith(".staging") for p in tmp_path.iterdir())
        child.send_signal(signum)
        assert child.wait(60) == code
    finally:
        child.kill()
    err = child.stderr.read()
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert folder_bytes(tmp_path / OUT) == before and leftovers(tmp_path) == []


def test_two_concurrent_writers_leave_one_whole_run(tmp_path):
    files = [predictions_csv(tmp_path, n=400, seed=s, name=f"writer{s}") for s in (1, 2)]
    command = [sys.executable, "-m", "auditor"]
    children = [
        subprocess.Popen([*command, "audit", "-p", str(f), *COLS, "--out", str(tmp_path / OUT)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=ENV)
        for f in files
    ]  # fmt: skip
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err.decode()
    names = ("audit.json", "summary.md", "model_card.md", "junit.xml", "model_card.html")
    texts = {name: (tmp_path / OUT / name).read_text() for name in names}
    owners = {name: {f.stem for f in files if f.stem in text} for name, text in texts.items()}
    [winner] = owners["audit.json"]
    assert all(found == {winner} for found in owners.values()), owners
    assert leftovers(tmp_path) == []


def _class_body_interrupted(*args, **kwargs):
    """Ctrl-C landing while a late-imported module defines a dataclass: Python 3.11 raises a
    RuntimeError ("Error calling __set_name__ ...") caused by the KeyboardInterrupt."""

    class Interrupted:
        def __set_name__(self, owner, name):
            raise KeyboardInterrupt

    type("Late", (), {"field": Interrupted()})


def test_a_ctrl_c_wrapped_by_another_error_is_still_ctrl_c(monkeypatch, tmp_path, capsys):
    """It was an 'internal error' with a crash log (seen when Ctrl-C hit an import)."""
    from auditor import api
    from auditor.cli import exit_code_of

    csv = predictions_csv(tmp_path, n=300)
    monkeypatch.setattr(api, "audit_predictions", _class_body_interrupted)
    code = exit_code_of(["audit", "-p", str(csv), *COLS, "--out", str(tmp_path / OUT)])
    err = capsys.readouterr().err
    assert code == EXIT_INTERRUPTED, err
    assert err.strip() == "auditor: interrupted; no report was written"
    assert not (tmp_path / OUT).exists() and leftovers(tmp_path) == []


def _interrupted(*args, **kwargs):
    raise KeyboardInterrupt


def test_a_ctrl_c_that_typer_catches_still_says_so(monkeypatch, tmp_path, capsys):
    """typer turns a Ctrl-C outside a command's cli_errors into exit 130 and prints nothing:
    an interrupted `auditor audit` 0.15-0.3 s in left no line at all."""
    from auditor.cli import exit_code_of

    csv = predictions_csv(tmp_path, n=300)
    monkeypatch.setattr("auditor.predictions.notes.record_notes", _interrupted)  # after cli_errors
    code = exit_code_of(["audit", "-p", str(csv), *COLS, "--out", str(tmp_path / OUT)])
    err = capsys.readouterr().err
    assert code == EXIT_INTERRUPTED, err
    # after cli_errors the folder is in place: the line says so (it said none was written)
    written = (tmp_path / OUT).resolve()
    assert err.strip() == f"auditor: interrupted; the report was written: {written}"
    assert (written / "audit.json").is_file()


@pytest.mark.parametrize("code", [EXIT_INTERRUPTED, EXIT_TERMINATED])
def test_after_a_signal_the_interpreter_is_not_finalised(monkeypatch, code):
    """A signal can land inside an import; finalising the half-imported modules crashed the
    process (SIGSEGV after the 'interrupted' line, now and then): main leaves by os._exit."""
    from auditor import cli

    class Left(Exception):
        pass

    def leave(status: int) -> None:
        raise Left(status)

    monkeypatch.setattr(cli, "exit_code_of", lambda: code)
    monkeypatch.setattr(cli, "prepare_environment", lambda: None)  # no process-wide change
    monkeypatch.setattr(cli.gc, "set_threshold", lambda *args: None)
    monkeypatch.setattr(cli.os, "_exit", leave)
    with pytest.raises(Left) as left:
        cli.main()
    assert left.value.args == (code,)
