"""The first screen's fairness tile: its note names the two groups of the worst gap with
their rows (as the gate's line does), and each right-to-left label in it sits in its own
``<bdi>`` (the note went through ``card_text``, which split only at `` & ``: the groups
showed swapped and the brackets mirrored)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

import auditor
from auditor.report.decision import headlines
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from auditor.report.summary import render_summary

FEATURE = "מגדר"
GROUPS = ("צפון", "رجال")


def _audit() -> dict:
    rng = np.random.default_rng(1)
    rows = pd.DataFrame({FEATURE: np.repeat(GROUPS, [150, 90])})
    rows["y_true"] = rng.integers(0, 2, len(rows))
    flip = rng.random(len(rows)) < np.where(rows[FEATURE] == GROUPS[0], 0.1, 0.35)
    rows["y_pred"] = np.where(flip, 1 - rows.y_true, rows.y_true)
    return auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred",
                                     sensitive=FEATURE).data  # fmt: skip


def _tile_note(html: str) -> str:
    (tile,) = [d for d in html.split("<div>") if "Worst equalized-odds gap" in d]
    return tile.split('<span class="note">', 1)[1]


def test_the_gap_tile_isolates_each_right_to_left_label():
    note = _tile_note(render_html(_audit()))
    assert f"<bdi>{FEATURE}</bdi>" in note
    assert re.search(r"<bdi>(צפון|رجال)</bdi> vs <bdi>(צפון|رجال)</bdi>", note), note


def test_the_gap_tile_gives_the_rows_of_its_two_groups():
    """The tile gave '0.220 [0.000, 0.551] (grp (a vs b); ...)' while the gate's line on the
    same gap gave 'n=117 vs 62': a number without its counts."""
    audit = _audit()
    feature = audit["fairness"]["features"][FEATURE]
    gap = feature["disparities"]["equalized_odds_difference"]["between_groups"]
    sizes = {g["group"]: g["n"] for g in feature["groups"]}
    a, b = gap["pair"]
    want = f"({a} vs {b}, n={sizes[a]} vs {sizes[b]})"
    (tile,) = [h for h in headlines(audit) if h.key == "fairness"]
    assert tile.note.startswith(f"{FEATURE} {want}; largest over features")
    assert f"n={sizes[a]} vs {sizes[b]}" in _tile_note(render_html(audit))
    for text in (render_markdown(audit), render_summary(audit)):
        (line,) = [x for x in text.splitlines() if "Worst equalized-odds gap" in x]
        assert f"\u200e\u2068{a}\u2069 vs \u200e\u2068{b}\u2069" in line, line  # isolated
        plain = re.sub("[\u200e\u2068\u2069]", "", line)
        assert want.replace("(", "\\(").replace(")", "\\)") in plain, line
