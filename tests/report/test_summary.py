"""summary.md and the GitHub Actions outputs."""

from __future__ import annotations

import re

from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from auditor.report.summary import MAX_BYTES, render_summary
from tests.gates.builders import make_audit, node, privacy_section
from tests.report.test_junit import audit_with_gates


def test_verdict_first_then_failing_gates_then_headline():
    text = render_summary(audit_with_gates())
    lines = text.splitlines()
    assert lines[0].startswith("## ❌ auditor gates FAILED")
    assert lines[2].startswith("**Verdict: FAIL** · 1 failed · 2 warnings · 3 passed")
    failing = text.index("### Failing gates")
    assert failing < text.index("### Warnings") < text.index("### Performance")
    block = text[failing : text.index("### Warnings")]
    assert "accuracy" in block and "0.900 [0.866, 0.926]" in block and "&gt;= 0.95" in block
    assert "<details>" in text and "All gates (6)" in text
    assert len(text.encode()) < MAX_BYTES


def test_pass_and_not_run_headers():
    ok = audit_with_gates(rules=[GateRule(metric="performance.finetuned.test.accuracy", min=0.5)])
    assert render_summary(ok).startswith("## ✅ auditor gates passed")
    audit = make_audit()
    audit["tool"], audit["run"]["seed"] = {"version": "0.1.0"}, 0
    audit["gates"] = {"status": "not_run", "reason": "disabled in config"}
    assert "gates not run" in render_summary(audit).splitlines()[0]


def test_stays_under_one_mebibyte():
    audit = make_audit()
    audit["tool"], audit["run"]["seed"] = {"version": "0.1.0"}, 0
    groups = [
        {"group": f"g{i}" + "x" * 60, "n": 100, "status": "ok",
         "metrics": {"tpr": {"value": 0.01, "ci_low": 0.0, "ci_high": 0.02, "n": 100}}}
        for i in range(12000)
    ]  # fmt: skip
    audit["fairness"]["features"]["sex"]["groups"] = groups
    rule = GateRule(metric="fairness.features.sex.groups[*].metrics.tpr", min=0.5)
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=[rule]))
    text = render_summary(audit)
    assert len(text.encode("utf-8")) <= MAX_BYTES
    assert text.startswith("## ❌")


def test_markdown_injection_is_neutralised():
    audit = make_audit()
    audit["tool"], audit["run"]["seed"] = {"version": "0.1.0"}, 0
    audit["run"]["name"] = "<img src=x onerror=alert(1)>"
    audit["fairness"]["features"]["sex"]["groups"][0]["group"] = "a|b <b>x</b>"
    rule = GateRule(metric="fairness.features.sex.groups[*].metrics.tpr", min=0.99)
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=[rule]))
    text = render_summary(audit)
    assert "<img" not in text and "&lt;img" in text
    # outside code spans HTML is escaped; inside one it is shown as text by Markdown itself
    outside = re.sub(r"`[^`]*`", "", text)
    assert "<b>" not in outside and "&lt;b&gt;x" in outside
    assert "a\\|b" in text  # a pipe cannot break the table


def test_fairness_and_privacy_headline_tables():
    audit = audit_with_gates()
    eod = {"value": 0.3, "ci_low": 0.2, "ci_high": 0.4, "worst_group": "<F>", "status": "ok"}
    audit["fairness"]["features"]["sex"]["disparities"] = {
        "equalized_odds_difference": {"between_groups": eod, "to_overall": eod},
        "demographic_parity_ratio": {"between_groups": eod},
    }
    audit["privacy"] = privacy_section(auc=0.55, tpr=0.02)
    text = render_summary(audit)
    fair = text[text.index("### Fairness") : text.index("### Privacy")]
    assert "equalized odds difference" in fair and "ratio" not in fair
    assert "| Feature | equalized odds difference |" in fair  # the gated gap first
    assert "| sex | 0.300 [0.200, 0.400] (&lt;F&gt;) |" in fair
    priv = text[text.index("### Privacy") :]
    assert (
        "| loss | 0.550 [0.500, 0.600] | 0.020 [0.010, 0.040] (5/266, fp 2/266) | insufficient "
        "data (too few non-members to resolve) (0/266, fp 2/266) |" in priv
    )
    assert "TPR at 1% FPR" in priv
    # the folded list of every number with an interval holds the privacy numbers too
    assert "Privacy: 3 numbers with intervals" in text
    assert '`privacy.attacks.loss.tpr_at_fpr."0.01"` | 0.020 [0.010, 0.040] | 266 |' in text
    assert "ε lower bound 0.700" in priv


def test_gate_table_names_metric_and_group_apart():
    audit = make_audit()
    dis = audit["fairness"]["features"]["sex"]["disparities"]
    dis["equalized_odds_difference"] = node(0.3, 0.25, 0.35, worst_group="M")
    rule = GateRule(metric="fairness.features.*.disparities.equalized_odds_difference", max=0.2)
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=[rule]))
    failing = render_summary(audit).split("### Failing gates")[1].split("\n\n")[1]
    row = failing.splitlines()[2]
    assert row.startswith("| ❌ fail | sex: equalized-odds gap &lt;= 0.20 | 0.300 [0.250, 0.350]")
    assert "`" not in row  # no long code span: the metric path is audit.json's and junit's
    assert "breaks &lt;= 0.2; worst-off group M" in row


def test_three_failing_gates_fit_a_pull_request_comment():
    """Four columns, the bound inside the name, and rows no wider than a review pane wraps:
    no cell holds an unbreakable run longer than 40 characters."""
    audit = make_audit()
    dis = audit["fairness"]["features"]["sex"]["disparities"]
    dis["equalized_odds_difference"] = node(0.3, 0.25, 0.35, worst_group="M")
    rules = [
        GateRule(metric="fairness.features.*.disparities.equalized_odds_difference", max=0.2),
        GateRule(metric="performance.finetuned.test.accuracy", min=0.95),
        GateRule(metric="performance.finetuned.test.accuracy", min=0.99, mode="confident-fail"),
    ]
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules))
    block = render_summary(audit).split("### Failing gates")[1].split("\n\n")[1]
    rows = block.splitlines()
    assert len(rows) == 2 + 3 and all(r.count(" | ") == 3 for r in rows[2:])
    assert rows[0] == "| Status | Gate | Value [interval] | Why |"
    longest = max(len(word) for r in rows[2:] for word in r.split())
    assert longest <= 40


def test_the_intervals_table_gives_a_gaps_counts():
    """summary.md's table of intervals gave a fairness gap's n as '—' (a gap has no n of its
    own), beside the card's '50 vs 50' for the same gap; it gives the pair's rows now."""
    import numpy as np
    import pandas as pd

    import auditor

    groups = np.repeat(["a", "b", "c"], [60, 80, 100])
    y_pred = np.tile([1, 0], 120)
    y_true = np.random.default_rng(0).integers(0, 2, len(groups))
    rows = pd.DataFrame({"g": groups, "y_true": y_true, "y_pred": y_pred})
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred", sensitive="g").data
    gap = audit["fairness"]["features"]["g"]["disparities"]["demographic_parity_difference"]
    sizes = {"a": 60, "b": 80, "c": 100}
    want = " vs ".join(str(sizes[g]) for g in gap["between_groups"]["pair"])
    [row] = [line for line in render_summary(audit).splitlines()
             if line.startswith("| `fairness.features.g.disparities.demographic_parity_difference"
                                ".between_groups`")]  # fmt: skip
    assert row.endswith(f"| {want} |"), row
    [over] = [line for line in render_summary(audit).splitlines()
              if "demographic_parity_difference.to_overall`" in line]  # fmt: skip
    assert over.endswith(" vs 240 overall |"), over


def test_the_config_file_on_the_verdict_line_keeps_its_pipe():
    """The config file's name is on a line, not in a table cell, but its code span wrote a
    '|' as '\\|', which a rendered page shows with the backslash (R10)."""
    audit = audit_with_gates()
    audit["gates"]["config_file"] = "c|x.toml"
    [line] = [x for x in render_summary(audit).splitlines() if x.startswith("**Verdict:")]
    assert line.endswith("config `c|x.toml`"), line
