"""What the model is: inputs, outputs and decision rule, version, a loading snippet that
really loads the checkpoint, a citation, and the change log against a baseline."""

from __future__ import annotations

import torch

from auditor.report import model_facts as facts
from auditor.report.html import render_html


def test_loading_snippet_rebuilds_the_fine_tuned_model(digits_run):
    audit = digits_run.data
    snippet = facts.load_snippet(audit)
    assert snippet is not None and "weights_only" in snippet
    scope: dict = {}
    exec(snippet.replace('Path("RUN_DIR")', f"Path({str(digits_run.run_dir)!r})"), scope)  # noqa: S102
    model = scope["model"]
    shape = tuple(audit["data"]["input_shape"])
    logits = model(torch.zeros(3, *shape))
    assert logits.shape == (3, len(audit["data"]["finetune_task"]["class_names"]))


def test_inputs_outputs_version_and_citation(digits_run):
    audit = digits_run.data
    assert facts.inputs_text(audit).startswith("image, 1 x 8 x 8")
    out = facts.outputs_text(audit)
    assert "2 logits" in out and "P(odd) >= 0.5" in out
    sha = audit["model"]["checkpoints"]["finetuned"]["sha256"][:12]
    assert sha in facts.version_text(audit)
    bib = facts.citation(audit, name="my model", owners="Team A")
    assert bib.startswith("@misc{my_model_") and "author = {Team A}" in bib and sha in bib
    html = render_html(audit)
    assert "<h3>What the model is</h3>" in html and "no baseline audit was given" in html


def test_predictions_only_has_no_snippet(digits_run):
    data = digits_run.data
    audit = {**data, "run": {**data["run"], "mode": "predictions"},
             "model": {**data["model"], "checkpoints": {}}}  # fmt: skip
    assert facts.load_snippet(audit) is None
    assert facts.inputs_text(audit).startswith("not known to auditor")
    assert facts.version_text(audit).startswith("predictions sha256 ")


def test_change_log_from_the_baseline():
    gates = {
        "status": "ok",
        "baseline": {"run_name": "v1", "created_at": "2026-01-01", "tolerance": 0.01,
                     "findings": {"new": 0, "unchanged": 3, "worse": 1, "fixed": 0}},
        "results": [{"name": "acc (vs baseline)", "message": "worse: 0.9 -> 0.8 (-0.1)",
                     "baseline": {"finding": "worse"}}],
    }  # fmt: skip
    log = facts.change_log({"gates": gates})
    assert log[0].startswith("Against v1 (2026-01-01): 1 worse, 0 fixed, 3 unchanged")
    assert log[1] == "worse: acc (vs baseline): worse: 0.9 -> 0.8 (-0.1)"
    assert facts.change_log({"gates": {"status": "ok", "baseline": None}}) == []


def test_citation_escapes_what_bibtex_reads():
    """A run name or owners holding a brace, a backslash or a line break ended the BibTeX
    field early (``title = {Model card: a}b}``): they are escaped, on one line, and the
    key stays ASCII."""
    audit = {"run": {"created_at": "2026-01-01"}, "tool": {"version": "1"}, "model": {},
             "data": {}}  # fmt: skip
    bib = facts.citation(audit, name="a}b{c\\d_%\nx é", owners="A & B\n  C")
    assert bib.startswith("@misc{a_b_c_d___x___2026,")
    title = next(line for line in bib.splitlines() if line.lstrip().startswith("title"))
    assert title == "  title  = {Model card: a\\}b\\{c\\textbackslash{}d\\_\\% x é},"
    assert "  author = {A \\& B C}," in bib.splitlines()
    depth = 0
    for ch in bib.replace("\\{", "").replace("\\}", ""):  # braces balance, never below 0
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
