"""The exit-code contract: 0 pass, 1 a failed gate and nothing else, 2 bad input or any error
(an internal error names a crash log with its traceback), 130 Ctrl-C, 143 SIGTERM; signals
clean up staging and leave the previous report byte-identical."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor import api
from auditor.cli import app, exit_code_of
from auditor.commands import EXIT_BAD_INPUT
from auditor.errors import EXIT_INTERRUPTED, EXIT_TERMINATED
from tests.builders import PREDICTION_ARGS, SLOW_WRITER, folder_bytes, leftovers, predictions_csv

runner = CliRunner()


def _audit_args(tmp_path: Path) -> list[str]:
    csv = predictions_csv(tmp_path, n=300)
    return ["audit", "-p", str(csv), *PREDICTION_ARGS, "-o", str(tmp_path / "run")]


def test_internal_error_is_exit_2_with_a_crash_log(tmp_path, monkeypatch):
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom \x1b]0;owned\x07 here\nsecond line")

    monkeypatch.setattr(api, "audit_predictions", crash)
    result = runner.invoke(app, _audit_args(tmp_path))
    assert result.exit_code == EXIT_BAD_INPUT
    [line] = [x for x in result.output.splitlines() if x.strip()]
    assert line.startswith("auditor: internal error: RuntimeError: boom ")
    assert "\x1b" not in line and "\x07" not in line and "second line" not in line
    log = Path(line.rsplit("traceback in ", 1)[1])
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: boom" in text and "crash" in text
    log.unlink()


def test_interrupt_is_130_and_writes_nothing(tmp_path, monkeypatch):
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("auditor.run_folder.render_all", interrupted)
    result = runner.invoke(app, _audit_args(tmp_path))
    assert result.exit_code == EXIT_INTERRUPTED
    assert not (tmp_path / "run").exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "args",
    [
        ["nosuch"],
        ["run", "--seed", "-1"],
        ["run", "--seed", str(2**70)],
        ["audit", "--seed", "-1", "-p", "x.csv", "--sensitive", "s"],
        ["gate"],
        ["run", "--device", "tpu"],
    ],
)
def test_usage_errors_are_exit_2(args, capsys):
    assert exit_code_of(args) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    [line] = err.splitlines()  # one line, naming the option and where the help is
    assert line.startswith("auditor: error: ") and "--help')" in line and "Traceback" not in err


def test_a_usage_error_under_python_m_names_the_auditor_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "auditor", "audit", "--quiet"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == EXIT_BAD_INPUT
    assert done.stderr.strip().endswith("(see 'auditor audit --help')"), done.stderr  # not '-m'


def test_out_that_is_a_file_is_exit_2_before_reading(tmp_path):
    target = tmp_path / "taken"
    target.write_text("x")
    args = _audit_args(tmp_path)
    result = runner.invoke(app, [*args[:-1], str(target)])
    assert result.exit_code == EXIT_BAD_INPUT and "is a file" in result.output
    assert target.read_text() == "x" and leftovers(tmp_path) == []



@pytest.mark.slow
def test_sigterm_is_143_and_leaves_the_previous_run(tmp_path):
    args = _audit_args(tmp_path)
    run = tmp_path / "run"
    run.mkdir()
    (run / "audit.json").write_text("{}")  # the previous report
    before = folder_bytes(run)
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SLOW_WRITER), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2], env={**os.environ, "PYTHONPATH": "."},
    )  # fmt: skip
    try:
        assert child.stdout.readline().strip() == "READY"
        assert any(p.name.endswith(".staging") for p in tmp_path.iterdir())
        child.send_signal(signal.SIGTERM)
        assert child.wait(60) == EXIT_TERMINATED
    finally:
        child.kill()
    assert "SIGTERM" in child.stderr.read()
    assert folder_bytes(run) == before and leftovers(tmp_path) == []


def test_internal_error_without_a_temp_folder_is_still_one_line(monkeypatch, capsys):
    from auditor import commands

    def no_temp(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only /tmp")

    monkeypatch.setattr(commands.tempfile, "mkstemp", no_temp)
    assert commands.exit_for(ValueError("bad")) == EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    assert "internal error: ValueError: bad" in line and "(none: read-only /tmp)" in line


def test_a_command_ending_while_a_read_runs_ahead_leaves_at_once(monkeypatch):
    """An error or Ctrl-C before the file read ahead is needed: ``main`` exits with its code
    without the interpreter's shutdown (which waits for the read and can crash while a thread
    is inside pyarrow); with nothing in flight it exits the ordinary way, objects frozen (the
    shutdown's garbage collection skips them)."""
    from auditor import cli
    from auditor.runtime import Background

    left: list[int] = []
    frozen: list[bool] = []
    monkeypatch.setattr(cli, "exit_code_of", lambda: EXIT_BAD_INPUT)
    monkeypatch.setattr(cli.os, "_exit", left.append)
    monkeypatch.setattr(cli.gc, "freeze", lambda: frozen.append(True))
    monkeypatch.setattr(cli.gc, "set_threshold", lambda *young_first: None)
    release = threading.Event()
    job = Background(release.wait, 30)
    with pytest.raises(SystemExit) as ordinary:  # os._exit is stubbed: main goes on to sys.exit
        cli.main()
    assert left == [EXIT_BAD_INPUT] and ordinary.value.code == EXIT_BAD_INPUT
    release.set()
    job.result()
    with pytest.raises(SystemExit) as ordinary:
        cli.main()
    assert left == [EXIT_BAD_INPUT]  # nothing in flight: not called again
    assert ordinary.value.code == EXIT_BAD_INPUT and frozen == [True, True]


def test_an_error_line_carries_no_workflow_command_from_the_data(tmp_path, capsys):
    """A column named '##[stop-commands]tok' quoted in the error line would stop the GitHub
    Actions runner reading auditor's own annotations for the rest of the job."""
    csv = tmp_path / "p.csv"
    csv.write_text("y_true,y_pred,##[error]x\n1,1,a\n", encoding="utf-8")
    code = exit_code_of(["audit", "-p", str(csv), "--sensitive", "##[stop-commands]tok",
                         "-o", str(tmp_path / "run")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and len(err.strip().splitlines()) == 1, err
    assert "##[" not in err and "##\\x5bstop-commands]tok" in err


@pytest.mark.parametrize("length", [500, 501, 539, 5_000, 200_000])
def test_a_long_error_line_keeps_its_end_where_the_way_on_is(length, capsys):
    """An error line is cut at 500 characters; it kept its first 500, so a refusal naming
    long classes lost its way on ("... name them in its order ([model] classes = [...])")."""
    from auditor.commands import exit_for
    from auditor.errors import AuditorInputError

    way_on = " ([model] classes = ['defaulted_within_twelve_months', 'repaid_in_full'])"
    text = "the model's outputs rank the classes backwards: " + "x" * length
    text = text[: length - len(way_on)] + way_on
    error = AuditorInputError(text, source="m.toml", field="model.classes")
    assert exit_for(error) == 2
    said = capsys.readouterr().err.strip().removeprefix("auditor: error: ")
    full = str(error)
    assert len(said) <= 500 and said.endswith(way_on)
    if len(full) > 500:
        head, note = said.split(" […")[0], said.split(" […")[1].split("] ")[0]
        assert full.startswith(head)
        assert int(note.split(" ")[0].replace(",", "")) == len(full) - len(head) - 200
    else:
        assert said == full


def test_a_line_break_in_a_refusal_is_shown_not_the_end_of_it(capsys):
    """A refusal was cut at its first line break: a group 'multi<LF>line' ended the line
    '... (it has: a, multi' (the rest of the list and its ')' lost); `--sensitive` holding
    one gave '/tmp/mn.csv: n'. The line break is shown as '\\x0a', the line whole."""
    from auditor.commands import exit_for
    from auditor.errors import AuditorInputError

    error = AuditorInputError("no item 'zz' (it has: a, multi\nline, b)\n", source="r.toml")
    assert exit_for(error) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith("(it has: a, multi\\x0aline, b)"), line
