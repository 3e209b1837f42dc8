"""Small matrices (images, attribution maps) as inline SVG: one <rect> per cell, no script,
no external reference. Pixel colours are data, so they are explicit fills; every label is
escaped and the returned ``Markup`` is safe in an HTML template."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup

from auditor.report.escape import svg_escape


def _finite(v: float) -> float:
    return v if isinstance(v, (int, float)) and math.isfinite(v) else 0.0


def matrix_svg(
    matrix: Sequence[Sequence[float]], *, title: str, kind: str = "diverging", size: int = 112
) -> Markup:
    """``kind``: "gray" (inputs in [-1, 1], white background, dark ink), "diverging"
    (signed attributions: orange towards the predicted class, blue away, scaled to the
    largest magnitude) or "magnitude" (non-negative, white to dark orange)."""
    rows = [[_finite(v) for v in row] for row in matrix]
    h = len(rows)
    w = len(rows[0]) if h else 0
    if not h or not w:
        return Markup("")
    cell = size / max(h, w)
    peak = max((abs(v) for row in rows for v in row), default=0.0) or 1.0
    parts = [
        f'<svg class="heat" role="img" viewBox="0 0 {w * cell:.1f} {h * cell:.1f}" '
        f'width="{w * cell:.0f}" height="{h * cell:.0f}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{svg_escape(title)}</title>"
    ]
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if kind == "gray":
                # -1 (background) -> white, +1 (ink) -> near black.
                g = round(255 - (min(max(v, -1.0), 1.0) + 1) / 2 * 235)
                fill = f"rgb({g},{g},{g})"
            elif kind == "magnitude":
                t = min(abs(v) / peak, 1.0)
                fill = f"rgb({round(255 - 75 * t)},{round(255 - 175 * t)},{round(255 - 245 * t)})"
            else:
                t = min(abs(v) / peak, 1.0)
                if v >= 0:
                    fill = (
                        f"rgb({round(255 - 25 * t)},{round(255 - 135 * t)},{round(255 - 235 * t)})"
                    )
                else:
                    fill = (
                        f"rgb({round(255 - 225 * t)},{round(255 - 155 * t)},{round(255 - 55 * t)})"
                    )
            parts.append(
                f'<rect x="{j * cell:.2f}" y="{i * cell:.2f}" width="{cell + 0.05:.2f}" '
                f'height="{cell + 0.05:.2f}" fill="{fill}"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_svg(rows: Sequence[tuple[str, float]], *, title: str, width: int = 520) -> Markup:
    """Horizontal bars for non-negative values (e.g. mean |attribution| per feature)."""
    label_w, pad, row_h = 210, 8, 20
    plot_w = width - label_w - 2 * pad - 60
    height = pad * 2 + row_h * len(rows)
    peak = max((_finite(v) for _, v in rows), default=0.0) or 1.0
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{svg_escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(rows):
        y = pad + i * row_h
        text = str(label)
        short = text if len(text) <= 32 else text[:31] + "…"
        v = _finite(value)
        bw = max(v / peak * plot_w, 1)
        parts.append(f'<text x="{label_w}" y="{y + 14}" text-anchor="end">'
                     f"{svg_escape(short)}</text>")
        parts.append(
            f'<rect class="bar" x="{label_w + pad}" y="{y + 4}" width="{bw:.1f}" '
            f'height="{row_h - 8}"><title>{svg_escape(f"{text}: {v:.4g}")}</title></rect>'
        )
        parts.append(f'<text x="{label_w + pad + bw + 4:.1f}" y="{y + 14}">{v:.3g}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
