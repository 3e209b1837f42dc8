"""auditor gate / card on a copy of an audit.json under another name: the copy's folder is
not a run, so an --out beside the copy is taken (it was refused: 'is the run or inside it');
the file itself and a folder holding it are still refused, and so is a run folder."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from tests.builders import predictions_audit

runner = CliRunner()


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("copies")
    run = predictions_audit(folder).run_dir
    mine = folder / "mine"
    mine.mkdir()
    shutil.copy(run / "audit.json", mine / "audit-2026-11.json")
    return run, mine / "audit-2026-11.json"


@pytest.mark.parametrize("command", ["gate", "card"])
def test_an_out_beside_a_renamed_copy_is_taken(copy, command):
    _, renamed = copy
    before = renamed.read_bytes()
    out = renamed.parent / f"re-{command}"
    result = runner.invoke(app, [command, str(renamed), "--out", str(out)])
    assert result.exit_code in (0, 1), result.output  # 1: a gate failed, as in the run
    assert (out / "audit.json").is_file() and renamed.read_bytes() == before


@pytest.mark.parametrize("where", ["file", "holder", "run", "in_run"])
def test_the_evidence_itself_is_never_the_out(copy, where):
    run, renamed = copy
    out = {"file": renamed, "holder": renamed.parent, "run": run, "in_run": run / "x"}[where]
    source = run if where in ("run", "in_run") else renamed
    result = runner.invoke(app, ["gate", str(source), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "--out" in result.output and "\n" not in result.output.strip()


def test_gate_and_card_refuse_an_out_holding_a_trained_runs_checkpoints(tmp_path):
    """auditor gate / card of a predictions audit into a trained run's folder replaced it,
    checkpoints/ and all; AuditResult.write refused the same folder (found by a reader)."""
    import shutil

    import pytest

    from auditor.api import regate, rerender
    from auditor.errors import AuditorInputError
    from tests.builders import predictions_audit

    run = tmp_path / "run"
    predictions_audit(tmp_path / "a").write(run)
    trained = tmp_path / "trained"
    shutil.copytree(run, trained)
    (trained / "checkpoints").mkdir()
    (trained / "checkpoints" / "finetuned.pt").write_bytes(b"x")
    for again in (regate, rerender):
        with pytest.raises(AuditorInputError, match="checkpoints"):
            again(run, out_dir=trained)
        assert (trained / "checkpoints" / "finetuned.pt").read_bytes() == b"x"
