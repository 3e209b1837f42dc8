"""A card says what the audit did not compute: a predictions file without a score listed
"ROC AUC, log loss, Brier score; ECE" and "Membership inference: TPR at low FPR and AUC"
among its metrics as if they had run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import auditor
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown


def _audit(score: bool) -> dict:
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"y_true": rng.integers(0, 2, 300), "group": rng.choice(["a", "b"], 300)})
    rows["p"] = np.clip(rows.y_true * 0.6 + rng.uniform(0, 0.4, 300), 0, 1)
    rows["y_pred"] = (rows.p >= 0.5).astype(int)
    return auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred", sensitive="group",
                                     y_score="p" if score else None).data  # fmt: skip


@pytest.fixture(scope="module")
def unscored():
    return _audit(score=False)


def _metrics(md: str, html: str) -> tuple[str, str]:
    return (md.split("## Metrics", 1)[1].split("\n## ", 1)[0],
            html.split("<h2>Metrics</h2>", 1)[1].split("<h2>", 1)[0])  # fmt: skip


def test_metrics_not_computed_say_so(unscored):
    md, html = _metrics(render_markdown(unscored), render_html(unscored))
    assert "Not computed: roc\\_auc, log\\_loss, brier, ece (no score column" in md
    assert "Not computed: roc_auc, log_loss, brier, ece</th>" in html
    assert "Membership inference: not run." in md and "TPR at low FPR and AUC" not in md
    assert "membership inference needs the model itself" in html
    assert "How well an attacker tells" not in html


def test_a_scored_audit_keeps_them():
    audit = _audit(score=True)
    md = render_markdown(audit)
    assert "Not computed" not in _metrics(md, render_html(audit))[0]
