"""The per-group ROC AUC (card and model_card.md) names the positives and negatives it rests
on: an AUC of 3 positives said only n=120; summary.md too (auditor.report.class_counts)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

import auditor
from auditor.report import templating
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown


@pytest.fixture(scope="module")
def audit() -> dict:
    rng = np.random.default_rng(3)
    rows = pd.DataFrame({"g": ["a"] * 120 + ["b|<i>"] * 200})
    rows["y_true"] = 0
    rows.loc[:2, "y_true"] = 1  # group a: 3 positives, 117 negatives
    rows.loc[120:219, "y_true"] = 1  # group b: 100 positives, 100 negatives
    rows["p"] = np.clip(rows.y_true * 0.4 + rng.uniform(0, 0.6, len(rows)), 0, 1)
    rows["y_pred"] = (rows.p >= 0.5).astype(int)
    return auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred", sensitive="g",
                                     y_score="p").data  # fmt: skip


def _scores_md(md: str) -> str:
    return md.split("| Group | n | ROC AUC | Log loss | ECE |", 1)[1].split("\n\n", 1)[0]


def test_card_and_markdown_name_each_groups_positives_and_negatives(audit):
    md = _scores_md(render_markdown(audit))
    assert "| a | 120 | " in md and "; 3 positives, 117 negatives |" in md
    assert "| b\\|&lt;i&gt; | 200 | " in md and "; 100 positives, 100 negatives |" in md
    html = render_html(audit).split("Scores by group", 1)[1].split("</table>", 1)[0]
    assert '<br><span class="note">3&nbsp;positives, 117&nbsp;negatives</span></td>' in html
    assert '<th scope="row">b|&lt;i&gt;</th>' in html
    assert "100&nbsp;positives, 100&nbsp;negatives" in html


def test_counts_are_left_out_where_the_sections_do_not_agree(audit):
    """Another positive class, or a group whose scored rows are not its fairness rows: no
    counts (they would be another class's or other rows')."""
    part = copy.deepcopy(audit["fairness"])
    assert templating.score_classes(part, "g") == {"a": (3, 117), "b|<i>": (100, 100)}
    part["scores"]["features"]["g"][0]["n"] = 119
    assert templating.score_classes(part, "g") == {"b|<i>": (100, 100)}
    part["scores"]["positive_class"] = "0"
    assert templating.score_classes(part, "g") == {}


def test_one_positive_is_singular():
    g = {"group": "x", "roc_auc": {"value": None, "ci_low": None, "ci_high": None, "n": 2,
                                   "reason": "r"}}  # fmt: skip
    assert templating.auc_md(g, {"x": (1, 1)}) == "— (r); 1 positive, 1 negative"


def test_summary_names_them_beside_each_groups_auc(audit):
    from auditor.report.summary import render_summary

    lines = render_summary(audit).splitlines()
    (a,) = [x for x in lines if x.startswith("| `fairness.scores.features.g[a].roc_auc`")]
    assert a.endswith("| 120 (3 positives, 117 negatives) |")
    (ll,) = [x for x in lines if x.startswith("| `fairness.scores.features.g[a].log_loss`")]
    assert ll.endswith("| 120 |")  # the other scores: n alone
