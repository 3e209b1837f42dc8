"""auditor gate / card RUN --out OTHER: OTHER's files are another run's evidence. Re-gating
the digits run with --out reports/mnist deleted mnist's checkpoints/, predictions.parquet and
run.log and put digits' audit.json in its place, exit 0. Now exit 2 naming --out, OTHER byte
for byte as it was; an earlier gate or card of the same run is still replaced."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from auditor.api import IN_OTHER_RUN
from auditor.cli import app
from tests.builders import folder_bytes, refusal_line

runner = CliRunner()


@pytest.mark.parametrize("command", ["gate", "card"])
def test_another_runs_folder_is_never_the_out(runs, command):
    first, second = runs
    before = folder_bytes(second)
    text = refusal_line(runner.invoke(app, [command, str(first), "--out", str(second)]))
    assert "--out" in text and "another run's audit.json" in text
    assert folder_bytes(second) == before


@pytest.mark.parametrize("command", ["gate", "card"])
@pytest.mark.parametrize("kept", ["run.log", "predictions.parquet", "checkpoints"])
def test_a_folder_with_a_runs_own_files_is_never_the_out(runs, tmp_path, command, kept):
    """A copy of the run itself (same run section) still holds evidence only a run writes."""
    first, _ = runs
    copy = tmp_path / "copy"
    shutil.copytree(first, copy)
    if kept == "checkpoints":
        (copy / kept).mkdir()
        (copy / kept / "finetuned.pt").write_bytes(b"x")
    elif not (copy / kept).exists():
        (copy / kept).write_bytes(b"x")
    before = folder_bytes(copy)
    text = refusal_line(runner.invoke(app, [command, str(first), "--out", str(copy)]))
    assert f"a run's own {kept}" in text
    assert folder_bytes(copy) == before


def test_the_api_refuses_the_same(runs):
    from auditor.api import regate, rerender
    from auditor.errors import AuditorInputError

    first, second = runs
    before = folder_bytes(second)
    for again in (regate, rerender):
        with pytest.raises(AuditorInputError, match="another run's audit.json"):
            again(first, out_dir=second)
    assert folder_bytes(second) == before


@pytest.mark.parametrize("command", ["gate", "card"])
def test_an_earlier_gate_or_card_of_the_same_run_is_replaced(runs, tmp_path, command):
    first, _ = runs
    out = tmp_path / "again"
    for _ in range(2):
        result = runner.invoke(app, [command, str(first), "--out", str(out)])
        assert result.exit_code in (0, 1), result.output  # 1: a gate failed, as in the run
    assert (out / "audit.json").is_file()
    # a gate of this run is not another run: card may replace it, and gate the card
    other = "card" if command == "gate" else "gate"
    result = runner.invoke(app, [other, str(first), "--out", str(out)])
    assert result.exit_code in (0, 1), result.output


def test_a_gate_of_another_run_is_not_replaced(runs, tmp_path):
    first, second = runs
    out = tmp_path / "gated"
    assert runner.invoke(app, ["gate", str(second), "--out", str(out)]).exit_code in (0, 1)
    before = folder_bytes(out)
    text = refusal_line(runner.invoke(app, ["gate", str(first), "--out", str(out)]))
    assert "another run's audit.json" in text
    assert folder_bytes(out) == before


@pytest.mark.parametrize("command", ["gate", "card"])
@pytest.mark.parametrize("inside", ["sub", "sub/deeper", "checkpoints/x"])
def test_an_out_inside_another_run_is_refused(runs, tmp_path, command, inside):
    """``auditor gate B --out A/sub`` wrote the re-gate into run A (a later run to A was then
    refused for holding 'sub'): an --out inside any run folder is refused, as diff's is."""
    first, second = runs
    before = folder_bytes(first)
    out = first / inside
    text = refusal_line(runner.invoke(app, [command, str(second), "--out", str(out)]))
    assert text == f"auditor: error: {out}: --out: " + IN_OTHER_RUN.format(
        folder=repr(str(first)), field="--out")
    assert folder_bytes(first) == before


@pytest.mark.parametrize("command", ["gate", "card"])
def test_an_out_below_a_saved_audit_json_is_taken(runs, tmp_path, command):
    """A lone audit.json (a baseline saved in a repo root) does not make its folder a run."""
    first, _ = runs
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(first / "audit.json", root / "audit.json")
    result = runner.invoke(app, [command, str(first), "--out", str(root / "reports" / "g")])
    assert result.exit_code in (0, 1), result.output  # 1: a gate failed, as in the run
    assert (root / "reports" / "g" / "audit.json").is_file()


def test_a_folder_with_both_a_log_and_predictions_names_the_log_first(runs, tmp_path):
    """RUN_ONLY's order, (checkpoints, run.log, predictions.parquet), is what "a run's own"
    names first: 7987747 sorted run.log after predictions.parquet, saying it changed nothing."""
    first, _ = runs
    copy = tmp_path / "copy"
    shutil.copytree(first, copy)
    for kept in ("run.log", "predictions.parquet"):
        if not (copy / kept).exists():
            (copy / kept).write_bytes(b"x")
    text = refusal_line(runner.invoke(app, ["gate", str(first), "--out", str(copy)]))
    assert "a run's own run.log" in text, text
