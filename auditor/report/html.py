"""model_card.html: one self-contained file (inline CSS, inline SVG, no network request)."""

from __future__ import annotations

from typing import Any

from auditor.report.templating import environment

# Card sections in reading order; each has templates/sections/<name>.html.j2.
CARD_SECTIONS = (
    "details", "intended_use", "data", "training", "performance", "fairness", "privacy",
    "explanations", "transparency", "gates", "provenance",
)  # fmt: skip


def render_html(audit: dict[str, Any]) -> str:
    template = environment(markdown=False).get_template("model_card.html.j2")
    return template.render(audit=audit, sections=CARD_SECTIONS)
