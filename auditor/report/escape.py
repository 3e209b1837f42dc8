"""Text that is safe where it lands: a Markdown cell or line, an XML 1.0 document, a terminal.

Every user string (run names, column names, group labels, declared answers) passes through
one of these before it is written: ``md_escape`` (and ``md_code``) for Markdown (card,
summary, diff), ``html_text`` inside an HTML element of a Markdown file, ``xml_text`` for
junit.xml, ``terminal_text`` for what the CLI prints.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markupsafe import Markup

# Characters with a meaning anywhere in a line (emphasis, code, links, tables; HTML entities
# are already neutralised by html.escape); "-", "+", "#", ">" and "1." only at a line start.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]()|~!])")
_MD_LINE_START = re.compile(r"^(\s*)([-+#>=]|\d+)")
# C0 controls but tab / newline / carriage return, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Not allowed anywhere in an XML 1.0 document (tab, newline and CR are; surrogates are not).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Anything a terminal could act on, line breaks and tabs included (one line per message).
_NOT_TERMINAL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _visible(m: re.Match[str]) -> str:
    """A control character as text: ``\\x1b``, ``\\u202e``."""
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def md_escape(value: Any) -> str:
    """Text safe inside Markdown: HTML-escaped (so a payload renders as text where the
    Markdown is shown as HTML), on one line, with Markdown control characters backslashed
    and control characters shown as ``\\xNN``."""
    text = html.escape(str(value), quote=False).replace("\r", " ").replace("\n", " ")
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_LINE_START.sub(_escape_line_start, text)
    return _CONTROL.sub(_visible, text)


def _escape_line_start(m: re.Match[str]) -> str:
    lead, mark = m.group(1), m.group(2)
    if mark.isdigit():  # "1." / "1)" starts an ordered list: escape the dot, not the digits
        rest = m.string[m.end() :]
        return lead + mark + ("\\" if rest[:1] in (".", ")") else "")
    return lead + "\\" + mark


def md_code(value: Any) -> str:
    """A code span in a table cell: no Markdown escapes apply inside, so only the backtick,
    the pipe and line breaks are neutralised (GitHub renders HTML inside code as text)."""
    text = str(value).replace("`", "'").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return f"`{_CONTROL.sub(_visible, text)}`"


def html_text(value: Any) -> str:
    """Text inside an HTML element of a Markdown file (``<summary>``): Markdown escapes are
    not processed there, so only HTML's own escaping applies."""
    return _CONTROL.sub(_visible, html.escape(str(value), quote=True))


def xml_text(value: Any) -> str:
    """Text an XML 1.0 document may hold (ElementTree escapes ``<``, ``&`` and quotes; it does
    not remove what XML forbids): ESC, BEL and the like become ``\\x1b``, ``\\x07``."""
    return _NOT_XML.sub(_visible, str(value))


def controls_visible(value: Any) -> Any:
    """The templates' last step for every printed value: control characters in text become
    ``\\xNN`` (HTML autoescape keeps ESC and BEL as they are); other values pass unchanged."""
    if isinstance(value, Markup):  # our own markup (SVG): still no control characters
        return Markup(_CONTROL.sub(_visible, str(value)))
    return _CONTROL.sub(_visible, value) if isinstance(value, str) else value


def terminal_text(value: Any) -> str:
    """One line a terminal shows as text: no escape sequence, bell or line break acts."""
    return _NOT_TERMINAL.sub(_visible, str(value))
