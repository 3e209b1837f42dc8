"""Membership-inference ROC on log-log axes as inline SVG (no script, no external reference).
Labels are escaped here; the returned ``Markup`` is safe in an HTML template."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

_SERIES = ("s0", "s1", "s2", "s3", "s4", "s5")
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
_STYLE = "".join(
    f"svg.roc .{c}{{stroke:{k};stroke-width:1.8}}" for c, k in zip(_SERIES, _COLOURS, strict=True)
)


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
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
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
        pts = [
            f"{sx(f):.1f},{sy(t):.1f}"
            for f, t in zip(fpr, tpr, strict=False)
            if isinstance(f, (int, float)) and isinstance(t, (int, float))
        ]
        cls = _SERIES[i % len(_SERIES)]
        label = str(c.get("label", ""))
        if pts:
            parts.append(
                f'<polyline class="series {cls}" fill="none" points="{" ".join(pts)}">'
                f"<title>{escape(label)}</title></polyline>"
            )
        ly = pad_t + 14 + 16 * i
        parts.append(
            f'<line class="series {cls}" x1="{size + 4}" y1="{ly - 4}" '
            f'x2="{size + 20}" y2="{ly - 4}"/>'
        )
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(f'<text x="{size + 24}" y="{ly}">{escape(short)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
