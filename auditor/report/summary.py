"""summary.md: a pull-request-ready summary of one audit (verdict first, failing gates, then
the headline tables, long parts folded in <details>), kept under 1 MiB so it fits GitHub's
job summary. Every number is read through :mod:`auditor.audit_tree`."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any

from auditor.audit_tree import Evidence, each_estimate, estimate_paths, has_interval, read
from auditor.gates.names import PATH_MAX, fpr_text, shorten
from auditor.numbers import fmt_interval, fmt_num
from auditor.report.bound import bound_sign, gate_side
from auditor.report.class_counts import auc_counts
from auditor.report.decision import (
    failed_by_warnings,
    gap_counts,
    headlines,
    interval_words,
    label_determined,
    level_text,
    reason,
    warnings_fail,
)
from auditor.report.escape import html_text, md_code, md_escape
from auditor.report.gap_count import all_gap_counts, tied_groups

MAX_BYTES = 1024 * 1024  # GitHub's limit for one step's job summary
_ICON = {"pass": "✅", "warn": "⚠️", "fail": "❌"}
_HEADLINE = ("n", "accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "ece")
LABEL_DETERMINED = (
    "every group's base rate is 0 or 1 (the group decides the label), so its "
    "demographic-parity difference is 1 by construction"
)
_LEFT_OUT = "_Some details were left out to keep this summary under 1 MiB; see audit.json._"
_CUT = (
    "_{gates} left out of the tables above to keep this summary under 1 MiB (and the parts "
    "after them); every gate is in junit.xml and audit.json of the run folder._"
)


def _cell(v: Any, digits: int = 3) -> str:
    """A value in a table cell: numbers formatted, text escaped, '—' for none."""
    return md_escape(v) if isinstance(v, str) else fmt_num(v, digits)


def _estimate(ev: Evidence, bound: Mapping[str, Any] | None = None) -> str:
    """``value [ci_low, ci_high]`` of an estimate (the interval where it has one, its ends
    rounded outward), each number on its own side of a gate's ``bound``."""
    if isinstance(ev.value, str):
        return md_escape(ev.value)
    return bound_sign(ev.bound_only) + fmt_interval(ev.value, ev.ci_low, ev.ci_high, 3, bound)


def _gate_table(results: list[Mapping[str, Any]], audit: Mapping[str, Any]) -> list[str]:
    """Four narrow columns (a pull-request comment shows them without scrolling): status,
    the gate's human name (its bound inside), value [interval] with n, and why."""
    lines = ["| Status | Gate | Value [interval] | Why |", "|---|---|---|---|"]
    for r in results:
        ev = Evidence(value=r["value"], ci_low=r["ci_low"], ci_high=r["ci_high"],
                      bound_only=gate_side(audit, r))  # fmt: skip
        pair = gap_counts(audit, r)  # a gap's n: the rows of the two groups it compares
        n = _cell(r["n"]) if r["n"] is not None else pair
        words = interval_words(audit, r)
        value = _estimate(ev, r["bound"]) + (f" ({words})" if words else "")
        value += f", n={n}" if n is not None else ""
        lines.append(
            f"| {_ICON[r['status']]} {r['status']} | {md_escape(r['name'])} | {value} | "
            f"{md_escape(reason(r, audit))} |"
        )
    return lines


def _details(title: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{html_text(title)}</summary>", "", *body, "", "</details>", ""]


def _headline(audit: Mapping[str, Any]) -> list[str]:
    perf = audit["performance"]
    if perf.get("status") != "ok":
        return [f"_Performance not run_: {md_escape(perf.get('reason'))}", ""]
    mode = audit["run"].get("mode")
    model = "audited model" if mode in ("predictions", "supplied") else "fine-tuned model"
    lines = [
        f"### Performance ({model})",
        "",
        "| Split | " + " | ".join(k.replace("_", " ") for k in _HEADLINE) + " |",
        "|---|" + "---:|" * len(_HEADLINE),
    ]
    for split, m in perf["finetuned"].items():
        cells = [_cell(m.get(k)) for k in _HEADLINE]  # plain numbers (no interval here)
        lines.append(f"| {md_escape(split)} | " + " | ".join(cells) + " |")
    return [*lines, ""]


# The two gaps the headline shows (narrow enough for a pull-request comment); every other
# number with an interval is in the folded list below it.
_GAPS = ("equalized_odds_difference", "demographic_parity_difference")


def _difference_names(features: Mapping[str, Any]) -> list[str]:
    present = {
        name
        for feat in features.values()
        for name in ((feat.get("disparities") or {}) if isinstance(feat, dict) else ())
    }
    return [name for name in _GAPS if name in present]


def _gap_cell(node: Any, feature: Any) -> str:
    """A disparity between groups: estimate [interval] (worst-off group, or the tied ones)."""
    if isinstance(node, dict) and "between_groups" in node:
        node = node["between_groups"]
    if not isinstance(node, dict):
        return "—"
    ev = read(node)
    if ev.status == "insufficient_data":
        return "insufficient data"
    cell, tied = _estimate(ev), tied_groups(feature, node)
    if tied is not None:  # each of the tied groups, not only the first
        return f"{cell} ({md_escape(tied)}, tied)"
    return cell + (f" ({md_escape(shorten(ev.group))})" if ev.group is not None else "")


def _fairness_headline(audit: Mapping[str, Any]) -> list[str]:
    """Per audited feature: each *_difference disparity between groups, with its interval
    and the worst-off group. Empty where the section has another shape."""
    part = audit.get("fairness") or {}
    features = part.get("features") if part.get("status") == "ok" else None
    if not isinstance(features, dict) or not features:
        return []
    names = _difference_names(features)
    if not names:
        return []
    lines = [
        "### Fairness (largest gap between groups" + _at(part.get("ci_level")) + ")",
        "",
        "| Feature | " + " | ".join(md_escape(n.replace("_", " ")) for n in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for fname, feat in features.items():
        dis = (feat.get("disparities") or {}) if isinstance(feat, dict) else {}
        cells = [_gap_cell(dis.get(name), feat) for name in names]
        lines.append(f"| {md_escape(shorten(fname))} | " + " | ".join(cells) + " |")
    for fname in label_determined(audit):
        lines += ["", f"_{md_escape(shorten(fname))}: {LABEL_DETERMINED}._"]
    return [*lines, ""]


def _rate_cell(node: Any) -> str:
    """An estimate with its interval; a TPR at an FPR also its counts, and "insufficient data"
    for its number where the non-members cannot resolve the FPR (as its gate reads it)."""
    if node is None:
        return "—"
    ev = read(node)
    counts = ""
    if isinstance(node, dict) and {"tp", "fp", "n", "n_non_members"} <= node.keys():
        counts = f" ({node['tp']}/{node['n']}, fp {node['fp']}/{node['n_non_members']})"
    if ev.resolvable is False:
        return "insufficient data (too few non-members to resolve)" + counts
    return _estimate(ev) + counts


def _at(level: Any) -> str:
    """', intervals at 90%': the level a section's intervals were computed at, from the record
    ('' where it gives none)."""
    text = level_text(level)
    return f", intervals at {text}" if text else ""


def _privacy_headline(audit: Mapping[str, Any]) -> list[str]:
    """Per membership attack: ROC AUC and TPR at each fixed FPR, with intervals."""
    part = audit.get("privacy") or {}
    attacks = part.get("attacks") if part.get("status") == "ok" else None
    if not isinstance(attacks, dict) or not attacks:
        return []
    levels = [str(x) for x in part.get("fpr_levels") or []]
    members = "member rows" if audit["run"].get("mode") == "supplied" else "fine-tuning set"
    lines = [
        f"### Privacy (membership inference on the {members}" + _at(part.get("confidence")) + ")",
        "",
        "| Attack | ROC AUC | "
        + " | ".join(f"TPR at {md_escape(fpr_text(lv))} FPR" for lv in levels)
        + " |",
        "|---|---:|" + "---:|" * len(levels),
    ]
    for name, a in attacks.items():
        if not isinstance(a, dict) or a.get("status") == "not_run":
            continue
        rates = a.get("tpr_at_fpr") or {}
        lines.append(
            f"| {md_escape(name)} | {_rate_cell(a.get('auc'))} | "
            + " | ".join(_rate_cell(rates.get(lv)) for lv in levels)
            + " |"
        )
        pooled = a.get("pooled")
        if isinstance(pooled, dict):  # the target and its reference models attacked alike
            models = pooled.get("n_models")
            over = f"over {models} models" if isinstance(models, int) else "with its references"
            rates = pooled.get("tpr_at_fpr") or {}
            lines.append(
                f"| {md_escape(name)}, pooled {over} | {_rate_cell(pooled.get('auc'))} | "
                + " | ".join(_rate_cell(rates.get(lv)) for lv in levels)
                + " |"
            )
    canaries = part.get("canaries") or {}
    eps = read(canaries.get("epsilon_lower_bound"), parent=canaries, leaf="epsilon_lower_bound")
    if isinstance(eps.value, float) or (canaries.get("undefined") or {}).get("epsilon_lower_bound"):
        ceiling = read(canaries.get("epsilon_ceiling")).value
        level = level_text(canaries.get("confidence")) or "unstated"
        bound = _cell(eps.value) if isinstance(eps.value, float) else "insufficient data"
        why = "" if isinstance(eps.value, float) else f": {md_escape(eps.undefined)}"
        lines += [
            "",
            f"Canary audit: empirical ε lower bound {bound}{why} ({level} confidence; ceiling "
            f"for these guesses {_cell(ceiling)}).",
        ]
    return [*lines, ""]


def _section_intervals(
    audit: Mapping[str, Any], name: str, title: str, limit: int = 200
) -> list[str]:
    part = audit.get(name) or {}
    if part.get("status") != "ok":
        return [f"_{title} not run_: {md_escape(part.get('reason', 'absent'))}", ""]
    found = ((p, node) for p, node in estimate_paths(part, name) if has_interval(node))
    picked = list(islice(found, limit))  # the rest: counted
    if not picked:
        return []
    aucs = auc_counts(part) if name == "fairness" else {}  # a group's AUC: its two classes
    gaps = dict(all_gap_counts(audit)) if name == "fairness" else {}  # a gap: '84 vs 260'
    body = ["| Metric | Value [interval] | n |", "|---|---:|---:|"]
    for path, node in picked:
        ev = read(node, path=path)
        n = gaps[path] if ev.n is None and path in gaps else _cell(ev.n)
        n += f" ({aucs[id(node)]})" if id(node) in aucs else ""
        body.append(f"| {md_code(shorten(path, PATH_MAX))} | {_estimate(ev)} | {n} |")
    total = _with_interval(part)
    if total > limit:
        body.append(f"\n_{total - limit} more in audit.json._")
    level = level_text(part.get("ci_level" if name == "fairness" else "confidence"))
    return _details(f"{title}: {total} numbers with {level} intervals".replace("  ", " "), body)


def _with_interval(tree: Any) -> int:
    """How many estimate nodes under ``tree`` carry their own interval (no paths built)."""
    return sum(map(has_interval, each_estimate(tree)))


def _headline_numbers(audit: Mapping[str, Any]) -> list[str]:
    """The headline numbers, one bullet each: value [interval], what it is, its gate."""
    out = []
    for h in headlines(audit):
        ev = Evidence(value=h.value, ci_low=h.ci_low, ci_high=h.ci_high, bound_only=h.bound_only)
        gate = f" · gate {_ICON[h.status]} {h.status}" if h.status else ""
        shown = "insufficient data" if h.value is None else _estimate(ev, h.bound)
        out.append(f"- **{md_escape(h.label)}** {shown} ({md_escape(h.note)}){gate}")
    return [*out, ""] if out else []


def _gates_head(audit: Mapping[str, Any]) -> list[str]:
    gates, run = audit["gates"], audit["run"]
    if gates.get("status") != "ok":
        return [
            f"## auditor: {md_escape(run['name'])} (gates not run)",
            "",
            f"_Gates not run_: {md_escape(gates.get('reason'))}",
            "",
        ]
    c, verdict = gates["counts"], gates["verdict"]
    word = {"pass": "passed", "warn": "passed with warnings", "fail": "FAILED"}[verdict]
    words = warnings_fail(gates)  # naming neither --fail-on nor fail_on: audit.json does not say
    icon = _ICON["fail" if words else verdict]  # warnings that fail the job: the job's ❌
    if words:
        word = f"FAILED {words}"
    config = md_code(gates["config_file"] or "built-in", in_table=False)  # a line, no table
    # under a FAILED heading, warnings that fail: the job's verdict, the gates' own as the why
    shown, why = failed_by_warnings() if words else (verdict.upper(), "")
    said = f"**Verdict: {shown}** {why}".rstrip()
    head = [
        f"## {icon} auditor gates {word}: {md_escape(run['name'])}",
        "",
        f"{said} · {c['fail']} failed · {c['warn']} warnings · "
        f"{c['pass']} passed · config {config}",
        "",
    ]
    head += _headline_numbers(audit)
    failing = [r for r in gates["results"] if r["status"] == "fail"]
    warning = [r for r in gates["results"] if r["status"] == "warn"]
    if failing:
        head += ["### Failing gates", "", *_gate_table(failing, audit), ""]
    if warning:
        table = _gate_table(warning, audit)
        head += (
            ["### Warnings", "", *table, ""]
            if len(warning) <= 10
            else _details(f"Warnings ({len(warning)})", table)
        )
    base = gates.get("baseline")
    if base:
        f = base["findings"]
        head += [
            f"**Against baseline** {md_code(base['file'] or base['run_name'], in_table=False)} "
            f"({md_escape(base['created_at'])}, tolerance {base['tolerance']:g}): "
            f"{f['worse']} worse · {f['fixed']} fixed · {f['unchanged']} unchanged · "
            f"{f['new']} new",
            "",
        ]
    return head


def _fit(head: list[str], body: list[str], folded: list[list[str]], foot: list[str]) -> str:
    """Join the parts, dropping folded parts from the end until the text fits MAX_BYTES."""
    note: list[str] = []
    while True:
        text = "\n".join([*head, *body, *(line for part in folded for line in part), *note, *foot])
        if len(text.encode("utf-8")) <= MAX_BYTES or not folded:
            break
        folded, note = folded[:-1], [_LEFT_OUT, ""]
    if len(text.encode("utf-8")) > MAX_BYTES:  # thousands of failing or warning gates
        return _cut([*head, *body, *note], foot)
    return text


def _cut(lines: list[str], foot: list[str]) -> str:
    """The first whole lines that fit :data:`MAX_BYTES` with the foot (a table keeps whole
    rows), each ``<details>`` left open closed, and one line counting the gates left out."""
    budget = MAX_BYTES - len("\n".join(foot).encode("utf-8")) - 1024  # the note, the closings
    kept, used = 0, 0
    for line in lines:
        used += len(line.encode("utf-8")) + 1
        if used > budget:
            break
        kept += 1
    rows = (line.split(" | ", 1)[0] for line in lines[kept:])
    left = sum(row.removeprefix("| ").split(" ")[-1] in _ICON for row in rows)
    gates = f"{left:,} gate" + ("s" if left != 1 else "")
    shown = lines[:kept]
    opened = shown.count("<details>") - shown.count("</details>")
    closing = ["", *(["</details>", ""] * opened)]
    return "\n".join([*shown, *closing, _CUT.format(gates=gates), "", *foot])


def render_summary(audit: Mapping[str, Any]) -> str:
    """The summary.md text (always under :data:`MAX_BYTES`)."""
    gates, run = audit["gates"], audit["run"]
    body = [*_headline(audit), *_fairness_headline(audit), *_privacy_headline(audit)]
    folded: list[list[str]] = [
        _section_intervals(audit, "fairness", "Fairness"),
        _section_intervals(audit, "privacy", "Privacy"),
    ]
    if gates.get("status") == "ok":
        folded.append(
            _details(f"All gates ({len(gates['results'])})", _gate_table(gates["results"], audit))
        )
    foot = [
        f"<sub>auditor {md_escape(audit['tool']['version'])} · {md_escape(run['created_at'])} · "
        f"seed {run['seed']} · scenario {md_escape(run['scenario'])} · full card: model_card.html, "
        "numbers: audit.json</sub>",
        "",
    ]
    return _fit(_gates_head(audit), body, folded, foot)
