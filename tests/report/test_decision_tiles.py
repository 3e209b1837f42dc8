"""The first screen's fairness tile: its note names the two groups of the worst gap with
their rows (as the gate's line does), and each right-to-left label in it sits in its own
``<bdi>`` (the note went through ``card_text``, which split only at `` & ``: the groups
showed swapped and the brackets mirrored)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

import auditor
from auditor.report.html import render_html

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
