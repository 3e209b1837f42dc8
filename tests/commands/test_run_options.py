"""``auditor run``'s options (auditor/commands/run_options.py)."""

from __future__ import annotations

import pytest

from auditor.cli import exit_code_of
from auditor.commands import EXIT_BAD_INPUT


def test_the_threads_bound_of_the_command_line_is_the_configs():
    from auditor.commands.run_options import MAX_THREADS
    from auditor.config.privacy import MAX_PROCESSES

    assert MAX_THREADS == MAX_PROCESSES


@pytest.mark.parametrize("threads", ["0", "1025", str(10**9)])
def test_threads_out_of_range_is_refused_in_one_wording_naming_the_flag(
    threads, tmp_path, monkeypatch, capsys
):
    # --threads 0 said "Invalid value for '--threads'", --threads 1000000000 "command line:
    # threads: must be at most 1024": the config's key, not the flag the user typed.
    monkeypatch.chdir(tmp_path)
    assert exit_code_of(["run", "--threads", threads]) == EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("auditor: error: Invalid value for '--threads': "), line
    assert list(tmp_path.iterdir()) == []
