"""Text safe where it lands: Markdown, HTML inside Markdown, XML 1.0, the terminal."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from auditor.report.escape import (
    bidi_isolated,
    card_text,
    controls_visible,
    html_text,
    md_code,
    md_escape,
    terminal_text,
    workflow_inert,
    xml_text,
)

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
    assert text == "``a\\|b`c\\u001bd``"  # as a TOML string reads it back


LABELS = ["a`b", "`x", "x`", "a``b`", "a|b", "<script>alert(1)</script>", " a ", "a  ", "ש<|'b"]


@pytest.mark.parametrize("label", LABELS)
def test_a_code_span_shows_its_text_exactly(label):
    """A backtick became "'": groups a`b and a'b gave one metric path in the gate table, and
    the first's path, pasted into a rule, gated the second. The fence is now longer than any
    run of backticks in the text (as CommonMark allows), so the span shows the text itself,
    in a table cell and in a line; '<' is inert there (no fallback to escaped text)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    cell = md.parse(f"| h |\n|---|\n| {md_code(label)} |\n")
    line = md.parse(f"path {md_code(label, in_table=False)} here\n")
    for tokens in (cell, line):
        [code] = [t for tok in tokens for t in tok.children or () if t.type == "code_inline"]
        assert code.content == label, (label, code.content)


def test_a_line_break_in_a_code_span_is_shown_not_made_a_space():
    """'multi\\nline' was written 'multi line', a label that may exist too; it is shown, as
    escaped (R5 #4: '\\n' read as a label named backslash-n), as a TOML string reads it back."""
    assert md_code("multi\nline") == "`multi\\u000aline`"
    assert md_code("a\r\nb", in_table=False) == "`a\\u000d\\u000ab`"


def test_html_text():
    assert html_text('<b a="1">x</b>(6)') == "&lt;b a=&quot;1&quot;&gt;x&lt;/b&gt;(6)"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x0b", "\ufffe", "\ud800"])
def test_xml_text_is_always_well_formed(char):
    el = ET.Element("t", name=xml_text(f"g{char}<&>\"'"))
    parsed = ET.fromstring(ET.tostring(el, encoding="unicode"))
    assert parsed.get("name").startswith("g\\") and parsed.get("name").endswith("<&>\"'")


def test_xml_text_keeps_what_xml_allows_but_a_line_break_or_tab():
    assert xml_text("tab\tnewline\né ✓") == "tab\\x09newline\\x0aé ✓"


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


# A line of a GitHub Actions log is a workflow command when it starts with "::name::" (after
# any whitespace) or holds "##[name]" anywhere (actions/runner ActionCommand.TryParseV2 and
# TryParse): a label must not stop the commands (hiding the gates' annotations) or add one.
WORKFLOW_V2 = re.compile(r"^\s*::[^:\s]+(?: [^:]*)?::", re.M)
WORKFLOW_V1 = re.compile(r"##\[[^\]\s]+")


@pytest.mark.parametrize(
    "label",
    [
        "::stop-commands::tok",
        "  ::error::fake",
        "\u00a0::add-mask::x",
        "g ##[error]fake",
        "###[stop-commands]t",
        "::warning file=a,line=1::x",
    ],
)
def test_terminal_text_starts_no_workflow_command(label):
    for line in (terminal_text(label), "  " + terminal_text(label), terminal_text("  " + label)):
        assert not WORKFLOW_V2.search(line) and not WORKFLOW_V1.search(line), line
    assert terminal_text("a::b ## [x] #[y]") == "a::b ## [x] #[y]"  # nothing else changes


def test_workflow_inert_works_line_by_line():
    text = "| `groups[::x::y]` |\n::error::a\n  ::set-output name=x::1\n`##[error]b`\n"
    out = workflow_inert(text)
    assert not WORKFLOW_V2.search(out) and not WORKFLOW_V1.search(out), out
    assert out.splitlines()[0] == "| `groups[::x::y]` |" and out.count("\n") == 4


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_bidi_controls_are_shown_not_obeyed(char):
    """An unclosed RIGHT-TO-LEFT OVERRIDE in a label shows the numbers after it reversed."""
    label = f"F{char}0.5"
    for escape in (terminal_text, md_escape, md_code, html_text, xml_text, controls_visible):
        text = escape(label)
        assert char not in text and f"\\u{ord(char):04x}" in text, escape
    assert terminal_text("עברית 🙂") == "עברית 🙂"  # right-to-left text itself is kept
    assert terminal_text("עברית 🙂", isolate=True) == "\u200e\u2068עברית\u2069 🙂"


@pytest.mark.parametrize(
    ("label", "shown"),
    [("@octo/admins", "@\u2060octo/admins"), ("team (@everyone)", "team \\(@\u2060everyone\\)"),
     ("ml-team@example.com", "ml-team@example.com"), ("a.b+c@d.org", "a.b+c@d.org"),
     ("@", "@"), ("@ x", "@ x")],
)  # fmt: skip
def test_a_label_cannot_mention_anyone_where_the_markdown_is_posted(label, shown):
    """A group label '@org/team' in summary.md, posted on a pull request, would notify the
    team: a word joiner after the '@' keeps it text; an e-mail address stays whole."""
    assert md_escape(label) == shown


@pytest.mark.parametrize("char", ["\x7f", "\x85", "\x9b"])
def test_xml_text_shows_del_and_c1_controls(char):
    """DEL and the C1 controls are legal XML 1.0 but controls all the same (XML 1.0 asks
    authors to avoid them; 0x9b is a terminal's CSI): junit.xml shows them as text."""
    assert xml_text(f"g{char}x") == f"g\\x{ord(char):02x}x"


def test_terminal_text_shows_line_and_paragraph_separators():
    """U+2028 / U+2029 end a line where a log viewer reads Unicode line breaks: one message,
    one line."""
    assert terminal_text("a\u2028b\u2029c") == "a\\u2028b\\u2029c"


def test_markdown_and_the_card_show_line_and_paragraph_separators():
    """summary.md and model_card.md wrote U+2028 / U+2029 raw while the terminal, the CI
    annotations and junit.xml show them as text: the same set everywhere."""
    for shown in (md_escape("a\u2028b\u2029c"), md_code("a\u2028b\u2029c", in_table=False),
                  html_text("a\u2028b\u2029c"), controls_visible("a\u2028b\u2029c")):
        assert "\u2028" not in shown and "\u2029" not in shown
        assert "\\u2028" in shown and "\\u2029" in shown


def test_card_text_isolates_a_right_to_left_label():
    """A Hebrew or Arabic label is its own bidi island (<bdi>) in the HTML card, each part of
    an intersection apart; escaped; a text without such letters is as before."""
    assert card_text("קבוצה 2") == "<bdi>קבוצה 2</bdi>"
    assert card_text("נשים & <i>south</i>") == "<bdi>נשים</bdi> &amp; &lt;i&gt;south&lt;/i&gt;"
    assert card_text("عربي\x1b") == "<bdi>عربي</bdi>\\x1b"
    assert card_text("a & b <i>") == "a & b <i>"  # escaped later, by autoescape


def test_bidi_isolated_cuts_at_the_tools_joins():
    """A gate's name and message join user texts with ' = ', ': ', '; ', ' vs ' and
    brackets: each right-to-left piece is isolated, so that 'מגדר = גברים' cannot show the
    group before the feature."""
    name = bidi_isolated("מגדר & region = גברים & צפון: accuracy >= 0.99")
    assert name == ("<bdi>מגדר</bdi> &amp; region = <bdi>גברים</bdi> &amp; <bdi>צפון</bdi>: "
                    "accuracy &gt;= 0.99")  # fmt: skip
    assert bidi_isolated("(n=3 vs 4) א vs ב") == "(n=3 vs 4) <bdi>א</bdi> vs <bdi>ב</bdi>"
    # card_text's, as Markup: the card's last step shows nothing twice (a name's '\\x0a')
    assert bidi_isolated("plain <b>") == "plain &lt;b&gt;"


def test_a_line_break_in_a_name_is_shown_so_two_groups_never_look_alike():
    """P's #1: the Markdown card wrote 'a\\nb' as 'a b' (md_escape made the break a space) and
    the HTML card left it, which a browser shows as a space: the groups 'a\\nb' and 'a b' read
    alike ('a b vs a b'). A break is shown as the terminal shows it; a declared answer written
    over lines (prose, not a name) still reads as one paragraph."""
    from auditor.report.escape import md_prose

    assert md_escape("a\nb") == "a\\x0ab" != md_escape("a b")
    assert md_escape("a\r\nb") == "a\\x0d\\x0ab"
    assert card_text("a\nb") == "a\\x0ab"
    assert xml_text("a\r\nb\tc") == "a\\x0d\\x0ab\\x09c"
    assert md_prose("line one\nline two\r\nthree") == "line one line two three"


def test_the_cards_the_summary_and_junit_show_two_groups_a_break_apart(tmp_path):
    """Run as a user runs it: groups 'a\\nb' and 'a b' in a predictions CSV, each written
    distinctly in every file the run writes, and on the terminal."""
    import json

    from typer.testing import CliRunner

    from auditor.cli import app
    from auditor.report.render import render_all

    groups = ["a b", "a\nb"]  # 'a\nb' the worst off (named in junit.xml and on the terminal)
    rows = [f'{i % 2},{int((i // 2) % 4 < (1 + 2 * (i % 2)))},"{groups[(i // 2) % 2]}"'
            for i in range(800)]  # fmt: skip
    path = tmp_path / "p.csv"
    path.write_text("y_true,y_pred,sex\n" + "\n".join(rows) + "\n")
    run = tmp_path / "run"
    done = CliRunner().invoke(app, ["audit", "-p", str(path), "--sensitive", "sex", "-o",
                                    str(run), "--exit-zero"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "worst-off a\\x0ab;" in done.output
    for name in ("model_card.md", "summary.md", "model_card.html", "junit.xml"):
        text = (run / name).read_text()
        assert "a\\x0ab" in text, name
    md = (run / "model_card.md").read_text()
    assert "a\\x0ab vs a b" in md or "a b vs a\\x0ab" in md
    html = (run / "model_card.html").read_text()
    assert re.search(r">a\\x0ab<|>a\\x0ab ", html)
    assert "a\nb" not in html  # nor in a chart's labels (<text>, <title>)
    audit = json.loads((run / "audit.json").read_text())
    audit["config"]["transparency"]["declared"]["intended_use"] = "line one\nline two"
    out = tmp_path / "again"
    out.mkdir()
    render_all(audit, out)
    assert "line one line two" in (out / "model_card.md").read_text()
    assert "x0a" not in (out / "model_card.html").read_text().split("line one")[1][:20]
