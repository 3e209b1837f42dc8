"""What changed between two audits: metrics with intervals, gate verdicts, checklist items,
provenance hashes. ``diff_audits`` -> :class:`AuditDiff`; ``render_markdown`` /
``render_text`` print it."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.audit_tree import Evidence, estimates, read
from auditor.gates.section import identity
from auditor.report.escape import md_code, md_escape, terminal_text

# Plain numbers (no estimate node) worth a row: performance per stage and split, and the
# canary audit's epsilon bound. Every estimate node of every section gets a row too.
_PERF_KEYS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss", "brier", "ece",
              "reconstruction_mse")  # fmt: skip
_SECTIONS = ("performance", "fairness", "privacy", "explanations")


def _row(ev: Evidence) -> dict[str, Any]:
    value = ev.value if isinstance(ev.value, float) else None
    return {"value": value, "ci_low": ev.ci_low, "ci_high": ev.ci_high, "n": ev.n}


def _plain(audit: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    perf = audit.get("performance") or {}
    if perf.get("status") == "ok":
        for stage in ("finetuned", "pretrained"):
            for split, m in (perf.get(stage) or {}).items():
                for key in _PERF_KEYS:
                    if key in m:
                        ev = read(m[key], parent=m, leaf=key)
                        rows[f"performance.{stage}.{split}.{key}"] = _row(ev)
    privacy = audit.get("privacy") or {}
    canaries = privacy.get("canaries") if privacy.get("status") == "ok" else None
    if isinstance(canaries, dict) and "epsilon_lower_bound" in canaries:
        ev = read(canaries["epsilon_lower_bound"], parent=canaries, leaf="epsilon_lower_bound")
        rows["privacy.canaries.epsilon_lower_bound"] = _row(ev)
    return rows


def _metrics(audit: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every number worth comparing, by its metric path: the plain headline numbers, every
    estimate node of every section, and the value of any gate not already listed."""
    rows = _plain(audit)
    for name in _SECTIONS:
        part = audit.get(name) or {}
        if part.get("status") == "ok":
            rows.update((path, _row(ev)) for path, ev in estimates(part, name))
    gates = audit.get("gates") or {}
    for r in gates.get("results", []) if gates.get("status") == "ok" else []:
        if r["source"] != "baseline" and isinstance(r["value"], float) and r["metric"] not in rows:
            rows[r["metric"]] = {k: r[k] for k in ("value", "ci_low", "ci_high", "n")}
    return rows


def _gates(audit: Mapping[str, Any]) -> dict[str, str]:
    """Each gate's status by its stable identity (rule path, bound, mode: never the group)."""
    gates = audit.get("gates") or {}
    if gates.get("status") != "ok":
        return {}
    out: dict[str, str] = {}
    seen: Counter[str] = Counter()
    for r in gates["results"]:
        key = identity(r["metric"], r["bound"], r["mode"])
        seen[key] += 1  # two rules with the same path and bound are numbered, as gates does
        out[key if seen[key] == 1 else f"{key} #{seen[key]}"] = r["status"]
    return out


def _checklist(audit: dict[str, Any]) -> dict[str, str]:
    part = audit.get("transparency") or {}
    if part.get("status") != "ok":
        return {}
    items = part.get("items") or part.get("checklist") or []
    if isinstance(items, dict):
        items = [
            {"id": k, **v} if isinstance(v, dict) else {"id": k, "status": v}
            for k, v in items.items()
        ]
    out = {}
    for i, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("status"), str):
            out[str(item.get("id", item.get("name", i)))] = item["status"]
    return out


def _provenance(audit: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, s in (audit.get("data", {}).get("splits") or {}).items():
        out[f"data split {name}"] = f"{s['sha256']} ({s['n_rows']} rows)"
    for name, c in (audit.get("model", {}).get("checkpoints") or {}).items():
        out[f"checkpoint {name}"] = c["sha256"]
    config = json.dumps(audit.get("config"), sort_keys=True).encode()
    out["config (sha256 of JSON)"] = hashlib.sha256(config).hexdigest()
    out["auditor version"] = str(audit.get("tool", {}).get("version"))
    out["seed"] = str(audit.get("run", {}).get("seed"))
    for lib, version in (audit.get("run", {}).get("library_versions") or {}).items():
        out[f"library {lib}"] = str(version)
    return out


@dataclass(frozen=True)
class Change:
    key: str
    a: Any
    b: Any
    change: str  # "changed" | "same" | "added" | "removed"


@dataclass(frozen=True)
class AuditDiff:
    a_name: str
    b_name: str
    metrics: list[Change] = field(default_factory=list)
    gates: list[Change] = field(default_factory=list)
    checklist: list[Change] = field(default_factory=list)
    provenance: list[Change] = field(default_factory=list)
    verdicts: tuple[str, str] = ("not_run", "not_run")

    @property
    def n_changed(self) -> int:
        return sum(
            c.change != "same"
            for part in (self.metrics, self.gates, self.checklist, self.provenance)
            for c in part
        )


def _compare(
    a: Mapping[str, Any], b: Mapping[str, Any], same: Callable[[Any, Any], bool]
) -> list[Change]:
    out = []
    for key in list(a) + [k for k in b if k not in a]:
        if key not in b:
            out.append(Change(key, a[key], None, "removed"))
        elif key not in a:
            out.append(Change(key, None, b[key], "added"))
        else:
            out.append(Change(key, a[key], b[key], "same" if same(a[key], b[key]) else "changed"))
    return out


def _same_metric(x: dict[str, Any], y: dict[str, Any], tol: float = 1e-12) -> bool:
    for k in ("value", "ci_low", "ci_high"):
        if (x[k] is None) != (y[k] is None):
            return False
        if x[k] is not None and abs(x[k] - y[k]) > tol:
            return False
    return x.get("n") == y.get("n")


def diff_audits(a: dict[str, Any], b: dict[str, Any]) -> AuditDiff:
    """Compare audit A (before) with audit B (after)."""
    eq = lambda x, y: x == y  # noqa: E731
    return AuditDiff(
        a_name=a["run"]["name"] + " @ " + a["run"]["created_at"],
        b_name=b["run"]["name"] + " @ " + b["run"]["created_at"],
        metrics=_compare(_metrics(a), _metrics(b), _same_metric),
        gates=_compare(_gates(a), _gates(b), eq),
        checklist=_compare(_checklist(a), _checklist(b), eq),
        provenance=_compare(_provenance(a), _provenance(b), eq),
        verdicts=(
            a.get("gates", {}).get("verdict", "not_run"),
            b.get("gates", {}).get("verdict", "not_run"),
        ),
    )


# ---------------------------------------------------------------------------- rendering


def _fmt_metric(m: dict[str, Any] | None) -> str:
    if m is None:
        return "—"
    v = "—" if m["value"] is None else f"{m['value']:.4f}"
    if m["ci_low"] is not None and m["ci_high"] is not None:
        v += f" [{m['ci_low']:.4f}, {m['ci_high']:.4f}]"
    if m.get("n") is not None:
        v += f" (n={m['n']})"
    return v


def _delta(c: Change) -> str:
    if c.a is None or c.b is None or c.a["value"] is None or c.b["value"] is None:
        return "—"
    d = c.b["value"] - c.a["value"]
    return f"{d:+.4f}"


def _rows(d: AuditDiff, changed_only: bool) -> dict[str, tuple[list[str], list[list[str]]]]:
    keep = lambda c: not changed_only or c.change != "same"  # noqa: E731
    short = lambda s: s if len(s) <= 20 else s[:12] + "…"  # noqa: E731
    return {
        "Metrics": (
            ["Metric", "A", "B", "Δ", "Change"],
            [
                [c.key, _fmt_metric(c.a), _fmt_metric(c.b), _delta(c), c.change]
                for c in d.metrics
                if keep(c)
            ],
        ),
        "Gate verdicts": (
            ["Gate", "A", "B", "Change"],
            [[c.key, c.a or "—", c.b or "—", c.change] for c in d.gates if keep(c)],
        ),
        "Checklist items": (
            ["Item", "A", "B", "Change"],
            [[c.key, c.a or "—", c.b or "—", c.change] for c in d.checklist if keep(c)],
        ),
        "Provenance": (
            ["What", "A", "B", "Change"],
            [
                [c.key, short(c.a or "—"), short(c.b or "—"), c.change]
                for c in d.provenance
                if keep(c)
            ],
        ),
    }


def _md_cell(title: str, column: int, text: str) -> str:
    """Numbers we formatted go as they are; metric paths and gate ids as code; the rest is
    escaped text."""
    if title == "Metrics" and column in (1, 2, 3):
        return text
    if title in ("Metrics", "Gate verdicts") and column == 0:
        return md_code(text)
    return md_escape(text)


def render_markdown(d: AuditDiff, *, changed_only: bool = False) -> str:
    lines = [
        "## auditor diff",
        "",
        f"**A** {md_escape(d.a_name)} (verdict {d.verdicts[0]}) → **B** {md_escape(d.b_name)} "
        f"(verdict {d.verdicts[1]}) · {d.n_changed} changes",
        "",
    ]
    for title, (head, rows) in _rows(d, changed_only).items():
        changed = sum(r[-1] != "same" for r in rows)
        table = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        table += [
            "| " + " | ".join(_md_cell(title, i, x) for i, x in enumerate(row)) + " |"
            for row in rows
        ]
        if not rows:
            lines += [
                f"### {title}",
                "",
                "_Nothing to compare._" if not changed_only else "_No change._",
                "",
            ]
        elif len(rows) > 30:
            lines += [
                f"### {title} ({changed} changed)",
                "",
                "<details>",
                f"<summary>{len(rows)} rows</summary>",
                "",
                *table,
                "",
                "</details>",
                "",
            ]
        else:
            lines += [f"### {title} ({changed} changed)", "", *table, ""]
    return "\n".join(lines)


def render_text(d: AuditDiff, *, changed_only: bool = False) -> str:
    """The diff for a terminal: aligned columns, every cell shown as text."""
    lines = [
        terminal_text(f"A: {d.a_name} (verdict {d.verdicts[0]})"),
        terminal_text(f"B: {d.b_name} (verdict {d.verdicts[1]})"),
        f"{d.n_changed} changes",
        "",
    ]
    for title, (head, rows) in _rows(d, changed_only).items():
        lines.append(title)
        if not rows:
            lines += ["  (none)", ""]
            continue
        table = [[terminal_text(x) for x in row] for row in [head, *rows]]
        widths = [max(len(r[i]) for r in table) for i in range(len(head))]
        for row in table:
            lines.append(
                "  " + "  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)).rstrip()
            )
        lines.append("")
    return "\n".join(lines)
