"""summary.md and the GitHub Actions outputs."""

from __future__ import annotations

import io
import re

from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from auditor.report.summary import MAX_BYTES, github_annotations, publish_github, render_summary
from tests.report.test_junit import audit_with_gates
from tests.test_gates import make_audit


def test_verdict_first_then_failing_gates_then_headline():
    text = render_summary(audit_with_gates())
    lines = text.splitlines()
    assert lines[0].startswith("## ❌ auditor gates FAILED")
    assert lines[2].startswith("**Verdict: FAIL** · 1 failed · 2 warnings · 3 passed")
    failing = text.index("### Failing gates")
    assert failing < text.index("### Warnings") < text.index("### Performance")
    block = text[failing : text.index("### Warnings")]
    assert "accuracy" in block and "0.900 [0.867, 0.926]" in block and "&gt;= 0.95" in block
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


def test_github_annotations_point_at_the_config_line(tmp_path):
    cfg = tmp_path / "audit.toml"
    metric = "performance.finetuned.test.accuracy"
    cfg.write_text(f'name = "x"\n\n[[gates.rules]]\nmetric = "{metric}"\nmin = 0.95\n')
    rules = [
        GateRule(metric=metric, min=0.95),
        GateRule(metric="privacy.attacks.loss.auc", max=0.6),
    ]
    audit = audit_with_gates(rules=rules)
    audit["gates"]["config_file"] = str(cfg)
    lines = github_annotations(audit["gates"])
    assert lines[0].startswith(f"::error file={cfg},line=4,title=auditor gate fail%3A ")
    assert lines[1].startswith(f"::warning file={cfg},title=")
    assert all("\n" not in line for line in lines)


def test_publish_github_only_under_actions(tmp_path):
    audit = audit_with_gates()
    target = tmp_path / "summary"
    out = io.StringIO()
    publish_github(audit, "S\n", env={"GITHUB_STEP_SUMMARY": str(target)}, stream=out)
    assert target.read_text() == "S\n" and out.getvalue() == ""
    publish_github(
        audit, "T", env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(target)}, stream=out
    )
    assert target.read_text() == "S\nT\n" and out.getvalue().startswith("::error ")


def test_fairness_and_privacy_headline_tables():
    audit = audit_with_gates()
    eod = {"value": 0.3, "ci_low": 0.2, "ci_high": 0.4, "worst_group": "<F>", "status": "ok"}
    audit["fairness"]["features"]["sex"]["disparities"] = {
        "equalized_odds_difference": {"between_groups": eod, "to_overall": eod},
        "demographic_parity_ratio": {"between_groups": eod},
    }
    audit["privacy"] = {
        "status": "ok",
        "fpr_levels": [0.01, 0.001],
        "attacks": {"loss": {"auc": 0.55, "auc_ci_low": 0.5, "auc_ci_high": 0.6,
                             "tpr_at_fpr_detail": {
                                 "0.01": {"tpr": 0.02, "ci_low": 0.01, "ci_high": 0.04},
                                 "0.001": {"tpr": 0.0, "ci_low": 0.0, "ci_high": 0.01,
                                           "resolvable": False}}}},
        "canaries": {"epsilon_lower_bound": 0.7, "epsilon_ceiling": 2.5},
    }  # fmt: skip
    text = render_summary(audit)
    fair = text[text.index("### Fairness") : text.index("### Privacy")]
    assert "equalized odds difference" in fair and "ratio" not in fair
    assert "| sex | 0.300 [0.200, 0.400] (&lt;F&gt;) |" in fair
    priv = text[text.index("### Privacy") :]
    assert (
        "| loss | 0.550 [0.500, 0.600] | 0.020 [0.010, 0.040] | 0.000 [0.000, 0.010] (too few"
        in priv
    )
    assert "ε lower bound 0.700" in priv
