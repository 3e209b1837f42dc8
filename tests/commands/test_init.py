"""``auditor init`` where the file cannot be written: one line, exit 2, not an internal error
with a crash log."""

from __future__ import annotations

import errno

from typer.testing import CliRunner

from auditor import io
from auditor.cli import app


def test_a_file_that_cannot_be_written_is_bad_input(tmp_path, monkeypatch):
    def full_disk(path, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(io, "atomic_write_text", full_disk)
    res = CliRunner().invoke(app, ["init", str(tmp_path / "auditor.toml")])
    assert res.exit_code == 2
    assert "auditor.toml: PATH: cannot write the file here (No space left on device" in res.output
    assert "internal error" not in res.output and not (tmp_path / "auditor.toml").exists()


def test_the_example_is_written_and_runs_its_own_validation(tmp_path):
    from auditor.config import load_config

    res = CliRunner().invoke(app, ["init", str(tmp_path / "a" / "auditor.toml")])
    assert res.exit_code == 0, res.output
    assert load_config(tmp_path / "a" / "auditor.toml").data.source == "digits"


def test_the_example_declares_every_checklist_answer():
    """Each declared checklist item has its key in the example (mitigations was missing, so a
    user filling the example in still saw it 'missing' on the card)."""
    import tomllib

    from auditor.commands.init import EXAMPLE
    from auditor.config.transparency import DeclaredAnswers

    declared = tomllib.loads(EXAMPLE)["transparency"]["declared"]
    wanted = set(DeclaredAnswers.model_fields) - {"model_name"}  # the card's title, optional
    assert wanted <= set(declared), wanted - set(declared)


def test_run_help_says_init_writes_a_config_to_start_from():
    """A new user reads `auditor run --help` first: it named no way to get a config."""
    shown = CliRunner().invoke(app, ["run", "--help"], terminal_width=200)
    assert shown.exit_code == 0
    assert "`auditor init` writes a commented config" in " ".join(shown.output.split())
