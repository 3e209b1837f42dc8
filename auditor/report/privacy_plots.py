"""Membership-inference ROC on log-log axes as inline SVG (no script, no external reference).
Labels are escaped here; the returned ``Markup`` is safe in an HTML template. Curves differ
by colour, dash pattern and marker shape, so they stay apart in grey print and for readers
who do not tell the colours apart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from auditor.report.escape import svg_escape

_SERIES = ("s0", "s1", "s2", "s3", "s4", "s5")
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
_DASHES = ("none", "7 3", "2 2", "9 3 2 3", "4 4", "1 3")
_SHAPES = ("circle", "square", "triangle", "diamond", "cross", "plus")
_STYLE = "".join(
    f"svg.roc .{c}{{stroke:{k};stroke-width:1.8;stroke-dasharray:{d}}}"
    f"svg.roc .m.{c}{{fill:{k};stroke-dasharray:none}}"
    for c, k, d in zip(_SERIES, _COLOURS, _DASHES, strict=True)
)
_MAX_MARKERS = 7


# Each shape as a path over unit offsets (multiplied by the radius): M moves, L draws.
_SHAPE_PATHS = {
    "square": (("M", -1, -1), ("L", 1, -1), ("L", 1, 1), ("L", -1, 1), ("Z",)),
    "triangle": (("M", 0, -1.2), ("L", 1.1, 1), ("L", -1.1, 1), ("Z",)),
    "diamond": (("M", 0, -1.3), ("L", 1.3, 0), ("L", 0, 1.3), ("L", -1.3, 0), ("Z",)),
    "cross": (("M", -1, -1), ("L", 1, 1), ("M", -1, 1), ("L", 1, -1)),
    "plus": (("M", -1.2, 0), ("L", 1.2, 0), ("M", 0, -1.2), ("L", 0, 1.2)),
}


def marker(shape: str, x: float, y: float, cls: str, r: float = 3.2) -> str:
    """One marker of a series: circle, square, triangle, diamond, cross or plus at (x, y)."""
    if shape not in _SHAPE_PATHS:
        return f'<circle class="m {cls}" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
    d = "".join(
        step[0] if len(step) == 1 else f"{step[0]}{x + r * step[1]:.1f} {y + r * step[2]:.1f}"
        for step in _SHAPE_PATHS[shape]
    )
    return f'<path class="m {cls}" d="{d}"/>'


def _markers(pts: list[tuple[float, float]], shape: str, cls: str) -> list[str]:
    """At most :data:`_MAX_MARKERS` markers spread along a curve (its ends included)."""
    if not pts:
        return []
    step = max(1, math.ceil((len(pts) - 1) / (_MAX_MARKERS - 1))) if len(pts) > 1 else 1
    picked = pts[::step] + ([pts[-1]] if (len(pts) - 1) % step else [])
    return [marker(shape, x, y, cls) for x, y in picked]


def roc_loglog_svg(
    curves: Sequence[dict[str, Any]],
    *,
    title: str = "Membership inference ROC (log-log)",
    size: int = 320,
    floor: float = 1e-4,
) -> Markup:
    """curves: [{label, fpr: [...], tpr: [...]}]; zero rates are drawn at ``floor``. The
    diagonal is the chance line (TPR = FPR)."""
    pad_l, pad_b, pad_t, pad_r = 44, 34, 12, 12
    w, h = size + 150, size
    inner_w, inner_h = size - pad_l - pad_r, h - pad_t - pad_b
    lo = math.log10(floor)

    def sx(v: float) -> float:
        return pad_l + (math.log10(max(v, floor)) - lo) / -lo * inner_w

    def sy(v: float) -> float:
        return pad_t + inner_h - (math.log10(max(v, floor)) - lo) / -lo * inner_h

    parts = [
        f'<svg class="chart roc" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{svg_escape(title)}</title>',
        f"<style>{_STYLE}</style>",
        f'<rect class="frame" x="{pad_l}" y="{pad_t}" width="{inner_w}" height="{inner_h}"/>',
        f'<line class="ref" x1="{sx(floor):.1f}" y1="{sy(floor):.1f}" '
        f'x2="{sx(1):.1f}" y2="{sy(1):.1f}"/>',
    ]
    decades = range(int(lo), 1)
    for d in decades:
        v = 10.0**d
        parts.append(
            f'<text x="{sx(v):.1f}" y="{h - pad_b + 14}" text-anchor="middle">{v:g}</text>'
        )
        parts.append(f'<text x="{pad_l - 4}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    parts.append(f'<text x="{pad_l + inner_w / 2:.1f}" y="{h - 4}" text-anchor="middle">FPR</text>')
    parts.append(
        f'<text x="10" y="{pad_t + inner_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 10 {pad_t + inner_h / 2:.1f})">TPR</text>'
    )
    for i, c in enumerate(curves):
        fpr, tpr = list(c.get("fpr") or []), list(c.get("tpr") or [])
        xy = [
            (sx(f), sy(t))
            for f, t in zip(fpr, tpr, strict=False)
            if isinstance(f, (int, float)) and isinstance(t, (int, float))
        ]
        pts = [f"{x:.1f},{y:.1f}" for x, y in xy]
        cls, shape = _SERIES[i % len(_SERIES)], _SHAPES[i % len(_SHAPES)]
        label = str(c.get("label", ""))
        if pts:
            parts.append(
                f'<polyline class="series {cls}" fill="none" points="{" ".join(pts)}">'
                f"<title>{svg_escape(label)}</title></polyline>"
            )
            parts += _markers(xy, shape, cls)
        ly = pad_t + 14 + 16 * i
        parts.append(
            f'<line class="series {cls}" x1="{size + 2}" y1="{ly - 4}" '
            f'x2="{size + 22}" y2="{ly - 4}"/>'
        )
        parts.append(marker(shape, size + 12, ly - 4, cls))
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(f'<text x="{size + 24}" y="{ly}">{svg_escape(short)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
