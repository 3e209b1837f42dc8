"""Every user-provided string (model name, column names, group labels, declared answers)
carrying an HTML/JS payload renders as text, in the HTML card and in the Markdown card."""

from __future__ import annotations

import html as htmllib
import re

from markdown_it import MarkdownIt

from tests.report.conftest import NAME_PAYLOAD, PAYLOAD, PAYLOAD_COLUMN, PAYLOAD_GROUP

PAYLOADS = (PAYLOAD, NAME_PAYLOAD, PAYLOAD_COLUMN, PAYLOAD_GROUP)


def _no_live_markup(text: str, where: str) -> None:
    low = text.lower()
    assert "<script" not in low, where
    assert not re.search(r"<img\b", low), where
    for p in PAYLOADS:
        assert p not in text, (where, p)


def test_payload_run_is_real(payload_run):
    data = payload_run.data
    assert data["run"]["name"].endswith(NAME_PAYLOAD)
    assert data["data"]["sensitive_features"] == [PAYLOAD_COLUMN]
    assert data["explanations"]["status"] == "ok"
    assert data["explanations"]["reliance"]["status"] == "ok"
    groups = [g["group"] for g in data["explanations"]["by_group"][PAYLOAD_COLUMN]]
    assert PAYLOAD_GROUP in groups
    items = {i["id"]: i for i in data["transparency"]["items"]}
    assert items["intended_use"]["status"] == "declared"
    assert items["intended_use"]["evidence"] == PAYLOAD


def test_html_renders_payloads_as_text(payload_run):
    text = (payload_run.run_dir / "model_card.html").read_text(encoding="utf-8")
    _no_live_markup(text, "model_card.html")
    # ...and the escaped payloads are there, visible to the reader.
    assert htmllib.escape(PAYLOAD, quote=False) in text
    assert htmllib.escape(PAYLOAD_GROUP, quote=False) in text
    assert htmllib.escape(PAYLOAD_COLUMN, quote=False) in text
    # Inside SVG charts too (feature names and group labels are chart labels).
    for svg in re.findall(r"<svg.*?</svg>", text, re.S):
        assert "<script" not in svg.lower() and "<img" not in svg.lower()


def test_markdown_renders_payloads_as_text(payload_run):
    md = (payload_run.run_dir / "model_card.md").read_text(encoding="utf-8")
    _no_live_markup(md, "model_card.md")
    # Rendered the way a code host renders it (HTML passthrough on), still no live markup.
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    low = rendered.lower()
    assert "<script" not in low and "<img" not in low
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered


def test_front_matter_keeps_payloads_as_strings(payload_run):
    import yaml

    md = (payload_run.run_dir / "model_card.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(md.split("---\n", 2)[1])
    from auditor.report.hub import license_slug

    assert meta["license"] == "other" and meta["license_name"] == license_slug(PAYLOAD)
    assert meta["model-index"][0]["name"] == PAYLOAD
