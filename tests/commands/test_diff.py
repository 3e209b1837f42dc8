"""`auditor diff A B`: metrics with intervals, gate verdicts, checklist items, provenance."""

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
