"""The hostile-input suite's harness: every case runs the real entry point
(:func:`auditor.cli.exit_code_of`, what ``auditor`` runs after installing its signal handlers)
and asserts the contract CI relies on (issue 12 item 7):

- the exit code (2 for bad input, never 1 outside a failed gate);
- one line on stderr that names the file and the field, without a traceback or a character
  shown as an escape (errors.SHOWN_AS_ESCAPE: a control, an invisible one) raw;
- nothing written: no run folder, no staging or trash folder left, and a previous report
  byte-identical.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.cli import exit_code_of
from auditor.commands import EXIT_BAD_INPUT
from auditor.config import AuditConfig
from auditor.errors import SHOWN_AS_ESCAPE
from tests.builders import folder_bytes, leftovers, predictions_columns, predictions_csv

OUT = "out"  # every case writes (or must not write) the run folder tmp_path / OUT


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def write_files(folder: Path, files: Mapping[str, str | bytes]) -> None:
    """Create each ``name -> text or bytes`` under ``folder`` (sub-folders made)."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def fill(args: list[str], tmp_path: Path) -> list[str]:
    """``{tmp}`` in an argument is the case's folder."""
    return [a.replace("{tmp}", str(tmp_path)) for a in args]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """``cli(args) -> Outcome``, run in ``tmp_path`` (relative paths resolve there)."""
    monkeypatch.chdir(tmp_path)

    def run(args: list[str]) -> Outcome:
        capsys.readouterr()
        code = exit_code_of(fill(args, tmp_path))
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


def assert_refused(outcome: Outcome, *names: str, code: int = EXIT_BAD_INPUT) -> str:
    """Exit ``code`` with exactly one clean stderr line containing every one of ``names``
    (the file, the field); returns that line."""
    assert outcome.code == code, (outcome.code, outcome.err, outcome.out[-2000:])
    lines = outcome.err_lines
    assert len(lines) == 1, outcome.err
    line = lines[0]
    assert "Traceback" not in outcome.err + outcome.out
    assert "internal error" not in line, line
    assert not SHOWN_AS_ESCAPE.search(line), repr(line)  # what printable_line escapes
    for name in names:
        assert name in line, (name, line)
    return line


def assert_nothing_written(tmp_path: Path, before: Mapping[str, bytes] | None = None) -> None:
    """No run folder at ``tmp_path / OUT`` (or the ``before`` bytes unchanged), no leftovers."""
    out = tmp_path / OUT
    if before is None:
        assert not out.exists(), sorted(p.name for p in out.iterdir())
    else:
        assert folder_bytes(out) == before
    assert leftovers(tmp_path) == []


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real predictions-only run folder (no training), shared read-only."""
    from auditor import api

    folder = tmp_path_factory.mktemp("hostile-run")
    csv = predictions_csv(folder, n=600)
    api.audit_predictions(csv, predictions_columns(), config=AuditConfig(name="preds"),
                          out_dir=folder / "run", positive_label="approved")  # fmt: skip
    return folder / "run"


@pytest.fixture
def previous_run(finished_run: Path, tmp_path: Path) -> Callable[[], dict[str, bytes]]:
    """Copy the finished run to ``tmp_path / OUT`` (a previous report); its bytes."""

    def copy() -> dict[str, bytes]:
        shutil.copytree(finished_run, tmp_path / OUT)
        return folder_bytes(tmp_path / OUT)

    return copy
