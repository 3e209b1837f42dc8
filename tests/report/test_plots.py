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


def test_a_card_of_many_groups_draws_a_readable_selection(tmp_path):
    """300 groups: the bar chart drew 300 bars (990 zip codes: 22,000 pixels), the threshold
    sweep 300 lines in 10 repeating styles with a 300-line legend, and both per-group tables
    were open. Now the chart draws the 20 lowest and 20 highest selection rates of the
    groups with enough data, the sweep the 10 largest groups, each caption says so, and the
    tables (every group) are folded."""
    import re

    import numpy as np

    from auditor.cli import exit_code_of
    from auditor.report.plots import MAX_BARS, MAX_SWEEP_LINES
    from tests.builders import predictions_frame

    frame = predictions_frame(9000, seed=3)
    rng = np.random.default_rng(3)
    frame["zip"] = [f"z{i:03d}" for i in rng.integers(0, 300, len(frame))]
    frame.loc[frame["zip"] == "z007", "zip"] = "tiny"  # one group, then cut to 5 rows
    frame = frame.drop(frame.index[frame["zip"] == "tiny"][5:])
    frame.to_csv(tmp_path / "p.csv", index=False)
    args = ["audit", "-p", str(tmp_path / "p.csv"), "--sensitive", "zip", "--y-true", "label",
            "--y-pred", "pred", "--y-score", "score", "--positive-label", "approved",
            "--out", str(tmp_path / "run"), "--exit-zero"]  # fmt: skip
    assert exit_code_of(args) == 0
    html = (tmp_path / "run" / "model_card.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", html, flags=re.S)
    [bars] = [s for s in svgs if "selection_rate by group" in s]
    rates = [float(x) for x in re.findall(r"<title>[^<]*\(n=\d+\): ([\d.]+)</title>", bars)]
    assert len(rates) == MAX_BARS and rates == sorted(rates)
    assert "(n=5)" not in bars  # a group below min_group_size is never an extreme
    assert f"{MAX_BARS} of 300 groups drawn: the lowest and the highest" in html
    [sweep] = re.findall(r"<svg class=\"chart sweep\".*?</svg>", html, flags=re.S)
    assert len(re.findall(r"<polyline", sweep)) == 3 * MAX_SWEEP_LINES
    assert f"The {MAX_SWEEP_LINES} largest of" in html
    assert "<details open><summary>Per-group metrics" not in html
    assert html.count("<tr><th scope=\"row\">z") >= 2 * 299  # both tables: every group
