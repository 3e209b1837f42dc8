"""The model card from real runs: every section in HTML and Markdown, self-contained HTML,
Hugging Face front matter, re-rendering from audit.json alone, and a leaked test row shown
as a failure with its row ids."""

from __future__ import annotations

import dataclasses
import re
import sys

import pytest
import yaml
from typer.testing import CliRunner

from auditor.cli import app
from auditor.report.html import CARD_SECTIONS
from auditor.report.markdown import render_markdown

runner = CliRunner()


def _html(run) -> str:
    return (run.run_dir / "model_card.html").read_text(encoding="utf-8")


def _front_matter(md: str) -> dict:
    assert md.startswith("---\n")
    return yaml.safe_load(md.split("---\n", 2)[1])


def test_every_section_is_in_the_html(digits_run):
    html = _html(digits_run)
    for name in CARD_SECTIONS:
        assert f'<section id="{name}">' in html, name
    for heading in ("Model details", "Intended use", "Factors", "Metrics",
                    "Evaluation and training data", "Performance", "Ethical considerations",
                    "Caveats and recommendations", "Transparency checklist", "Explanations",
                    "Provenance"):  # fmt: skip
        assert f"<h2>{heading}</h2>" in html, heading
    assert "<pre>{" not in html  # no raw JSON dumps where a table belongs
    assert 'scope="col"' in html and 'scope="row"' in html


def test_html_is_self_contained(digits_run):
    html = _html(digits_run)
    assert "<script" not in html.lower()
    assert not re.search(r"""(?:src|href|action|poster)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html  # the CSP forbids any request the markup might make
    assert "prefers-color-scheme: dark" in html and "@media print" in html
    # Statuses carry an icon and a word, not colour alone.
    assert re.search(r'class="badge s-missing"><span aria-hidden="true">✘</span> missing', html)


def test_checklist_shows_met_declared_missing(digits_run):
    html = _html(digits_run)
    items = {i["id"]: i for i in digits_run.data["transparency"]["items"]}
    assert items["intended_use"]["status"] == "declared"
    assert items["limitations"]["status"] == "missing"  # declared as "TBD"
    assert items["split_disjointness"]["status"] == "met"
    assert items["explanations"]["status"] == "met"
    for key, item in items.items():
        row = re.search(rf'<tr id="item-{key}">.*?</tr>', html, re.S)
        assert row, key
        label = {"not_applicable": "not applicable", "warn": "warning"}.get(
            item["status"], item["status"]
        )
        assert f"</span> {label}</span>" in row.group(0), key
    assert "Teaching example: classify 8x8 scanned digits as odd or even." in html


def test_markdown_front_matter_and_sections(digits_run):
    md = (digits_run.run_dir / "model_card.md").read_text(encoding="utf-8")
    meta = _front_matter(md)
    assert meta["license"] == "mit" and meta["pipeline_tag"] == "image-classification"
    result = meta["model-index"][0]["results"][0]
    metrics = {m["type"]: m["value"] for m in result["metrics"]}
    test = digits_run.data["performance"]["finetuned"]["test"]
    assert metrics["accuracy"] == pytest.approx(test["accuracy"])
    assert metrics["roc_auc"] == pytest.approx(test["roc_auc"])
    assert result["dataset"]["split"] == "test"
    for heading in ("## Model details", "## Intended use", "## Factors", "## Metrics",
                    "## Evaluation and training data", "## Training", "## Performance",
                    "## Explanations", "## Ethical considerations",
                    "## Caveats and recommendations", "## Transparency checklist",
                    "## Provenance"):  # fmt: skip
        assert f"\n{heading}\n" in md, heading
    assert "✘ missing" in md and "✎ declared" in md


def test_card_rerenders_from_audit_json_alone(digits_run, tmp_path):
    res = runner.invoke(app, ["card", str(digits_run.run_dir), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    for name in ("model_card.html", "model_card.md"):
        again = (tmp_path / name).read_text(encoding="utf-8")
        assert again == (digits_run.run_dir / name).read_text(encoding="utf-8"), name


def test_undefined_numbers_are_left_out_of_front_matter(digits_run):
    """A metric the audit has no number for is not in the metadata (the Hub's model-index
    requires a value; a ``value: null`` was written, which huggingface_hub drops)."""
    audit = {**digits_run.data}
    perf = {**audit["performance"]}
    perf["finetuned"] = {**perf["finetuned"], "test": {**perf["finetuned"]["test"],
                                                       "roc_auc": float("nan")}}  # fmt: skip
    audit["performance"] = perf
    md = render_markdown(audit)
    meta = _front_matter(md)
    metrics = {m["type"]: m["value"] for m in meta["model-index"][0]["results"][0]["metrics"]}
    assert "roc_auc" not in metrics and metrics["accuracy"] is not None
    assert meta["metrics"] == ["accuracy", "f1"] and "null" not in md.split("---\n", 2)[1]


@pytest.fixture(scope="module")
def leaked_run(digits_context, tmp_path_factory, monkeypatch_module):
    """A full run whose test split holds two fine-tuning training images (same rows)."""
    from auditor import api
    from auditor.config import PrivacyConfig
    from tests.checks.test_transparency import leaked_bundle

    config = digits_context.config.model_copy(update={"privacy": PrivacyConfig(enabled=False)})
    ctx = dataclasses.replace(
        digits_context, config=config, bundle=leaked_bundle(digits_context.bundle, n=2), _cache={}
    )
    # run() looks the context up in whichever api module holds it: patch each one
    for name, module in list(sys.modules.items()):
        if name.startswith("auditor.api") and hasattr(module, "trained_context"):
            monkeypatch_module.setattr(module, "trained_context", lambda *a, **k: ctx)
    out = tmp_path_factory.mktemp("leaked")
    return api.run(config, out_dir=out, progress=False, command="test"), ctx


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_leaked_row_fails_in_the_card(leaked_run):
    run, ctx = leaked_run
    ids = [int(i) for i in ctx.bundle["finetune_train"].ids[:2]]
    item = next(i for i in run.data["transparency"]["items"] if i["id"] == "split_disjointness")
    assert item["status"] == "fail"
    html = _html(run)
    section = html[
        html.index('id="disjointness"') : html.index("</section>", html.index('id="disjointness"'))
    ]
    assert "✘</span> fail" in section
    assert "<details open>" in section  # offending rows shown, not folded away
    for rid in ids:
        assert re.search(rf"<td>[^<]*\b{rid}\b[^<]*</td>", section), rid
    assert "Train/test disjoint" in html and "✘</span> fail" in html[: html.index("<main>")]
    md = (run.run_dir / "model_card.md").read_text(encoding="utf-8")
    assert "Disjointness of training and evaluation rows: ✘ fail" in md
    row = next(line for line in md.splitlines() if line.startswith("| finetune\\_train | test |"))
    assert all(str(rid) in row for rid in ids)


@pytest.mark.parametrize("section", ["explanations", "transparency", "fairness", "privacy"])
def test_card_renders_when_a_section_did_not_run(digits_run, section):
    from auditor.record import validate_audit
    from auditor.report.html import render_html

    audit = {**digits_run.data, section: {"status": "not_run", "reason": "disabled <b>here</b>"}}
    validate_audit(audit)
    html = render_html(audit)
    assert "disabled &lt;b&gt;here&lt;/b&gt;" in html
    md = render_markdown(audit)
    assert "disabled &lt;b&gt;here&lt;/b&gt;" in md
