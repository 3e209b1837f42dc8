"""Charts as inline SVG strings (no script, no external reference). Colours come from CSS
classes and ``currentColor``, so the card's light and dark themes apply to them.

Every label is escaped here; the returned ``Markup`` is safe to place in an HTML template.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from auditor.report.escape import svg_escape
from auditor.report.privacy_plots import marker


def _ok(v: Any) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def reliability_svg(
    bins: Sequence[dict[str, Any]], *, title: str = "Reliability diagram", size: int = 260
) -> Markup:
    """Accuracy against mean confidence per bin, with the diagonal of perfect calibration.
    Each bin: {lower, upper, n, mean_confidence, accuracy}."""
    pad, w = 36, size
    inner = w - 2 * pad

    def sx(v: float) -> float:
        return pad + v * inner

    def sy(v: float) -> float:
        return w - pad - v * inner

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {w} {w}" width="{w}" height="{w}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{svg_escape(title)}</title>',
        f'<rect class="frame" x="{pad}" y="{pad}" width="{inner}" height="{inner}"/>',
        f'<line class="ref" x1="{sx(0)}" y1="{sy(0)}" x2="{sx(1)}" y2="{sy(1)}"/>',
    ]
    total = sum(max(int(b.get("n", 0)), 0) for b in bins) or 1
    for b in bins:
        if not (_ok(b.get("accuracy")) and int(b.get("n", 0)) > 0):
            continue
        x0, x1 = sx(b["lower"]), sx(b["upper"])
        top = sy(b["accuracy"])
        tip = "confidence {:.2f}-{:.2f}: accuracy {:.3f}, n={}".format(
            b["lower"], b["upper"], b["accuracy"], b["n"]
        )
        parts.append(
            f'<rect class="bar" x="{x0 + 1:.1f}" y="{top:.1f}" width="{max(x1 - x0 - 2, 1):.1f}" '
            f'height="{sy(0) - top:.1f}"><title>{svg_escape(tip)}</title></rect>'
        )
        if _ok(b.get("mean_confidence")):  # null where a bin's confidence is unknown
            r = 2 + 4 * math.sqrt(int(b["n"]) / total)
            cx = sx(b["mean_confidence"])
            parts.append(f'<circle class="dot" cx="{cx:.1f}" cy="{top:.1f}" r="{r:.1f}"/>')
    for v in (0, 0.5, 1):
        parts.append(f'<text x="{sx(v):.1f}" y="{w - pad + 14}" text-anchor="middle">{v:g}</text>')
        parts.append(f'<text x="{pad - 6}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    parts.append(f'<text x="{w / 2}" y="{w - 4}" text-anchor="middle">confidence</text>')
    parts.append(
        f'<text x="10" y="{w / 2}" text-anchor="middle" '
        f'transform="rotate(-90 10 {w / 2})">accuracy</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


# A chart of more groups is a wall (990 zip codes drew 22,000 pixels of bars and a sweep of
# 990 lines in 10 repeating styles): it draws a selection, the caption says which, and the
# per-group table below it lists every group.
MAX_BARS = 40
MAX_SWEEP_LINES = 10  # the distinct colour, dash and marker styles of the sweep


def bars_drawn(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` when at most :data:`MAX_BARS`; else the groups with enough data (status ok)
    holding the lowest and the highest values, half each, lowest first (all such groups
    where they are that few)."""
    if len(rows) <= MAX_BARS:
        return list(rows)
    ranked = sorted(
        (r for r in rows if str(r.get("status", "ok")) == "ok" and _ok(r.get("value"))),
        key=lambda r: r["value"],
    )
    half = MAX_BARS // 2
    return ranked if len(ranked) <= MAX_BARS else [*ranked[:half], *ranked[-half:]]


def sweep_drawn(curves: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``curves`` when at most :data:`MAX_SWEEP_LINES`; else the largest groups' (by n), in
    their order."""
    if len(curves) <= MAX_SWEEP_LINES:
        return list(curves)
    by_size = sorted(range(len(curves)), key=lambda i: -int(curves[i].get("n") or 0))
    keep = set(by_size[:MAX_SWEEP_LINES])
    return [c for i, c in enumerate(curves) if i in keep]


def interval_bars_svg(
    rows: Sequence[dict[str, Any]],
    *,
    title: str,
    lo: float = 0.0,
    hi: float = 1.0,
    reference: float | None = None,
    width: int = 520,
) -> Markup:
    """Horizontal bars with interval whiskers. Each row: {label, value, ci_low, ci_high,
    status?}; rows whose value is missing are drawn as 'n/a'. ``reference``: a vertical line
    (e.g. the overall value)."""
    label_w, pad, row_h = 170, 12, 22
    plot_w = width - label_w - 2 * pad
    height = pad * 2 + row_h * len(rows) + 18
    span = (hi - lo) or 1.0

    def sx(v: float) -> float:
        return label_w + pad + (min(max(v, lo), hi) - lo) / span * plot_w

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{svg_escape(title)}</title>'
    ]
    for i, row in enumerate(rows):
        y = pad + i * row_h
        label = str(row.get("label", ""))
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<text x="{label_w}" y="{y + 15}" text-anchor="end">'
                     f"{svg_escape(short)}</text>")
        value = row.get("value")
        status = str(row.get("status", "ok"))
        if not _ok(value):
            parts.append(f'<text x="{label_w + pad}" y="{y + 15}">n/a</text>')
            continue
        cls = "bar insufficient" if status != "ok" else "bar"
        parts.append(
            f'<rect class="{cls}" x="{sx(lo):.1f}" y="{y + 5}" '
            f'width="{max(sx(value) - sx(lo), 1):.1f}" '
            f'height="{row_h - 10}"><title>{svg_escape(f"{label}: {value:.3f}")}</title></rect>'
        )
        cl, ch = row.get("ci_low"), row.get("ci_high")
        if _ok(cl) and _ok(ch):
            ym = y + row_h / 2
            parts.append(
                f'<path class="whisker" d="M{sx(cl):.1f} {ym:.1f}H{sx(ch):.1f}'
                f'M{sx(cl):.1f} {ym - 5:.1f}V{ym + 5:.1f}M{sx(ch):.1f} {ym - 5:.1f}V{ym + 5:.1f}"/>'
            )
    if reference is not None and _ok(reference):
        parts.append(
            f'<line class="ref" x1="{sx(reference):.1f}" y1="{pad}" x2="{sx(reference):.1f}" '
            f'y2="{height - 18}"/>'
        )
    for v in (lo, (lo + hi) / 2, hi):
        parts.append(f'<text x="{sx(v):.1f}" y="{height - 4}" text-anchor="middle">{v:g}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# Groups differ by colour, dash pattern and marker shape (readable in grey print).
_SWEEP_SERIES = tuple(
    zip(
        (
            "#1f77b4",
            "#d62728",
            "#2ca02c",
            "#9467bd",
            "#ff7f0e",
            "#8c564b",
            "#e377c2",
            "#7f7f7f",
            "#bcbd22",
            "#17becf",
        ),
        ("none", "7 3", "2 2", "9 3 2 3", "4 4", "1 3", "12 3", "6 2 2 2", "3 6", "10 2 2 2 2 2"),
        ("circle", "square", "triangle", "diamond", "cross", "plus") * 2,
        strict=False,
    )
)
_SWEEP_STYLE = "".join(
    f"svg.sweep .g{i}{{stroke:{k};stroke-width:1.8;fill:none;stroke-dasharray:{d}}}"
    f"svg.sweep .m.g{i}{{fill:{k};stroke-dasharray:none}}"
    for i, (k, d, _) in enumerate(_SWEEP_SERIES)
)
_SWEEP_PANELS = (("selection_rate", "selection rate"), ("tpr", "TPR"), ("fpr", "FPR"))


def _sweep_panel(
    x0: float, grid: Sequence[float], curves: Sequence[dict[str, Any]], key: str, label: str,
    *, size: int, pad: int, marked: float | None,
) -> list[str]:  # fmt: skip
    inner = size - 2 * pad

    def sx(v: float) -> float:
        return x0 + pad + v * inner

    def sy(v: float) -> float:
        return pad + inner - v * inner

    parts = [f'<rect class="frame" x="{sx(0):.1f}" y="{pad}" width="{inner}" height="{inner}"/>']
    if marked is not None:
        parts.append(f'<line class="ref" x1="{sx(marked):.1f}" y1="{pad}" x2="{sx(marked):.1f}" '
                     f'y2="{pad + inner}"/>')  # fmt: skip
    for i, c in enumerate(curves):
        cls, shape = f"g{i % len(_SWEEP_SERIES)}", _SWEEP_SERIES[i % len(_SWEEP_SERIES)][2]
        pairs = zip(grid, c.get(key) or [], strict=False)
        xy = [(sx(t), sy(v)) for t, v in pairs if _ok(t) and _ok(v)]
        if not xy:
            continue
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        tip = f"{c.get('group', '')}: {label}"
        parts.append(f'<polyline class="{cls}" points="{pts}"><title>{svg_escape(tip)}</title>'
                     "</polyline>")  # fmt: skip
        parts += [marker(shape, x, y, cls, r=2.6) for x, y in xy[::3]]
    for v in (0, 0.5, 1):
        parts.append(
            f'<text x="{sx(v):.1f}" y="{size - pad + 14}" text-anchor="middle">{v:g}</text>'
        )
        parts.append(
            f'<text x="{sx(0) - 4:.1f}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:g}</text>'
        )
    parts.append(
        f'<text x="{sx(0.5):.1f}" y="{pad - 4}" text-anchor="middle">{svg_escape(label)}</text>'
    )
    return parts


def threshold_sweep_svg(
    grid: Sequence[float],
    curves: Sequence[dict[str, Any]],
    *,
    title: str,
    marked: float | None = None,
    size: int = 220,
) -> Markup:
    """Three panels (selection rate, TPR, FPR against the threshold), one line per group.
    curves: [{group, n, selection_rate: [...], tpr: [...], fpr: [...]}], values per threshold
    of ``grid`` (None: undefined, not drawn); ``marked``: a vertical line (the threshold used)."""
    pad = 30
    legend_h = 16 * math.ceil(len(curves) / 3) + 8  # three legend columns, one per panel
    w, h = 3 * size, size + 14 + legend_h
    parts = [
        f'<svg class="chart sweep" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{svg_escape(title)}</title>',
        f"<style>{_SWEEP_STYLE}</style>",
    ]
    for p, (key, label) in enumerate(_SWEEP_PANELS):
        parts += _sweep_panel(p * size, grid, curves, key, label, size=size, pad=pad,
                              marked=marked)  # fmt: skip
    parts.append(f'<text x="{w / 2}" y="{size + 10}" text-anchor="middle">threshold t</text>')
    for i, c in enumerate(curves):
        cls, shape = f"g{i % len(_SWEEP_SERIES)}", _SWEEP_SERIES[i % len(_SWEEP_SERIES)][2]
        ly, lx = size + 30 + 16 * (i // 3), pad + (i % 3) * size
        parts.append(f'<line class="{cls}" x1="{lx}" y1="{ly - 4}" x2="{lx + 24}" y2="{ly - 4}"/>')
        parts.append(marker(shape, lx + 12, ly - 4, cls))
        name = str(c.get("group", ""))
        short = name if len(name) <= 22 else name[:21] + "…"
        parts.append(
            f'<text x="{lx + 30}" y="{ly}">{svg_escape(short)} (n={int(c.get("n", 0)):,})</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


from auditor.report.privacy_plots import roc_loglog_svg  # noqa: E402,F401  (the privacy section's chart)
