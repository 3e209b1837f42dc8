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

from markupsafe import Markup, escape

from auditor.errors import (  # error lines use them too: the lowest layer
    SHOWN_AS_ESCAPE,
    backslashes_doubled,
    escape_of,
    escapes_shown,
    workflow_inert,
)
from auditor.invisible import BREAKS, CONTROLS, holds_none
from auditor.report.wrap import BREAK_EVERY as BREAK_EVERY  # the card's <wbr>: named here too
from auditor.report.wrap import LONG_RUN as LONG_RUN
from auditor.report.wrap import breakable

# Characters with a meaning anywhere in a line (emphasis, code, links, tables; HTML entities
# are already neutralised by html.escape); "-", "+", "#", ">" and "1." only at a line start.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]()|~!])")
_MD_LINE_START = re.compile(r"^(\s*)([-+#>=]|\d+)")
# "@name" in a comment GitHub renders notifies that user or team (a group label "@org/team"
# in summary.md, posted on a pull request): a word joiner (invisible) after the "@" keeps it
# text.
_MENTION = re.compile(r"(?<![\w.+-])@(?=[A-Za-z0-9])")  # not an e-mail address's
# Bidirectional embeddings, overrides and isolates: an unclosed U+202E shows the rest of a
# line (the numbers after a label) reversed ("Trojan Source"); no label needs them. The
# marks too (LRM, RLM, ALM): invisible, they made '<LRM>abc' and 'abc' two groups that read
# alike (the tool's own LRM before its isolates is kept where it writes one). A byte of a
# path that is not UTF-8 (a lone surrogate) is shown as its escape ('c\\udcff.csv') too.
# _CONTROL: what acts in a line but a break or a tab (C0 and C1 controls, the line and
# paragraph separators, the bidi controls, surrogates); _ACTS: that and the breaks and tabs.
# Both are parts of the one set (auditor.invisible), as errors.SHOWN_AS_ESCAPE is.
_CONTROL = re.compile(f"[{CONTROLS}]")
_ACTS = re.compile(f"[{BREAKS}{CONTROLS}]")
_BREAKS = re.compile("\r\n?|[\n\t]")
# What a name or a path shows as its escape, in every writer as in error lines
# (errors.SHOWN_AS_ESCAPE): what a terminal could act on, line breaks and tabs included (a
# name 'a\nb' and 'a b' were written alike), and the invisible characters two names could
# differ by alone (NBSP, a zero-width space: 'a\u200bb' and 'ab'); what XML 1.0 cannot hold
# too (junit.xml). Not in the tool's own lines (:func:`card_lines`): :data:`_CONTROL`; nor
# in prose a user wrote (:func:`md_prose`, :func:`card_prose`): :data:`_ACTS`, what acts (a
# French answer's NBSP before its colon, a soft hyphen from a PDF are read, not told apart).
_NOT_TERMINAL = _NOT_XML = SHOWN_AS_ESCAPE  # the Reproduce command quotes these apart too
# A name's own backslashes before what reads as a shown control ('a\x0ab' typed) or before a
# control ('a\<LF>b'): each doubled, as Python's repr shows it ('a\\x0ab'), once per writer,
# so 'a<LF>b', 'a\x0ab' and 'a\<LF>b' are each shown their own way. Not in a path or a
# command a reader copies (md_code, card_exact, xml_exact, terminal_exact): exact.


def _doubled(controls: re.Pattern[str], text: str) -> str:
    """``text`` with its own backslashes before one of ``controls``, or before what reads as
    one shown, doubled (:func:`auditor.errors.backslashes_doubled`): a name's, not a path's."""
    return backslashes_doubled(text, controls.fullmatch)


def _shown(controls: re.Pattern[str], text: str) -> str:
    """``text`` (a name) with each of ``controls`` shown (:func:`auditor.errors.escape_of`),
    its own backslashes before one, or before what reads as one, doubled first
    (:func:`_doubled`)."""
    return _subbed(controls, _doubled(controls, text))


def _subbed(controls: re.Pattern[str], text: str) -> str:
    """``text`` with each of ``controls`` shown; a text that :func:`holds_none` holds none."""
    return text if holds_none(text) else controls.sub(escape_of, text)


def md_escape(value: Any) -> str:
    """Text safe inside Markdown: HTML-escaped (so a payload renders as text where the
    Markdown is shown as HTML), on one line, with Markdown control characters backslashed,
    control characters and line breaks shown as ``\\xNN`` (a name 'a\\nb' is not 'a b'), a
    name's own backslash before what reads as one doubled (:func:`_doubled`), no ``@mention``
    (a word joiner after the ``@``) and each right-to-left run isolated
    (:func:`rtl_runs_isolated`). A path or a command a reader copies is a code span
    (:func:`md_code`): exact, and no mention fires in one."""
    return _md_escaped(value, _NOT_TERMINAL)


def _md_escaped(value: Any, controls: re.Pattern[str]) -> str:
    """:func:`md_escape`, each of ``controls`` shown."""
    text = _doubled(controls, html.escape(str(value), quote=False))
    text = _MD_LINE_START.sub(_escape_line_start, _MD_INLINE.sub(r"\\\1", text))
    return rtl_runs_isolated(_MENTION.sub("@\u2060", _subbed(controls, text)))


def md_prose(value: Any) -> str:
    """:func:`md_escape` for prose a user wrote over lines (a declared answer): each line
    break a space, the answer one paragraph, as a Markdown renderer joins lines; only the
    characters that act shown (:data:`_ACTS`: an NBSP is kept)."""
    return _md_escaped(one_paragraph(value), _ACTS)


def one_paragraph(value: Any) -> Any:
    """Text with each line break and tab a space (prose: a declared answer, a reason, in
    either card); any other value as it is."""
    return _BREAKS.sub(" ", value) if isinstance(value, str) else value


def card_prose(value: Any) -> Any:
    """The HTML card's ``prose`` filter: :func:`one_paragraph`, then :func:`card_text` but
    only the characters that act shown (:data:`_ACTS`, as :func:`md_prose`), escaped."""
    if not isinstance(value, str):
        return value
    return escape(_card_pieces(_shown(_ACTS, one_paragraph(value))))


def _escape_line_start(m: re.Match[str]) -> str:
    lead, mark = m.group(1), m.group(2)
    if mark.isdigit():  # "1." / "1)" starts an ordered list: escape the dot, not the digits
        rest = m.string[m.end() :]
        return lead + mark + ("\\" if rest[:1] in (".", ")") else "")
    return lead + "\\" + mark


def md_code(value: Any, *, in_table: bool = True) -> str:
    """A code span (in a table cell unless ``in_table`` is false): CommonMark's literal text,
    where no Markdown escape and no HTML applies (``<script>`` shows as text), so the text is
    written as it is, save three things. Its fence is one backtick longer than its longest
    run of backticks, with a space inside each end where it begins or ends with a backtick
    or with a space at both ends (the renderer takes that space off): a label 'a`b' stays
    itself, not 'a'b'. A line break, a tab or another control character is shown as
    an escape (``\\u000a``, ``\\u0009``, ``\\u001b``, below): a newline would end a table's
    row, and a space would read as a label with a space. In a table the pipe is ``\\|``
    (GitHub reads it as a cell border even there, and shows ``|``); outside one ``\\|``
    would show its backslash. A character every writer shows as an escape (a control, an
    invisible one: :data:`SHOWN_AS_ESCAPE`) is shown as a TOML or JSON string reads it back
    (``\\u000a``, ``\\u00ad``: :func:`auditor.errors.escapes_shown` ``copied``): a metric
    path pasted into a gate rule's ``'…'`` names the same metric (the path reader reads the
    escape; ``\\xad`` is no TOML escape). Any other text is
    shown as it is, a table's pipe but in the raw file. Every Markdown writer writes a
    metric path, a command or a file path so."""
    text = escapes_shown(str(value), copied=True)  # a path, quoted by its own rules
    text = text.replace("|", "\\|") if in_table else text
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    spaced = text[:1] == text[-1:] == " " and text.strip()
    pad = " " if text[:1] == "`" or text[-1:] == "`" or spaced else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def html_text(value: Any) -> str:
    """Text inside an HTML element of a Markdown file (``<summary>``): Markdown escapes are
    not processed there, so only HTML's own escaping applies; a line break or tab shown."""
    text = _shown(_NOT_TERMINAL, html.escape(str(value), quote=True))
    return rtl_runs_isolated(text)


def xml_text(value: Any) -> str:
    """Text an XML 1.0 document may hold (ElementTree escapes ``<``, ``&`` and quotes; it does
    not remove what XML forbids): ESC, BEL and the like become ``\\x1b``, ``\\x07``; a line
    break ``\\x0a`` and a tab ``\\x09`` too (a value on its 'key: value' line, a name not
    read as another's)."""
    return _shown(_NOT_XML, str(value))


def xml_exact(value: Any) -> str:
    """:func:`xml_text` for a path a reader copies (a gate's id and metric path, the config
    file): exact but for the characters XML cannot hold, shown as :func:`md_code` shows them
    (``\\u0009``: one form for a copied path in every writer); no backslash doubled."""
    return escapes_shown(str(value), copied=True)


def controls_visible(value: Any) -> Any:
    """The templates' last step for every printed value: control characters in text become
    ``\\xNN`` (HTML autoescape keeps ESC and BEL as they are); other values pass unchanged."""
    if isinstance(value, Markup):  # our own markup (SVG): still no control characters
        return Markup(_shown_but_isolates(str(value)))
    return _shown_but_isolates(value) if isinstance(value, str) else value


def controls_shown(value: Any) -> Any:
    """:func:`controls_visible` for the HTML card, where the tool isolates with ``<bdi>``,
    never with control characters: every control character in text is shown, a user's own
    LRM + U+2068 ... U+2069 too (it kept two labels 'abc' and that pair around 'abc' alike)."""
    if isinstance(value, Markup):  # our own markup: its line breaks are the tool's
        return Markup(_CONTROL.sub(escape_of, str(value)))
    if not isinstance(value, str):
        return value
    return _shown(_NOT_TERMINAL, value)  # a browser shows one as a space


def svg_escape(value: Any) -> Markup:
    """A name in a chart's ``<text>`` or ``<title>``, the page's ``<title>`` or an attribute
    (``aria-label``): escaped, its control characters, line breaks and tabs shown
    (:func:`controls_shown`: a browser, or a screen reader, takes a break for a space, and
    markup is not shown again); no ``<wbr>``, which a ``<title>`` would show as text."""
    return escape(controls_shown(str(value)))


_LINE_END = re.compile("\r\n?|\n")


def card_lines(value: Any) -> Markup:
    """The tool's own lines for the HTML card's ``<pre>`` (the load snippet, the citation):
    each piece between tabs as :func:`card_text` prints it (a name in it shown), the line
    breaks (each ``\\n``, a CR LF and a CR one ``\\n``) and tabs kept (the card's last step
    shows a break or tab in a text: a snippet on one line, or indented with ``\\x09``, is not
    Python)."""
    lines = (Markup("\t").join(escape(card_text(piece)) for piece in line.split("\t"))
             for line in _LINE_END.split(str(value)))  # fmt: skip
    return Markup("\n").join(lines)


def md_fence(value: Any, info: str) -> str:
    """The tool's own lines (the load snippet, the citation) as a Markdown fenced code block
    of language ``info``: shown as written (a fence is inert: no Markdown, no HTML, no entity
    is read in it, so none is escaped), each line end a ``\\n``, tabs kept, another control
    character shown (``\\x1b``); the fence one backtick longer than the text's longest run of
    backticks (at least three), so no line of the text can close it."""
    text = _CONTROL.sub(escape_of, "\n".join(_LINE_END.split(str(value))))
    fence = "`" * max(3, max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def _shown_but_isolates(text: str) -> str:
    """``text`` with its control characters shown, save each LRM, FIRST STRONG ISOLATE ...
    POP DIRECTIONAL ISOLATE around a text free of controls (what :func:`rtl_runs_isolated`
    put there, in a Markdown line the template prints): such a pair cannot reorder anything
    outside it."""
    kept = _ISOLATE_PAIR.split(text)  # even: outside the pairs; odd: a pair's inside
    shown = (_CONTROL.sub(escape_of, p) if i % 2 == 0 else f"{LRM}{FSI}{p}{PDI}"
             for i, p in enumerate(kept))  # fmt: skip
    return "".join(shown)


def terminal_text(value: Any, *, isolate: bool = False) -> str:
    """One line a terminal (or a CI log) shows as text: no escape sequence, bell, line break
    or bidi override acts, and no GitHub Actions workflow command can start in it (a leading
    ``::`` becomes ``\\x3a:``, ``##[`` becomes ``##\\x5b``). ``isolate``: each right-to-left
    run isolated too (:func:`rtl_runs_isolated`: a CI log or annotation shown in a browser
    orders it), for a line of labels beside numbers; never for a path a user copies."""
    text = _shown(_NOT_TERMINAL, str(value))
    return workflow_inert(rtl_runs_isolated(text) if isolate else text)


def terminal_exact(value: Any) -> str:
    """:func:`terminal_text` for a path a user copies ('Model card: run/model_card.html'):
    exact but for its controls, shown as :func:`md_code` shows them (``\\u001b``), and no
    workflow command; no backslash doubled."""
    return workflow_inert(escapes_shown(str(value), copied=True))


def card_text(value: Any) -> Any:
    """The HTML card's last step for every printed value: :func:`controls_shown`, then a
    text holding a run of :data:`LONG_RUN` characters without a space escaped, with a
    ``<wbr>`` every :data:`BREAK_EVERY` characters of the run (Markup: escaped here), and a
    text holding right-to-left letters isolated (:func:`bidi_isolated`, at `` & `` only: an
    intersection's parts); any other value as :func:`controls_shown` leaves it (escaped by
    autoescape)."""
    return _card_pieces(controls_shown(value))


def card_exact(value: Any) -> Any:
    """:func:`card_text` for a path or a command a reader copies (the card's ``exact``
    filter: a metric path, a file, the Reproduce command): shown as :func:`md_code` shows
    it, no backslash doubled, escaped (Markup: the last step shows nothing again)."""
    if not isinstance(value, str):
        return value
    return escape(_card_pieces(escapes_shown(value, copied=True)))


def _card_pieces(value: Any) -> Any:
    """A shown text with a ``<wbr>`` in each long run, its right-to-left parts isolated."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    if _RTL.search(value):
        return _isolated(value, _AND)
    return breakable(value)


# Letters written right to left (Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic,
# their presentation forms, the right-to-left blocks beyond the BMP, and the RIGHT-TO-LEFT
# MARK, which orders the text around it as such a letter does).
_RTL = re.compile(
    "[\u0590-\u08ff\u200f\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_AND = re.compile(r"( & )")  # an intersection's label or name: "נשים & south"
# A right-to-left run: from a right-to-left letter to the last one before a letter written
# left to right (Latin, Greek, Cyrillic, Armenian, Indic, CJK), a mark the tool joins texts
# with or a line's end. A number after the run stays outside it: "נשים 0.25" cannot show
# the number first. A number between two right-to-left letters with only spaces around it
# stays inside: a label's own ("גיל 18 עד 25"); the tool writes none of its numbers there
# (its joins are words or marks that end a run: "נשים: 0.25; رجال").
_STOP = "A-Za-z\u00c0-\u058f\u0900-\u1fff\u3040-\u9fff()\\[\\]{}<>=:;,&|\\\\\n\t"
_RTL_LETTER = _RTL.pattern[1:-1]
_RTL_RUN = re.compile(f"[{_RTL_LETTER}](?:[^{_STOP}]*[{_RTL_LETTER}])?")
_LTR_LETTER = re.compile("[A-Za-z\u00c0-\u058f\u0900-\u1fff\u3040-\u9fff]")
FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE, POP DIRECTIONAL ISOLATE
# A LEFT-TO-RIGHT MARK before each isolate: a cell or line whose direction is found from its
# first strong letter (GitHub renders Markdown with dir="auto", which does not skip an
# isolate) stays left to right where the label is its only letter ("0.350 [...] (נשים)").
LRM = "\u200e"
_NOT_IN_PAIR = f"{FSI}{PDI}{BREAKS}{CONTROLS}"
_ISOLATE_PAIR = re.compile(f"{LRM}{FSI}([^{_NOT_IN_PAIR}]*){PDI}")


def rtl_runs_isolated(text: str) -> str:
    """``text`` (escaped already) with each right-to-left run between a FIRST STRONG
    ISOLATE and a POP DIRECTIONAL ISOLATE: invisible, and where Markdown, a CI log or an
    annotation is shown in a browser the run keeps its own order and cannot carry the
    numbers and marks beside it along ("group رجال; 0.3965 [0.2188, 0.5411]" was shown as
    "group [0.5411 ,0.2188] 0.3965 ;رجال"), each after a :data:`LRM`."""
    if not _RTL.search(text):
        return text
    return _RTL_RUN.sub(lambda m: f"{LRM}{FSI}{m.group(0)}{PDI}", text)


# Where the tool joins texts in a line: "feature = group: metric", "a vs b", "a; b", "(n=3)".
_JOINS = re.compile(r"(\s*(?:[=:;,()\[\]]|&|—|\bvs\b)\s*)")


def _isolated(text: str, joins: re.Pattern[str]) -> Markup:
    """``text`` escaped, each piece between ``joins`` that holds a right-to-left letter in a
    ``<bdi>``: a Hebrew or Arabic label is shown right to left inside its piece, and cannot
    carry the text around it along (in a left-to-right line, "מגדר = גברים" showed the group
    before the feature, and "a & b" of two such labels as "b & a")."""
    pieces = []
    for i, piece in enumerate(joins.split(text)):
        shown = escape(breakable(piece))
        if i % 2 or not _RTL.search(piece):
            pieces.append(shown)
        elif _LTR_LETTER.search(piece):  # words of the tool's around a label: its runs only
            pieces.append(_runs_in_bdi(piece))
        else:
            pieces.append(Markup("<bdi>%s</bdi>") % shown)
    return Markup("").join(pieces)


def _runs_in_bdi(piece: str) -> Markup:
    """``piece`` escaped, each right-to-left run in a ``<bdi>`` (a piece of a tool's sentence,
    "נשים and رجال tie as the worst off", in one ``<bdi>`` was shown right to left whole)."""
    parts, last = [], 0
    for run in _RTL_RUN.finditer(piece):
        parts += [escape(breakable(piece[last : run.start()])),
                  Markup("<bdi>%s</bdi>") % escape(breakable(run.group(0)))]  # fmt: skip
        last = run.end()
    return Markup("").join([*parts, escape(breakable(piece[last:]))])


def bidi_isolated(value: Any) -> Any:
    """A line the tool put together from user texts (a gate's name and message, a list of
    labels) for the HTML card: as :func:`card_text`, but each piece between the tool's
    joins (`` = ``, ``: ``, ``; ``, `` vs ``, brackets) that holds a right-to-left letter
    isolated in a ``<bdi>``; a text without one is left to :func:`card_text`."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    if not _RTL.search(value):  # Markup: the card's last step shows nothing twice ('\\x0a')
        return escape(card_text(value))
    return _isolated(controls_shown(value), _JOINS)
