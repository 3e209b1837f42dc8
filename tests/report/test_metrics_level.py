"""The Metrics section names the fairness intervals' level the record gives (fairness.ci_level),
as the tiles, the fairness section and summary.md do: it read the config's, so a record at
99.9% said "95% intervals" there and "99.9%" everywhere else."""

from __future__ import annotations

import pytest

from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from tests.report.test_gate_levels import _audit


@pytest.mark.parametrize("render", [render_html, render_markdown])
def test_metrics_names_the_records_fairness_level(render):
    audit = _audit(0.999)
    assert audit["config"]["fairness"]["ci_level"] == 0.95
    text = render(audit)
    metrics = text.split("Metrics", 1)[1].split("Per-group rates", 1)[1][:200]
    assert "with 99.9% intervals" in metrics and "95%" not in metrics, metrics
