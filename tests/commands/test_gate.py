"""`auditor run` with a strict gate exits 1 and names the gate everywhere; `auditor gate` on
the same folder with a relaxed bound exits 0 without retraining, writes its verdict to a new
folder and leaves the run byte-identical (evidence is immutable)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from tests.builders import folder_bytes, leftovers

runner = CliRunner()

BASE = """
name = "gate-e2e"
seed = 3
[pretrain]
epochs = 15
patience = 4
[finetune]
epochs = 40
[privacy]
n_reference = 2
n_canaries = 10
"""
METRIC = "fairness.features.digit.disparities.equalized_odds_difference.between_groups"
STRICT = (
    BASE
    + f"""
[[gates.rules]]
name = "strict digit fairness"
metric = "{METRIC}"
max = 0.001
mode = "point"
"""
)
RELAXED = STRICT.replace("max = 0.001", "max = 0.9")


@pytest.fixture(scope="module")
def strict_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("gate")
    (base / "strict.toml").write_text(STRICT)
    (base / "relaxed.toml").write_text(RELAXED)
    out = base / "out"
    result = runner.invoke(app, ["run", str(base / "strict.toml"), "--out", str(out), "--quiet"])
    return base, out, result


def _copy(strict_run, tmp_path):
    _, out, _ = strict_run
    dst = tmp_path / "run"
    shutil.copytree(out, dst)
    return dst


def test_strict_gate_fails_and_is_named_everywhere(strict_run):
    _, out, result = strict_run
    assert result.exit_code == 1, result.output
    assert "Gates: FAIL" in result.output and "strict digit fairness" in result.output
    suite = ET.parse(out / "junit.xml").getroot()
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    [case] = failed
    assert case.get("classname") == "fairness"
    assert case.get("name") == "strict digit fairness"  # the human name; the id is evidence
    message = case.find("failure").get("message")
    assert "breaks <= 0.001" in message and "[" in message  # bound and interval
    lines = case.find("system-out").text.split("\n")[1:]  # 'key: value' after the message
    props = dict(line.split(": ", 1) for line in lines)
    assert props["id"].startswith(METRIC)
    assert props["gate"] == "strict digit fairness" and float(props["ci_low"]) <= float(
        props["value"]
    )
    assert float(case.get("time")) < 1.0 and case.get("time") != props["value"]
    summary = (out / "summary.md").read_text()
    assert summary.splitlines()[0].startswith("## ❌") and "FAIL" in summary.splitlines()[2]
    failing = summary.split("### Failing gates", 1)[1].split("###", 1)[0]
    assert "strict digit fairness" in failing
    data = json.loads((out / "audit.json").read_text())
    assert data["gates"]["verdict"] == "fail" and data["gates"]["counts"]["fail"] == 1
    assert "strict digit fairness" in (out / "model_card.html").read_text()


def test_relaxed_gate_passes_without_retraining(strict_run, tmp_path):
    base, _, _ = strict_run
    run = _copy(strict_run, tmp_path)
    before = folder_bytes(run)
    old_summary = (run / "summary.md").read_text()
    out = tmp_path / "regated"
    result = runner.invoke(
        app, ["gate", str(run), "--config", str(base / "relaxed.toml"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert folder_bytes(run) == before  # the run is evidence: never rewritten
    assert f"{out}/audit.json" in result.output
    data = json.loads((out / "audit.json").read_text())
    assert data["gates"]["verdict"] in ("pass", "warn") and data["gates"]["counts"]["fail"] == 0
    assert data["config"]["gates"]["rules"][0]["max"] == 0.9
    assert data["gates"]["config_file"] == str(base / "relaxed.toml")
    suite = ET.parse(out / "junit.xml").getroot()
    assert suite.get("failures") == "0"
    assert (out / "summary.md").read_text() != old_summary
    assert leftovers(tmp_path) == []
    # the verdict folder gated again with its own (now relaxed) config: same verdict
    again = runner.invoke(app, ["gate", str(out), "--out", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output


def test_gate_never_rewrites_the_run(strict_run, tmp_path):
    run = _copy(strict_run, tmp_path)
    before = folder_bytes(run)
    same = runner.invoke(app, ["gate", str(run), "--out", str(run)])
    assert same.exit_code == 2 and "never rewritten" in same.output
    default = runner.invoke(app, ["gate", str(run), "--exit-zero"])
    assert default.exit_code == 0, default.output
    [new] = [p for p in tmp_path.iterdir() if p.name.startswith("run.gate-")]
    assert f"{new}/audit.json" in default.output and (new / "junit.xml").is_file()
    assert folder_bytes(run) == before


def test_gate_reuses_the_runs_config_and_flags(strict_run, tmp_path):
    run = _copy(strict_run, tmp_path)
    out = ["--out", str(tmp_path / "verdict")]
    assert runner.invoke(app, ["gate", str(run), *out]).exit_code == 1
    assert runner.invoke(app, ["gate", str(run), "--exit-zero", *out]).exit_code == 0
    data = json.loads((tmp_path / "verdict" / "audit.json").read_text())
    assert data["gates"]["counts"]["warn"] >= 1  # e.g. the digit x ink intersection cells
    relaxed = tmp_path / "relaxed.toml"
    relaxed.write_text(RELAXED)
    ok = runner.invoke(app, ["gate", str(run), "-c", str(relaxed), *out])
    assert ok.exit_code == 0 and "Gates: FAIL" not in ok.output
    warn = runner.invoke(app, ["gate", str(run), "-c", str(relaxed), "--fail-on", "warning", *out])
    # the printed verdict is the exit code's
    assert warn.exit_code == 1 and "Gates: FAIL" in warn.output, warn.output
    verdict = json.loads((tmp_path / "verdict" / "audit.json").read_text())
    assert verdict["gates"]["fail_on"] == "warning"


def test_unknown_metric_path_is_exit_2_and_leaves_the_folder(strict_run, tmp_path):
    run = _copy(strict_run, tmp_path)
    before = {p: p.read_bytes() for p in run.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.toml"
    bad.write_text(BASE + '[[gates.rules]]\nmetric = "fairness.features.digit.nope"\nmax = 1\n')
    result = runner.invoke(app, ["gate", str(run), "--config", str(bad)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "gates.rules[0].metric" in lines[0] and str(bad) in lines[0]
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in run.rglob("*") if p.is_file()} == before
    missing = runner.invoke(app, ["gate", str(run), "--baseline", str(tmp_path / "nothing")])
    assert missing.exit_code == 2


@pytest.mark.parametrize("metric", ["performance.pretrained.test.accuracy",
                                    "performance.finetuned.test.accuracy"])
def test_a_bound_its_path_cannot_take_is_refused_by_gate_before_judging(
    strict_run, tmp_path, metric
):
    """allowed on a number is exit 2 naming the rule's field, whether the path ran or not
    (auditor gate had dropped the check: a path that did not run passed as 'not evaluated')."""
    run = _copy(strict_run, tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[gates]\nuse_defaults = false\n[[gates.rules]]\nmetric = "{metric}"\n'
                   'allowed = ["ok"]\n')  # fmt: skip
    result = runner.invoke(app, ["gate", str(run), "--config", str(bad), "--out",
                                 str(tmp_path / "g")])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "gates.rules[0].allowed" in result.output and not (tmp_path / "g").exists()


def test_github_actions_outputs(strict_run, tmp_path):
    base, _, _ = strict_run
    run = _copy(strict_run, tmp_path)
    step_summary = tmp_path / "step_summary.md"
    step_summary.write_text("previous step\n")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step_summary)}
    strict = base / "strict.toml"
    result = runner.invoke(app, ["gate", str(run), "-c", str(strict)], env=env)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1
    line_no = STRICT.splitlines().index(f'metric = "{METRIC}"') + 1
    assert errors[0].startswith(f"::error file={strict},line={line_no},title=")
    assert "strict digit fairness" in errors[0]
    assert any(line.startswith("::warning ") for line in result.output.splitlines())
    text = step_summary.read_text()
    assert text.startswith("previous step\n") and "### Failing gates" in text
    quiet = runner.invoke(app, ["gate", str(run), "-c", str(strict)], env={"GITHUB_ACTIONS": ""})
    assert "::error" not in quiet.output


def test_baseline_against_itself_is_unchanged(strict_run, tmp_path):
    base, out, _ = strict_run
    run = _copy(strict_run, tmp_path)
    verdict = tmp_path / "verdict"
    result = runner.invoke(
        app,
        ["gate", str(run), "-c", str(base / "relaxed.toml"), "--baseline", str(out),
         "--out", str(verdict)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    gates = json.loads((verdict / "audit.json").read_text())["gates"]
    findings = gates["baseline"]["findings"]
    # the same rules on the same numbers: nothing new, worse or fixed
    assert findings["worse"] == findings["fixed"] == findings["new"] == 0
    assert findings["unchanged"] > 0
    assert any(r["source"] == "baseline" for r in gates["results"])


def test_bad_rule_is_exit_2_before_training(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[[gates.rules]]\nmetric = "perf.accuracy"\nmin = 0.5\n')
    result = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "gates.rules[0].metric" in result.output
    assert not (tmp_path / "o").exists()
    cfg.write_text('[gates]\nbaseline = "missing/audit.json"\n')
    result = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "missing" in result.output
    assert not (tmp_path / "o").exists()


def test_gating_outside_actions_renders_no_job_summary(monkeypatch, capsys):
    """report_gates (auditor run, audit, gate) rendered summary.md for $GITHUB_STEP_SUMMARY
    even where it is unset."""
    import auditor.report.summary
    from auditor.commands.gate import report_gates
    from tests.report.test_junit import audit_with_gates

    def no_render(audit: dict) -> str:
        raise AssertionError("summary rendered with no GITHUB_STEP_SUMMARY")

    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setattr(auditor.report.summary, "render_summary", no_render)
    report_gates(audit_with_gates(), config_file=None, exit_zero=True)
    assert "Gates failed; exit 0" in capsys.readouterr().out


def test_a_baseline_the_run_recorded_and_no_longer_readable_is_named_as_the_runs(tmp_path):
    """`auditor gate RUN` re-reads the baseline the run's gates config records: where that file
    is gone or damaged, the line named only the path ('../old/audit.json: not valid JSON'), a
    path the user never typed; it now says it is the one RUN's audit.json names, and how to
    go on."""
    from tests.builders import predictions_frame

    preds = tmp_path / "p.csv"
    predictions_frame(300, seed=2).to_csv(preds, index=False)
    args = ["audit", "-p", str(preds), "--y-true", "label", "--y-pred", "pred",
            "--positive-label", "approved", "--sensitive", "sex", "--exit-zero"]  # fmt: skip
    assert runner.invoke(app, [*args, "-o", str(tmp_path / "old")]).exit_code == 0
    new = tmp_path / "new"
    assert runner.invoke(app, [*args, "-o", str(new)]).exit_code == 0
    base = tmp_path / "old" / "audit.json"
    assert runner.invoke(app, ["gate", str(new), "--baseline", str(base),
                               "-o", str(tmp_path / "g1")]).exit_code == 0  # fmt: skip
    regated = tmp_path / "g1"
    audit = json.loads((regated / "audit.json").read_text())
    assert audit["config"]["gates"]["baseline"] == str(base.resolve())
    base.write_text("{")  # the baseline damaged after the fact
    out = tmp_path / "g2"
    res = runner.invoke(app, ["gate", str(regated), "-o", str(out)])
    assert res.exit_code == 2 and not out.exists()
    assert res.output.strip() == (
        f"auditor: error: {regated / 'audit.json'}: config.gates.baseline: the baseline this "
        "audit's gates config names could not be read (give --baseline, or a --config without "
        f"one): {base.resolve()}: not valid JSON (Expecting property name enclosed in double "
        "quotes: line 1 column 2 (char 1))"
    ), res.output


def test_gate_takes_the_config_auditor_audit_took(tmp_path):
    """`auditor gate RUN --config c.toml` refused a config that `auditor audit --config`
    had taken ([data] holding only missing_group, beside [gates]) for a missing data.source."""
    from tests.builders import predictions_frame

    preds = tmp_path / "p.csv"
    predictions_frame(300, seed=2).to_csv(preds, index=False)
    config = tmp_path / "c.toml"
    config.write_text("[data]\nmissing_group = true\n[gates]\nmin_count = 10\n")
    run = tmp_path / "run"
    res = runner.invoke(app, ["audit", "-p", str(preds), "--y-true", "label", "--y-pred", "pred",
                              "--positive-label", "approved", "--sensitive", "sex", "--exit-zero",
                              "--config", str(config), "-o", str(run)])  # fmt: skip
    assert res.exit_code == 0, res.output
    regated = runner.invoke(app, ["gate", str(run), "--config", str(config), "--exit-zero",
                                  "-o", str(tmp_path / "g")])  # fmt: skip
    assert regated.exit_code == 0, regated.output
    assert json.loads((tmp_path / "g" / "audit.json").read_text())["config"]["gates"][
        "min_count"] == 10  # fmt: skip


def test_a_config_error_of_gate_loads_neither_numpy_nor_torch(strict_run, tmp_path):
    """`auditor gate RUN --config bad.toml` imported the api (torch) before it read the file:
    1.5 s to a config error where `auditor run` took 0.7 s (issue 15: under 1 s)."""
    import subprocess
    import sys
    import textwrap

    from tests.commands.test_config_error_startup import CHILD, LATER, ROOT

    (tmp_path / "bad.toml").write_text("seed = None\n")
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD.format(later=LATER)), "gate",
         str(strict_run[1]), "--config", "bad.toml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert child.returncode == 2, child.stderr
    [line] = child.stderr.splitlines()
    assert line.startswith("auditor: error: bad.toml: seed: not valid TOML at line 1"), line
    assert "loaded: none" in child.stdout, child.stdout
