"""The HTML card's break opportunities: a ``<wbr>`` in a long run of text without a space,
never inside an escape a writer shows nor between a joiner and what it joins."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from markupsafe import Markup, escape

from auditor.errors import ESCAPE_RUN
from auditor.invisible import JOINERS, TAGS

# A run of more than BREAK_EVERY characters without a space gets a break opportunity (<wbr>)
# every BREAK_EVERY characters in the HTML card: a 5,000-character group label made the page
# 42,000 px wide, and a label cut to 80 characters (gates.names.shorten) without a space still
# pushed a per-group table of nine columns 110 px past the page (40 bold capitals: 16 px). A
# <wbr> changes nothing where the text fits, and copying the text gives it whole.
BREAK_EVERY = 32
LONG_RUN = BREAK_EVERY + 1
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{LONG_RUN},}}")  # tried at a word's start only


def breakable(value: str) -> Any:
    """``value`` with a ``<wbr>`` every :data:`BREAK_EVERY` characters of a long run (Markup),
    else as it is."""
    if len(value) < LONG_RUN:
        return value
    parts, last = [], 0
    for run in _LONG_RUN.finditer(value):
        chunks = (escape(chunk) for chunk in _chunks(run.group(0)))
        parts += [escape(value[last : run.start()]), Markup("<wbr>").join(chunks)]
        last = run.end()
    return Markup("").join([*parts, escape(value[last:])]) if parts else value


# What a <wbr> never splits: an escape a writer shows, with its backslashes ('\U000e0063'
# wrapped as '\U000e00' and '63'), a joiner and what it joins, a selector or tag after its emoji.
# Each repeat is bounded, so no unit passes 2 * BREAK_EVERY: an emoji with 3,000 skin tones was
# one unit, as 3,000 backslashes before 'x41' were (the longest real sequence, a tag flag or a
# kiss with tones, repeats 7 times; an escape's backslashes are a few).
_ESCAPE = ESCAPE_RUN.pattern.removeprefix(r"\\+")  # what an escape's backslashes precede
_UNBROKEN = re.compile(
    rf"(?<!\\)\\{{1,16}}{_ESCAPE}|.(?:[{JOINERS}].|[\ufe0f\U0001f3fb-\U0001f3ff{TAGS}]){{0,15}}",
    re.DOTALL,
)


def _chunks(word: str) -> list[str]:
    """``word`` in pieces of :data:`BREAK_EVERY` characters, a piece a few more where it would
    end inside one of :data:`_UNBROKEN` or before a combining mark, but a run of marks alone
    (5,000 spacing '\u093e') breaks at twice :data:`BREAK_EVERY` all the same (a unit is at
    most 31 characters)."""
    chunks = [""]
    for unit in _UNBROKEN.findall(word):  # a mark (Mn, Mc, Me) stays with what it marks
        size = len(chunks[-1])
        if size >= 2 * BREAK_EVERY or (
            size >= BREAK_EVERY and not unicodedata.category(unit[0]).startswith("M")
        ):
            chunks.append("")
        chunks[-1] += unit
    return chunks
