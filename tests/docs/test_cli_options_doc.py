"""Every command-line option the pages name exists, and every option a command has is named.

README.md and docs/*.md name options in prose (`--fail-on warning`), in inline commands
(`auditor diff A B [--format markdown|text]`) and beside bench scripts
(`bench/bench_groups.py [--groups 1000]`); tests/docs/test_readme_commands.py parses only the
shell blocks. Here an option in an inline ``auditor <command>`` span must be that command's,
one on a line naming ``bench/<script>.py`` must be in that script's source, and any other must
be an option of some ``auditor`` command. The other way round, each option of each command
(its long form; a ``--no-x`` switch counts as its ``--x``) is named somewhere in the pages,
so `auditor <command> --help` never offers one the docs do not explain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from auditor.cli import app

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("docs/*.md"))]
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
OTHER_TOOLS = {"--version"}  # `python3 --version` in the set-up notes


def _commands() -> dict[str, set[str]]:
    group = typer.main.get_command(app)
    return {name: {o for p in cmd.params for o in getattr(p, "opts", []) + getattr(
        p, "secondary_opts", []) if o.startswith("--")} for name, cmd in group.commands.items()}


def _text() -> str:
    return "\n".join((ROOT / page).read_text(encoding="utf-8") for page in PAGES)


def _chunks(text: str) -> list[str]:
    """A page's paragraphs and list items, each on one line (an inline span may wrap)."""
    text = text.replace("\\\n", " ")
    parts = re.split(r"\n\s*\n|\n(?=\s*(?:-|\d+\.) )", text)
    return [" ".join(part.split()) for part in parts]


def _misnamed(line: str, commands: dict[str, set[str]]) -> list[str]:
    """The options in one paragraph of a page that no command (or bench script) it names has."""
    known = set().union(*commands.values()) | OTHER_TOOLS
    bench = re.findall(r"bench/(\w+\.py)", line)
    if bench:
        source = "".join((ROOT / "bench" / name).read_text(encoding="utf-8") for name in bench)
        known |= {o for o in OPTION.findall(line) if f'"{o}"' in source}
    wrong = []
    for span in re.findall(r"`((?:\.venv/bin/)?auditor [^`]*)`", line):
        words = span.split()
        name = words[1]
        if name in commands:
            wrong += [o for o in OPTION.findall(span) if o not in commands[name]]
        else:
            wrong += [o for o in OPTION.findall(span) if o != "--help"]
        line = line.replace(span, "")
    return wrong + [o for o in OPTION.findall(line) if o not in known]


@pytest.mark.parametrize("page", PAGES)
def test_every_option_a_page_names_exists(page):
    commands = _commands()
    text = (ROOT / page).read_text(encoding="utf-8")
    assert OPTION.search(text) or page == "docs/python-api.md", page  # the pages were read
    wrong = {o for chunk in _chunks(text) for o in _misnamed(chunk, commands)}
    assert sorted(wrong) == [], page


def test_a_misnamed_option_is_caught():
    commands = _commands()
    assert _misnamed("`auditor diff A B --fail-on warning`", commands) == ["--fail-on"]
    assert _misnamed("then `--exit-zer` reports", commands) == ["--exit-zer"]
    assert _misnamed("`bench/bench_groups.py [--group 10]`", commands) == ["--group"]
    assert _misnamed("`auditor gate RUN --baseline B` and `--changed-only`", commands) == []


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_option_of_a_command_is_documented(name):
    text = _text()
    named = set(OPTION.findall(text))
    options = {o for o in _commands()[name] if o != "--help"}
    undocumented = {o for o in options if o not in named and o.replace("--no-", "--") not in named}
    assert sorted(undocumented) == [], f"auditor {name}"
