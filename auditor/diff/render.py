"""The diff for a review: a warning when the test data differ, the verdict, the gates that
changed, the metrics beyond noise (better / worse), then one count line; every other row
folded into ``<details>`` (Markdown) or left out unless asked (text).

The Markdown is kept under :data:`MAX_BYTES` (GitHub's limit for one step's job summary,
where the CI examples append it): a folded part too big is left out, then the rows of the
visible tables beyond what fits beside the small folded parts, each time saying so
(``--format text`` lists all)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.diff.compare import BOUND, AuditDiff, Change
from auditor.gates.names import PATH_MAX, shorten
from auditor.numbers import fmt_num, interval_ends
from auditor.report.bound import bound_sign
from auditor.report.escape import html_text, md_code, md_escape, terminal_exact, terminal_text

_MARK = {"better": "✅ better", "worse": "❌ worse", "changed": "↕ changed",
         "added": "＋ added", "removed": "− removed", "within noise": "≈ within noise",
         "no interval": "≠ no interval", "same": "= same",
         "not comparable": "⊘ not comparable", BOUND: f"⊘ {BOUND}",
         "insufficient data": "∅ insufficient data"}  # fmt: skip
_ICON = {"pass": "✅", "warn": "⚠️", "fail": "❌"}
MAX_BYTES = 1024 * 1024  # GitHub's limit for one step's job summary
_RESERVE = MAX_BYTES // 4  # folded parts kept before more rows of too big a visible table
_LEFT_OUT = (
    "_Some folded details were left out to keep this diff under 1 MiB; "
    "`auditor diff --format text` lists every row._"
)
_ROWS_LEFT_OUT = "| … {n:,} more rows: `auditor diff --format text` lists every row |"
MSG_DIFFERENT_TEST_DATA = (
    "The two audits used different test data (test split sha256 {a} → {b}): every change "
    "below mixes the model's change with the test set's; read it against the intervals."
)


def fmt_metric(m: dict[str, Any] | None, digits: int = 3) -> str:
    """``value [ci_low, ci_high], n=N`` (— where absent; a gap gate's n: its pair's rows, ``n=84
    vs 260``; no n where none is recorded, nor for a count, ``digits`` 0: it is the count)."""
    if m is None or m["value"] is None:
        return "—"
    ends = interval_ends(m["ci_low"], m["ci_high"], digits)  # rounded outward
    n = m.get("n") if isinstance(m.get("n"), int) else m.get("pair")  # a gap's: '84 vs 260'
    count = f", n={fmt_num(n)}" if n is not None and not isinstance(n, bool) and digits else ""
    sign = bound_sign(m.get("bound_only"))  # '≥ 0.206': only a lower bound of the gap
    return f"{sign}{m['value']:.{digits}f}" + (f" {ends}" if ends else "") + count


def _digits(c: Change) -> int:
    """Decimals of a row: none for a count (``...metrics.count``: 1000, not 1000.000)."""
    return 0 if c.key.endswith(".count") else 3


def delta(c: Change) -> str:
    if c.a is None or c.b is None or c.a["value"] is None or c.b["value"] is None:
        return "—"
    if c.change == BOUND:  # a bound's difference is no change of the number
        return "—"
    return f"{c.b['value'] - c.a['value']:+.{_digits(c)}f}"


def _cells(c: Change) -> list[str]:
    """A metric row's A, B and Δ cells."""
    return [fmt_metric(c.a, _digits(c)), fmt_metric(c.b, _digits(c)), delta(c)]


def _verdict(v: str | None) -> str:
    return "—" if v is None else f"{_ICON.get(v, '–')} {v}"


def _judged(c: Change, side: int, *, icon: bool = True) -> str:
    """A gate's verdict on one side, and the number it judged there (with its interval and
    count): a verdict changed by a change inside both intervals reads as such."""
    verdict, judged = (c.a, c.b)[side], c.judged[side]
    shown = _verdict(verdict) if icon or verdict is None else str(verdict)
    return shown + (f" · {fmt_metric(judged)}" if verdict and judged else "")


def _n(n: int, noun: str) -> str:
    """'1 gate', '3 gates'."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


_PRESENT = ("added", "removed")  # in one audit only: a fact, but no change beyond noise


def _beyond_title(d: AuditDiff) -> str:
    """The title of the metrics shown: an added group's rows are no change beyond noise."""
    present = any(c.change in _PRESENT for c in d.beyond_noise)
    return "Metrics beyond noise" + (", added or removed" if present else "")


def _counts(d: AuditDiff) -> str:
    kinds = ("within noise", "no interval", "same", "not comparable", BOUND, "insufficient data")
    n = {k: sum(c.change == k for c in d.metrics) for k in kinds}
    apart = "".join(f" · {n[k]:,} {k}" for k in kinds[3:] if n[k])
    present = sum(c.change in _PRESENT for c in d.beyond_noise)
    beyond = len(d.beyond_noise) - present
    one_side = f" · {present:,} added or removed" if present else ""
    compared, expected = d.chance or (0, 0.0)  # None: the same test data (it does not hold)
    by_chance = (
        f" (of {compared:,} numbers compared by their intervals, about {round(expected):,} "
        "would fall apart by chance alone)"
        if round(expected) >= 1 and d.comparable
        else ""
    )
    return (
        f"{_n(beyond, 'metric')} beyond noise{by_chance}{one_side} · "
        f"{n['within noise']:,} within noise (intervals overlap) · "
        f"{n['no interval']:,} changed without an interval{apart} · {n['same']:,} unchanged"
    )


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


@dataclass(frozen=True)
class _Table:
    """A visible table: its title line, header and rows (cut to fit :data:`MAX_BYTES`)."""

    title: str
    head: list[str]
    rows: list[list[str]]

    def lines(self, keep: int | None = None) -> list[str]:
        rows = self.rows if keep is None else self.rows[:keep]
        left = len(self.rows) - len(rows)
        more = [_ROWS_LEFT_OUT.format(n=left)] if left else []
        return [self.title, "", *_md_table(self.head, rows), *more, ""]


def _details(title: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{html_text(title)}</summary>", "", *body, "", "</details>", ""]


def _metric_row(c: Change) -> list[str]:
    return [md_code(shorten(c.key, PATH_MAX)), *_cells(c), _MARK[c.change]]


def _gate_changes(d: AuditDiff) -> tuple[list[Change], list[Change]]:
    """The gates whose verdict changed, and apart from them the gates only B has that pass
    (a baseline's comparisons on the first run with ``--baseline``: 27 rows ``— → pass``
    that buried a real change)."""
    changed = [c for c in d.gates if c.change != "same"]
    new = [c.change == "added" and c.b == "pass" for c in changed]
    return ([c for c, n in zip(changed, new, strict=True) if not n],
            [c for c, n in zip(changed, new, strict=True) if n])  # fmt: skip


def _md_gates(d: AuditDiff) -> list[_Table]:
    changed, _ = _gate_changes(d)
    if not changed:
        return []
    rows = [[md_escape(shorten(c.label or c.key, PATH_MAX)), _judged(c, 0), _judged(c, 1)]
            for c in changed]  # fmt: skip
    return [_Table(f"### Gates that changed ({len(changed):,})", ["Gate", "A", "B"], rows)]


def _md_folded(d: AuditDiff) -> list[list[str]]:
    """The folded parts, each a ``<details>`` block, in the order they are shown."""
    out: list[list[str]] = []
    _, new = _gate_changes(d)
    if new:
        names = [md_escape(shorten(c.label or c.key, PATH_MAX)) for c in new]
        out.append(_details(f"{_n(len(new), 'gate')} added, each passing", [", ".join(names)]))
    rest = d.within_noise
    if rest:
        rows = [_metric_row(c) for c in rest]
        title = f"{_n(len(rest), 'metric')}, not compared"
        if d.comparable:
            title = (
                f"{_n(len(rest), 'metric')} changed within noise, without an interval, "
                "not comparable or with insufficient data"
            )
        out.append(_details(title, _md_table(["Metric", "A", "B", "Δ", "Change"], rows)))
    for title, part in (("Checklist items", d.checklist), ("Provenance", d.provenance)):
        changed = [c for c in part if c.change != "same"]
        if changed:
            rows = [[md_escape(c.key), md_escape(_short(c.a)), md_escape(_short(c.b))]
                    for c in changed]  # fmt: skip
            out.append(_details(f"{title}: {len(changed):,} changed",
                                _md_table(["What", "A", "B"], rows)))  # fmt: skip
    return out


def _short(v: Any) -> str:
    s = "—" if v is None else str(v)
    return s if len(s) <= 24 else s[:12] + "…"


def _size(lines: list[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def _fit(head: list[str], tables: list[_Table], foot: list[str], folded: list[list[str]]) -> str:
    """The diff's lines under :data:`MAX_BYTES`: the folded parts that fit, in order (one too
    big is left out, not the small ones after it: the provenance behind 10,000 rows within
    noise); where the visible tables alone do not fit, they are cut to the most rows each
    that fit (saying how many are left) beside the folded parts that fit in
    :data:`_RESERVE` (the provenance naming a changed seed, behind 6,000 added groups)."""

    def text(keep: int | None, parts: list[list[str]]) -> list[str]:
        visible = [line for t in tables for line in t.lines(keep)]
        note = [_LEFT_OUT, ""] if len(parts) < len(folded) else []
        return [*head, *visible, *foot, *note, *(line for part in parts for line in part)]

    def fitting(keep: int | None, budget: int) -> list[list[str]]:
        """The folded parts, in order, that fit with the tables cut to ``keep`` rows."""
        kept: list[list[str]] = []
        for part in folded:
            if _size(text(keep, [*kept, part])) <= budget:
                kept.append(part)
        return kept

    if _size(text(None, folded)) <= MAX_BYTES:
        return "\n".join(text(None, folded))
    kept = fitting(None, MAX_BYTES)
    if _size(text(None, kept)) <= MAX_BYTES:
        return "\n".join(text(None, kept))
    kept = fitting(0, min(MAX_BYTES, _size(text(0, [])) + _RESERVE))
    low, high = 0, max((len(t.rows) for t in tables), default=0)  # the most rows that fit
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if _size(text(mid, kept)) <= MAX_BYTES else (low, mid - 1)
    return "\n".join(text(low, kept))


def render_markdown(d: AuditDiff, *, changed_only: bool = False) -> str:
    """The review: warning, verdict, changed gates, metrics beyond noise, folded rest, under
    :data:`MAX_BYTES`. ``changed_only`` leaves out the folded unchanged metrics (they are
    folded anyway)."""
    lines = [
        "## auditor diff",
        "",
        f"**A** {md_escape(d.a_name)} → **B** {md_escape(d.b_name)}",
        "",
    ]
    if d.test_data is not None:
        a, b = (md_code(h[:12] + "…") for h in d.test_data)
        lines += [f"> ⚠️ **{MSG_DIFFERENT_TEST_DATA.format(a=a, b=b)}**", ""]
    warnings = (*d.not_comparable, *d.levels)
    lines += [line for r in warnings for line in (f"> ⚠️ **{md_escape(r)}.**", "")]
    va, vb = d.verdicts
    verdict = f"{_verdict(va)} → {_verdict(vb)}" if va != vb else f"{_verdict(vb)} (unchanged)"
    lines += [f"**Verdict:** {verdict}", ""]
    tables = _md_gates(d)
    if not tables:
        _, new = _gate_changes(d)
        added = f"; {len(new):,} added, each passing" if new else ""
        lines += [f"Gates: no verdict changed ({_n(len(d.gates), 'gate')}{added})", ""]
    beyond = d.beyond_noise
    if beyond:
        rows = [_metric_row(c) for c in beyond]
        tables.append(_Table(f"### {_beyond_title(d)} ({len(beyond):,})",
                             ["Metric", "A", "B", "Δ", "Change"], rows))  # fmt: skip
    folded = _md_folded(d)
    if not changed_only:
        same = [c for c in d.metrics if c.change == "same"]
        if same:  # a list, not a table: a code span outside a table needs no \| for |
            keys = ", ".join(md_code(shorten(c.key, PATH_MAX), in_table=False) for c in same)
            unchanged = _n(len(same), "unchanged metric")
            folded.append(_details(unchanged, [keys]))
    return _fit(lines, tables, [f"_{_counts(d)}._", ""], folded)


def _text_table(head: list[str], rows: list[list[str]], *, paths: bool = False) -> list[str]:
    """``rows`` under ``head``, each cell shown as the Markdown diff shows it: as a name
    (:func:`terminal_text`), but where ``paths`` each row's first cell, a metric path, exact
    (:func:`terminal_exact`: as its code span, as audit.json holds it)."""
    first = terminal_exact if paths else terminal_text
    table = [[terminal_text(x) for x in head]]
    table += [[first(shorten(row[0], PATH_MAX)), *(terminal_text(shorten(x, PATH_MAX))
                                                   for x in row[1:])] for row in rows]  # fmt: skip
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    return ["  " + "  ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)).rstrip()
            for r in table]  # fmt: skip


_METRIC_HEAD = ["Metric", "A", "B", "Δ", "Change"]


def render_text(d: AuditDiff, *, changed_only: bool = False) -> str:
    """The same review for a terminal; ``changed_only`` = False also lists every metric that
    changed within noise or without an interval."""
    lines = [terminal_text(f"A: {d.a_name}"), terminal_text(f"B: {d.b_name}")]
    if d.test_data is not None:
        a, b = (h[:12] + "…" for h in d.test_data)
        lines.append("WARNING: " + MSG_DIFFERENT_TEST_DATA.format(a=a, b=b))
    lines += [terminal_text(f"WARNING: {r}.") for r in (*d.not_comparable, *d.levels)]
    lines += [f"Verdict: {d.verdicts[0]} -> {d.verdicts[1]}", _n(d.n_changed, "change"), ""]
    changed, new = _gate_changes(d)
    for title, part in (("Gates that changed", changed), ("Gates added, each passing", new)):
        if part or title == "Gates that changed":
            rows = [[c.label or c.key, *(_judged(c, i, icon=False) for i in (0, 1))]
                    for c in part]  # fmt: skip
            lines += [title, *(_text_table(["Gate", "A", "B"], rows) if rows else ["  (none)"])]
    lines += ["", _beyond_title(d)]
    rows = [[c.key, *_cells(c), c.change] for c in d.beyond_noise]
    lines += _text_table(_METRIC_HEAD, rows, paths=True) if rows else ["  (none)"]
    lines += ["", _counts(d), ""]
    extra = [("Checklist items", d.checklist), ("Provenance", d.provenance)]
    if not changed_only:
        rows = [[c.key, *_cells(c), c.change] for c in d.within_noise]
        lines += ["Within noise, without an interval, not comparable or insufficient data"]
        lines += _text_table(_METRIC_HEAD, rows, paths=True) if rows else ["  (none)"]
        lines.append("")
    for title, part in extra:
        rows = [[c.key, _short(c.a), _short(c.b)] for c in part if c.change != "same"]
        lines += [title, *(_text_table(["What", "A", "B"], rows) if rows else ["  (none)"]), ""]
    return "\n".join(lines)
