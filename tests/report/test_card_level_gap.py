"""A level gap (no group worse off) is written in the card's worst-off column so that it
cannot be read as a group's label: it was 'none', as a real group named 'none' (a disability
or religion column) is written."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from auditor.api import audit_predictions


def _card(tmp_path, rates: dict[str, float], name: str) -> tuple[str, str]:
    """model_card.md and .html of an audit of 40 rows per group, each group's selection rate
    its ``rates`` value."""
    yt, yp, g = [], [], []
    for group, rate in rates.items():
        yt += [i % 2 for i in range(40)]
        yp += [int(i < rate * 40) for i in range(40)]
        g += [group] * 40
    frame = pd.DataFrame({"y": yt, "p": yp, "g": g})
    audit_predictions(frame, y_true="y", y_pred="p", sensitive="g", out_dir=tmp_path / name)
    folder = tmp_path / name
    return ((folder / "model_card.md").read_text(encoding="utf-8"),
            (folder / "model_card.html").read_text(encoding="utf-8"))  # fmt: skip


def _dp_row(md: str) -> list[str]:
    [row] = [x for x in md.splitlines() if x.startswith(r"| demographic\_parity\_difference |")]
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_a_level_gap_is_not_written_as_a_group_named_none(tmp_path):
    md, html = _card(tmp_path, {"a": 0.5, "b": 0.5}, "level")
    assert _dp_row(md)[2] == "— (groups level)"
    assert re.search(r'<td><span class="note">— groups level</span></td>', html)
    assert "<td>none</td>" not in html
    md, html = _card(tmp_path, {"none": 0.25, "some": 0.5}, "named")
    assert _dp_row(md)[2] == "none"  # a group so named, as written
    assert "<td>none</td>" in html
    assert np.isfinite(float(_dp_row(md)[1].split()[0]))
