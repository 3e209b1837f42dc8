"""summary.md: a pull-request-ready summary of one audit (verdict first, failing gates, then
the headline tables, long parts folded in <details>), kept under 1 MiB so it fits GitHub's
job summary; and the GitHub Actions outputs (job summary, ::error / ::warning annotations).
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path
from typing import Any, TextIO

_CELL_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(value: Any) -> str:
    """Text for a Markdown table cell or line: HTML-escaped, on one line, with the inline
    Markdown control characters (and the cell separator) backslashed."""
    text = html.escape(str(value), quote=False).replace("\r", " ").replace("\n", " ")
    return _CELL_SPECIAL.sub(r"\\\1", text)


MAX_BYTES = 1024 * 1024  # GitHub's limit for one step's job summary
_ICON = {"pass": "✅", "warn": "⚠️", "fail": "❌"}
_HEADLINE = ("n", "accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "ece")


def _num(v: Any, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return md_escape(v)


def _code(v: Any) -> str:
    """A code span in a table cell: no Markdown escapes apply inside, so only the backtick,
    the pipe and line breaks are neutralised (GitHub renders HTML inside code as text)."""
    text = str(v).replace("`", "'").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return f"`{text}`"


def _interval(r: dict[str, Any]) -> str:
    value = _num(r["value"])
    if r.get("ci_low") is not None and r.get("ci_high") is not None:
        return f"{value} [{_num(r['ci_low'])}, {_num(r['ci_high'])}]"
    return value


def _bound(r: dict[str, Any]) -> str:
    from auditor.report.junit import _bound as bound_text

    return md_escape(bound_text(r))


def _own_name(r: dict[str, Any]) -> str:
    """The rule's own name; blank where it is only metric@group (the next column)."""
    return "" if r["name"] == f"{r['metric']}@{r['group']}" else r["name"]


def _gate_table(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| Status | Gate | Metric @ group | Value [interval] | n | Bound | Mode | Detail |",
        "|---|---|---|---:|---:|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {_ICON[r['status']]} {r['status']} | {md_escape(_own_name(r))} | "
            f"{_code(r['metric'])} @ {md_escape(r['group'])} | {_interval(r)} | {_num(r['n'])} | "
            f"{_bound(r)} | {r['mode']} | {md_escape(r['message'])} |"
        )
    return lines


def _details(title: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{md_escape(title)}</summary>", "", *body, "", "</details>", ""]


def _headline(audit: dict[str, Any]) -> list[str]:
    perf = audit["performance"]
    if perf.get("status") != "ok":
        return [f"_Performance not run_: {md_escape(perf.get('reason'))}", ""]
    lines = [
        "### Performance (fine-tuned model)",
        "",
        "| Split | " + " | ".join(k.replace("_", " ") for k in _HEADLINE) + " |",
        "|---|" + "---:|" * len(_HEADLINE),
    ]
    for split, m in perf["finetuned"].items():
        lines.append(
            f"| {md_escape(split)} | " + " | ".join(_num(m.get(k)) for k in _HEADLINE) + " |"
        )
    return [*lines, ""]


def _ci(node: Any) -> str:
    if not isinstance(node, dict):
        return "—"
    value = node.get("value", node.get("tpr"))
    out = _num(value if isinstance(value, (int, float)) else None)
    if isinstance(node.get("ci_low"), (int, float)) and isinstance(
        node.get("ci_high"), (int, float)
    ):
        out += f" [{_num(node['ci_low'])}, {_num(node['ci_high'])}]"
    return out


def _fairness_headline(audit: dict[str, Any]) -> list[str]:
    """Per audited feature: each *_difference disparity between groups, with its interval
    and the worst-off group. Empty where the section has another shape."""
    part = audit.get("fairness") or {}
    features = part.get("features") if part.get("status") == "ok" else None
    if not isinstance(features, dict) or not features:
        return []
    names: list[str] = []
    for feat in features.values():
        for name in (feat.get("disparities") or {}) if isinstance(feat, dict) else ():
            if name.endswith("_difference") and name not in names:
                names.append(name)
    if not names:
        return []
    lines = [
        "### Fairness (largest gap between groups)",
        "",
        "| Feature | " + " | ".join(md_escape(n.replace("_", " ")) for n in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for fname, feat in features.items():
        dis = (feat.get("disparities") or {}) if isinstance(feat, dict) else {}
        cells = []
        for name in names:
            node = dis.get(name)
            node = node.get("between_groups", node) if isinstance(node, dict) else node
            cell = _ci(node)
            if isinstance(node, dict) and node.get("worst_group") is not None:
                cell += f" ({md_escape(node['worst_group'])})"
            elif isinstance(node, dict) and node.get("status") == "insufficient_data":
                cell = "insufficient data"
            cells.append(cell)
        lines.append(f"| {md_escape(fname)} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _tpr_cell(node: Any) -> str:
    cell = _ci(node)
    if isinstance(node, dict) and node.get("resolvable") is False:
        cell += " (too few non-members to resolve)"
    return cell


def _privacy_headline(audit: dict[str, Any]) -> list[str]:
    """Per membership attack: ROC AUC and TPR at each fixed FPR, with intervals."""
    part = audit.get("privacy") or {}
    attacks = part.get("attacks") if part.get("status") == "ok" else None
    if not isinstance(attacks, dict) or not attacks:
        return []
    levels = [str(x) for x in part.get("fpr_levels") or []]
    lines = [
        "### Privacy (membership inference on the fine-tuning set)",
        "",
        "| Attack | ROC AUC | " + " | ".join(f"TPR at {md_escape(lv)} FPR" for lv in levels) + " |",
        "|---|---:|" + "---:|" * len(levels),
    ]
    for name, a in attacks.items():
        if not isinstance(a, dict) or a.get("status") == "not_run":
            continue
        auc = {
            "value": a.get("auc"),
            "ci_low": a.get("auc_ci_low"),
            "ci_high": a.get("auc_ci_high"),
        }
        detail = a.get("tpr_at_fpr_detail") or {}
        lines.append(
            f"| {md_escape(name)} | {_ci(auc)} | "
            + " | ".join(_tpr_cell(detail.get(lv)) for lv in levels)
            + " |"
        )
    canaries = part.get("canaries") or {}
    if isinstance(canaries.get("epsilon_lower_bound"), (int, float)):
        lines += [
            "",
            f"Canary audit: empirical ε lower bound {_num(canaries['epsilon_lower_bound'])}"
            f" (95% confidence; ceiling for these guesses "
            f"{_num(canaries.get('epsilon_ceiling'))}).",
        ]
    return [*lines, ""]


def _section_intervals(audit: dict[str, Any], name: str, title: str, limit: int = 200) -> list[str]:
    from auditor.diff import interval_nodes

    part = audit.get(name) or {}
    if part.get("status") != "ok":
        return [f"_{title} not run_: {md_escape(part.get('reason', 'absent'))}", ""]
    rows = interval_nodes(part, prefix=name)
    if not rows:
        return []
    body = ["| Metric | Value [interval] | n |", "|---|---:|---:|"]
    for row in rows[:limit]:
        body.append(f"| {_code(row['path'])} | {_interval(row)} | {_num(row['n'])} |")
    if len(rows) > limit:
        body.append(f"\n_{len(rows) - limit} more in audit.json._")
    return _details(f"{title}: {len(rows)} numbers with intervals", body)


def render_summary(audit: dict[str, Any]) -> str:
    """The summary.md text (always under :data:`MAX_BYTES`)."""
    gates = audit["gates"]
    run = audit["run"]
    head: list[str] = []
    if gates.get("status") == "ok":
        c = gates["counts"]
        verdict = gates["verdict"]
        word = {"pass": "passed", "warn": "passed with warnings", "fail": "FAILED"}[verdict]
        if verdict == "warn" and gates["fail_on"] == "warning":
            word = "FAILED (warnings fail: fail_on = warning)"
        head += [
            f"## {_ICON[verdict]} auditor gates {word}: {md_escape(run['name'])}",
            "",
            f"**Verdict: {verdict.upper()}** · {c['fail']} failed · {c['warn']} warnings · "
            f"{c['pass']} passed · config {_code(gates['config_file'] or 'built-in')}",
            "",
        ]
        failing = [r for r in gates["results"] if r["status"] == "fail"]
        warning = [r for r in gates["results"] if r["status"] == "warn"]
        if failing:
            head += ["### Failing gates", "", *_gate_table(failing), ""]
        if warning:
            table = _gate_table(warning)
            head += (
                ["### Warnings", "", *table, ""]
                if len(warning) <= 10
                else _details(f"Warnings ({len(warning)})", table)
            )
        base = gates.get("baseline")
        if base:
            f = base["findings"]
            head += [
                f"**Against baseline** {_code(base['file'] or base['run_name'])} "
                f"({md_escape(base['created_at'])}, tolerance {base['tolerance']:g}): "
                f"{f['worse']} worse · {f['fixed']} fixed · {f['unchanged']} unchanged · "
                f"{f['new']} new",
                "",
            ]
    else:
        head += [
            f"## auditor: {md_escape(run['name'])} (gates not run)",
            "",
            f"_Gates not run_: {md_escape(gates.get('reason'))}",
            "",
        ]
    body = [*_headline(audit), *_fairness_headline(audit), *_privacy_headline(audit)]
    folded: list[list[str]] = [
        _section_intervals(audit, "fairness", "Fairness"),
        _section_intervals(audit, "privacy", "Privacy"),
    ]
    if gates.get("status") == "ok":
        folded.append(
            _details(f"All gates ({len(gates['results'])})", _gate_table(gates["results"]))
        )
    foot = [
        f"<sub>auditor {md_escape(audit['tool']['version'])} · {md_escape(run['created_at'])} · "
        f"seed {run['seed']} · scenario {md_escape(run['scenario'])} · full card: model_card.html, "
        "numbers: audit.json</sub>",
        "",
    ]
    text = "\n".join([*head, *body, *(line for part in folded for line in part), *foot])
    while len(text.encode("utf-8")) > MAX_BYTES and folded:
        folded.pop()  # drop the longest optional parts first (they are last)
        note = [
            "_Some details were left out to keep this summary under 1 MiB; see audit.json._",
            "",
        ]
        text = "\n".join([*head, *body, *(line for part in folded for line in part), *note, *foot])
    if len(text.encode("utf-8")) > MAX_BYTES:
        text = (
            text.encode("utf-8")[: MAX_BYTES - 200].decode("utf-8", "ignore")
            + "\n\n_(truncated)_\n"
        )
    return text


# ---------------------------------------------------------------------------- GitHub Actions


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _config_line(config_file: str | None, rule: str, metric: str) -> int | None:
    """The line of the config file that declares a rule's metric (for the annotation)."""
    if not config_file or not rule.startswith("rules["):
        return None
    try:
        lines = Path(config_file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    needle = metric.split("@", 1)[0]
    for i, line in enumerate(lines, 1):
        if "metric" in line and needle in line:
            return i
    return None


def github_annotations(gates: dict[str, Any], *, config_file: str | None = None) -> list[str]:
    """``::error`` / ``::warning`` workflow commands for failing and warning gates, pointing
    at the config file (and the rule's line where it can be found)."""
    if gates.get("status") != "ok":
        return []
    config_file = config_file or gates.get("config_file")
    out = []
    for r in gates["results"]:
        if r["status"] == "pass":
            continue
        from auditor.report.junit import failure_text

        kind = "error" if r["status"] == "fail" else "warning"
        props = [f"title={_escape_prop('auditor gate ' + r['status'] + ': ' + r['name'])}"]
        if config_file:
            props.insert(0, f"file={_escape_prop(config_file)}")
            line = _config_line(config_file, r["rule"], r["metric"])
            if line:
                props.insert(1, f"line={line}")
        out.append(f"::{kind} {','.join(props)}::{_escape_data(failure_text(r))}")
    return out


def publish_github(
    audit: dict[str, Any],
    summary_text: str,
    *,
    config_file: str | None = None,
    env: dict[str, str] | None = None,
    stream: TextIO | None = None,
) -> None:
    """Under GitHub Actions: append the summary to $GITHUB_STEP_SUMMARY (when set) and print
    the annotations. Elsewhere: nothing."""
    env = os.environ if env is None else env
    stream = stream or sys.stdout
    target = env.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(summary_text if summary_text.endswith("\n") else summary_text + "\n")
    if env.get("GITHUB_ACTIONS") == "true":
        for line in github_annotations(audit["gates"], config_file=config_file):
            print(line, file=stream)
