"""An audit.json of schema 2.0 written before a field was added to 2.0 (privacy.references
.strategy: 857cf6e; explanations.kind: e2edd00) is still evidence: ``auditor gate``,
``card`` and ``diff`` read it, leave it byte-identical, and never make up the missing field;
a gate on it is not evaluated ("not recorded"). Before, all three refused the file (exit 2:
'strategy' is a required property) and the card crashed on the missing kind."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from auditor.cli import app

runner = CliRunner()

RULE = """
[gates]
use_defaults = false
[[gates.rules]]
metric = "privacy.references.strategy"
allowed = ["stacked", "sequential", "processes"]
"""


def _older(run, folder):
    """``run``'s audit.json as the auditor before 857cf6e wrote it (the same file, without
    the two fields added since), alone in ``folder``."""
    audit = json.loads((run / "audit.json").read_text())
    assert audit["privacy"]["references"].pop("strategy")
    assert audit["explanations"].pop("kind") == "attributions"
    folder.mkdir()
    (folder / "audit.json").write_text(json.dumps(audit, indent=2))
    return folder / "audit.json"


def test_an_older_2_0_audit_is_gated_carded_and_diffed(two_runs, tmp_path):
    old = _older(two_runs[0], tmp_path / "old")
    before = old.read_bytes()
    gated = runner.invoke(app, ["gate", str(old), "--out", str(tmp_path / "g")])
    assert gated.exit_code == 0, gated.output
    regated = json.loads((tmp_path / "g" / "audit.json").read_text())
    assert "strategy" not in regated["privacy"]["references"]  # not recorded: not made up
    card = runner.invoke(app, ["card", str(old.parent), "--out", str(tmp_path / "c")])
    assert card.exit_code == 0, card.output
    assert "Integrated" in (tmp_path / "c" / "model_card.html").read_text()
    diff = runner.invoke(app, ["diff", str(old), str(two_runs[1]), "-f", "text"])
    assert diff.exit_code == 0, diff.output
    assert old.read_bytes() == before  # the evidence is never rewritten
    (tmp_path / "rule.toml").write_text(RULE)
    ruled = runner.invoke(app, ["gate", str(old), "--config", str(tmp_path / "rule.toml"),
                                "--out", str(tmp_path / "r")])  # fmt: skip
    assert ruled.exit_code == 0, ruled.output
    [result] = json.loads((tmp_path / "r" / "audit.json").read_text())["gates"]["results"]
    assert result["outcome"] == "not_run" and "not recorded" in result["message"]


def test_the_same_rule_on_a_new_audit_reads_the_field(two_runs, tmp_path):
    run = tmp_path / "new"
    shutil.copytree(two_runs[0], run)
    (tmp_path / "rule.toml").write_text(RULE)
    ruled = runner.invoke(app, ["gate", str(run), "--config", str(tmp_path / "rule.toml"),
                                "--out", str(tmp_path / "r")])  # fmt: skip
    assert ruled.exit_code == 0, ruled.output
    [result] = json.loads((tmp_path / "r" / "audit.json").read_text())["gates"]["results"]
    assert result["outcome"] == "pass"
