"""A line break or a tab is shown (``\\x0a``, ``\\x09``) in a name only: a group, a column, a
model's name in a title. The tool's own lines (the load snippet, the citation) keep their
breaks, and prose a user wrote (a declared answer, a not-applicable reason) is one paragraph,
in both cards (R5 #1-#4, MP's #2)."""

from __future__ import annotations

import copy
import html
import json
import re

import jinja2
import pytest
from markdown_it import MarkdownIt

from auditor.report.escape import (
    card_lines,
    html_text,
    md_code,
    md_escape,
    md_fence,
    md_prose,
    xml_text,
)
from auditor.report.markdown import render_markdown
from auditor.report.templating import environment
from tests.report.conftest import payload_table

COLUMN = "se\tx"  # a tab in a column's name
GROUPS = {"b": "a b", "<img src=x onerror=alert(4)>": "a\nb"}


@pytest.fixture(scope="module")
def names_run(tmp_path_factory):
    """A small table run with a model: groups 'a b' and 'a\\nb', the column 'se\\tx', a model
    name over two lines, a declared answer and a not-applicable reason written over lines."""
    from auditor.api import run
    from auditor.config import (
        AuditConfig,
        DeclaredAnswers,
        FinetuneConfig,
        PretrainConfig,
        PrivacyConfig,
        TableData,
        TransparencyConfig,
    )

    folder = tmp_path_factory.mktemp("names-run")
    table = payload_table(400)
    table.columns = [COLUMN, "x1", "x2", "y"]
    table[COLUMN] = table[COLUMN].map(GROUPS)
    table.to_csv(folder / "t.csv", index=False)
    declared = DeclaredAnswers(intended_use="over\ntwo lines", model_name="two\nline\tname",
                               limitations="tabbed\tand\r\nbroken")  # fmt: skip
    config = AuditConfig(
        name="names",
        data=TableData(path=folder / "t.csv", target="y", sensitive=[COLUMN]),
        pretrain=PretrainConfig(objective="masked_reconstruction", epochs=1, batch_size=128),
        finetune=FinetuneConfig(epochs=2, batch_size=64),
        privacy=PrivacyConfig(enabled=False),
        transparency=TransparencyConfig(declared=declared,
                                        not_applicable={"data_license": "no data\nlicense"}),
    )  # fmt: skip
    run(config, out_dir=folder / "run", progress=False, command="test")
    return folder / "run"


def _pre_blocks(page: str) -> list[str]:
    return [html.unescape(re.sub("<wbr>", "", b))
            for b in re.findall(r"<pre><code>(.*?)</code></pre>", page, re.S)]  # fmt: skip


def test_the_html_cards_snippet_runs_and_its_citation_keeps_its_lines(names_run):
    """R5 #1: d0f34d2 made every line break of the HTML card '\\x0a', the tool's snippet and
    citation too: one line of invalid Python, a BibTeX entry on one line."""
    snippet, citation = _pre_blocks((names_run / "model_card.html").read_text())
    assert "\\x0a" not in snippet and "\n" in snippet
    scope: dict = {}
    exec(snippet.replace('Path("RUN_DIR")', f"Path({str(names_run)!r})"), scope)  # noqa: S102
    assert scope["model"].training is False
    lines = citation.splitlines()
    assert lines[0].startswith("@misc{") and lines[-1] == "}", citation
    assert "  title  = {Model card: two line name}," in lines  # BibTeX's own one-line rule


def test_prose_is_one_paragraph_and_the_tools_text_shows_no_break(names_run):
    """R5 #2: a declared answer (checklist evidence) and a not-applicable reason read as the
    Intended use section reads them, in both cards; no other '\\x0a' or '\\x09' than a name's."""
    page = (names_run / "model_card.html").read_text()
    md = (names_run / "model_card.md").read_text()
    for text in (page, md):
        assert "over two lines" in text and "over\\x0atwo" not in text
        assert "no data license" in text and "data\\x0alicense" not in text
        assert "tabbed and broken" in text and "\\x09and" not in text
        rest = text.replace("a\\x0ab", "").replace("se\\x09x", "")
        rest = rest.replace("two\\x0aline\\x09name", "")
        assert not re.search(r"\\x0[9ad]", rest), re.search(r".{60}\\x0[9ad].{20}", rest)


def test_a_name_shows_its_break_and_tab_everywhere_in_the_html_card(names_run):
    """R5 #3 and MP's #2: <title> and a table region's aria-label were escaped with `| e`, which
    left a raw break (a space to a screen reader); a tab read as a space everywhere."""
    page = (names_run / "model_card.html").read_text()
    assert "<title>Model card: two\\x0aline\\x09name</title>" in page
    assert "<h1>Model card: two\\x0aline\\x09name</h1>" in page
    labels = re.findall(r'aria-label="([^"]*)"', page)
    assert any("se\\x09x" in label for label in labels), labels
    assert not any(re.search("[\t\r\n]", label) for label in labels)
    assert re.search(r">a\\x0ab<|>a\\x0ab ", page)
    body = page.split("<body>")[1]
    assert not re.search(r"se\tx|a\nb", body)
    md = (names_run / "model_card.md").read_text()
    assert "se\\x09x" in md and "a\\x0ab" in md


def test_summary_md_spells_a_break_one_way(names_run):
    """R5 #4: md_code wrote '\\n' where md_escape wrote '\\x0a', in one summary.md (and '\\n'
    reads as a group literally named backslash-n)."""
    summary = (names_run / "summary.md").read_text()
    assert "a\\x0ab" in summary
    assert "a\\nb" not in summary and "se\\tx" not in summary


def test_one_rule_for_a_break_and_a_tab_in_a_name():
    for shown in (md_escape, xml_text, html_text):
        assert shown("a\nb\tc\r") == "a\\x0ab\\x09c\\x0d"
    assert md_code("a\nb\tc\r") == "`a\\u000ab\\u0009c\\u000d`"  # a path: a TOML string's way
    assert md_prose("a\tb\nc") == "a b c"
    assert str(card_lines("x = 1\ny = '<b>'")) == "x = 1\ny = &#39;&lt;b&gt;&#39;"


def test_the_markdown_cards_snippet_and_citation_show_as_written(names_run):
    """R9 #7: the Markdown card wrote '&', '<' and '>' in its code fences as entities, which a
    fence shows as they are: the citation's title read 'A \\&amp; B &lt;c&gt;'. A fence is
    inert already; a backtick (a run as long as the fence would close it) was written "'"."""
    audit = copy.deepcopy(json.loads((names_run / "audit.json").read_text()))
    audit["config"]["transparency"]["declared"]["model_name"] = "A & B <c> ```` `x`"
    ckpt = audit["model"]["checkpoints"]["finetuned"]
    ckpt["path"] = "a & <b>/```` `c`.pt"
    tokens = MarkdownIt("commonmark").parse(render_markdown(audit))
    blocks = {t.info: t.content for t in tokens if t.type == "fence"}
    assert set(blocks) == {"python", "bibtex"}, blocks
    assert "Path(\"RUN_DIR\") / 'a & <b>/```` `c`.pt')" in blocks["python"]
    assert "  title  = {Model card: A \\& B <c> ```` `x`}," in blocks["bibtex"].splitlines()


def test_a_fence_is_longer_than_any_backtick_run_in_its_text():
    """R9 #7: nothing in a fence is escaped; only its end cannot be written by the text."""
    md = MarkdownIt("commonmark")
    for text in ("x", "a ``` b", "```\n````` x\n`", "<script>&amp;</script>\n\ty = 1"):
        tokens = [t for t in md.parse(md_fence(text, "python")) if t.type == "fence"]
        assert [(t.info, t.content) for t in tokens] == [("python", text + "\n")]


def test_the_tools_own_lines_keep_every_line_end_and_tab_in_the_html_card():
    """R9 #4: card_lines kept '\\n' only: a CR LF line ended in '\\x0d', a tab indent read
    '\\x09' (not Python); a name's tab in a piece is still shown by the card's last step."""
    assert str(card_lines("a\r\nb\rc\n\tx = '<b>'")) == "a\nb\nc\n\tx = &#39;&lt;b&gt;&#39;"


def test_jinjas_attr_filter_is_left_as_it_is():
    """R9 #3: the attribute filter was registered as 'attr', replacing Jinja's own."""
    for markdown in (False, True):
        assert environment(markdown).filters["attr"] is jinja2.Environment().filters["attr"]
