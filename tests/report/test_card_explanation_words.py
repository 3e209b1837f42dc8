"""The card's Metrics section names the explanation method the audit ran: a scikit-learn
model's card said "Integrated Gradients attributions" beside its permutation importance, and
a card whose explanations did not run claimed them too."""

from __future__ import annotations

import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from tests.builders import two_feature_frame


@pytest.fixture(scope="module")
def sklearn_audit():
    rows = two_feature_frame(0, n=400)
    model = LogisticRegression().fit(rows[["x1", "x2"]], rows.label)
    result = auditor.audit_model(model, data=rows, target="label", sensitive=["group"],
                                 progress=False)  # fmt: skip
    assert result.data["explanations"]["kind"] == "permutation"
    return result.data


def _metrics(md: str, html: str) -> tuple[str, str]:
    return (md.split("## Metrics", 1)[1].split("\n## ", 1)[0],
            html.split("<h2>Metrics</h2>", 1)[1].split("<h2>", 1)[0])  # fmt: skip


def test_a_permutation_audit_names_permutation_importance(sklearn_audit):
    md, html = _metrics(render_markdown(sklearn_audit), render_html(sklearn_audit))
    assert "Integrated Gradients" not in md and "Integrated Gradients" not in html
    assert "Explanations: permutation importance" in md
    assert "Permutation importance" in html


def test_explanations_not_run_are_not_claimed(sklearn_audit):
    reason = "the model gives probabilities only"
    audit = {**sklearn_audit, "explanations": {"status": "not_run", "reason": reason}}
    md, html = _metrics(render_markdown(audit), render_html(audit))
    assert "Integrated Gradients" not in md and "Integrated Gradients" not in html
    assert "Permutation importance" not in html and "Explanations: not run" in md
