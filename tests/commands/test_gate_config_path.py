"""typer turns "" into Path(""), which is ".": `auditor run ""`, `auditor gate RUN --config ""`
and `auditor audit ... --config ""` said ".: is a folder, not a file", the working folder
blamed for a path never typed. A blank CONFIG / --config is now refused as usage, naming it
(commands/params.py's config_path, the parser of all three); "." itself is still a folder."""

from __future__ import annotations

import pytest

from auditor.cli import exit_code_of
from auditor.commands import EXIT_BAD_INPUT

EMPTY = "an empty path: name the TOML config file"


@pytest.mark.parametrize("blank", ["", " "])
@pytest.mark.parametrize(("args", "named", "command"), [
    (["run"], "'CONFIG'", "run"),
    (["gate", "run", "--config"], "'--config' / '-c'", "gate"),
    (["gate", "run", "-c"], "'--config' / '-c'", "gate"),
    (["audit", "-p", "p.csv", "--sensitive", "g", "--config"], "'--config'", "audit"),
])  # fmt: skip
def test_a_blank_config_path_is_named_as_empty(args, named, command, blank, tmp_path,
                                               monkeypatch, capsys):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.csv").write_text("y_true,y_pred,g\n1,0,a\n")
    assert exit_code_of([*args, blank]) == EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"auditor: error: Invalid value for {named}: {EMPTY} "
                    f"(see 'auditor {command} --help')")  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


def test_the_working_folder_named_is_still_a_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert exit_code_of(["run", "."]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == (
        "auditor: error: .: is a folder, not a file (name the TOML config)\n"
    )
    assert list(tmp_path.iterdir()) == []
