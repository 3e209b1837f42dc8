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
# Unicode's default-ignorable characters that draw nothing but str.isprintable passes (marks
# and letters): the combining grapheme joiner, the Hangul fillers, Khmer's inherent vowels,
# Mongolian's free variation selectors.
DRAWN_NOTHING = "\\u034f\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180d\\u180f\\u3164\\uffa0"
# The unassigned code points Unicode reserves as default-ignorable (DerivedCoreProperties.txt):
# a font draws nothing for them, not a box, so they are shown too; with the classes here, the
# whole Default_Ignorable_Code_Point set.
RESERVED = (
    "\\u2065\\ufff0-\\ufff8\\U000e0000\\U000e0002-\\U000e001f\\U000e0080-\\U000e00ff"
    "\\U000e01f0-\\U000e0fff"
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
# - after a consonant's virama (a nukta allowed between) of a script that forms conjuncts
#   (Devanagari, Bengali, Gujarati, Oriya, Telugu, Kannada, Malayalam, Sinhala): ZWJ (a half
#   form 'क्\u200dष', word-final too, Malayalam's chillu, Sinhala's 'ශ්\u200dරී'), and ZWNJ
#   before a consonant of the virama's script ('क्\u200cष': no conjunct; not before a vowel,
#   'क्\u200cअ'; Sinhala joins with ZWJ alone); ZWJ between a consonant and its virama where
#   it draws a form of its own: Bengali's ya-phala after ra ('র\u200d্যাব', where 'র্য'
#   draws a reph) and Sinhala's touching letters ('ක\u200d්ව'). Elsewhere a joiner near a
#   virama draws nothing (Tamil, Gurmukhi, Thai and Lao form no conjunct: 'பக்\u200cகம்'
#   reads as 'பக்கம்'), nor before a digit or another script's letter: shown;
_SINHALA, _SINHALA_CONSONANTS = "\\u0dca", "\\u0d9a-\\u0dc6"  # joins with ZWJ alone
_CONJUNCT_SCRIPTS = (  # each script's virama, nukta ("" where none) and consonants
    ("\\u094d", "\\u093c", "\\u0915-\\u0939\\u0958-\\u095f\\u0978-\\u097f"),
    ("\\u09cd", "\\u09bc", "\\u0995-\\u09b9\\u09dc\\u09dd\\u09df\\u09f0\\u09f1"),
    ("\\u0acd", "\\u0abc", "\\u0a95-\\u0ab9\\u0af9"),
    ("\\u0b4d", "\\u0b3c", "\\u0b15-\\u0b39\\u0b5c\\u0b5d\\u0b5f\\u0b71"),
    ("\\u0c4d", "\\u0c3c", "\\u0c15-\\u0c39\\u0c58-\\u0c5a\\u0c5d"),
    ("\\u0ccd", "\\u0cbc", "\\u0c95-\\u0cb9\\u0cdd\\u0cde"),
    ("\\u0d4d", "", "\\u0d15-\\u0d3a"),
    (_SINHALA, "", _SINHALA_CONSONANTS),
)
_BEFORE_VIRAMA = f"(?<=\\u09b0\\u200d)(?=\\u09cd)|(?<=[{_SINHALA_CONSONANTS}]\\u200d)(?={_SINHALA})"
# - ZWJ after a pictograph (with its FE0F or skin tone) before what an RGI emoji ZWJ sequence
#   puts second: a gender sign, a profession's or a hair object, or one of the listed objects
#   ('🧑\u200d💻', '🏃\u200d♀️', '🏳️\u200d🌈', '❤️\u200d🔥'); a person after ❤, 💋 or 🤝 (a
#   couple); in a family, an adult before an adult and a child, a child after an adult (or
#   after an adult and a child). Any other ('👩\u200d👩', '😀\u200d😀') draws as its parts,
#   as they would without it: shown;
_PICTOGRAPH = (
    "\\u00a9\\u00ae\\u203c\\u2049\\u2122\\u2139\\u2194-\\u21aa\\u231a-\\u23ff\\u24c2"
    "\\u25aa-\\u27bf\\u2934\\u2935\\u2b05-\\u2b55\\u3030\\u303d\\u3297\\u3299\\U0001f000-\\U0001faff"
)
_SECOND = (
    "\\u2640\\u2642\\u26a7\\u2695\\u2696\\u2708\\u2764\\u2620\\u2744\\u2b1b\\u27a1\\u2194\\u2195"
    "\\U0001f33e\\U0001f373\\U0001f37c\\U0001f384\\U0001f393\\U0001f3a4\\U0001f3a8\\U0001f3eb"
    "\\U0001f3ed\\U0001f4bb\\U0001f4bc\\U0001f527\\U0001f52c\\U0001f680\\U0001f692\\U0001f9af"
    "\\U0001f9bc\\U0001f9bd\\U0001f9b0-\\U0001f9b3\\U0001f48b\\U0001f91d\\U0001f525\\U0001fa79"
    "\\U0001f308\\U0001f5e8\\U0001f32b\\U0001f4a8\\U0001f4ab\\U0001f9ba\\U0001f7eb\\U0001f7e9"
    "\\U0001f4a5\\U0001faf2"
)
_ADULTS, _CHILDREN = "\\U0001f468\\U0001f469\\U0001f9d1", "\\U0001f466\\U0001f467\\U0001f9d2"
# - tag characters in a flag of an emoji tag sequence a font draws as its own flag (England,
#   Scotland, Wales): any other, '🏴' and tags, draws as '🏴' alone.
_FLAGS = ("gbeng", "gbsct", "gbwls")
# The variation selectors: FE0E or FE0F after a character with an emoji variation sequence
# (text or emoji presentation; Python's unicodedata has no such property, so the bases are
# listed from emoji-variation-sequences.txt of Unicode 16, but '#', '*' and the digits), and
# FE0F in a keycap ('1\ufe0f\u20e3'); any other draws nothing ('😀\ufe0f', 'a\ufe00b'): shown.
_VARIATION_BASE = (
    "\\u00a9\\u00ae\\u203c\\u2049\\u2122\\u2139\\u2194-\\u2199\\u21a9\\u21aa\\u231a\\u231b"
    "\\u2328\\u23cf\\u23e9-\\u23f3\\u23f8-\\u23fa\\u24c2\\u25aa\\u25ab\\u25b6\\u25c0"
    "\\u25fb-\\u25fe\\u2600-\\u2604\\u260e\\u2611\\u2614\\u2615\\u2618\\u261d\\u2620"
    "\\u2622\\u2623\\u2626\\u262a\\u262e\\u262f\\u2638-\\u263a\\u2640\\u2642\\u2648-\\u2653"
    "\\u265f\\u2660\\u2663\\u2665\\u2666\\u2668\\u267b\\u267e\\u267f\\u2692-\\u2697\\u2699"
    "\\u269b\\u269c\\u26a0\\u26a1\\u26a7\\u26aa\\u26ab\\u26b0\\u26b1\\u26bd\\u26be"
    "\\u26c4\\u26c5\\u26c8\\u26ce\\u26cf\\u26d1\\u26d3\\u26d4\\u26e9\\u26ea\\u26f0-\\u26f5"
    "\\u26f7-\\u26fa\\u26fd\\u2702\\u2705\\u2708-\\u270d\\u270f\\u2712\\u2714\\u2716\\u271d"
    "\\u2721\\u2728\\u2733\\u2734\\u2744\\u2747\\u274c\\u274e\\u2753-\\u2755\\u2757"
    "\\u2763\\u2764\\u2795-\\u2797\\u27a1\\u27b0\\u27bf\\u2934\\u2935\\u2b05-\\u2b07"
    "\\u2b1b\\u2b1c\\u2b50\\u2b55\\u3030\\u303d\\u3297\\u3299\\U0001f004"
    "\\U0001f170\\U0001f171\\U0001f17e\\U0001f17f\\U0001f202\\U0001f21a\\U0001f22f\\U0001f237"
    "\\U0001f30d-\\U0001f30f\\U0001f315\\U0001f31c\\U0001f321\\U0001f324-\\U0001f32c"
    "\\U0001f336\\U0001f378\\U0001f37d\\U0001f393\\U0001f396\\U0001f397"
    "\\U0001f399-\\U0001f39b\\U0001f39e\\U0001f39f\\U0001f3a7\\U0001f3ac-\\U0001f3ae"
    "\\U0001f3c2\\U0001f3c4\\U0001f3c6\\U0001f3ca-\\U0001f3ce\\U0001f3d4-\\U0001f3e0"
    "\\U0001f3ed\\U0001f3f3\\U0001f3f5\\U0001f3f7\\U0001f408\\U0001f415\\U0001f41f\\U0001f426"
    "\\U0001f43f\\U0001f441\\U0001f442\\U0001f446-\\U0001f449\\U0001f44d\\U0001f44e"
    "\\U0001f453\\U0001f46a\\U0001f47d\\U0001f4a3\\U0001f4b0\\U0001f4b3\\U0001f4bb\\U0001f4bf"
    "\\U0001f4cb\\U0001f4da\\U0001f4df\\U0001f4e4-\\U0001f4e6\\U0001f4ea-\\U0001f4ed"
    "\\U0001f4f7\\U0001f4f9-\\U0001f4fb\\U0001f4fd\\U0001f508\\U0001f50d"
    "\\U0001f512\\U0001f513\\U0001f549\\U0001f54a\\U0001f550-\\U0001f567"
    "\\U0001f56f\\U0001f570\\U0001f573-\\U0001f579\\U0001f587\\U0001f58a-\\U0001f58d"
    "\\U0001f590\\U0001f5a5\\U0001f5a8\\U0001f5b1\\U0001f5b2\\U0001f5bc"
    "\\U0001f5c2-\\U0001f5c4\\U0001f5d1-\\U0001f5d3\\U0001f5dc-\\U0001f5de\\U0001f5e1"
    "\\U0001f5e3\\U0001f5e8\\U0001f5ef\\U0001f5f3\\U0001f5fa\\U0001f610\\U0001f687\\U0001f68d"
    "\\U0001f691\\U0001f694\\U0001f698\\U0001f6ad\\U0001f6b2\\U0001f6b9\\U0001f6ba\\U0001f6bc"
    "\\U0001f6cb\\U0001f6cd-\\U0001f6cf\\U0001f6e0-\\U0001f6e5\\U0001f6e9\\U0001f6f0"
    "\\U0001f6f3"
)
SELECTORS = "\\ufe00-\\ufe0f\\U000e0100-\\U000e01ef"
_KEPT_SELECTOR = f"(?<=[{_VARIATION_BASE}][\\ufe0e\\ufe0f])|(?<=[#*0-9]\\ufe0f)(?=\\u20e3)"


def _kept_in_flag() -> str:
    """A tag character's context (just past it) in one of :data:`_FLAGS`."""
    kept = []
    for name in _FLAGS:
        flag = "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in name) + "\U000e007f"
        kept += [f"(?<={flag[: k + 1]})(?={flag[k + 1 :]})" for k in range(1, len(flag))]
    return "|".join(kept)


def _after_virama(joiner: str) -> str:
    """``joiner``'s context (just past it) after a consonant's virama: ZWJ before anything,
    ZWNJ before a consonant of the same script (Sinhala: none)."""
    kept = []
    for virama, nukta, consonants in _CONJUNCT_SCRIPTS:
        if joiner == _ZWNJ and virama == _SINHALA:
            continue
        after = f"(?=[{consonants}])" if joiner == _ZWNJ else ""
        behind = [f"(?<=[{consonants}]{virama}{joiner})"]
        behind += [f"(?<=[{consonants}]{nukta}{virama}{joiner})"] if nukta else []
        kept.append(f"(?:{'|'.join(behind)}){after}")
    return "|".join(kept)


_ZWNJ, _ZWJ = "\\u200c", "\\u200d"
_NEAR_VIRAMA = f"{_after_virama(_ZWJ)}|{_after_virama(_ZWNJ)}|{_BEFORE_VIRAMA}"
_KEPT_JOINER = (
    f"(?:(?<=[{_JOINS_NEXT}]\\u200c)|(?<=[{_JOINS_NEXT}][{_MARK}]\\u200c))"
    f"(?=[{_MARK}]?[{_JOINS_PREVIOUS}])|{_NEAR_VIRAMA}"
    f"|(?:(?<=[{_PICTOGRAPH}]\\u200d)|(?<=[{_PICTOGRAPH}]\\ufe0f\\u200d))(?=[{_SECOND}])"
    f"|(?:(?<=[\\u2764\\U0001f48b\\U0001f91d]\\u200d)|(?<=\\u2764\\ufe0f\\u200d))(?=[{_ADULTS}])"
    f"|(?<=[{_ADULTS}]\\u200d)(?=[{_ADULTS}]\\u200d[{_CHILDREN}]|[{_CHILDREN}])"
    f"|(?<=[{_ADULTS}]\\u200d[{_CHILDREN}]\\u200d)(?=[{_CHILDREN}])"
)
# The set: each character of the classes above, a joiner, a tag character or a selector
# where it is not kept. A character alone (``fullmatch``) is in it where any of them is.
SHOWN_AS_ESCAPE = re.compile(
    f"[{BREAKS}{CONTROLS}{INVISIBLE}{DRAWN_NOTHING}{RESERVED}]|[{JOINERS}](?!{_KEPT_JOINER})"
    f"|[{TAGS}](?!{_kept_in_flag()})|[{SELECTORS}](?!{_KEPT_SELECTOR})"
)
_PRINTABLE_IN_SET = re.compile(f"[{DRAWN_NOTHING}{SELECTORS}]")


def holds_none(text: str) -> bool:
    """Whether ``text`` holds none of :data:`SHOWN_AS_ESCAPE`, at C speed for most names: a
    printable text holds none but :data:`DRAWN_NOTHING` and the selectors, all past ASCII."""
    return text.isprintable() and (text.isascii() or not _PRINTABLE_IN_SET.search(text))
