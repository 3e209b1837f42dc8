"""Two different names never look alike in a report (R6 #2, #3, #6): a joiner was kept after
any virama before any character of its block, and between any two pictographs, where a font
draws nothing for it ('பக்\\u200cகம்' and 'பக்கம்', '👩\\u200d👩' and '👩👩' were two rows
that read the same in a card); and the default-ignorable characters that draw nothing and
str.isprintable passes (CGJ, a variation selector after no emoji, the Hangul fillers, Khmer's
inherent vowels) were written raw. A joiner is kept only where it changes the drawing: after
a virama of a script that forms conjuncts, and inside the emoji ZWJ sequences fonts have."""

from __future__ import annotations

import pytest

from auditor import invisible
from auditor.errors import SHOWN_AS_ESCAPE, escapes_shown
from tests.report.test_escape_invisible import WRITERS

# Each pair: a name with a character that draws nothing here, and the name without it.
LOOK_ALIKE = {
    "tamil (no conjuncts)": ("பக்\u200cகம்", "பக்கம்"),
    "gurmukhi": ("ਕ੍\u200cਕ", "ਕ੍ਕ"),
    "thai phinthu": ("ก\u0e3a\u200dก", "ก\u0e3aก"),
    "lao": ("ກ\u0eba\u200cກ", "ກ\u0ebaກ"),
    "before a digit": ("क्\u200c१", "क्१"),
    "before latin": ("क्\u200cx", "क्x"),
    "two women": ("👩\u200d👩", "👩👩"),
    "two faces": ("😀\u200d😀", "😀😀"),
    "copyright": ("©\u200d®", "©®"),
    "cgj": ("a\u034fb", "ab"),
    "emoji selector after a letter": ("a\ufe0fb", "ab"),
    "vs1": ("a\ufe00b", "ab"),
    "vs17": ("a\U000e0100b", "ab"),
    "khmer inherent vowel": ("a\u17b4b", "ab"),
    "khmer inherent vowel aa": ("a\u17b5b", "ab"),
    "hangul filler": ("a\u3164b", "ab"),
    "hangul choseong filler": ("a\u115fb", "ab"),
    "hangul jungseong filler": ("a\u1160b", "ab"),
    "halfwidth hangul filler": ("a\uffa0b", "ab"),
    "keycap selector alone": ("1\ufe0f", "1"),
    # R10 #1: the rest of Default_Ignorable_Code_Point, which fonts draw as nothing
    "mongolian fvs1": ("a\u180bb", "ab"),
    "mongolian fvs3": ("a\u180db", "ab"),
    "mongolian fvs4": ("a\u180fb", "ab"),
    "reserved u+2065": ("a\u2065b", "ab"),
    "reserved u+fff0": ("a\ufff0b", "ab"),
    "reserved u+fff8": ("a\ufff8b", "ab"),
    "reserved u+e0000": ("a\U000e0000b", "ab"),
    "reserved u+e0002": ("a\U000e0002b", "ab"),
    "reserved u+e0080": ("a\U000e0080b", "ab"),
    "reserved u+e01f0": ("a\U000e01f0b", "ab"),
    "reserved u+e0fff": ("a\U000e0fffb", "ab"),
    # R10 #2: a selector after a character with no emoji variation sequence draws nothing
    "emoji selector after a face": ("\U0001f600\ufe0f", "\U0001f600"),
    "emoji selector after an integral": ("\u2320\ufe0f", "\u2320"),
    "text selector after an arrow": ("\u219b\ufe0e", "\u219b"),
    # R10 #3: no conjunct before an independent vowel, no half form after a virama alone
    "zwnj before a vowel": ("क्\u200cअ", "क्अ"),
    "malayalam zwnj before a vowel": ("ന്\u200cഅ", "ന്അ"),
    "zwj after a virama after no consonant": ("a\u094d\u200d", "a\u094d"),
    "zwnj after a virama after no consonant": ("a\u094d\u200cक", "a\u094dक"),
}
# Real words and sequences where the joiner or selector draws something: written as they are.
KEPT = {
    "persian": "می\u200cخواهم",
    "hindi half form": "क्\u200dष",
    "hindi no conjunct": "क्\u200cष",
    "word-final half form": "क्\u200d",
    "malayalam old chillu": "അവന്\u200d",
    "bengali khanda ta": "ত্\u200d",
    "sinhala": "ශ්\u200dරී",
    "kannada": "ಕ್\u200cಷ",
    "family": "👨\u200d👩\u200d👧",
    "two mothers, two children": "👩\u200d👩\u200d👧\u200d👦",
    "parent and child": "👩\u200d👦",
    "technologist": "🧑🏽\u200d💻",
    "woman running": "🏃\u200d♀️",
    "couple with heart": "👩\u200d❤️\u200d👨",
    "kiss": "👩\u200d❤️\u200d💋\u200d👨",
    "holding hands": "🧑🏻\u200d🤝\u200d🧑🏿",
    "rainbow flag": "🏳️\u200d🌈",
    "trans flag": "🏳️\u200d⚧️",
    "pirate flag": "🏴\u200d☠️",
    "heart on fire": "❤️\u200d🔥",
    "black cat": "🐈\u200d⬛",
    "red heart": "❤️",
    "keycap": "1\ufe0f\u20e3",
    "text heart": "❤\ufe0e",
    "text watch": "\u231a\ufe0e",
    "smiling face": "\u263a\ufe0f",
    "eye in speech bubble": "\U0001f441\ufe0f\u200d\U0001f5e8\ufe0f",
    "left-right arrow": "\u2194\ufe0f",
    # R10 #3: a ZWJ before a virama that draws something
    "bengali ya-phala (rab)": "র\u200d্যাব",
    "bengali ya-phala (rally)": "র\u200d্যালি",
    "sinhala touching letters": "ක\u200d්ව",
    "half form after a nukta": "\u0915\u093c\u094d\u200d\u0937",
    "marathi eyelash ra": "र्\u200dया",
}


@pytest.mark.parametrize("writer", WRITERS, ids=str)
def test_two_names_that_differ_by_what_draws_nothing_are_written_apart(writer):
    """Each is written apart as a user reads it: the character that draws nothing is not in
    the text written (which would read as the other name), its escape is."""
    for case, (name, other) in LOOK_ALIKE.items():
        shown = str(WRITERS[writer](name))
        drawn_nothing = set(name) - set(other)
        assert drawn_nothing and not drawn_nothing & set(shown), (writer, case, ascii(shown))
        assert "\\" in shown and shown != str(WRITERS[writer](other)), (writer, case, shown)


@pytest.mark.parametrize("writer", WRITERS, ids=str)
def test_a_joiner_or_selector_that_draws_something_is_kept(writer):
    for case, text in KEPT.items():
        shown = str(WRITERS[writer](f"g {text} x")).replace("<wbr>", "")
        assert text in shown, (writer, case, shown)


def test_the_fast_path_and_the_set_agree():
    """escapes_shown's isprintable fast path misses nothing the set holds."""
    for name, _ in LOOK_ALIKE.values():
        assert escapes_shown(name) != name and SHOWN_AS_ESCAPE.search(name), ascii(name)
    for text in KEPT.values():
        assert escapes_shown(text) == text and not SHOWN_AS_ESCAPE.search(text), ascii(text)
    assert invisible.holds_none("plain ascii") and not invisible.holds_none("a\u034fb")
    assert not invisible.holds_none("a\u180bb") and not invisible.holds_none("a\u180fb")


def test_each_alone_is_in_the_set():
    for char in "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0\ufe00\ufe0e\ufe0f\U000e0100\U000e01ef":
        assert SHOWN_AS_ESCAPE.fullmatch(char), hex(ord(char))
