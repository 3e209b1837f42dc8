"""A joiner or a tag character that is part of what a user wrote and sees is kept (R2 #1):
since 20dbe25 every writer showed ZWJ, ZWNJ and tag characters as escapes, which broke the
family emoji into three, the Scotland flag into a black flag and six escapes, and a Persian
label's half-space ('زن\\u200cها') into two right-to-left runs shown in the wrong order. A
joiner is kept where it changes how its neighbours are drawn, and shown where it draws
nothing ('a\\u200db' would read as 'ab'), in the one set (auditor.invisible), so error lines
and the Reproduce command agree. And a metric path copied from summary.md into a gate rule
names the same metric (R2 #2: a soft hyphen was shown '\\xad', which TOML cannot read)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditor import invisible
from auditor.api._trained import shell_quoted
from auditor.errors import SHOWN_AS_ESCAPE, printable_line
from auditor.report import escape
from tests.report.test_escape_invisible import WRITERS

FLAG = "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in "gbsct") + "\U000e007f"
PERSIAN = "زن\u200cها"  # 'women': a half-space between two letters that join it
JOINED = {
    "family": "👨\u200d👩\u200d👧",
    "persian": PERSIAN,
    "persian with a vowel mark": "نَ\u200cها",
    "hindi half form": "क्\u200dष",
    "hindi no conjunct": "क्\u200cष",
    "heart on fire": "❤️\u200d🔥",
    "scotland": FLAG,
    "syriac": "ܒ\u200cܒ",
}
# Where a joiner or a tag draws nothing: it is shown (the text before it, shown).
DRAWS_NOTHING = {
    "a\u200db": "a\\u200db",  # Latin letters do not join: 'a\u200db' would read as 'ab'
    "ر\u200cها": "ر\\u200cها",  # reh never joins the next letter
    "\u200cها": "\\u200cها",  # at an edge
    "زن\u200c": "زن\\u200c",
    "क\u200dष": "क\\u200dष",  # no virama before it
    "क्\u200c1": "क्\\u200c1",  # ZWNJ after a virama, but no letter of its script after
    "👩\u200d": "👩\\u200d",
    "a\u200d👩": "a\\u200d👩",
    "👩\u200c👩": "👩\\u200c👩",  # ZWNJ joins no emoji
    FLAG[:-1]: "🏴\\U000e0067\\U000e0062\\U000e0073\\U000e0063\\U000e0074",  # no end tag
    f"{FLAG[0]}\U000e0075\U000e0073\U000e007f": "🏴\\U000e0075\\U000e0073\\U000e007f",  # 'us'
    "a\U000e0067": "a\\U000e0067",
}


@pytest.mark.parametrize("writer", WRITERS, ids=str)
def test_a_joined_sequence_is_kept_in_every_writer(writer):
    for name, text in JOINED.items():
        shown = str(WRITERS[writer](f"g {text} x"))
        assert text in shown.replace("<wbr>", ""), (writer, name, shown)
        assert "\\u200" not in shown and "\\U000e" not in shown, (writer, name, shown)


@pytest.mark.parametrize("writer", WRITERS, ids=str)
def test_a_joiner_that_draws_nothing_is_shown_in_every_writer(writer):
    for text, shown in DRAWS_NOTHING.items():
        out = str(WRITERS[writer](text)).replace("<wbr>", "")
        if writer == "md_escape" or writer == "html_text" or "card" in writer:
            out = re.sub("[\u200e\u2068\u2069]|</?bdi>", "", out)  # the tool's isolates
        assert shown in out, (writer, text, out)
        assert not any(c in out for c in "\u200c\u200d\U000e0067\U000e0075"), (writer, out)


def test_a_persian_label_stays_one_right_to_left_run():
    """The escape's Latin letters ended the run: the word was isolated as two, 'زن' and 'ها',
    and read in the wrong order in a left-to-right line."""
    assert escape.md_escape(PERSIAN) == f"\u200e\u2068{PERSIAN}\u2069"
    line = escape.terminal_text(f"g {PERSIAN}: 3", isolate=True)
    assert line == f"g \u200e\u2068{PERSIAN}\u2069: 3"
    assert str(escape.card_text(f"{PERSIAN} & x")) == f"<bdi>{PERSIAN}</bdi> &amp; x"


def test_error_lines_and_the_reproduce_command_agree():
    for text in JOINED.values():
        assert printable_line(f"no column {text}") == f"no column {text}"
        assert shell_quoted(text) == f"'{text}'"  # no $'...' around a name that shows raw
    assert printable_line("a\u200db") == "a\\u200db"
    assert shell_quoted("a\u200db") == "$'a\\xe2\\x80\\x8db'"


def test_a_joiner_or_a_tag_alone_is_in_the_set():
    """A character alone (a run name's refusal, a backslash before it doubled) is shown."""
    for char in ("\u200c", "\u200d", "\U000e0020", "\U000e0067", "\U000e007f"):
        assert SHOWN_AS_ESCAPE.fullmatch(char), hex(ord(char))


def _not_a_consonant(name: str) -> bool:
    """An independent vowel's name (its vowel sign's, one without a sign, Sinhala's 'AYANNA'…),
    or a letter that takes no virama (a chillu, khanda ta, a reph, a Vedic anusvara)."""
    try:
        return bool(unicodedata.lookup(name.replace(" LETTER ", " VOWEL SIGN ")))
    except KeyError:
        letter = name.split(" LETTER ")[-1]
        vowels = {"A", "SHORT A", "CANDRA A", "OE", "AW", "UE", "UUE", "ARCHAIC II"}
        sinhala_vowel = letter[0] in "AEIOU" and letter.endswith("YANNA") and " " not in letter
        no_virama = letter.split()[0] in {"CHILLU", "KHANDA", "DOT", "VEDIC"}
        return letter in vowels or sinhala_vowel or no_virama


def test_the_joining_contexts_are_unicode_s():
    """The viramas a joiner is kept after are of combining class 9, of scripts that form
    conjuncts (not Tamil, Gurmukhi, Thai or Lao: R6 #2); the Arabic-script letters each side
    of a kept ZWNJ are those of Joining_Type D or L (before) and D or R (after), as the idna
    package's table has them."""
    viramas = [v.encode().decode("unicode_escape") for v, _, _ in invisible._CONJUNCT_SCRIPTS]
    assert all(unicodedata.combining(v) == 9 for v in viramas)
    scripts = "DEVANAGARI BENGALI GUJARATI ORIYA TELUGU KANNADA MALAYALAM SINHALA".split()
    assert [unicodedata.name(v).split()[0] for v in viramas] == scripts
    for virama, nukta, consonants in invisible._CONJUNCT_SCRIPTS:  # R10 #3: consonants only
        block = ord(virama.encode().decode("unicode_escape")) & ~0x7F
        in_class = re.compile(f"[{consonants}]")
        for char in map(chr, range(block, block + 0x80)):
            name = unicodedata.name(char, "")
            consonant = unicodedata.category(char) == "Lo" and not _not_a_consonant(name)
            if unicodedata.category(char) != "Cn":  # a gap in a range matches nothing real
                assert bool(in_class.match(char)) == consonant, (hex(ord(char)), name)
        assert not nukta or "NUKTA" in unicodedata.name(nukta.encode().decode("unicode_escape"))
    idnadata = pytest.importorskip("idna.idnadata")
    types = {}
    for kind, spans in idnadata.joining_types.items():
        for span in spans:
            start, end = (span >> 32, span & 0xFFFFFFFF) if isinstance(span, int) else span
            types.update(dict.fromkeys(range(start, end), kind))
    before = re.compile(f"[{invisible._JOINS_NEXT}]")
    after = re.compile(f"[{invisible._JOINS_PREVIOUS}]")
    for code in range(0x600, 0x8C9):
        if unicodedata.category(chr(code)) != "Cn":
            assert bool(before.match(chr(code))) == (types.get(code) in ("D", "L")), hex(code)
            assert bool(after.match(chr(code))) == (types.get(code) in ("D", "R")), hex(code)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """``auditor audit`` of a predictions file with groups 'a<SHY>b', a Persian label and
    the family emoji."""
    from typer.testing import CliRunner

    from auditor.cli import app

    folder = tmp_path_factory.mktemp("joiners")
    rng = np.random.default_rng(1)
    n = 900
    y = rng.integers(0, 2, n)
    pred = np.where(rng.random(n) < 0.8, y, 1 - y)
    groups = np.array(["a\xadb", PERSIAN, JOINED["family"]])[rng.integers(0, 3, n)]
    pd.DataFrame({"y_true": y, "y_pred": pred, "g": groups}).to_csv(folder / "p.csv",
                                                                    index=False)  # fmt: skip
    done = CliRunner().invoke(app, ["audit", "-p", str(folder / "p.csv"), "--sensitive", "g",
                                    "-o", str(folder / "run"), "--exit-zero", "-q"])  # fmt: skip
    assert done.exit_code == 0, done.output
    return folder


def test_the_cards_keep_the_labels_whole(run_folder):
    for name in ("summary.md", "model_card.md", "model_card.html"):
        text = (run_folder / "run" / name).read_text()
        assert PERSIAN in text and JOINED["family"] in text, name
        assert "\\u200c" not in text and "\\u200d" not in text, name


def test_a_metric_path_copied_from_summary_md_names_the_metric_in_a_gate(run_folder):
    """The path as summary.md's code span shows it, pasted into a gate rule's double quotes,
    is read by the config loader (TOML reads '\\u00ad'; '\\xad' made the file unreadable) and
    selects that group's accuracy: the gate fails on it, and names it."""
    from typer.testing import CliRunner

    from auditor.cli import app

    summary = (run_folder / "run" / "summary.md").read_text()
    for label in ("a", PERSIAN):
        copied = re.findall(rf"`(fairness\.features\.g\.groups\[{label}[^`]*\.metrics\.accuracy)`",
                            summary)  # fmt: skip
        assert len(copied) == 1, (label, copied)
        config = run_folder / "gates.toml"
        config.write_text(f'[gates]\nuse_defaults = false\n[[gates.rules]]\n'
                          f'metric = "{copied[0]}"\nmin = 0.99\n', encoding="utf-8")  # fmt: skip
        out = run_folder / f"gate-{len(label)}"
        done = CliRunner().invoke(app, ["gate", str(run_folder / "run"), "-c", str(config),
                                        "-o", str(out)])  # fmt: skip
        assert done.exit_code == 1, done.output  # the rule read, its metric found, failed
        assert "1 fail" in done.output and "accuracy >= 0.99" in done.output, done.output
        assert "unknown metric" not in done.output


def test_a_break_opportunity_splits_no_escape_and_no_joined_sequence():
    """R2 #4: the HTML card's <wbr> every 32 characters fell inside an escape
    ('…\\U000e0073\\<wbr>U000e0063…'), so a wrapped line split it; or between a joiner and
    what it joins. A piece now ends before the escape or the sequence, or a few past 32."""
    shown_escape = re.compile(r"\\+(?:x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})")
    other_flag = "🏴\U000e0075\U000e0073\U000e0063\U000e0061\U000e007f"
    for text in ("x" * 30 + other_flag * 3, "y" * 31 + JOINED["family"] * 8,
                 "z" * 29 + "a\nb\\x0a" * 9, "w" * 30 + FLAG * 6):  # fmt: skip
        card = str(escape.card_text(text))
        pieces = card.split("<wbr>")
        assert len(pieces) > 1, card
        whole = shown_escape.findall(card.replace("<wbr>", ""))
        assert [e for piece in pieces for e in shown_escape.findall(piece)] == whole, pieces
        for piece in pieces:
            assert piece[:1] not in "\u200c\u200d\U000e0067\U000e007f" and piece[-1] != "\u200d"
            assert len(piece) <= escape.BREAK_EVERY + 10, pieces


def test_a_metric_path_copied_from_junit_xml_names_the_metric_in_a_gate(run_folder):
    """R6 #4: junit.xml's metric: line (and the terminal's, diff's) showed the path as
    '\\xad', which a gate rule's TOML cannot read; summary.md showed '\\u00ad'. Every writer of
    a path a reader copies now shows the one form a TOML, JSON or Python string reads."""
    from typer.testing import CliRunner

    from auditor.cli import app

    path = "fairness.features.g.groups[a\xadb].metrics.accuracy"
    config = run_folder / "gates.toml"
    config.write_text('[gates]\nuse_defaults = false\n[[gates.rules]]\nmetric = "'
                      f'{path}"\nmin = 0.99\n'.replace("\xad", "\\u00ad"))  # fmt: skip
    gated = run_folder / "gated"
    done = CliRunner().invoke(app, ["gate", str(run_folder / "run"), "-c", str(config),
                                    "-o", str(gated)])  # fmt: skip
    assert done.exit_code == 1, done.output
    junit = (gated / "junit.xml").read_text()
    copied = re.findall(r"^metric: (.*)$", junit, re.MULTILINE)
    assert copied == ["fairness.features.g.groups[a\\u00adb].metrics.accuracy"], junit
    config.write_text(f'[gates]\nuse_defaults = false\n[[gates.rules]]\nmetric = "{copied[0]}"\n'
                      "min = 0.99\n")  # fmt: skip
    done = CliRunner().invoke(app, ["gate", str(run_folder / "run"), "-c", str(config),
                                    "-o", str(run_folder / "gated-again")])  # fmt: skip
    assert done.exit_code == 1, done.output  # the pasted rule read, its metric found, failed
    assert "1 fail" in done.output and "unknown metric" not in done.output, done.output
    card = str(escape.card_exact(path)).replace("<wbr>", "")
    shown = {escape.md_code(path, in_table=False).strip("`"), card, escape.xml_exact(path),
             escape.terminal_exact(path)}  # fmt: skip
    assert shown == {copied[0]}
