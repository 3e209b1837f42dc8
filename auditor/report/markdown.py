"""model_card.md: the same card in Markdown, every user string escaped."""

from __future__ import annotations

import html
import re
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|>~])")


def md_escape(value: Any) -> str:
    """Text safe inside Markdown: HTML-escaped (so a payload renders as text where the
    Markdown is shown as HTML) and Markdown control characters backslashed."""
    text = html.escape(str(value), quote=True).replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown(audit: dict[str, Any]) -> str:
    from auditor.report.html import CARD_SECTIONS
    from auditor.report.templating import environment

    template = environment(markdown=True).get_template("model_card.md.j2")
    return template.render(audit=audit, sections=CARD_SECTIONS)
