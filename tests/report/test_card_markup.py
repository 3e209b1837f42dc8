"""The HTML card of a predictions file whose group labels break out of text, attributes and
script (``</script><img ...>``, ``"'><svg onload=...>``), read by an HTML parser: only the
elements and attributes the templates write, no event handler, no script, nothing loaded
from anywhere (every link is to the card itself)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from auditor.cli import exit_code_of

LABELS = ("</script><img src=x onerror=alert(1)>", "\"'><svg onload=alert(2)>",
          "' title='x' onmouseover='alert(3)", "<a href=https://example.com>x</a>")  # fmt: skip
# What the templates and the SVG charts write; anything else came from the data.
ELEMENTS = {
    "a", "body", "br", "caption", "circle", "code", "details", "div", "figcaption", "figure",
    "footer", "g", "h1", "h2", "h3", "head", "header", "html", "li", "line", "main", "meta",
    "nav", "p", "path", "polyline", "pre", "rect", "section", "small", "span", "strong",
    "style", "summary", "svg", "table", "tbody", "td", "text", "th", "thead", "title", "tr",
    "ul", "ol", "em", "tspan", "polygon", "dl", "dt", "dd", "abbr", "sup", "sub", "hr", "wbr",
}  # fmt: skip


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: set[str] = set()
        self.handlers: list[tuple[str, str]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.add(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster"):
                self.links.append(value or "")


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("markup")
    rows = ["y_true,y_pred,score,grp"]
    for i in range(80 * len(LABELS)):
        label = LABELS[i % len(LABELS)].replace('"', '""')
        rows.append(f'{i % 3 > 0:d},{i % 4 > 0:d},{(i % 10) / 10},"{label}"')
    (folder / "p.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = ["audit", "-p", str(folder / "p.csv"), "--sensitive", "grp", "--y-score", "score",
            "--out", str(folder / "run"), "--exit-zero"]  # fmt: skip
    assert exit_code_of(args) == 0
    return (folder / "run" / "model_card.html").read_text(encoding="utf-8")


def test_group_labels_add_no_element_handler_or_link(card):
    parser = _Markup()
    parser.feed(card)
    assert parser.elements <= ELEMENTS, parser.elements - ELEMENTS
    assert parser.handlers == []
    assert all(link.startswith("#") for link in parser.links), parser.links
    assert "alert(1)" in card and "alert(2)" in card  # the labels are shown, as text


def test_the_card_loads_nothing(card):
    for needle in ("<script", "<link", "<iframe", "<img", "@import", "url(", "<object"):
        assert needle not in card.lower(), needle
