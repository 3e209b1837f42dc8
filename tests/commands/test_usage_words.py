"""What a new user's first slips on the command line print: the arguments named as the README
and docs/ci.md write them (RUN_DIR, CONFIG, A B), a wrong choice in plain words, a choice's
case not held against them."""

from __future__ import annotations

import pytest
import typer

from auditor.cli import app, exit_code_of
from auditor.commands import EXIT_BAD_INPUT


def _usage_line(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert exit_code_of(args) == EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    return line


@pytest.mark.parametrize(
    ("args", "named"),
    [(["gate"], "'RUN_DIR'"), (["card"], "'RUN_DIR'"), (["diff", "a"], "'B'")],
)
def test_a_missing_argument_is_named_as_the_docs_write_it(args, named, capsys):
    line = _usage_line(args, capsys)
    assert f"Missing argument {named}." in line, line  # was 'run_dir', 'b'


@pytest.mark.parametrize(
    ("name", "usage"),
    [
        ("run", "[CONFIG]"),
        ("init", "[PATH]"),
        ("gate", "RUN_DIR"),
        ("card", "RUN_DIR"),
        ("diff", "A} {B"),  # typer writes a required argument in braces: {A} {B}
    ],
)
def test_each_usage_line_names_its_arguments_as_the_docs_do(name, usage):
    command = typer.main.get_command(app).commands[name]
    ctx = command.make_context(name, ["--help"], resilient_parsing=True)
    assert usage in command.get_usage(ctx), command.get_usage(ctx)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["run", "--scenario", "adlt"], "'adlt' is not one of 'digits', 'adult', 'mnist'"),
        (["run", "--device", "gpu"], "'gpu' is not one of 'cpu', 'cuda', 'auto'"),
        (["gate", "r", "--fail-on", "warnings"], "'warnings' is not one of 'failure', 'warning'"),
        (["diff", "a", "b", "--format", "html"], "'html' is not one of 'markdown', 'text'"),
    ],
)
def test_a_wrong_choice_says_the_choices_without_pydantics_words(args, said, capsys):
    line = _usage_line(args, capsys)
    assert said in line and "Value error" not in line, line


@pytest.mark.parametrize(
    ("args", "param", "value"),
    [
        (["run", "--scenario", "Adult"], "scenario", "adult"),
        (["run", "-s", "MNIST"], "scenario", "mnist"),
        (["run", "--device", "CPU"], "device", "cpu"),
        (["run", "--fail-on", "Warning"], "fail_on", "warning"),
        (["gate", "r", "--fail-on", "WARNING"], "fail_on", "warning"),
        (["diff", "a", "b", "--format", "Text"], "fmt", "text"),
    ],
)
def test_a_choice_in_other_case_is_the_choice(args, param, value):
    command = typer.main.get_command(app).commands[args[0]]
    ctx = command.make_context(args[0], args[1:])
    assert ctx.params[param] == value


def _run_into_a_file(tmp_path, monkeypatch, capsys, *args: str) -> str:
    """``auditor run ARGS --out <a file>`` in ``tmp_path``: refused before any work; stderr."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("x")
    assert exit_code_of(["run", *args, "--out", "taken"]) == EXIT_BAD_INPUT
    return capsys.readouterr().err


def test_a_bare_run_beside_init_s_config_says_it_is_not_read(tmp_path, monkeypatch, capsys):
    (tmp_path / "auditor.toml").write_text('name = "mine"\n')
    note, error = _run_into_a_file(tmp_path, monkeypatch, capsys).splitlines()
    assert note == (
        "Note: auditor.toml is not read: a bare `auditor run` is the digits demo "
        "(`auditor run auditor.toml` audits that config)"
    )
    assert error.startswith("auditor: error: taken: --out: is a file")


@pytest.mark.parametrize("args", [(), ("-s", "digits"), ("auditor.toml",)])
def test_no_note_where_the_run_says_what_it_audits(args, tmp_path, monkeypatch, capsys):
    if args != ():  # a bare run without auditor.toml beside it: nothing was left unread
        (tmp_path / "auditor.toml").write_text('name = "mine"\n')
    [line] = _run_into_a_file(tmp_path, monkeypatch, capsys, *args).splitlines()
    assert line.startswith("auditor: error: taken: --out: is a file"), line


def test_audit_s_help_shows_the_choices_of_intersections_and_interval():
    """They were ``<str>``: a user learned the choices only from the error."""
    command = typer.main.get_command(app).commands["audit"]
    ctx = command.make_context("audit", ["--help"], resilient_parsing=True)
    text = command.get_help(ctx)
    assert "--intersections <pairs|none>" in text, text
    assert "--interval <wilson|jeffreys|clopper-pearson>" in text, text


@pytest.mark.parametrize("args", [["-h"], ["run", "-h"], ["audit", "-h"], ["gate", "-h"]])
def test_dash_h_is_help(args, capsys):
    """``auditor -h`` was "No such option: -h", exit 2."""
    assert exit_code_of(args) == 0
    out = capsys.readouterr().out  # the program's name is pytest's here
    assert out.startswith("Usage: ") and "-h, --help" in out, out


@pytest.mark.parametrize(
    ("args", "option"),
    [(["run", "--out"], "'--out'"), (["audit", "-p"], "'-p'"), (["gate", "r", "--fail-on"],
     "'--fail-on'"), (["diff", "a", "b", "-o"], "'-o'")],
)  # fmt: skip
def test_an_option_given_no_value_names_its_command_help(args, option, capsys):
    """`auditor run --out` said "(see 'auditor --help')": click's "requires an argument" error
    carries no command; every other usage error names it."""
    command = next(a for a in args if not a.startswith("-"))
    assert _usage_line(args, capsys) == (f"auditor: error: Option {option} requires an argument. "
                                         f"(see 'auditor {command} --help')")  # fmt: skip


def test_an_unknown_command_still_points_at_the_top_help(capsys):
    assert _usage_line(["rn", "--out"], capsys).endswith("(see 'auditor --help')")


@pytest.mark.parametrize(
    "args", [["--version=1", "run"], ["--help=x", "gate", "r"], ["--version=1", "run", "--out"]]
)
def test_an_option_before_the_command_points_at_the_top_help(args, capsys):
    """`auditor --version=1 run` said "(see 'auditor run --help')", whose help does not list
    --version: the command is named only where the bad option comes after it."""
    line = _usage_line(args, capsys)
    assert line.endswith("does not take a value. (see 'auditor --help')"), line
