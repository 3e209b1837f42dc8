"""A path or a command a reader copies from model_card.md (the Reproduce command, the config
and baseline files, the data's name) is a code span: exact, and no @mention fires in one. It
was Markdown text with a word joiner (U+2060, invisible) after a word-initial '@' (R9 #5):
'-p @team/x.csv' copied from the card carried that character into the shell."""

from __future__ import annotations

import html
import re

import pandas as pd
from markdown_it import MarkdownIt

import auditor
from auditor.config import GatesConfig
from auditor.gates import evaluate_gates
from auditor.report.markdown import render_markdown

COMMAND = "auditor audit -p @team/x.csv --sensitive g --config @team/g_1.toml"


def _audit() -> dict:
    rows = pd.DataFrame({"g": ["a", "b"] * 100, "y_true": [0, 1, 1, 0] * 50,
                         "y_pred": [0, 1, 0, 1] * 50})  # fmt: skip
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred",
                                      sensitive="g").data  # fmt: skip
    audit["run"]["command"] = COMMAND
    audit["data"]["name"] = "@team/x.csv"
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=True))
    audit["gates"]["config_file"] = "@team/g_1.toml"
    return audit


def test_a_copied_command_or_path_holds_no_word_joiner():
    text = render_markdown(_audit())
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    codes = [html.unescape(c) for c in re.findall(r"<code>([^<]*)</code>", rendered)]
    assert COMMAND in codes  # the Reproduce cell
    assert "@team/g_1.toml" in codes and "@team/x.csv" in codes  # config; Data line
    for line in text.splitlines():
        if line.startswith(("| Reproduce |", "Data: ", "**Verdict:")):
            assert "\u2060" not in line, line
