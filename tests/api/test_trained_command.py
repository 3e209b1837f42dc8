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
        "plain", "two words", "", "\u00e9\u0085", "\\", "\u2028\u061c"]  # fmt: skip


def test_a_tab_and_a_typed_escape_are_quoted_apart(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["auditor", "audit", "--sensitive", "s\tx",
                                      "--sensitive", "s\\x09x"])  # fmt: skip
    assert command_line(None) == "auditor audit --sensitive $'s\\x09x' --sensitive 's\\x09x'"


def test_plain_arguments_are_quoted_as_before():
    assert [shell_quoted(a) for a in ("plain", "two words", "", "a'b")] == [
        "plain", "'two words'", "''", "'a'\"'\"'b'"]  # fmt: skip


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_bash_reads_each_quoted_argument_back_to_its_bytes(locale):
    """In any locale: bash decodes $'\\u0085' only in a UTF-8 one (under LC_ALL=C it kept
    the text '\\u0085', and the pasted command audited another column, R15 #3); a
    character at 0x80 and above is written as its UTF-8 bytes ($'\\xc2\\x85')."""
    script = "printf '%s\\0' " + " ".join(shell_quoted(a) for a in ARGS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANG"}
    done = subprocess.run(["bash", "-c", script], capture_output=True, timeout=30,
                          env={**env, "LC_ALL": locale})  # fmt: skip
    assert done.stdout.split(b"\0")[:-1] == [os.fsencode(a) for a in ARGS]


def test_a_character_past_ascii_is_written_as_its_utf8_bytes():
    assert shell_quoted("\u00e9\u0085") == "$'\u00e9\\xc2\\x85'"
    assert shell_quoted("r\u202eb") == "$'r\\xe2\\x80\\xaeb'"


def test_what_is_shown_as_an_escape_is_defined_once():
    """api._trained, io and report.escape each wrote the set again (R15 #4): one definition."""
    from auditor import invisible, io
    from auditor.api import _trained
    from auditor.report import escape

    assert _trained.SHOWN_AS_ESCAPE is escape._NOT_TERMINAL
    assert io.SURROGATES is invisible.SURROGATES and io._LONE.pattern == f"[{io.SURROGATES}]"
    assert all(escape._NOT_TERMINAL.match(c) for c in ("\ud800", "\udcff", "\udfff", "\x85"))
