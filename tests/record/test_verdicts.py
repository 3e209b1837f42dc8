"""A gate verdict edited by hand, with the counts and the verdict edited to match, is refused
when the audit is read back (exit 2, naming the field): it was shown as passing by the card
and the diff while ``auditor gate`` judged the same numbers a failure."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.config import AuditConfig, GatesConfig
from auditor.gates import tally
from auditor.run_folder import read_audit
from tests.builders import predictions_audit

runner = CliRunner()


@pytest.fixture(scope="module")
def audit_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("verdicts")
    rules = [{"metric": "performance.finetuned.test.accuracy", "min": 0.99, "name": "high"},
             {"metric": "performance.finetuned.test.accuracy", "max": 0.01, "mode": "point",
              "severity": "warning", "name": "low"}]  # fmt: skip
    config = AuditConfig(name="p", gates=GatesConfig.model_validate({"rules": rules}))
    return predictions_audit(folder, config=config).run_dir / "audit.json"


def _edited(path, tmp_path, edit) -> str:
    audit = json.loads(path.read_text())
    edit(audit["gates"]["results"])
    counts, verdict = tally(r["status"] for r in audit["gates"]["results"])
    audit["gates"].update(counts=counts, verdict=verdict)  # edited to match, as a forger would
    out = tmp_path / "edited" / "audit.json"
    out.parent.mkdir()
    out.write_text(json.dumps(audit))
    return str(out)


def _result(name):
    return lambda results: next(r for r in results if r["name"] == name)


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (lambda rs: _result("high")(rs).update(status="pass"), "status", "does not follow"),
        (lambda rs: _result("low")(rs).update(status="pass", outcome="pass"), "outcome",
         "is not what the gate's value"),
        (lambda rs: _result("high")(rs).update(value=0.995, ci_low=0.99, ci_high=0.999,
                                               status="pass", outcome="pass"), "value",
         "is not what 'performance.finetuned.test.accuracy' holds"),
    ],
)
def test_an_edited_verdict_is_refused_by_gate_card_and_diff(audit_file, tmp_path, edit, field,
                                                            words):  # fmt: skip
    edited = _edited(audit_file, tmp_path, edit)
    for args in (["gate", edited], ["card", edited], ["diff", edited, str(audit_file)]):
        result = runner.invoke(app, [*args, "--out", str(tmp_path / args[0])]
                               if args[0] != "diff" else args)  # fmt: skip
        assert result.exit_code == 2, result.output
        line = result.output.strip()
        assert "\n" not in line and f"/{field}: " in line and words in line, line


def test_an_untouched_audit_reads_back(audit_file):
    data, _ = read_audit(audit_file)
    statuses = {r["name"]: r["status"] for r in data["gates"]["results"]}
    assert (statuses["high"], statuses["low"]) == ("fail", "warn")


def _group(label, accuracy=None):
    metrics = {} if accuracy is None else {
        "accuracy": {"value": accuracy, "ci_low": None, "ci_high": None, "n": 40}}
    return {"group": label, "n": 40, "status": "ok", "metrics": metrics}


@pytest.mark.parametrize(
    "groups",
    [
        [_group(f"g{i}", i / 100) for i in range(50)],
        [_group("a", 0.5), _group("a", 0.6), _group("10", 0.7), _group("b", 0.8)],  # a twice
        [_group("a", 0.5), _group("b"), _group("c", 0.7)],  # b has no accuracy
    ],
)
def test_the_paths_of_one_shape_read_in_one_walk_as_one_by_one(groups):
    from auditor.audit_tree.paths import item_step
    from auditor.record.verdicts import _read, _readings

    data = {"schema_version": "2.0", "fairness": {"features": {"f": {"groups": groups}}}}
    paths = [f"fairness.features.f.groups{item_step(g, i)}.metrics.accuracy"
             for i, g in enumerate(groups)]  # fmt: skip
    paths += ["fairness.features.f.groups[1].metrics.accuracy", "fairness.features.f.groups[10]"]
    one_by_one = {path: _read(data, path) for path in paths}
    assert _readings(data, paths) == one_by_one
    assert sum(v is not ... for v in one_by_one.values()) >= 2


@pytest.fixture(scope="module")
def group_gates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("group-gates")
    rules = [{"metric": "fairness.features.*.groups[*].metrics.accuracy", "min": 0.05,
              "mode": "point", "name": "group accuracy"}]  # fmt: skip
    config = AuditConfig(name="p", gates=GatesConfig.model_validate({"rules": rules}))
    return predictions_audit(folder, config=config).run_dir / "audit.json"


def test_an_edited_value_among_many_group_gates_is_refused(group_gates, tmp_path):
    results = json.loads(group_gates.read_text())["gates"]["results"]
    passed = [i for i, r in enumerate(results) if r["name"].startswith("group accuracy")
              and r["outcome"] == "pass"]  # fmt: skip
    assert len(passed) >= 6
    i = passed[len(passed) // 2]

    def edit(rs):
        rs[i]["value"] -= 0.01  # still above the bound: the outcome and status hold

    edited = _edited(group_gates, tmp_path, edit)
    result = runner.invoke(app, ["gate", edited, "--out", str(tmp_path / "gate")])
    assert result.exit_code == 2, result.output
    assert f"gates/results/{i}/value: " in result.output, result.output
    assert read_audit(group_gates)[0]["gates"]["results"][i]["outcome"] == "pass"
