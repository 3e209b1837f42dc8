"""The HTML card's <wbr> never splits a character from its combining marks (R6 #5): a unit was
a character with its joiners, FE0F, skin tone and tags, but not its marks, so a wrapped line
could start with an accent ('…xe<wbr>\\u0301éééé') or cut a consonant from its virama and
joiner ('…क<wbr>्\\u200dष', the sequence the joiner rule keeps whole)."""

from __future__ import annotations

import unicodedata

import pytest

from auditor.report import escape


@pytest.mark.parametrize(
    "text",
    [
        "x" * 31 + "e\u0301" * 5,
        "x" * 31 + "क्\u200dष" * 3,
        "y" * 30 + "ශ්\u200dරී" * 6,
        "z" * 31 + "a\u0301\u0323" * 12,
        "w" * 29 + "நி" * 20,
    ],  # fmt: skip
)
def test_a_break_opportunity_keeps_a_character_with_its_marks(text):
    card = str(escape.card_text(text))
    pieces = card.split("<wbr>")
    assert len(pieces) > 1 and "".join(pieces) == text, pieces
    for piece in pieces[1:]:
        assert not unicodedata.category(piece[0]).startswith("M"), (ascii(piece), pieces)
        assert piece[0] not in "\u200c\u200d", pieces


@pytest.mark.parametrize("text", ["\u093e" * 300, "x" + "\u0301" * 300, "\u0e31" * 300])
def test_a_run_of_marks_alone_still_breaks(text):
    """R10 #4: a piece ran on through any number of marks, so a label of 5,000 spacing marks
    ('\\u093e') got no <wbr> and widened the page again: a piece stops at twice BREAK_EVERY."""
    pieces = str(escape.card_text(text)).split("<wbr>")
    assert "".join(pieces) == text and len(pieces) >= len(text) // (2 * escape.BREAK_EVERY)
    assert max(map(len, pieces)) <= 2 * escape.BREAK_EVERY, [len(p) for p in pieces]


@pytest.mark.parametrize("text", ["👍" + "\U0001f3fb" * 3000, "\\" * 3000 + "x41",
                                  "🏴" + "\U000e0067" * 3000, "a" + "\u200db" * 3000])  # fmt: skip
def test_no_unit_runs_past_twice_break_every(text):
    """R13 #6: the cap held between units only, and a unit had no bound: an emoji and 3,000
    skin tones was one 3,001-character piece, 3,000 backslashes before 'x41' one of 6,003."""
    card = str(escape.card_text(text))
    pieces = card.split("<wbr>")
    assert len(pieces) > 10 and max(map(len, pieces)) <= 2 * escape.BREAK_EVERY, len(pieces)
