"""A run that fails while its folder is written leaves no folder it made for it: a trained
run stopped after its training (a gate it could not judge, Ctrl-C) left an empty reports/."""

from __future__ import annotations

import pytest

from auditor.errors import AuditorInputError
from auditor.run_folder import staged_run, write_run


def test_a_failed_write_removes_the_folders_it_made(tmp_path):
    out = tmp_path / "reports" / "nested" / "run"
    with pytest.raises(AuditorInputError):
        write_run({"schema_version": "no"}, out)  # refused by the schema, under the lock
    assert list(tmp_path.iterdir()) == []


def test_a_stopped_run_removes_them_too(tmp_path):
    out = tmp_path / "reports" / "run"
    with pytest.raises(KeyboardInterrupt), staged_run(out) as stage:
        (stage / "audit.json").write_text("{}")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_was_there_or_holds_another_file_stays(tmp_path):
    (tmp_path / "reports").mkdir()
    with pytest.raises(AuditorInputError):
        write_run({"schema_version": "no"}, tmp_path / "reports" / "run")
    assert [p.name for p in tmp_path.iterdir()] == ["reports"]
    assert list((tmp_path / "reports").iterdir()) == []
    with pytest.raises(KeyboardInterrupt), staged_run(tmp_path / "new" / "run"):
        (tmp_path / "new" / "notes.txt").write_text("another writer's")
        raise KeyboardInterrupt
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["notes.txt"]
