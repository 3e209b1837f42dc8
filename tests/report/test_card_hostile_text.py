"""The card against text an adversary controls everywhere at once (file name, column names,
group labels, run name, declared answers): attribute breakouts, ``javascript:`` URLs, Jinja2
syntax, bidi overrides, remote images and stylesheets. Headless Chromium's DOM holds no
element or attribute auditor did not write, no link leaves the page and nothing is fetched;
Jinja syntax prints as text; a bidi control is shown as its escape, never applied."""

from __future__ import annotations

import csv
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.report.chromium import Chromium, find_chromium

LABELS = ['"><img src=x onerror=alert(1)>', "javascript:alert(2)", "{{ 7*7 }}{% raw %}",
          "\u202egnp.exe\u202c", "<svg onload=alert(3)>", "a\u2066b\u2069", "L" * 5000]  # fmt: skip
COLUMN = '"><script>alert(5)</script>{{ config }}'
FILE = '"><img src=x onerror=alert(6)> {{x}} \u202eq.csv'
CONFIG = """name = "n{{ 7*7 }}\\"><img src=x onerror=alert(7)>"
[transparency.declared]
model_name = "<a href=\\"javascript:alert(8)\\">x</a> {% if true %}IF{% endif %}"
contact = "javascript:alert(9)"
owners = "\\u202eevil\\u202c <img src=https://evil.example/x.png>"
intended_use = "![x](https://evil.example/pixel.png) [click](javascript:alert(10))"
limitations = "<style>body{background:url(https://evil.example/bg.png)}</style>"
"""
CONFIG += 'users = "' + "U" * 5000 + '"\n'  # one word of 5,000 characters
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What the card is made of: anything else in the DOM came from a user string.
TAGS = {"a", "body", "br", "caption", "circle", "code", "details", "div", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "head", "header", "html", "li", "line", "main",
        "meta", "nav", "p", "path", "polyline", "pre", "rect", "section", "small", "span",
        "strong", "style", "summary", "svg", "table", "tbody", "td", "text", "th", "thead",
        "title", "tr", "ul", "ol", "em", "g", "tfoot", "col", "colgroup", "sup", "sub", "hr",
        "dl", "dt", "dd", "abbr", "b", "i", "kbd", "polygon", "tspan", "wbr"}  # fmt: skip


class _Markup(HTMLParser):
    """Every element's tag and attributes (text, escaped or not, is no markup)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += [(name, value or "") for name, value in attrs]


def _assert_only_own_markup(html: str) -> None:
    markup = _Markup(html)
    assert markup.tags <= TAGS, markup.tags - TAGS
    names = {name for name, _ in markup.attrs}
    assert not {n for n in names if n.startswith("on")}, names
    assert not names & {"src", "srcset", "action", "formaction", "poster", "background"}
    assert {v[:1] for n, v in markup.attrs if n == "href"} == {"#"}  # links stay in the page
    # the only URL in markup is SVG's namespace name; the user's URLs are text
    assert all("://" not in v or v == "http://www.w3.org/2000/svg" for _, v in markup.attrs)


@pytest.fixture(scope="module")
def hostile_card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from auditor.cli import app

    folder = tmp_path_factory.mktemp("hostile-card")
    with open(folder / FILE, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["label", "pred", "score", COLUMN])
        for i in range(60 * len(LABELS)):
            writer.writerow(["approved" if i % 3 else "denied", "approved" if i % 4 else "denied",
                             (i % 10) / 10, LABELS[i % len(LABELS)]])  # fmt: skip
    (folder / "c.toml").write_text(CONFIG, encoding="utf-8")
    args = ["audit", "-p", str(folder / FILE), "--sensitive", COLUMN, "--y-true", "label",
            "--y-pred", "pred", "--y-score", "score", "--positive-label", "approved",
            "--min-group-size", "5", "--config", str(folder / "c.toml"), "--out",
            str(folder / "run"), "--exit-zero"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return folder / "run"


def test_user_text_is_text_in_the_html_and_markdown(hostile_card):
    html = (hostile_card / "model_card.html").read_text(encoding="utf-8")
    md = (hostile_card / "model_card.md").read_text(encoding="utf-8")
    for body in (html, md):
        assert not BIDI.search(body), repr(BIDI.search(body))  # shown as \u202e, never applied
        assert "\\u202egnp.exe\\u202c" in body
    assert "{{ 7*7 }}{% raw %}" in html and "IF{% endif %}" in html  # Jinja syntax: as text
    assert "<img" not in html and "<script" not in html and "<svg onload" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    _assert_only_own_markup(html)


CHROMIUM = find_chromium()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_chromium_runs_and_fetches_nothing(hostile_card, tmp_path):
    page = hostile_card / "model_card.html"
    with Chromium(CHROMIUM) as browser:
        report = browser.open_offline(page, schemes=("light",))
    assert report.outgoing() == [] and report.console_errors == []
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", f"--user-data-dir={tmp_path}", "--dump-dom",
         page.as_uri()],
        check=True, capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    assert "<main>" in dom
    # <title> is text-only (RCDATA): Chromium serializes its text unescaped
    dom = re.sub(r"<title>.*?</title>", "<title></title>", dom, flags=re.S)
    _assert_only_own_markup(dom)


def test_a_very_long_label_can_wrap_in_the_html(hostile_card):
    """A 5,000-character text made the page 42,000 px wide: in HTML it has a break
    opportunity every BREAK_EVERY characters (copying it still gives the label whole);
    Markdown keeps it as it is."""
    from auditor.report.escape import BREAK_EVERY

    html = (hostile_card / "model_card.html").read_text(encoding="utf-8")
    md = (hostile_card / "model_card.md").read_text(encoding="utf-8")
    whole, rest = divmod(5000, BREAK_EVERY)
    assert "U" * (BREAK_EVERY + 1) not in html
    assert "<wbr>".join(["U" * BREAK_EVERY] * whole + ["U" * rest]) in html
    assert "U" * 5000 in md


def test_card_text_breaks_only_long_runs_and_escapes_every_piece():
    from markupsafe import Markup

    from auditor.report.escape import BREAK_EVERY, LONG_RUN, card_text

    assert card_text("a <b> " + "x" * (LONG_RUN - 1)) == "a <b> " + "x" * (LONG_RUN - 1)  # as is
    out = card_text("<i> " + "<" * 3 * BREAK_EVERY + " &")
    assert isinstance(out, Markup)
    chunk = "&lt;" * BREAK_EVERY
    assert out == "&lt;i&gt; " + "<wbr>".join([chunk] * 3) + " &amp;"
    assert card_text("\x1b" + "y" * LONG_RUN).startswith("\\x1b")  # controls still shown
    assert card_text(Markup("<svg>" + "z" * LONG_RUN)) == Markup("<svg>" + "z" * LONG_RUN)


def test_a_label_cut_to_80_characters_can_wrap():
    """A label cut to its 80 shown characters without a space (``gates.names.shorten``) was
    one unbreakable word: it pushed the nine-column per-group table 110 px past the page."""
    from auditor.gates.names import shorten
    from auditor.report.escape import BREAK_EVERY, card_text

    cut = shorten("L" * 300)
    assert len(cut) <= 81 and "<wbr>" in card_text(cut)
    assert all(len(piece) <= BREAK_EVERY for piece in str(card_text(cut)).split("<wbr>"))
