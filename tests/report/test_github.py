"""GitHub Actions outputs: annotations at the rule's config line, the job summary."""

from __future__ import annotations

import io

from auditor.config import GateRule
from auditor.report.github import github_annotations, publish_github
from tests.report.test_junit import audit_with_gates


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


def test_annotation_of_a_wildcard_rule_points_at_its_table(tmp_path):
    cfg = tmp_path / "audit.toml"
    cfg.write_text(
        'name = "x"\n\n[[gates.rules]]\nmetric = "performance.finetuned.test.accuracy"\n'
        "min = 0.5\n\n[[gates.rules]]\n"
        'metric = "fairness.features[sex].groups[*].metrics.tpr"\nmin = 0.9\n'
    )
    rules = [
        GateRule(metric="performance.finetuned.test.accuracy", min=0.5),
        GateRule(metric="fairness.features[sex].groups[*].metrics.tpr", min=0.9),
    ]
    audit = audit_with_gates(rules=rules)
    audit["gates"]["results"][2]["group"] = "F\x1b[2J"  # a label with an escape sequence
    audit["gates"]["config_file"] = str(cfg)
    lines = github_annotations(audit["gates"])
    assert lines and all(",line=8," in line for line in lines)  # the second table's metric
    assert all("\x1b" not in line for line in lines)
