"""The card's words match what auditor knows: a predictions-only audit speaks of "the
audited model" (no "fine-tuned", no checkpoint table, no library claim)."""

from __future__ import annotations

import yaml
from markupsafe import escape

from auditor.report.html import render_html
from auditor.report.markdown import render_markdown


def _front_matter(md: str) -> dict:
    return yaml.safe_load(md.split("---\n", 2)[1])


def test_predictions_only_card_speaks_of_the_audited_model(digits_run):
    data = digits_run.data
    audit = {**data, "run": {**data["run"], "mode": "predictions"},
             "model": {**data["model"], "checkpoints": {}}}  # fmt: skip
    html, md = render_html(audit), render_markdown(audit)
    assert "<h3>The audited model</h3>" in html and "<h3>Fine-tuned model</h3>" not in html
    assert "### The audited model" in md and "### Fine-tuned model" not in md
    assert "<caption>Checkpoints</caption>" not in html and "| Checkpoint |" not in md
    assert "No checkpoint: auditor read the audited model's predictions only" in html
    meta = _front_matter(md)
    assert "library_name" not in meta and "pytorch" not in meta["tags"]


def test_trained_card_keeps_its_checkpoints(digits_run):
    html = render_html(digits_run.data)
    assert "<caption>Checkpoints</caption>" in html and "<h3>Fine-tuned model</h3>" in html


def test_first_screen_is_the_decision(digits_run):
    """Verdict, then each failing / warning gate by name, then the headline numbers with
    intervals, all before the first section; each tile's status is a gate's."""
    html = render_html(digits_run.data)
    head = html.split('<section id="details">', 1)[0]
    gates = digits_run.data["gates"]
    assert "Release gates" in head
    for r in gates["results"]:
        if r["status"] != "pass":
            assert str(escape(r["name"])) in head, r["name"]
    for label in ("Test accuracy", "Worst equalized-odds gap", "Membership TPR at 1% FPR"):
        assert label in head
    assert head.index("Release gates") < head.index("Test accuracy")
    passed = html.split('<p class="print-only"><strong>', 1)[1]
    assert passed.startswith(f"{gates['counts']['pass']} passed:")
