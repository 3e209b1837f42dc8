"""A misspelt key in a gate's metric path (performance.finetuned.test.acuracy) is refused
before any work: it was let through as 'found when the audit is judged', so the whole
training ran (16.8 s for digits), then exit 2 with an empty reports/ left behind."""

from __future__ import annotations

import time

from typer.testing import CliRunner

from auditor.cli import app

runner = CliRunner()


def test_a_misspelt_metric_path_stops_a_trained_run_before_any_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    config = tmp_path / "auditor.toml"
    rule = '\n[[gates.rules]]\nmetric = "performance.finetuned.test.acuracy"\nmin = 0.5\n'
    config.write_text(config.read_text(encoding="utf-8") + rule, encoding="utf-8")
    started = time.monotonic()
    result = runner.invoke(app, ["run", "auditor.toml"])
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert text.startswith("auditor: error: auditor.toml: gates.rules[1].metric: ")
    assert "'performance.finetuned.test' has no 'acuracy' (it has: " in text
    assert "accuracy" in text.split("(it has: ")[1] and "\n" not in text
    assert time.monotonic() - started < 5  # no training
    assert sorted(p.name for p in tmp_path.iterdir()) == ["auditor.toml"]  # no reports/
