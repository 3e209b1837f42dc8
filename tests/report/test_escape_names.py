"""A line break or a tab is shown (``\\x0a``, ``\\x09``) in a name only: a group, a column, a
model's name in a title. The tool's own lines (the load snippet, the citation) keep their
breaks, and prose a user wrote (a declared answer, a not-applicable reason) is one paragraph,
in both cards (R5 #1-#4, MP's #2)."""

from __future__ import annotations

import html
import re

import pytest

from auditor.report.escape import html_text, md_code, md_escape, md_prose, xml_text
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
    from auditor.report.escape import card_lines

    for shown in (md_escape, xml_text, html_text, lambda v: md_code(v)[1:-1]):
        assert shown("a\nb\tc\r") == "a\\x0ab\\x09c\\x0d"
    assert md_prose("a\tb\nc") == "a b c"
    assert str(card_lines("x = 1\ny = '<b>'")) == "x = 1\ny = &#39;&lt;b&gt;&#39;"
