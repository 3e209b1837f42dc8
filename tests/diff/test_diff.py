"""`auditor diff A B`: metrics with intervals (privacy included), gate verdicts by stable
identity, checklist items, provenance."""

from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.diff import diff_audits, render_markdown, render_text

runner = CliRunner()

SMALL = """
name = "diff"
[pretrain]
epochs = 10
[finetune]
epochs = 30
[privacy]
n_reference = 2
n_canaries = 10
[fairness]
n_boot = 100
"""


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("diff")
    cfg = base / "a.toml"
    cfg.write_text(SMALL)
    outs = []
    for seed in (1, 2):
        out = base / f"seed{seed}"
        args = ["run", str(cfg), "--out", str(out), "--seed", str(seed), "--quiet", "--exit-zero"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        outs.append(out)
    return outs


def test_diff_of_two_runs_markdown(two_runs, tmp_path):
    a, b = two_runs
    out = tmp_path / "diff.md"
    result = runner.invoke(app, ["diff", str(a), str(b / "audit.json"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("## auditor diff")
    for title in ("### Metrics", "### Gate verdicts", "### Checklist items", "### Provenance"):
        assert title in text
    da, db = (json.loads((p / "audit.json").read_text()) for p in (a, b))
    acc_a = da["performance"]["finetuned"]["test"]["accuracy"]
    acc_b = db["performance"]["finetuned"]["test"]["accuracy"]
    row = next(line for line in text.splitlines() if "performance.finetuned.test.accuracy" in line)
    assert f"{acc_a:.4f} [" in row and f"{acc_b:.4f} [" in row and f"{acc_b - acc_a:+.4f}" in row
    # a different seed splits the data differently: the split hashes differ
    assert da["data"]["splits"]["test"]["sha256"][:12] in text
    assert "data split test" in text


def test_diff_text_and_changed_only(two_runs):
    a, b = two_runs
    same = runner.invoke(app, ["diff", str(a), str(a), "-f", "text", "--changed-only"])
    assert same.exit_code == 0 and "0 changes" in same.output
    assert "(none)" in same.output
    text = runner.invoke(app, ["diff", str(a), str(b), "-f", "text"])
    assert text.exit_code == 0 and "Provenance" in text.output and "|" not in text.output


def test_diff_bad_input_is_exit_2(tmp_path, two_runs):
    bad = tmp_path / "audit.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["diff", str(two_runs[0]), str(bad)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def _fake(value, verdict, item_status):
    return {
        "run": {"name": "r", "created_at": "t", "seed": 0, "library_versions": {}},
        "tool": {"version": "0"},
        "config": {"x": value},
        "data": {"splits": {"test": {"sha256": "a" * 64, "n_rows": 10}}},
        "model": {"checkpoints": {}},
        "performance": {"status": "not_run", "reason": "x"},
        "fairness": {
            "status": "ok",
            "features": {
                "sex": {
                    "disparities": {"dp": {"value": value, "ci_low": 0.0, "ci_high": 0.5, "n": 40}}
                }
            },
        },  # fmt: skip
        "privacy": {"status": "not_run", "reason": "x"},
        "transparency": {"status": "ok", "items": {"license": {"status": item_status}}},
        "gates": {
            "status": "ok",
            "verdict": verdict,
            "results": [
                {
                    "name": "g",
                    "metric": "fairness.features.sex.disparities.dp",
                    "group": "F",
                    "mode": "point",
                    "bound": {"max": 0.2},
                    "status": verdict,
                    "source": "config",
                    "value": value,
                    "ci_low": 0.0,
                    "ci_high": 0.5,
                    "n": 40,
                },
            ],
        },  # fmt: skip
    }


def test_diff_audits_classifies_every_part():
    a, b = _fake(0.1, "pass", "missing"), _fake(0.3, "fail", "declared")
    d = diff_audits(a, b)
    [m] = [c for c in d.metrics if c.key == "fairness.features.sex.disparities.dp"]
    assert m.change == "changed" and (m.a["value"], m.b["value"]) == (0.1, 0.3)
    assert [(c.a, c.b, c.change) for c in d.gates] == [("pass", "fail", "changed")]
    assert [(c.key, c.a, c.b) for c in d.checklist] == [("license", "missing", "declared")]
    config = [c for c in d.provenance if c.key.startswith("config")]
    assert config[0].change == "changed"
    assert d.verdicts == ("pass", "fail")
    md = render_markdown(d)
    assert "+0.2000" in md and "0.1000 [0.0000, 0.5000] (n=40)" in md
    assert "license" in render_text(d)
    same = diff_audits(a, copy.deepcopy(a))
    assert same.n_changed == 0


def _audit_with(privacy: dict, worst: str, eod: float) -> dict:
    from auditor.config import GatesConfig
    from auditor.gates import evaluate_gates
    from tests.gates.builders import make_audit, node

    audit = make_audit(privacy=privacy)
    audit["run"].update(scenario="digits", library_versions={})
    audit.update(config={}, data={"splits": {}}, model={"checkpoints": {}})
    feats = audit["fairness"]["features"]
    feats["sex"]["kind"], feats["age band"]["kind"] = "feature", "feature"
    feats["sex"]["disparities"]["equalized_odds_difference"] = {
        "between_groups": node(eod, eod - 0.05, eod + 0.05, worst_group=worst)
    }
    feats["age band"]["disparities"]["equalized_odds_difference"] = {
        "between_groups": node(0.05, 0.01, 0.09, worst_group="17-24")
    }
    audit["transparency"]["items"] += [{"id": "limitations", "status": "declared"}]
    audit["gates"] = evaluate_gates(audit, GatesConfig())
    return audit


def test_diff_lists_privacy_auc_and_tpr_changes():
    """Issue 10's bug: diff showed no privacy number."""
    from tests.gates.builders import privacy_section

    a = _audit_with(privacy_section(auc=0.55, tpr=0.02), "M", 0.1)
    b = _audit_with(privacy_section(auc=0.61, tpr=0.05), "M", 0.1)
    changes = {c.key: c for c in diff_audits(a, b).metrics}
    auc = changes["privacy.attacks.loss.auc"]
    assert auc.change == "changed" and (auc.a["value"], auc.b["value"]) == (0.55, 0.61)
    assert auc.a["n"] == 532 and auc.b["ci_low"] == pytest.approx(0.56)
    tpr = changes['privacy.attacks.loss.tpr_at_fpr."0.01"']
    assert tpr.change == "changed" and (tpr.a["value"], tpr.b["value"]) == (0.02, 0.05)
    assert changes['privacy.attacks.loss.tpr_at_fpr."0.001"'].change == "same"
    md = render_markdown(diff_audits(a, b), changed_only=True)
    assert "privacy.attacks.loss.auc" in md and "+0.0600" in md


def test_diff_shows_each_fairness_gate_once_whatever_the_worst_off_group():
    """Issue 11 item 4: another seed names another worst-off group; the gate is the same."""
    from tests.gates.builders import privacy_section

    a = _audit_with(privacy_section(), "M", 0.10)
    b = _audit_with(privacy_section(), "F", 0.12)
    gates = [c for c in diff_audits(a, b).gates if c.key.startswith("fairness.features.")]
    assert len(gates) == 2 and {c.change for c in gates} == {"same"}
    assert all("@" not in c.key for c in gates)
    b = _audit_with(privacy_section(), "F", 0.5)
    [sex] = [c for c in diff_audits(a, b).gates if c.key.startswith("fairness.features.sex")]
    assert (sex.a, sex.b, sex.change) == ("pass", "warn", "changed")
    keys = [c.key for c in diff_audits(a, a).gates]
    assert len(keys) == len(set(keys))
