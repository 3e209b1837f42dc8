"""A group literally named 'a\\x0ab' (a backslash, x, 0, a) and the group 'a<LF>b' (shown
'a\\x0ab') were written alike by every writer (S17's note, R9 #6): a name's own backslash that
starts what reads as a shown control is shown doubled ('a\\\\x0ab', as Python's repr shows it),
once per writer."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from markdown_it import MarkdownIt

from auditor.report.escape import (
    bidi_isolated,
    card_text,
    controls_shown,
    html_text,
    md_code,
    md_escape,
    svg_escape,
    terminal_text,
    xml_text,
)

LITERAL, BROKEN = "a\\x0ab", "a\nb"  # the text as written; a line break
SHOWN_LITERAL, SHOWN_BROKEN = "a\\\\x0ab", "a\\x0ab"  # as a reader sees each


def test_each_escape_shows_the_two_apart_and_the_tool_s_own_escape_once():
    for shown in (html_text, xml_text, controls_shown, svg_escape, terminal_text, card_text):
        assert str(shown(LITERAL)) == SHOWN_LITERAL, shown
        assert str(shown(BROKEN)) == SHOWN_BROKEN, shown
    assert md_escape(LITERAL) == "a\\\\\\\\x0ab"  # a Markdown source; it renders as shown
    assert md_escape(BROKEN) == "a\\x0ab"
    assert md_escape("a\\b") == "a\\\\b"  # no escape read there: as before
    assert str(card_text(bidi_isolated(LITERAL))) == SHOWN_LITERAL  # the card's two steps
    assert md_code(LITERAL) == "`a\\x0ab`"  # a path: exact, quoted by its own rules
    assert md_code(BROKEN) == "`a\\u000ab`"  # its break as a TOML string reads it back
    assert controls_shown("C:\\u00e9t\\x") == "C:\\\\u00e9t\\x"  # \u + 4 hex digits only


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """``auditor audit`` of one predictions file holding both groups (and 'c')."""
    from typer.testing import CliRunner

    from auditor.cli import app

    folder = tmp_path_factory.mktemp("lookalike")
    rng = np.random.default_rng(1)
    n = 600
    y = rng.integers(0, 2, n)
    pred = np.where(rng.random(n) < 0.8, y, 1 - y)
    groups = np.array([LITERAL, BROKEN, "c"])[rng.integers(0, 3, n)]
    pd.DataFrame({"y_true": y, "y_pred": pred, "g": groups}).to_csv(folder / "p.csv",
                                                                    index=False)  # fmt: skip
    done = CliRunner().invoke(app, ["audit", "-p", str(folder / "p.csv"), "--sensitive", "g",
                                    "-o", str(folder / "run"), "--exit-zero", "-q"])  # fmt: skip
    assert done.exit_code == 0, done.output
    return folder / "run", done.output


def _apart(text: str, where: str) -> None:
    """Both groups shown in ``text``, each its own way: the line break's 'a\\x0ab' (not the
    tail of 'a\\\\x0ab', or a code span's 'a\\u000ab') and the backslash's 'a\\\\x0ab'."""
    assert SHOWN_LITERAL in text, where
    assert re.search(r"(?<!\\)a\\x0ab", text) or "a\\u000ab" in text, where


def test_every_writer_tells_the_two_groups_apart(run_folder):
    run, _ = run_folder
    card = (run / "model_card.html").read_text()
    _apart(card, "model_card.html")
    svg = "".join(re.findall(r"<svg.*?</svg>", card, flags=re.S))
    _apart(svg, "the card's charts")
    md = MarkdownIt("commonmark").enable("table")
    for name in ("model_card.md", "summary.md"):
        rendered = md.render((run / name).read_text())
        _apart(rendered, name)
    junit = (run / "junit.xml").read_text()
    named = set(re.findall(r"a\\+x0ab", junit))
    assert named and named <= {SHOWN_LITERAL, SHOWN_BROKEN}, named  # each as itself
    assert SHOWN_LITERAL in junit  # the worst-off group, the literal one, named so
