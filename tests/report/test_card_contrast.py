"""The card's colours: every text colour on the page's background and on a panel (table
heads, the decision box, 'not run' notes) keeps WCAG AA's 4.5:1, in the light and dark
themes and in print (which overrides some of the light theme's colours)."""

from __future__ import annotations

import re

import pytest

from auditor.report.templating import templates_dir

TEXT = ("fg", "muted", "accent", "ok", "fail", "warn", "na")


def _themes() -> dict[str, dict[str, str]]:
    css = (templates_dir() / "card.css").read_text(encoding="utf-8")
    blocks = [dict(re.findall(r"--(\w+):\s*(#[0-9a-fA-F]{3,6})", b))
              for b in re.findall(r":root\s*\{([^}]*)\}", css)]  # fmt: skip
    light, dark, printed = blocks  # as card.css declares them: light, dark, print
    return {"light": light, "dark": dark, "print": {**light, **printed}}


def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    rgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark", "print"])
def test_text_colours_keep_aa_contrast(theme):
    """'not run' (--na) on a panel was 4.27:1 in the light theme, a warning on a printed
    panel 4.39:1."""
    colours = _themes()[theme]
    low = {
        f"{text} on {ground}": round(_contrast(colours[text], colours[ground]), 2)
        for text in TEXT for ground in ("bg", "panel")
        if _contrast(colours[text], colours[ground]) < 4.5
    }  # fmt: skip
    assert low == {}
