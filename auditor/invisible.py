"""The one set of characters every writer shows as its escape (``errors.SHOWN_AS_ESCAPE``):
in a name, a path, a command and an error line (report.escape, api._trained.shell_quoted,
errors.printable_line), and the narrower sets report.escape builds from the same parts.
Below errors (the lowest layer): it imports nothing of the package.

Every class is written for Unicode 14 (Python 3.11), the format characters later versions
added (U+13439-1343F, Unicode 15) too: an escape set that follows the running Python would
write one report two ways on two Pythons. tests/report/test_escape_invisible.py lists any
control, format character or space the running Python knows that the set lacks.
"""

from __future__ import annotations

import re

BREAKS = "\\t\\n\\r"  # a line break or a tab: shown in a name; kept in the tool's own lines
# The bidi controls: embeddings, overrides, isolates, and the marks (ALM, LRM, RLM).
BIDI = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
# Lone surrogates: a byte of a path or an argument that is not UTF-8 (os.fsdecode's
# 'c\\udcff'); io writes them to JSON as such.
SURROGATES = "\\ud800-\\udfff"
# What acts in a line, but a break or a tab: C0 controls, DEL, C1 controls, the line and
# paragraph separators, the bidi controls, and surrogates.
CONTROLS = f"\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u2028\\u2029{BIDI}{SURROGATES}"
# The invisible or space-like characters two names could differ by alone: every format
# character (Cf: soft hyphen, ZWSP, word joiner, BOM, ...) and every space but ' ' (Zs:
# NBSP, U+2000-200A, U+3000, ...), and U+FFFE, U+FFFF, which XML cannot hold; but the
# joiners and the tag characters, shown only where they draw nothing (below).
INVISIBLE = (
    "\\xa0\\xad\\u0600-\\u0605\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u1680\\u180e\\u2000-\\u200b"
    "\\u202f\\u205f-\\u2064\\u206a-\\u206f\\u3000\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff"
    "\\U000110bd\\U000110cd\\U00013430-\\U0001343f\\U0001bca0-\\U0001bca3"
    "\\U0001d173-\\U0001d17a\\U000e0001"
)
JOINERS, TAGS = "\\u200c\\u200d", "\\U000e0020-\\U000e007f"  # ZWNJ, ZWJ; the tag characters

# A joiner is part of what a user wrote and sees where it changes how its neighbours are
# drawn (RFC 5892's CONTEXTJ rules, and Unicode's emoji sequences), and shown elsewhere,
# where it draws nothing ('a\u200db' would read as 'ab'):
# - ZWNJ between an Arabic-script letter that joins the next one (Joining_Type D or L) and
#   one that joins the one before (D or R), a vowel mark allowed at each side: Persian's
#   half-space, 'زن\u200cها' (the Arabic, Syriac and NKo letters; ArabicShaping.txt);
_JOINS_NEXT = (
    "\\u0620\\u0626\\u0628\\u062a-\\u062e\\u0633-\\u063f\\u0641-\\u0647\\u0649\\u064a\\u066e"
    "\\u066f\\u0678-\\u0687\\u069a-\\u06bf\\u06c1\\u06c2\\u06cc\\u06ce\\u06d0\\u06d1\\u06fa-\\u06fc"
    "\\u06ff\\u0712-\\u0714\\u071a-\\u071d\\u071f-\\u0727\\u0729\\u072b\\u072d\\u072e"
    "\\u074e-\\u0758\\u075c-\\u076a\\u076d-\\u0770\\u0772\\u0775-\\u0777\\u077a-\\u077f"
    "\\u07ca-\\u07ea\\u0841-\\u0845\\u0848\\u084a-\\u0853\\u0855\\u0860\\u0862-\\u0865\\u0868"
    "\\u0886\\u0889-\\u088d\\u08a0-\\u08a9\\u08af\\u08b0\\u08b3-\\u08b8\\u08ba-\\u08c8"
)
_JOINS_PREVIOUS = (
    "\\u0620\\u0622-\\u063f\\u0641-\\u064a\\u066e\\u066f\\u0671-\\u0673\\u0675-\\u06d3\\u06d5"
    "\\u06ee\\u06ef\\u06fa-\\u06fc\\u06ff\\u0710\\u0712-\\u072f\\u074d-\\u077f\\u07ca-\\u07ea"
    "\\u0840-\\u0858\\u0860\\u0862-\\u0865\\u0867-\\u0882\\u0886\\u0889-\\u088e\\u08a0-\\u08ac"
    "\\u08ae-\\u08c8"
)
_MARK = "\\u0610-\\u061a\\u064b-\\u065f\\u0670\\u06d6-\\u06dc\\u06df-\\u06e4\\u06e7\\u06e8"
# - ZWNJ or ZWJ after a virama, before a character of the virama's own script (its
#   128-character block): 'क्\u200dष' (a half form), 'क्\u200cष' (no conjunct);
_VIRAMAS = (
    "\u094d\u09cd\u0a4d\u0acd\u0b4d\u0bcd\u0c4d\u0ccd\u0d3b\u0d3c\u0d4d\u0dca\u0e3a\u0eba\u0f84"
    "\u1039\u103a\u1714\u1715\u1734\u17d2\u1a60\u1b44\u1baa\u1bab\u1bf2\u1bf3\u2d7f\ua806\ua82c"
    "\ua8c4\ua953\ua9c0\uaaf6\uabed\U00010a3f\U00011046\U00011070\U0001107f\U000110b9\U00011133"
    "\U00011134\U000111c0\U00011235\U000112ea\U0001134d\U00011442\U000114c2\U000115bf\U0001163f"
    "\U000116b6\U0001172b\U00011839\U0001193d\U0001193e\U000119e0\U00011a34\U00011a47\U00011a99"
    "\U00011c3f\U00011d44\U00011d45\U00011d97"
)
# - ZWJ between two pictographs (an emoji sequence: '👨\u200d👩\u200d👧'), the first perhaps
#   with its emoji presentation selector (U+FE0F: '❤️\u200d🔥'); a sequence no font has
#   draws as its parts, as they would without the joiner;
_PICTOGRAPH = (
    "\\u00a9\\u00ae\\u203c\\u2049\\u2122\\u2139\\u2194-\\u21aa\\u231a-\\u23ff\\u24c2"
    "\\u25aa-\\u27bf\\u2934\\u2935\\u2b05-\\u2b55\\u3030\\u303d\\u3297\\u3299\\U0001f000-\\U0001faff"
)
# - tag characters in a flag of an emoji tag sequence a font draws as its own flag (England,
#   Scotland, Wales): any other, '🏴' and tags, draws as '🏴' alone.
_FLAGS = ("gbeng", "gbsct", "gbwls")


def _kept_after_virama() -> str:
    """A joiner's context after a virama: the viramas of each block, and that block."""
    blocks: dict[int, str] = {}
    for virama in _VIRAMAS:
        blocks[ord(virama) & ~0x7F] = blocks.get(ord(virama) & ~0x7F, "") + virama
    return "|".join(f"(?<=[{vs}][{JOINERS}])(?=[{chr(b)}-{chr(b + 0x7F)}])"
                    for b, vs in blocks.items())  # fmt: skip


def _kept_in_flag() -> str:
    """A tag character's context (just past it) in one of :data:`_FLAGS`."""
    kept = []
    for name in _FLAGS:
        flag = "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in name) + "\U000e007f"
        kept += [f"(?<={flag[: k + 1]})(?={flag[k + 1 :]})" for k in range(1, len(flag))]
    return "|".join(kept)


_KEPT_JOINER = (
    f"(?:(?<=[{_JOINS_NEXT}]\\u200c)|(?<=[{_JOINS_NEXT}][{_MARK}]\\u200c))"
    f"(?=[{_MARK}]?[{_JOINS_PREVIOUS}])|{_kept_after_virama()}"
    f"|(?:(?<=[{_PICTOGRAPH}]\\u200d)|(?<=[{_PICTOGRAPH}]\\ufe0f\\u200d))(?=[{_PICTOGRAPH}])"
)
# The set: each character of the classes above, a joiner or a tag character where it is not
# kept. A character alone (``fullmatch``) is in it where any of them is.
SHOWN_AS_ESCAPE = re.compile(
    f"[{BREAKS}{CONTROLS}{INVISIBLE}]|[{JOINERS}](?!{_KEPT_JOINER})|[{TAGS}](?!{_kept_in_flag()})"
)
