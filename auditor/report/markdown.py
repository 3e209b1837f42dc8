"""model_card.md: the same card in Markdown, every user string escaped (by the ``md``
filter: :func:`auditor.report.escape.md_escape`)."""

from __future__ import annotations

from typing import Any

from auditor.report.display import for_display


def render_markdown(audit: dict[str, Any]) -> str:
    from auditor.report.html import CARD_SECTIONS
    from auditor.report.templating import environment

    template = environment(markdown=True).get_template("model_card.md.j2")
    return template.render(audit=for_display(audit), sections=CARD_SECTIONS)
