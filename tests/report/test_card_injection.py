"""Every user-provided string (model name, column names, group labels, declared answers)
carrying an HTML/JS payload renders as text, in the HTML card and in the Markdown card."""

from __future__ import annotations

import html as htmllib
import re

from markdown_it import MarkdownIt

from tests.report.conftest import NAME_PAYLOAD, PAYLOAD, PAYLOAD_COLUMN, PAYLOAD_GROUP

PAYLOADS = (PAYLOAD, NAME_PAYLOAD, PAYLOAD_COLUMN, PAYLOAD_GROUP)
# A code span, any fence (CommonMark): its text is literal, markup there shows as text.
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)")
# A fenced code block (the load snippet, the citation): shown as written, its text too.
FENCE = re.compile(r"^(`{3,})\w*\n.*?^\1$", re.M | re.S)


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
    _no_live_markup(CODE_SPAN.sub("`code`", FENCE.sub("", md)), "model_card.md")
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

    # each declared answer is the payload and its key (tests.report.conftest.payload_config)
    assert meta["license"] == "other"
    assert meta["license_name"] == license_slug(f"{PAYLOAD} (license)")
    assert meta["model-index"][0]["name"] == f"{PAYLOAD} (model_name)"


def test_front_matter_keeps_characters_beyond_the_bmp(tmp_path):
    """A model name with an emoji (or any character beyond U+FFFF): JSON writes it as a
    surrogate pair of \\u escapes, which YAML reads as two lone surrogates (PyYAML, as
    huggingface_hub loads a card: the name could not be encoded again). Now \\U0001f642."""
    import yaml

    from auditor.cli import exit_code_of
    from tests.builders import PREDICTION_ARGS, predictions_csv

    name = "credit 🙂 model 𝔸 \"v2\" --- \n---\nlicense: mit"
    config = tmp_path / "audit.toml"
    config.write_text("[transparency.declared]\nmodel_name = " + json_str(name) + "\n",
                      encoding="utf-8")  # fmt: skip
    csv = predictions_csv(tmp_path, n=600)
    args = ["audit", "-p", str(csv), *PREDICTION_ARGS, "--config", str(config),
            "--out", str(tmp_path / "run"), "--exit-zero"]  # fmt: skip
    assert exit_code_of(args) == 0
    md = (tmp_path / "run" / "model_card.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(md.split("---\n", 2)[1])
    assert meta["model-index"][0]["name"] == name
    assert "license" not in meta  # the name's text stays inside its string
    assert "\\U0001f642" in md.split("---\n", 2)[1]


def json_str(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    import json

    return json.dumps(text, ensure_ascii=False)
