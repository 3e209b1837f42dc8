"""The HTML card in headless Chromium with the network cut: no console error, no outgoing
request; full-page screenshots in light, dark and print. A page that does make a request
and logs an error proves the harness catches both."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.report.chromium import Chromium, find_chromium

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (Debian/Ubuntu: apt-get install -y chromium)",
    ),
]

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def browser():
    with Chromium(CHROMIUM) as b:
        yield b


def _save(report, name: str) -> None:
    """Keep the screenshots where a person can look at them (AUDITOR_SCREENSHOTS=folder)."""
    folder = os.environ.get("AUDITOR_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for scheme, tiles in report.tiles.items():
            for i, png in enumerate(tiles):
                (Path(folder) / f"{name}_{scheme}_{i}.png").write_bytes(png)


def test_harness_catches_requests_and_console_errors(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://cdn.example.com/x.css">'
        '</head><body><img src="http://example.invalid/pixel.png">'
        '<script>console.error("deliberate error")</script></body></html>',
        encoding="utf-8",
    )
    report = browser.open_offline(page, schemes=("light",))
    assert "http://example.invalid/pixel.png" in report.outgoing()
    assert "https://cdn.example.com/x.css" in report.outgoing()
    assert any("deliberate error" in e for e in report.console_errors)


def test_harness_passes_a_clean_page(browser, tmp_path):
    page = tmp_path / "ok.html"
    page.write_text("<!DOCTYPE html><html><body><p>fine</p></body></html>", encoding="utf-8")
    report = browser.open_offline(page, schemes=("light",))
    assert report.outgoing() == [] and report.console_errors == []


@pytest.mark.parametrize("run", ["digits_run", "payload_run"])
def test_card_offline_without_errors(browser, run, request):
    result = request.getfixturevalue(run)
    report = browser.open_offline(result.run_dir / "model_card.html")
    assert report.outgoing() == [], report.outgoing()
    assert report.console_errors == [], report.console_errors
    assert set(report.screenshots) == {"light", "dark", "print"}
    for png in report.screenshots.values():
        assert png.startswith(PNG) and len(png) > 20_000
    assert report.screenshots["light"] != report.screenshots["dark"]
    assert all(report.tiles[s] for s in ("light", "dark", "print"))
    _save(report, run)


# Each table's place: tables outside a scroll region, and per region its role, name,
# tabindex, whether it scrolls (its table is wider than it) and its overflow-x; captions
# wider than their region (to be read by scrolling).
REGIONS = """JSON.stringify({
  bare: [...document.querySelectorAll('table')]
    .filter(t => !t.parentElement.classList.contains('table-scroll')).length,
  regions: [...document.querySelectorAll('.table-scroll')].map(d => [
    d.getAttribute('role'), d.getAttribute('aria-label'), d.getAttribute('tabindex'),
    d.scrollWidth > d.clientWidth, getComputedStyle(d).overflowX]),
  wide_captions: [...document.querySelectorAll('.table-scroll caption')]
    .filter(c => c.getBoundingClientRect().width > c.parentElement.parentElement.clientWidth + 1)
    .map(c => c.textContent.slice(0, 40))})"""


@pytest.mark.parametrize("run", ["digits_run", "payload_run"])
def test_card_fits_a_narrow_window_and_its_tables_scroll(browser, run, request):
    """At 800 px the digits card stuck out 91 px (its training table), at 375 px (a phone)
    516 px. Every table is in a named, focusable region that scrolls sideways on its own;
    the page never does; print shows each table whole (nothing to scroll on paper)."""
    page = request.getfixturevalue(run).run_dir / "model_card.html"
    for width in (1200, 800, 375):
        assert browser.overflow(page, width=width) == 0, width
    found = json.loads(browser.evaluate(page, REGIONS, width=375))
    assert found["bare"] == 0 and found["regions"]
    for role, name, tabindex, _scrolls, overflow in found["regions"]:
        assert (role, tabindex, overflow) == ("region", "0", "auto") and name.strip()
    assert any(scrolls for *_, scrolls, _overflow in found["regions"])  # a phone needs it
    assert found["wide_captions"] == []  # a caption stays in view as its table scrolls
    printed = json.loads(browser.evaluate(page, REGIONS, width=375, media="print"))
    assert {overflow for *_, overflow in printed["regions"]} == {"visible"}


def test_print_captions_are_no_larger_than_the_text(browser, digits_run):
    """In print the text is 9.5 px; a figure's caption was 13.6 px (.85rem of the screen's
    16): as large as a heading beside the tables it explains."""
    script = """JSON.stringify([...document.querySelectorAll('figcaption')].map(c =>
      parseFloat(getComputedStyle(c).fontSize)
      / parseFloat(getComputedStyle(document.body).fontSize)))"""
    page = digits_run.run_dir / "model_card.html"
    ratios = json.loads(browser.evaluate(page, script, width=711, media="print"))
    assert ratios and max(ratios) <= 1.0


def _pages(html_file: Path, pdf: Path) -> int:
    """Pages of Chromium's print of a card (A4/Letter as Chromium defaults, no header)."""
    import re
    import subprocess

    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", html_file.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_digits_card_prints_in_ten_pages(digits_run, tmp_path):
    """Issue 14: passed gates and long per-group tables fold in print (each named by its
    summary); the digits card prints in at most 10 pages."""
    pages = _pages(digits_run.run_dir / "model_card.html", tmp_path / "card.pdf")
    assert 1 < pages <= 10


def test_long_labels_keep_the_card_in_the_page(browser, tmp_path):
    """Labels of 300 capitals without a space (cut to 80 characters) and their intersections:
    every table of the card, folded ones opened, stays within a 1,200 px window (the
    per-group table stuck out 110 px), and the page within 800 and 375 px ones (its tables
    scroll in their regions; a heading of the label wraps)."""
    import numpy as np
    import pandas as pd

    import auditor
    from auditor.report.html import render_html

    rng = np.random.default_rng(1)
    labels = ["L" * 300, "a|b", "<script>x</script>", "R&D", "short"]
    rows = pd.DataFrame({"g": np.repeat(labels, 60), "h": rng.choice(["## Head|2", "ok"], 300)})
    rows["y_true"] = rng.integers(0, 2, len(rows))
    rows["p"] = np.clip(rows.y_true * 0.3 + rng.random(len(rows)) * 0.7, 0, 1)
    rows["y_pred"] = (rows.p > 0.5).astype(int)
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred", y_score="p",
                                      sensitive=["g", "h"]).data  # fmt: skip
    page = tmp_path / "card.html"
    page.write_text(render_html(audit), encoding="utf-8")
    for width in (1200, 800, 375):  # a laptop, a narrow window, a phone
        assert browser.overflow(page, width=width) == 0, width


# Where a word starts on the screen, in the first element of `sel` whose text holds `has`.
WORD_X = """(() => { const el = [...document.querySelectorAll(SEL)]
  .find(e => e.textContent.includes(HAS));
  const x = w => { const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT); let n;
    while ((n = walk.nextNode())) { const i = n.data.indexOf(w); if (i >= 0) {
      const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + w.length);
      return r.getBoundingClientRect().left; } } return null; };
  return JSON.stringify(WORDS.map(x)); })()"""


def test_right_to_left_labels_keep_the_sentence_in_order(browser, tmp_path):
    """A Hebrew feature and group in a gate's line: 'מגדר = גברים' was shown with the group
    left of the feature ('גברים = מגדר'), and the intersection 'נשים & צפון' as 'צפון &
    נשים'. Each label is now isolated (<bdi>): they read in the line's order."""
    import numpy as np
    import pandas as pd

    import auditor
    from auditor.config import AuditConfig, GateRule, GatesConfig
    from auditor.report.html import render_html

    rng = np.random.default_rng(3)
    rows = pd.DataFrame({"מגדר": rng.choice(["נשים", "גברים"], 400),
                         "region": rng.choice(["צפון", "south"], 400)})  # fmt: skip
    rows["y_true"] = rng.integers(0, 2, len(rows))
    rows["y_pred"] = np.where(rng.random(len(rows)) < 0.7, rows.y_true, 1 - rows.y_true)
    rule = GateRule(metric="fairness.features.*.groups[*].metrics.accuracy", min=0.99)
    config = AuditConfig(gates=GatesConfig(rules=[rule]))
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred", config=config,
                                      sensitive=["מגדר", "region"]).data  # fmt: skip
    page = tmp_path / "card.html"
    page.write_text(render_html(audit), encoding="utf-8")

    def xs(has: str, words: list[str]) -> list[float]:
        script = (WORD_X.replace("SEL", json.dumps(".problems li"))
                  .replace("HAS", json.dumps(has)).replace("WORDS", json.dumps(words)))  # fmt: skip
        return json.loads(browser.evaluate(page, script))

    feature, group = xs("= גברים:", ["מגדר", "גברים"])
    assert feature < group
    first, second = xs("= נשים & צפון:", ["נשים", "צפון"])
    assert first < second
