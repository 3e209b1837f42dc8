"""The card's SVG plots draw what a read-back audit.json holds, and skip what they cannot
place: a null or negative count, a null confidence or threshold (a hand-edited file crashed
the whole card with a math domain error or a TypeError)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from auditor.report.plots import reliability_svg, threshold_sweep_svg


def _parsed(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def test_reliability_skips_what_it_cannot_place():
    bins = [
        {"lower": 0.0, "upper": 0.5, "n": -5, "mean_confidence": 0.2, "accuracy": 0.3},
        {"lower": 0.5, "upper": 0.8, "n": 4, "mean_confidence": None, "accuracy": 0.6},
        {"lower": 0.8, "upper": 1.0, "n": 6, "mean_confidence": 0.9, "accuracy": 0.8},
    ]
    svg = _parsed(reliability_svg(bins))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{ns}rect[@class='bar']")) == 2  # the two bins with rows
    assert len(svg.findall(f"{ns}circle[@class='dot']")) == 1  # the one with a confidence


def test_threshold_sweep_skips_a_null_threshold():
    grid = [0.1, None, 0.5, 0.9]
    curves = [{"group": "F", "selection_rate": [0.9, 0.7, 0.5, 0.1], "tpr": [1, 0.9, 0.6, 0.2],
               "fpr": [0.8, 0.5, 0.3, 0.0]}]  # fmt: skip
    svg = _parsed(threshold_sweep_svg(grid, curves, title="sweep"))
    ns = "{http://www.w3.org/2000/svg}"
    points = [p.get("points") for p in svg.iter(f"{ns}polyline")]
    assert len(points) == 3 and all(len(p.split()) == 3 for p in points)
