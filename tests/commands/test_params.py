"""typer turns "" into Path(""), which is ".": after 138f148 only CONFIG / --config refused it.
`auditor gate RUN --baseline ""` said "<cwd>/audit.json: --baseline: no such file", `--out ""`
said ".: --out: is the run or inside it", and run's, audit's, card's and diff's --out, run's
--baseline and audit's --predictions read "" as the working folder too. Every Path option
of every command now takes commands/params.py's parser: one usage line naming it, exit 2,
nothing written (R18 #2, #6)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from auditor.cli import exit_code_of
from auditor.commands import EXIT_BAD_INPUT
from auditor.commands.params import file_path, folder_path

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
    (["init"], "'PATH'", "init", "a file"),  # ".: PATH: is a folder", a name not typed
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
    for command in (["gate"], ["card"], ["diff"], ["run"], ["audit"], ["init"]):
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


def writes(typed: str, kind: str = "folder") -> str:
    return ("a URL: auditor writes local files; write them here, then upload them "
            f"(./{typed} names a local {kind})")  # fmt: skip


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["run", "a.toml", "-o"], "run"),
        (["audit", *P, "--out"], "audit"),
        (["gate", "r", "-o"], "gate"),
        (["card", "r", "-o"], "card"),
        (["diff", "a", "b", "-o"], "diff"),
        (["init"], "init"),  # wrote the file s3:/bucket/run
    ],
)
@pytest.mark.parametrize("url", ["s3://bucket/run", "https://x.org/y", "https:/bucket/run"])
def test_a_url_a_command_writes_to_is_refused(args, command, url, tmp_path, monkeypatch,
                                              capsys):  # fmt: skip
    """`auditor audit ... -o s3://bucket/run` exited 0, wrote the local folder s3:/bucket/run
    and printed "Model card: s3:/bucket/run/..." (R21 #3): refused as typed, as a URL read is,
    naming the option; nothing written. One slash is a URL as a read calls it (R4 #3), and
    the way past it is ./ and what was typed, a path where the option names a file (R4 #5)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.csv").write_text("y_true,y_pred,g\n1,0,a\n")
    assert exit_code_of([*args, url]) == EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    named = "'PATH'" if command == "init" else "'--out' / '-o'"
    kind = "path" if command in ("init", "diff") else "folder"
    assert line == (f"auditor: error: Invalid value for {named}: {url}: {writes(url, kind)} "
                    f"(see 'auditor {command} --help')")  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


@pytest.mark.parametrize("text", ["runs/10:30", "ab:c", "C:/runs/x", "C:\\runs", "./s3://b/x",
                                  "runs/s3://b", "./backup:/r", "s3:x"])  # fmt: skip
def test_a_path_with_a_colon_is_no_url(text):
    """Only a scheme of two or more letters at the start, before ':/', is a URL: a drive, a
    time in a name, a scheme with no '/' after it, or a URL after ./ stays a local path
    (./s3://b/x is the folder s3:/b/x, ./backup:/r the folder backup:/r)."""
    assert folder_path(text) == Path(text) and file_path(text) == Path(text)


@pytest.mark.parametrize("text", ["backup:/r", "Run.v2:/z"])
def test_a_name_ending_in_a_colon_is_written_with_dot_slash(text):
    """A name ending in ':' before one '/' reads as a URL, as a read calls it (R4 #3); the
    refusal says how to write it: ./ and what was typed (it said ./s3://x, R4 #5)."""
    with pytest.raises(typer.BadParameter) as err:
        folder_path(text)
    assert str(err.value) == f"{text}: {writes(text)}"
    assert folder_path(f"./{text}") == Path(text)


def test_an_out_typed_as_a_url_is_refused_though_its_folder_is_there(tmp_path, monkeypatch):
    """`-o s3://x` was taken where ./s3:/x was there (R1 #1): the reads' rule, not a write's."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s3:" / "x").mkdir(parents=True)
    for parse, kind in ((folder_path, "folder"), (file_path, "path")):
        with pytest.raises(typer.BadParameter) as err:
            parse("s3://x")
        assert str(err.value) == f"s3://x: {writes('s3://x', kind)}"
