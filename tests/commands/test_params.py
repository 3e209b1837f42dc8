"""typer turns "" into Path(""), which is ".": after 138f148 only CONFIG / --config refused it.
`auditor gate RUN --baseline ""` said "<cwd>/audit.json: --baseline: no such file", `--out ""`
said ".: --out: is the run or inside it", and run's, audit's, card's and diff's --out, run's
--baseline and audit's --predictions read "" as the working folder too. Every Path option
of every command now takes commands/params.py's parser: one usage line naming it, exit 2,
nothing written (R18 #2, #6)."""

from __future__ import annotations

import pytest

from auditor.cli import exit_code_of
from auditor.commands import EXIT_BAD_INPUT

P = ["-p", "p.csv", "--sensitive", "g"]
CASES = [  # (the words before the blank, the parameter named, the command, what to name)
    (["gate", "r", "--baseline"], "'--baseline'", "gate", "an audit.json or its run folder"),
    (["gate", "r", "--out"], "'--out' / '-o'", "gate", "a folder"),
    (["gate", "r", "-o"], "'--out' / '-o'", "gate", "a folder"),
    (["card", "r", "--out"], "'--out' / '-o'", "card", "a folder"),
    (["diff", "a", "b", "--out"], "'--out' / '-o'", "diff", "a file"),
    (["run", "--out"], "'--out' / '-o'", "run", "a folder"),
    (["run", "--baseline"], "'--baseline'", "run", "an audit.json or its run folder"),
    (["audit", *P, "--out"], "'--out' / '-o'", "audit", "a folder"),
    (["audit", "--sensitive", "g", "-p"], "'--predictions' / '-p'", "audit",
     "a predictions file or folder"),
    (["gate"], "'RUN_DIR'", "gate", "a run folder or its audit.json"),  # "audit.json: no such
    (["card"], "'RUN_DIR'", "card", "a run folder or its audit.json"),  # file", a name not typed
    (["diff"], "'A'", "diff", "a run folder or its audit.json"),
]


@pytest.mark.parametrize("blank", ["", " "])
@pytest.mark.parametrize(("args", "named", "command", "what"), CASES)
def test_a_blank_path_is_named_as_empty(args, named, command, what, blank, tmp_path,
                                        monkeypatch, capsys):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.csv").write_text("y_true,y_pred,g\n1,0,a\n")
    assert exit_code_of([*args, blank]) == EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"auditor: error: Invalid value for {named}: an empty path: name {what} "
                    f"(see 'auditor {command} --help')")  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


def test_the_options_help_shows_path(capsys):
    """run's CONFIG showed "CONFIG <Path>" (its parser= named the type as Python does);
    it shows "<path>" as every other command's argument does, and refuses "" as before."""
    for command in (["gate"], ["card"], ["diff"], ["run"], ["audit"]):
        assert exit_code_of([*command, "--help"]) == 0
        assert "<Path>" not in capsys.readouterr().out
    assert exit_code_of(["run", "--help"]) == 0
    assert "  CONFIG <path>  An audit TOML file" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "named", "command"),
    [
        (["gate", "r", "--baseline"], "'--baseline'", "gate"),
        (["gate", "r", "--config"], "'--config' / '-c'", "gate"),
        (["run", "--baseline"], "'--baseline'", "run"),
        (["run"], "'CONFIG'", "run"),
        (["audit", "--sensitive", "g", "-p"], "'--predictions' / '-p'", "audit"),
        (["gate"], "'RUN_DIR'", "gate"),  # these four said "https:/x.org/run: no such file"
        (["card"], "'RUN_DIR'", "card"),
        (["diff"], "'A'", "diff"),
        (["diff", "r"], "'B'", "diff"),
    ],
)
def test_a_url_a_command_reads_is_shown_as_typed(args, named, command, tmp_path, monkeypatch,
                                                 capsys):  # fmt: skip
    """`gate r --baseline https://x.org/run/audit.json` said "<cwd>/https:/x.org/...: no such
    file": a Path of the text keeps one of its '//'. A URL given for a file a command reads is
    refused as typed, saying to download it; nothing written."""
    monkeypatch.chdir(tmp_path)
    url = "https://x.org/run/audit.json"
    assert exit_code_of([*args, url]) == EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"auditor: error: Invalid value for {named}: {url}: a URL: auditor reads a "
                    f"local file; download it first (see 'auditor {command} --help')")  # fmt: skip
    assert list(tmp_path.iterdir()) == []
