"""auditor/__main__.py: the command's entry point, before the CLI's modules have loaded."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from auditor.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, INTERRUPTED, TERMINATED

# Ctrl-C (or an error) raised where `auditor.cli` is imported, as a signal landing in typer's
# or pydantic's import would; Python 3.11 may wrap such a Ctrl-C in a RuntimeError.
LOADING = """
import builtins, sys
real = builtins.__import__
def load(name, *args, **kwargs):
    if name == "auditor.cli":
        raise {error}
    return real(name, *args, **kwargs)
builtins.__import__ = load
from auditor.__main__ import main
main()
"""


@pytest.mark.parametrize(("error", "code", "line"), [
    ("KeyboardInterrupt()", EXIT_INTERRUPTED, INTERRUPTED),
    ("RuntimeError('in __set_name__') from KeyboardInterrupt()", EXIT_INTERRUPTED, INTERRUPTED),
    # SIGTERM's handler is installed before the CLI loads: it raises this
    ("__import__('auditor.errors').errors.Terminated()", EXIT_TERMINATED, TERMINATED),
])  # fmt: skip
def test_a_signal_while_the_cli_loads_is_one_line_and_its_exit_code(error, code, line):
    run = subprocess.run([sys.executable, "-c", LOADING.format(error=error)],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == code, run.stderr
    assert run.stderr == line + "\n" and run.stdout == ""


def test_sigterm_as_the_cli_loads_is_one_line_and_exit_143():
    """A real SIGTERM at the first import (the handler is the entry point's own)."""
    kill = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    code = LOADING.replace("raise {error}", kill)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert run.returncode == EXIT_TERMINATED, run.stderr
    assert run.stderr == TERMINATED + "\n"


def test_another_error_while_the_cli_loads_keeps_its_traceback():
    run = subprocess.run([sys.executable, "-c", LOADING.format(error="ImportError('x')")],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 1 and "Traceback" in run.stderr and "ImportError: x" in run.stderr


def test_the_command_and_python_m_share_the_entry_point():
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["auditor"] == "auditor.__main__:main"
    run = subprocess.run([sys.executable, "-m", "auditor", "--version"],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0 and run.stdout.strip().endswith("0.1.0"), run.stderr


def test_the_entry_point_installs_the_signal_handlers_once(monkeypatch):
    """Both the entry point and cli.main installed them."""
    import signal

    from auditor import __main__ as entry
    from auditor import cli, errors

    installed = []
    monkeypatch.setattr(errors.signal, "signal", lambda signum, _: installed.append(signum))
    monkeypatch.setattr(cli, "exit_code_of", lambda: 0)
    monkeypatch.setattr(cli, "prepare_environment", lambda: None)  # no process-wide change
    monkeypatch.setattr(cli.gc, "set_threshold", lambda *args: None)
    monkeypatch.setattr(cli.gc, "freeze", lambda: None)
    with pytest.raises(SystemExit) as done:
        entry.main()
    assert done.value.code == 0 and installed == [signal.SIGTERM]
