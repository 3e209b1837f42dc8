"""The command a card's Reproduce line shows (api._trained.command_line): pasted into bash it
reruns the same audit. A real tab and a typed '\\x09' in an argument were both written
's\\x09x' once shown (R9 #3): an argument holding a character the cards show as an escape is
quoted $'...', which bash reads back to that character."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from auditor.api._trained import command_line, shell_quoted

ARGS = ["s\tx", "s\\x09x", "a\nb", "it's\x1b", "r\u202eb", os.fsdecode(b"c\xff.csv"),
        "plain", "two words", "", "\u00e9\u0085", "\\"]  # fmt: skip


def test_a_tab_and_a_typed_escape_are_quoted_apart(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["auditor", "audit", "--sensitive", "s\tx",
                                      "--sensitive", "s\\x09x"])  # fmt: skip
    assert command_line(None) == "auditor audit --sensitive $'s\\x09x' --sensitive 's\\x09x'"


def test_plain_arguments_are_quoted_as_before():
    assert [shell_quoted(a) for a in ("plain", "two words", "", "a'b")] == [
        "plain", "'two words'", "''", "'a'\"'\"'b'"]  # fmt: skip


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_reads_each_quoted_argument_back_to_its_bytes():
    script = "printf '%s\\0' " + " ".join(shell_quoted(a) for a in ARGS)
    done = subprocess.run(["bash", "-c", script], capture_output=True, timeout=30,
                          env={**os.environ, "LC_ALL": "C.UTF-8"})  # fmt: skip
    assert done.stdout.split(b"\0")[:-1] == [os.fsencode(a) for a in ARGS]
