"""One set of characters shown as their escape, in error lines and in every report writer
(errors.SHOWN_AS_ESCAPE). Error lines showed NBSP, a zero-width space, a soft hyphen, a BOM
and tag characters as escapes (str.isprintable), while the reports and the Reproduce
command's quoting wrote them raw and invisible: 'a\\u200bb' and 'ab' were two columns that
read alike in a card (R21 #5). Prose a user wrote keeps them (an NBSP is typography)."""

from __future__ import annotations

import html
import unicodedata

import pytest

from auditor.api._trained import shell_quoted
from auditor.errors import SHOWN_AS_ESCAPE, escapes_shown, printable_line
from auditor.report import escape

INVISIBLE = {"\u00a0": "\\xa0", "\u200b": "\\u200b", "\u00ad": "\\xad", "\ufeff": "\\ufeff",
             "\U000e0041": "\\U000e0041", "\u2060": "\\u2060", "\u200d": "\\u200d",
             "\u3000": "\\u3000", "\u180e": "\\u180e", "\ufffe": "\\ufffe"}  # fmt: skip
KEPT = ("é", "日本", "ß", "Ωμέγα", "👩", "—", "\u0301", "\ue000")  # printable, or a box

WRITERS = {
    "terminal_text": escape.terminal_text,
    "terminal_exact": escape.terminal_exact,
    "md_escape": escape.md_escape,
    "md_code": escape.md_code,
    "html_text": escape.html_text,
    "xml_text": escape.xml_text,
    "xml_exact": escape.xml_exact,
    "card_text": lambda v: str(escape.card_text(v)),
    "card_exact": lambda v: str(escape.card_exact(v)),
    "svg_escape": lambda v: str(escape.svg_escape(v)),
    "printable_line": printable_line,
}


# A path a reader copies: as a TOML string reads it back, in every writer of one (R6 #4)
COPIED = ("md_code", "card_exact", "xml_exact", "terminal_exact")


@pytest.mark.parametrize("writer", WRITERS, ids=str)
def test_an_invisible_character_is_shown_alike_in_every_writer(writer):
    write = WRITERS[writer]
    for char, shown in INVISIBLE.items():
        code = ord(char)
        if writer in COPIED:
            shown = f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
        text = write(f"col{char}x")
        assert shown in text and char not in text, (writer, shown, text)
    for char in KEPT:
        assert char in write(f"col {char}"), (writer, char)


def test_the_reproduce_command_quotes_an_invisible_character_apart():
    assert shell_quoted("a\u200bb") == "$'a\\xe2\\x80\\x8bb'"
    assert shell_quoted("a\xa0b") == "$'a\\xc2\\xa0b'"
    assert shell_quoted("日本é") == "'日本é'"


def test_prose_keeps_its_typography_and_shows_what_acts():
    answer = "Usage pr\u00e9vu\u00a0: tri\u00adage\u200c \x1b[31m"
    md = escape.md_prose(answer)
    assert "\u00a0:" in md and "\u00ad" in md and "\u200c" in md and "\\x1b" in md
    card = str(escape.card_prose(answer))
    assert "\u00a0:" in card and "\\x1b" in card and "\x1b" not in card
    assert html.escape("<b>") in str(escape.card_prose("<b>"))


# Format characters Unicode added after 14.0 (Python 3.11's): Egyptian hieroglyph format
# controls (15.0). Shown on every Python, so one report is written one way on each.
LATER = tuple(chr(c) for c in range(0x13439, 0x13440))
# What str.isprintable passes and the set holds: Unicode's default-ignorable characters that
# draw nothing (CGJ, the Hangul fillers, Khmer's inherent vowels, Mongolian's free variation
# selectors) and the variation selectors (a selector after no emoji); escapes_shown's fast
# path checks for them (invisible.holds_none).
IGNORABLE_PRINTABLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
    + "".join(map(chr, [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]))
)
# The unassigned code points Unicode reserves as default-ignorable (DerivedCoreProperties.txt):
# a font draws nothing for them, not a box (R10 #1).
IGNORABLE_UNASSIGNED = frozenset(
    map(chr, [0x2065, *range(0xFFF0, 0xFFF9), 0xE0000, *range(0xE0002, 0xE0020),
              *range(0xE0080, 0xE0100), *range(0xE01F0, 0xE1000)])
)  # fmt: skip
CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"}  # controls, format, surrogates, separators


def test_the_set_is_the_assigned_characters_python_does_not_print():
    """Every one of them is outside str.isprintable but :data:`IGNORABLE_PRINTABLE` (which
    escapes_shown's fast path looks for); on
    Unicode 14 (Python 3.11) they are exactly the controls, format characters, separators
    and spaces but ' ', the surrogates, U+FFFE, U+FFFF, :data:`LATER` and
    :data:`IGNORABLE_UNASSIGNED`: any other unassigned or private-use character shows as a
    box, not as nothing, and stays. On a newer Python, each
    control, format character or space its Unicode has and the set lacks is listed (R2 #3:
    the set is written out, and would show one raw)."""
    exact = unicodedata.unidata_version == "14.0.0"
    missing, printable, extra = [], [], []
    for code in range(0x110000):
        char = chr(code)
        matched = SHOWN_AS_ESCAPE.fullmatch(char) is not None
        wanted = unicodedata.category(char) in CATEGORIES and char != " "
        if wanted and not matched:
            missing.append(f"U+{code:04X} {unicodedata.name(char, '')}")
        drawn_nothing = char in IGNORABLE_PRINTABLE  # R6 #6: default-ignorable, printable
        reserved = char in IGNORABLE_UNASSIGNED  # R10 #1
        if matched and char.isprintable() and not drawn_nothing:
            printable.append(hex(code))
        if exact and matched and not (wanted or code in (0xFFFE, 0xFFFF) or char in LATER
                                      or drawn_nothing or reserved):  # fmt: skip
            extra.append(hex(code))
    version = unicodedata.unidata_version
    assert not missing, f"add to auditor.invisible (Unicode {version}): {missing}"
    assert not printable and not extra, (printable, extra)
    assert all(SHOWN_AS_ESCAPE.fullmatch(char) for char in LATER)
    assert all(SHOWN_AS_ESCAPE.fullmatch(char) for char in IGNORABLE_UNASSIGNED)
    assert escapes_shown("a\tb\u200b") == "a\\x09b\\u200b" and escapes_shown("日本") == "日本"


def test_the_set_is_defined_once():
    """R2 #5: the writers' narrower sets (report.escape's _CONTROL, _ACTS) and the surrogates
    were written out again beside the set; each is built from auditor.invisible's parts."""
    from auditor import invisible, io
    from auditor.api import _trained

    assert escape._NOT_TERMINAL is escape._NOT_XML is SHOWN_AS_ESCAPE is _trained.SHOWN_AS_ESCAPE
    assert SHOWN_AS_ESCAPE is invisible.SHOWN_AS_ESCAPE and io.SURROGATES is invisible.SURROGATES
    assert escape._CONTROL.pattern == f"[{invisible.CONTROLS}]"
    assert escape._ACTS.pattern == f"[{invisible.BREAKS}{invisible.CONTROLS}]"
    for code in range(0x3000):  # the wide set holds the narrow ones; _ACTS is _CONTROL and \t\n\r
        char = chr(code)
        if escape._ACTS.match(char):
            assert SHOWN_AS_ESCAPE.fullmatch(char), hex(code)
        narrow = escape._CONTROL.match(char) or char in "\t\n\r"
        assert bool(escape._ACTS.match(char)) == bool(narrow), hex(code)
