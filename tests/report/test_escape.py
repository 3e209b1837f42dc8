"""Text safe where it lands: Markdown, HTML inside Markdown, XML 1.0, the terminal."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from auditor.report.escape import html_text, md_code, md_escape, terminal_text, xml_text

NASTY = "a|b <img src=x> *x* _y_ [l](u) `c`\x1b[31m\x07\nnext"


def test_md_escape_neutralises_markup_and_controls():
    text = md_escape(NASTY)
    assert "<img" not in text and "&lt;img" in text
    assert "a\\|b" in text and "\\*x\\*" in text and "\\_y\\_" in text and "\\`c\\`" in text
    assert "\n" not in text and "\x1b" not in text and "\x07" not in text
    assert "\\x1b" in text and "\\x07" in text
    assert md_escape("- item") == "\\- item" and md_escape("1. one") == "1\\. one"


def test_md_code_keeps_text_but_not_the_table_or_the_span():
    text = md_code("a|b`c\x1bd")
    assert text == "`a\\|b'c\\x1bd`"


def test_html_text():
    assert html_text('<b a="1">x</b>(6)') == "&lt;b a=&quot;1&quot;&gt;x&lt;/b&gt;(6)"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x0b", "\ufffe", "\ud800"])
def test_xml_text_is_always_well_formed(char):
    el = ET.Element("t", name=xml_text(f"g{char}<&>\"'"))
    parsed = ET.fromstring(ET.tostring(el, encoding="unicode"))
    assert parsed.get("name").startswith("g\\") and parsed.get("name").endswith("<&>\"'")


def test_xml_text_keeps_what_xml_allows():
    assert xml_text("tab\tnewline\né ✓") == "tab\tnewline\né ✓"


def test_terminal_text_shows_escape_sequences_as_text():
    assert terminal_text("red\x1b[31m bell\x07 line\nbreak \x9b") == (
        "red\\x1b[31m bell\\x07 line\\x0abreak \\x9b"
    )
    assert terminal_text("plain ✓ é") == "plain ✓ é"


def test_one_md_escape():
    """The card's Markdown filter and the summary's are the same function."""
    from auditor.report import summary
    from auditor.report.templating import environment

    assert environment(markdown=True).filters["md"] is md_escape
    assert summary.md_escape is md_escape
