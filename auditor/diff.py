"""What changed between two audits: metrics with intervals, gate verdicts, checklist items,
provenance hashes. ``diff_audits`` -> :class:`AuditDiff`; ``render_markdown`` /
``render_text`` print it."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from auditor.report.summary import md_escape

_PERF_KEYS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss", "brier", "ece")


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def interval_nodes(section: Any, *, prefix: str) -> list[dict[str, Any]]:
    """Every node ``{value, ci_low, ci_high[, n]}`` (a number with its interval) in a section,
    with its dotted path. Lists are addressed by their items' id/name/group/label."""
    from auditor.gates import _fmt_key, _item_label

    out: list[dict[str, Any]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if _num(node.get("value")) is not None and ("ci_low" in node or "ci" in node):
                lo, hi = node.get("ci_low"), node.get("ci_high")
                if (
                    lo is None
                    and isinstance(node.get("ci"), (list, tuple))
                    and len(node["ci"]) == 2
                ):
                    lo, hi = node["ci"]
                n = node.get("n", node.get("count"))
                out.append(
                    {
                        "path": path,
                        "value": float(node["value"]),
                        "ci_low": _num(lo),
                        "ci_high": _num(hi),
                        "n": n if isinstance(n, int) else None,
                    }
                )
                return
            for k, v in node.items():
                walk(v, f"{path}.{_fmt_key(str(k))}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, (dict, list)):
                    walk(v, f"{path}[{_item_label(v, i)}]")

    walk(section, prefix)
    return out


def _metrics(audit: dict[str, Any]) -> dict[str, dict[str, Any]]:
    from auditor.gates import wilson_interval

    rows: dict[str, dict[str, Any]] = {}
    perf = audit.get("performance") or {}
    if perf.get("status") == "ok":
        for stage in ("finetuned", "pretrained"):
            for split, m in (perf.get(stage) or {}).items():
                for key in (*_PERF_KEYS, "reconstruction_mse"):
                    if key not in m:
                        continue
                    lo = hi = None
                    if key == "accuracy" and isinstance(m.get("n_correct"), int) and m.get("n"):
                        lo, hi = wilson_interval(m["n_correct"], m["n"])
                    rows[f"performance.{stage}.{split}.{key}"] = {
                        "value": _num(m[key]),
                        "ci_low": lo,
                        "ci_high": hi,
                        "n": m.get("n"),
                    }
    for name in ("fairness", "privacy", "explanations"):
        part = audit.get(name) or {}
        if part.get("status") == "ok":
            for row in interval_nodes(part, prefix=name):
                rows[row["path"]] = {k: row[k] for k in ("value", "ci_low", "ci_high", "n")}
    gates = audit.get("gates") or {}
    for r in gates.get("results", []) if gates.get("status") == "ok" else []:
        if r["source"] != "baseline" and isinstance(r["value"], float) and r["metric"] not in rows:
            rows[r["metric"]] = {k: r[k] for k in ("value", "ci_low", "ci_high", "n")}
    return rows


def _gates(audit: dict[str, Any]) -> dict[str, str]:
    gates = audit.get("gates") or {}
    if gates.get("status") != "ok":
        return {}
    from auditor.report.junit import _bound

    return {
        f"{r['metric']}@{r['group']} ({r['mode']}, {_bound(r)})": r["status"]
        for r in gates["results"]
    }


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


def _compare(a: dict[str, Any], b: dict[str, Any], same) -> list[Change]:
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
        # numbers we formatted go as they are; every other cell is escaped text
        raw = {1, 2, 3} if title == "Metrics" else set()
        table += [
            "| " + " | ".join(x if i in raw else md_escape(x) for i, x in enumerate(row)) + " |"
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
    lines = [
        f"A: {d.a_name} (verdict {d.verdicts[0]})",
        f"B: {d.b_name} (verdict {d.verdicts[1]})",
        f"{d.n_changed} changes",
        "",
    ]
    for title, (head, rows) in _rows(d, changed_only).items():
        lines.append(title)
        if not rows:
            lines += ["  (none)", ""]
            continue
        widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
        for row in [head, *rows]:
            lines.append(
                "  " + "  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip()
            )
        lines.append("")
    return "\n".join(lines)
