"""model_card.html: one self-contained file (inline CSS, inline SVG, no network request)."""

from __future__ import annotations

from typing import Any

from auditor.report.display import for_display
from auditor.report.templating import environment

# Card sections in reading order; each has templates/sections/<name>.html.j2.
# Mitchell et al. 2019 order (details, intended use, factors, metrics, data, quantitative
# analyses, ethical considerations, caveats), then the audit's own sections.
CARD_SECTIONS = (
    "details", "intended_use", "factors", "metrics", "data", "training", "performance",
    "fairness", "privacy", "explanations", "ethical_considerations", "caveats", "transparency",
    "gates", "provenance",
)  # fmt: skip
SECTION_TITLES = {
    "details": "Model details", "intended_use": "Intended use", "factors": "Factors",
    "metrics": "Metrics", "data": "Data", "training": "Training",
    "performance": "Performance", "fairness": "Fairness", "privacy": "Privacy",
    "explanations": "Explanations", "ethical_considerations": "Ethical considerations",
    "caveats": "Caveats", "transparency": "Checklist", "gates": "Gates",
    "provenance": "Provenance",
}  # fmt: skip


def render_html(audit: dict[str, Any]) -> str:
    template = environment(markdown=False).get_template("model_card.html.j2")
    return template.render(audit=for_display(audit), sections=CARD_SECTIONS, titles=SECTION_TITLES)
