"""Every ``auditor ...`` line in a shell block of README.md and docs/*.md parses as the CLI
has it (its own parser: the command exists, every option is one of its options, a value is
of its type and a choice one it offers, no extra arguments). (tests/docs/test_ci_docs.py checks
the CI jobs' lines; tests/api/ runs the Python blocks.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from auditor.cli import app

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("docs/*.md"))]
SHELL = ("", "sh", "bash", "console", "shell")


def _command_lines(text: str) -> list[list[str]]:
    """The words of each ``auditor`` line of the page's shell blocks (a trailing ``\\``
    joins the next line; ``# ...`` comments dropped)."""
    out = []
    for lang, body in re.findall(r"```(\w*)\n(.*?)```", text, flags=re.S):
        if lang not in SHELL:
            continue
        for line in body.replace("\\\n", " ").splitlines():
            if line.startswith(("auditor ", ".venv/bin/auditor ")):  # not the diagrams
                words = shlex.split(line, comments=True)
                ends = [i for i, w in enumerate(words) if w in ("&&", "||", ";", "|")]
                out.append(words[: ends[0]] if ends else words)  # the auditor command alone
    return out


def _check(words: list[str]) -> None:
    """Parsed by the command's own parser (types and choices converted); a usage error
    raises, naming the word."""
    group = typer.main.get_command(app)
    assert words[1] in group.commands, words
    group.commands[words[1]].make_context(words[1], words[2:])


@pytest.mark.parametrize("page", PAGES)
def test_every_auditor_line_parses_as_the_cli_has_it(page):
    lines = _command_lines((ROOT / page).read_text(encoding="utf-8"))
    if page in ("README.md", "docs/ci.md"):
        assert len(lines) >= 4, page  # the blocks this test reads are found
    for words in lines:
        _check(words)


def test_the_readme_keeps_two_set_up_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Set up\n+```\n(.*?)```", text, flags=re.S).group(1)
    lines = block.strip().splitlines()
    assert lines == [
        'python3 -m venv .venv && .venv/bin/pip install -e ".[dev]" && .venv/bin/auditor run',
        ".venv/bin/python -m pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")  # CI runs the same two
    assert '.venv/bin/pip install -q -e ".[dev]"' in ci and ".venv/bin/python -m pytest" in ci


def test_every_repository_file_the_pages_name_exists():
    named = set()
    for page in PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        pattern = r"(?<![\w/.])((?:auditor|bench|docs|tests|templates|\.ci)/[\w/-]*(?:\.\w+)?)"
        named.update(path.rstrip("/") for path in re.findall(pattern, text))
    assert len(named) >= 5, named  # the pages' paths were found
    assert sorted(p for p in named if not (ROOT / p).exists()) == []


def test_every_toml_block_is_a_valid_config():
    """A config a page shows validates as written (keys, types, values; files aside)."""
    import tomllib

    from auditor.config import AuditConfig

    blocks = [b for page in PAGES
              for b in re.findall(r"```toml\n(.*?)```", (ROOT / page).read_text(encoding="utf-8"),
                                  flags=re.S)]  # fmt: skip
    assert len(blocks) >= 2
    for block in blocks:
        AuditConfig.model_validate(tomllib.loads(block))
