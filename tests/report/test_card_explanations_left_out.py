"""What the explanations left out is on the card: the columns whose shuffles made the
model's outputs not finite (or the rows whose gradients were), and a reliance check that ran
beside an explanation not run. Both were in audit.json alone: the card said every input column
was shuffled, and a not-run explanation hid its reliance check."""

from __future__ import annotations

import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from tests.builders import two_feature_frame

WHY = "the model's outputs are not finite <numbers> with column 'x2' shuffled"


@pytest.fixture(scope="module")
def audit():
    rows = two_feature_frame(0, n=400)
    model = LogisticRegression().fit(rows[["x1", "x2"]], rows.label)
    return auditor.audit_model(model, data=rows, target="label", sensitive=["group"],
                               progress=False).data  # fmt: skip


def _explanations(data: dict) -> tuple[str, str]:
    md, html = render_markdown(data), render_html(data)
    return (md.split("## Explanations", 1)[1].split("\n## ", 1)[0],
            html.split("<h2>Explanations</h2>", 1)[1].split("<h2>", 1)[0])  # fmt: skip


def test_columns_left_out_are_said_with_why(audit):
    part = {**audit["explanations"], "not_finite_columns": ["x2"], "not_finite_reason": WHY}
    md, html = _explanations({**audit, "explanations": part})
    assert "Left out: the model's outputs are not finite &lt;numbers&gt; with column" in md
    assert "Left out: the model&#39;s outputs are not finite &lt;numbers&gt;" in html
    md, html = _explanations(audit)  # nothing left out, or an older file: no line
    assert "Left out" not in md and "Left out" not in html


def test_a_reliance_check_beside_an_explanation_not_run_is_shown(audit):
    reliance = {"status": "ok", "n": 400, "repeats": 5, "accuracy": 0.9, "positive_rate": 0.5,
                "features": ["group"], "by_feature": {}}  # fmt: skip
    part = {"status": "not_run", "reason": "undefined", "reliance": reliance}
    md, html = _explanations({**audit, "explanations": part})
    assert "_Not run_: undefined" in md and "Reliance check (5 permutations" in md
    assert "not run</span>: undefined" in html and "Reliance on sensitive inputs" in html
