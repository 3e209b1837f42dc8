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
