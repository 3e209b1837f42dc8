"""A predictions file's card speaks of the predictions, not of a run auditor trained: it read
'Model external on the predictions split', 'Pretrained model: not run', 'Fine-tuning classes',
'Class balance (fine-tuning task)' and 'The test split has N rows'; and its fairness text ran
two sentences together ('not known here).Brackets:')."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import auditor
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown


@pytest.fixture(scope="module")
def cards() -> tuple[str, str]:
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"y_true": rng.integers(0, 2, 300), "group": rng.choice(["a", "b"], 300)})
    rows["y_pred"] = np.where(rng.random(300) < 0.8, rows.y_true, 1 - rows.y_true)
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred",
                                      sensitive="group").data  # fmt: skip
    return render_markdown(audit), render_html(audit)


def test_the_fairness_text_names_the_predictions(cards):
    md, html = cards
    assert "The audited model's predictions, every row of the predictions file (n = 300)." in md
    assert "The audited model’s predictions, every row of the predictions file (n = 300)" in html
    assert "Model external" not in md and "Model “external”" not in html
    assert not re.search(r"[^\s>]Brackets:", html)  # a sentence of its own


def test_no_training_words_on_a_predictions_card(cards):
    md, html = cards
    for words in ("Pretrained model", "Fine-tuning classes", "(fine-tuning task)"):
        assert words not in html and words not in md
    assert "The test split has" not in md + html
    assert "- The predictions file has 300 rows;" in md
    assert "<li>The predictions file has 300 rows;" in html


def test_the_per_row_file_in_model_card_md_is_a_code_span_without_escapes(tmp_path):
    """The predictions file's name sat in a code span as Markdown-escaped text, so a reader
    saw (and copied) 'my\\_preds.csv'; inside backticks no escape applies."""
    rng = np.random.default_rng(1)
    rows = pd.DataFrame({"y_true": rng.integers(0, 2, 200), "g": rng.choice(["a", "b"], 200)})
    rows["y_pred"] = rows.y_true
    path = tmp_path / "my_preds*v2.csv"
    rows.to_csv(path, index=False)
    audit = auditor.audit_predictions(path, y_true="y_true", y_pred="y_pred", sensitive="g").data
    [line] = [x for x in render_markdown(audit).splitlines() if x.startswith("Per-row")]
    assert f"`{path}` (not copied)" in line, line
