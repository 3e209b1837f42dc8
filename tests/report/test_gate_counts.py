"""A fairness gate's row in the card shows the counts of the two groups its gap compares:
its n was '—' (a gap has no n of its own), while the terminal printed 'n=84 vs 260'."""

from __future__ import annotations

import numpy as np
import pandas as pd

import auditor
from auditor.report.decision import gap_counts
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from auditor.report.summary import render_summary


def _three_groups() -> dict:
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"group": np.repeat(["a", "b", "c"], [300, 120, 80])})
    rows["y_true"] = rng.integers(0, 2, len(rows))
    rows["y_pred"] = np.where(rng.random(len(rows)) < 0.8, rows.y_true, 1 - rows.y_true)
    return auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred",
                                     sensitive="group").data  # fmt: skip


def test_a_gap_gate_shows_its_pair_counts():
    audit = _three_groups()
    (gate,) = [r for r in audit["gates"]["results"] if r["metric"].endswith(".between_groups")]
    feature = audit["fairness"]["features"]["group"]
    pair = feature["disparities"]["equalized_odds_difference"]["between_groups"]["pair"]
    sizes = {g["group"]: g["n"] for g in feature["groups"]}
    expected = f"{sizes[pair[0]]:,} vs {sizes[pair[1]]:,}"
    assert gate["n"] is None and gap_counts(audit, gate) == expected
    (row,) = [line for line in render_markdown(audit).splitlines()
              if line.startswith("| pass | group: equalized-odds gap")]  # fmt: skip
    assert f"| {expected} |" in row
    assert f'<td class="num">{expected}</td>' in render_html(audit)
    other = {**gate, "value": 0.5}  # a gap the gate took again over fewer groups: not this pair
    assert gap_counts(audit, other) is None
    assert gap_counts(audit, audit["gates"]["results"][0]) is None  # accuracy has its own n


def test_summary_gives_a_gap_gate_its_pair_counts():
    audit = _three_groups()
    (gate,) = [r for r in audit["gates"]["results"] if r["metric"].endswith(".between_groups")]
    (row,) = [line for line in render_summary(audit).splitlines()
              if "group: equalized-odds gap" in line and line.startswith("| ✅")]  # fmt: skip
    assert f", n={gap_counts(audit, gate)} |" in row


def test_terminal_junit_and_annotations_give_a_gap_gate_its_pair_counts():
    """The gate's one text (terminal line, JUnit message, CI annotation) shows the pair's
    counts beside its value, as the card does: the terminal gave the gap without them."""
    import xml.etree.ElementTree as ET

    from auditor.report.github import github_annotations
    from auditor.report.junit import render_junit
    from auditor.report.terminal import failure_text, gate_lines

    audit = _three_groups()
    gates = {**audit["gates"], "fail_on": "warning"}  # every flagged gate shown, all failing
    results = [{**r, "status": "warn"} for r in gates["results"]]
    gates["results"] = results
    audit = {**audit, "gates": gates}
    (gate,) = [r for r in results if r["metric"].endswith(".between_groups")]
    counts = f" (95% interval, n={gap_counts(audit, gate)}) "
    text = failure_text(gate, audit)
    assert counts in text and text.index(counts) < text.index(" meets ")
    assert failure_text(gate) == f"{gate['name']}: {gate['message']}"  # no audit: as before
    assert any(counts in line for line in gate_lines(gates, audit=audit))
    escaped = counts.replace("%", "%25")  # a workflow command escapes "%"
    assert any(escaped in line for line in github_annotations(gates, audit=audit))
    messages = [f.get("message") for f in ET.fromstring(render_junit(audit)).iter("failure")]
    assert any(counts in m for m in messages)
    accuracy = next(r for r in results if r["metric"].endswith(".accuracy"))
    own = failure_text(accuracy)  # its own n, in its message; the audit adds the level
    assert failure_text(accuracy, audit) == own.replace(" (n=", " (95% Wilson interval, n=", 1)


def test_the_cli_prints_a_gap_gates_pair_counts(tmp_path):
    """``auditor audit``'s gate line of a failing gap gate names its pair's counts."""
    from typer.testing import CliRunner

    from auditor.cli import app

    rng = np.random.default_rng(1)
    rows = pd.DataFrame({"group": np.repeat(["a", "b"], [300, 90])})
    rows["y_true"] = rng.integers(0, 2, len(rows))
    rows["y_pred"] = np.where(rows.group == "a", rows.y_true, 1)  # b: every row predicted 1
    rows.to_csv(tmp_path / "p.csv", index=False)
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["audit", "-p", str(tmp_path / "p.csv"), "--sensitive",
                                   "group", "-o", str(out), "-q"])  # fmt: skip
    assert res.exit_code == 1, res.output
    (line,) = [x for x in res.output.splitlines() if x.startswith("  FAIL  group: equalized")]
    assert "interval, n=300 vs 90) breaks" in line or "interval, n=90 vs 300) breaks" in line


def test_the_cards_decision_gives_a_gap_gates_pair_counts():
    """The first screen's line of a failing or warning gap gate (HTML and Markdown) has the
    pair's counts as the terminal line does; it gave the recorded message alone."""
    audit = _three_groups()
    results = [{**r, "status": "warn"} for r in audit["gates"]["results"]]
    audit = {**audit, "gates": {**audit["gates"], "results": results, "verdict": "warn"}}
    (gate,) = [r for r in results if r["metric"].endswith(".between_groups")]
    counts = f" (95% interval, n={gap_counts(audit, gate)}) meets"
    html = render_html(audit).split('<ul class="problems">', 1)[1].split("</ul>", 1)[0]
    assert counts in html
    md = render_markdown(audit).split("## ", 1)[0]
    (line,) = [x for x in md.splitlines() if x.startswith("- ⚠") and "equalized-odds gap" in x]
    assert f"\\(95% interval, n={gap_counts(audit, gate)}\\) meets" in line


def test_a_gate_on_a_gap_to_the_overall_rate_gives_its_groups_and_all_rows():
    """A gap to the overall rate compares its group with every row: 'n=120 vs 500 overall'.
    Its gate had no count in summary.md, junit.xml, the terminal and the annotations
    (gap_counts read pair ['b', 'overall'] as two groups), while the diff's metric row had."""
    import xml.etree.ElementTree as ET

    from auditor.report.github import github_annotations
    from auditor.report.junit import render_junit
    from auditor.report.terminal import failure_text

    metric = "fairness.features.group.disparities.demographic_parity_difference.to_overall"
    audit = auditor.AuditResult(_three_groups()).gate([{"metric": metric, "max": 0.01}]).data
    (gate,) = [r for r in audit["gates"]["results"] if r["metric"] == metric]
    gap = audit["fairness"]["features"]["group"]["disparities"]["demographic_parity_difference"]
    group = gap["to_overall"]["pair"][0]
    sizes = {g["group"]: g["n"] for g in audit["fairness"]["features"]["group"]["groups"]}
    expected = f"{sizes[group]:,} vs 500 overall"
    assert gate["status"] == "fail" and gap_counts(audit, gate) == expected
    rows = [line for line in render_summary(audit).splitlines()
            if "demographic-parity gap" in line and line.startswith("| ❌")]  # fmt: skip
    assert rows and all(f", n={expected} |" in row for row in rows)
    counts = f"(95% interval, n={expected}) breaks"
    assert counts in failure_text(gate, audit)
    messages = [f.get("message") for f in ET.fromstring(render_junit(audit)).iter("failure")]
    assert any(counts in m for m in messages)
    assert any(counts.replace("%", "%25") in line
               for line in github_annotations(audit["gates"], audit=audit))  # fmt: skip


def test_a_gate_on_a_mitigation_gap_gives_the_rows_it_was_evaluated_on():
    """The mitigation preview records no group's rows: a gate on one of its gaps gives the
    rows the preview was evaluated on (it gave none), as the diff does."""
    from auditor.report.terminal import failure_text

    metric = "fairness.mitigation.features.group.before.demographic_parity_difference"
    data = _three_groups()
    gap = {**data["fairness"]["features"]["group"]["disparities"][
        "demographic_parity_difference"]["between_groups"]}  # fmt: skip
    rate = {"value": 0.5, "ci_low": 0.45, "ci_high": 0.55, "n": 500, "reason": None}
    before = {"accuracy": rate, "demographic_parity_difference": gap}
    feature = {"status": "ok", "before": before, "constraints": {}}
    data["fairness"]["mitigation"] = {"status": "ok", "features": {"group": feature}}
    audit = auditor.AuditResult(data).gate([{"metric": metric, "max": 0.001}]).data
    (gate,) = [r for r in audit["gates"]["results"] if r["metric"] == metric]
    assert gate["n"] is None and gap_counts(audit, gate) == "500 over all groups"
    assert "(95% interval, n=500 over all groups) breaks" in failure_text(gate, audit)
