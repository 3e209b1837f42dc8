"""GitHub Actions outputs: annotations at the rule's config line, the job summary."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

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
    publish_github(audit, lambda: "S\n", env={"GITHUB_STEP_SUMMARY": str(target)}, stream=out)
    assert target.read_text() == "S\n" and out.getvalue() == ""
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(target)}
    publish_github(audit, lambda: "T", env=env, stream=out)
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


def _workflow_commands(log: str) -> list[str]:
    """The lines of a job log that GitHub's runner reads as a workflow command (its two
    parsers: ``::name ...::`` at the start after whitespace, ``##[name ...]`` anywhere)."""
    found = []
    for line in log.splitlines():
        text = line.lstrip()
        if (text.startswith("::") and "::" in text[2:]) or re.search(r"##\[[^\]]*\]", line):
            found.append(line)
    return found


def test_labels_start_no_workflow_command_in_the_log(tmp_path, monkeypatch):
    """A sensitive column named ``::stop-commands::tok`` printed at the start of a line
    stopped every later command (the gates' own annotations); ``##[error]`` in a group label
    made an annotation. Only auditor's annotations are commands, under ``audit`` and
    ``diff``."""
    from typer.testing import CliRunner

    from auditor.cli import app

    column, labels = "::stop-commands::tok", ["##[error]fake", "::error::g", "F"]
    rows = [f"{i % 2},{int(i % 5 == 0)},{labels[i % 3]}" for i in range(300)]
    (tmp_path / "p.csv").write_text("label,pred," + column + "\n" + "\n".join(rows) + "\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary"))
    run, runner = tmp_path / "run", CliRunner()
    audit = runner.invoke(
        app,
        [
            "audit",
            "-p",
            str(tmp_path / "p.csv"),
            "--sensitive",
            column,
            "--y-true",
            "label",
            "--y-pred",
            "pred",
            "--out",
            str(run),
        ],
    )
    assert audit.exit_code in (0, 1), audit.output
    assert column in json.loads((run / "audit.json").read_text())["fairness"]["features"]
    logs = [audit.output]
    for fmt in ("text", "markdown"):
        diff = runner.invoke(app, ["diff", str(run), str(run), "--format", fmt])
        assert diff.exit_code == 0, diff.output
        logs.append(diff.output)
    assert "tok" in logs[0] and "fake" in logs[2]  # the labels are there, as text
    for log in logs:
        commands = _workflow_commands(log)
        assert all(re.match(r"::(error|warning) .*title=auditor gate ", c) for c in commands), (
            commands
        )


def test_an_unwritable_step_summary_warns_and_keeps_the_verdict(tmp_path, capsys):
    """GITHUB_STEP_SUMMARY naming a folder (or a path that cannot be written) crashed after
    the verdict: exit 2 "internal error" where the gates said 1 or 0. It is one warning line
    on stderr; the annotations are still printed."""
    audit = audit_with_gates()
    out = io.StringIO()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path)}
    publish_github(audit, lambda: "S", env=env, stream=out)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("auditor: warning: GITHUB_STEP_SUMMARY=")
    assert str(tmp_path) in err[0] and out.getvalue().startswith("::error ")


@pytest.mark.parametrize("kind", ["dev-zero", "folder", "not-utf8", "huge"])
def test_annotations_read_only_a_config_sized_text_file(tmp_path, kind):
    """The config path comes back from audit.json: /dev/zero was read until memory ran out,
    and a file that is not UTF-8 crashed after the verdict. The annotation just has no line."""
    paths = {"dev-zero": Path("/dev/zero"), "folder": tmp_path, "not-utf8": tmp_path / "a.toml",
             "huge": tmp_path / "big.toml"}  # fmt: skip
    (tmp_path / "a.toml").write_bytes(b"\xff\xfe[[gates.rules]]\nmetric = 1\n")
    with open(tmp_path / "big.toml", "wb") as fh:
        fh.write(b"[[gates.rules]]\nmetric = 1\n" + b"#" * 2_000_000)
    rules = [GateRule(metric="performance.finetuned.test.accuracy", min=0.95)]
    audit = audit_with_gates(rules=rules)
    audit["gates"]["config_file"] = str(paths[kind])
    [line] = [x for x in github_annotations(audit["gates"]) if x.startswith("::error")]
    assert ",line=" not in line and f"file={paths[kind]}" in line


def _flagged(status: str, outcome: str, i: int) -> dict:
    return {"status": status, "outcome": outcome, "name": f"{outcome} gate {i}", "rule": "x",
            "metric": "performance.finetuned.test.accuracy", "message": f"{outcome} {i}",
            "value": 0.5, "ci_low": None, "ci_high": None, "n": 10, "group": "all",
            "bound": {"min": 0.9, "max": None, "allowed": None}, "mode": "point",
            "relation": None, "baseline": None}  # fmt: skip


def test_annotations_are_capped_per_kind_most_important_first_and_say_how_many_more():
    """GitHub shows 10 annotations of each kind per step: 990 group gates printed 990
    annotations, of which the first 10 (in rule order, warnings before failures) showed."""
    results = (
        [_flagged("warn", "fail", i) for i in range(5)]  # warning-level rules
        + [_flagged("warn", "not_run", i) for i in range(4)]
        + [_flagged("warn", "insufficient_data", i) for i in range(30)]
        + [_flagged("fail", "fail", i) for i in range(12)]
        + [{**_flagged("pass", "pass", 0)}]
    )
    gates = {"status": "ok", "config_file": None, "results": results}
    lines = github_annotations(gates)
    kinds = [line.split(" ", 1)[0].split("::")[1] for line in lines]
    assert kinds == ["error"] * 10 + ["warning"] * 10 + ["notice"]
    assert all("insufficient_data gate" in line for line in lines[10:20])
    assert "fail gate 0" in lines[0] and "fail gate 9" in lines[9]
    assert "31 more gates" in lines[-1] and "2 failed, 29 warnings" in lines[-1]
    assert "summary.md" in lines[-1] and "junit.xml" in lines[-1]
    few = {"status": "ok", "config_file": None, "results": results[:3] + results[-2:]}
    assert [line.split(" ", 1)[0] for line in github_annotations(few)] == (
        ["::error"] + ["::warning"] * 3)  # fmt: skip


def test_the_summary_is_rendered_only_when_it_is_written(tmp_path):
    """``auditor gate`` rendered summary.md for the job summary even with no
    GITHUB_STEP_SUMMARY to write it to (0.2 s on a 5,000-group audit)."""
    audit, calls = audit_with_gates(), []

    def render() -> str:
        calls.append(1)
        return "S"

    publish_github(audit, render, env={"GITHUB_ACTIONS": "true"}, stream=io.StringIO())
    assert calls == []
    target = tmp_path / "summary"
    publish_github(audit, render, env={"GITHUB_STEP_SUMMARY": str(target)}, stream=io.StringIO())
    assert calls == [1] and target.read_text() == "S\n"


def test_a_warning_that_fails_the_job_is_an_error_as_in_junit():
    """Under fail_on = "warning" a warning gate fails the job (exit 1, junit.xml's failure):
    it was annotated ::warning (R17 #4)."""
    results = [_flagged("warn", "insufficient_data", i) for i in range(3)] + [
        _flagged("fail", "fail", 0), _flagged("pass", "pass", 0)]  # fmt: skip
    gates = {"status": "ok", "config_file": None, "results": results, "fail_on": "warning"}
    lines = github_annotations(gates)
    assert [line.split(" ", 1)[0] for line in lines] == ["::error"] * 4
    assert "title=auditor gate fail%3A fail gate 0" in lines[0]
    assert all("title=auditor gate warn (warnings fail)%3A " in line for line in lines[1:])
    # the same gates where warnings do not fail: the warnings stay ::warning
    kinds = [x.split(" ", 1)[0] for x in github_annotations({**gates, "fail_on": "failure"})]
    assert kinds == ["::error"] + ["::warning"] * 3
    # at most 10 errors shown where all 40 fail the job; the notice counts the rest by status
    many = [_flagged("warn", "insufficient_data", i) for i in range(38)] + results[3:4] * 2
    lines = github_annotations({**gates, "results": many})
    assert [line.split(" ", 1)[0] for line in lines] == ["::error"] * 10 + ["::notice"]
    assert "30 more gates" in lines[-1] and "0 failed, 30 warnings" in lines[-1]


def test_errors_are_junits_failures_under_either_fail_on():
    from xml.etree import ElementTree as ET

    from auditor.report.junit import render_junit

    for fail_on in ("failure", "warning"):
        audit = audit_with_gates(fail_on=fail_on)
        assert audit["gates"]["counts"]["warn"] > 0  # a warning to be judged
        root = ET.fromstring(render_junit(audit).split("\n", 1)[1])
        errors = [x for x in github_annotations(audit["gates"]) if x.startswith("::error ")]
        assert len(errors) == int(root.get("failures")), fail_on


def test_a_warning_that_fails_the_jobs_title_is_built_from_the_one_wording(monkeypatch):
    """R14 #4: github.py kept its own " (warnings fail)", so a change to decision's one
    wording reached summary.md and the terminal but not the annotation titles."""
    from auditor.report import decision

    monkeypatch.setattr(decision, "_warnings_fail_words", lambda set_by: "warnings (CI) fail")
    results = [_flagged("warn", "insufficient_data", 0), _flagged("pass", "pass", 0)]
    gates = {"status": "ok", "config_file": None, "results": results, "fail_on": "warning"}
    lines = github_annotations(gates)
    assert len(lines) == 1 and "title=auditor gate warn (warnings (CI) fail)%3A " in lines[0]
