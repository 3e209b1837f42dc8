"""model_card.md: the same card in Markdown, every user string escaped."""

from __future__ import annotations

import html
import re
from typing import Any

# Characters with a meaning anywhere in a line (emphasis, code, links, tables, HTML entities
# are already neutralised by html.escape); "-", "+", "#", ">" and "1." only at a line start.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]()|~!])")
_MD_LINE_START = re.compile(r"^(\s*)([-+#>=]|\d+)")


def md_escape(value: Any) -> str:
    """Text safe inside Markdown: HTML-escaped (so a payload renders as text where the
    Markdown is shown as HTML), on one line, with Markdown control characters backslashed."""
    text = html.escape(str(value), quote=False).replace("\r", " ").replace("\n", " ")
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(_escape_line_start, text)


def _escape_line_start(m: re.Match[str]) -> str:
    lead, mark = m.group(1), m.group(2)
    if mark.isdigit():  # "1." / "1)" starts an ordered list: escape the dot, not the digits
        rest = m.string[m.end() :]
        return lead + mark + ("\\" if rest[:1] in (".", ")") else "")
    return lead + "\\" + mark


def render_markdown(audit: dict[str, Any]) -> str:
    from auditor.report.html import CARD_SECTIONS
    from auditor.report.templating import environment

    template = environment(markdown=True).get_template("model_card.md.j2")
    return template.render(audit=audit, sections=CARD_SECTIONS)
