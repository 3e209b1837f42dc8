"""The membership ROC tells its curves apart without colour: a dash pattern and a marker
shape per attack, in the curve and in its legend entry."""

from __future__ import annotations

import re

from auditor.report.privacy_plots import _DASHES, _SHAPES, roc_loglog_svg


def test_each_curve_has_its_own_dash_and_marker():
    curves = [
        {"label": f"attack {i}", "fpr": [0.0, 0.001, 0.01, 0.1, 1.0],
         "tpr": [0.0, 0.002, 0.02, 0.2, 1.0]}
        for i in range(4)
    ]  # fmt: skip
    svg = str(roc_loglog_svg(curves))
    assert len(set(_DASHES[:4])) == 4 and len(set(_SHAPES[:4])) == 4
    for i in range(4):
        assert f"svg.roc .s{i}{{stroke:" in svg and f"stroke-dasharray:{_DASHES[i]}" in svg
        markers = re.findall(rf'<(?:path|circle) class="m s{i}"', svg)
        assert 2 <= len(markers) <= 8  # on the curve and in the legend
    assert '<circle class="m s0"' in svg and '<path class="m s1"' in svg  # circle, square


def test_labels_are_escaped():
    svg = str(roc_loglog_svg([{"label": "<b>x</b>", "fpr": [0.1], "tpr": [0.2]}]))
    assert "<b>" not in svg and "&lt;b&gt;" in svg
