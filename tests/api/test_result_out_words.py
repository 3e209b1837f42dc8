"""The --out rule (``refuse_rewrite``) where it was wrong: diff could write a file of a run's
own name beside a lone audit.json, which made its folder a run and refused the next diff; the
working folder was named '.'; and a run's own earlier gate was called 'another run's folder'."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from auditor.api._result import AS_RUN_FILE, IN_OTHER_RUN, IN_SAME_RUN
from auditor.cli import app
from tests.builders import folder_bytes, refusal_line

runner = CliRunner()


@pytest.mark.parametrize("name", ["model_card.html", "model_card.md"])
def test_diff_writes_no_run_file_beside_a_lone_audit_json(work, name):
    """``diff a b -o model_card.md`` beside a saved baseline's audit.json was written, and
    made that folder a run: the next ``diff audit.json b -o reports/y.md`` was refused. (A
    model card makes a run; summary.md, junit.xml and run.log no longer do, see below.)"""
    base = work / "base"
    base.mkdir()
    shutil.copy(work / "a" / "audit.json", base / "audit.json")
    out = f"base/{name}"
    text = refusal_line(runner.invoke(app, ["diff", "a", "b", "--out", out]))
    assert text == f"auditor: error: {out}: --out: " + AS_RUN_FILE.format(field="--out")
    assert sorted(p.name for p in base.iterdir()) == ["audit.json"]
    result = runner.invoke(app, ["diff", "base/audit.json", "b", "-o", "reports/y.md"])
    assert result.exit_code == 0, result.output


def test_a_lone_audit_json_read_gets_no_run_file_beside_it(work):
    base = work / "base"
    base.mkdir()
    shutil.copy(work / "a" / "audit.json", base / "audit.json")
    out = "base/model_card.md"
    text = refusal_line(runner.invoke(app, ["diff", "base/audit.json", "b", "-o", out]))
    assert text.endswith(AS_RUN_FILE.format(field="--out"))
    assert sorted(p.name for p in base.iterdir()) == ["audit.json"]


def test_the_working_folder_is_named_whole(work, monkeypatch):
    """``cd c; auditor diff ../a ../b -o notes.md`` said "another run's folder, '.'"."""
    shutil.copytree(work / "b", work / "c")
    monkeypatch.chdir(work / "c")
    text = refusal_line(runner.invoke(app, ["diff", "../a", "../b", "-o", "notes.md"]))
    words = IN_OTHER_RUN.format(folder=repr(str((work / "c").resolve())), field="--out")
    assert text == f"auditor: error: notes.md: --out: {words}"
    assert not (work / "c" / "notes.md").exists()


@pytest.mark.parametrize("command", ["gate", "card"])
def test_an_earlier_gate_of_this_run_is_not_another_run(work, command):
    """``gate a -o a.gate-X/sub`` called a's own earlier gate "another run's folder"."""
    assert runner.invoke(app, ["gate", "a", "--out", "a.gate-x"]).exit_code in (0, 1)
    before = folder_bytes(work / "a.gate-x")
    text = refusal_line(runner.invoke(app, [command, "a", "--out", "a.gate-x/sub"]))
    words = IN_SAME_RUN.format(folder=repr("a.gate-x"), field="--out")
    assert text == f"auditor: error: a.gate-x/sub: --out: {words}"
    assert folder_bytes(work / "a.gate-x") == before
    # another run's gate is still another run's
    text = refusal_line(runner.invoke(app, [command, "b", "--out", "a.gate-x/sub"]))
    assert text.endswith(IN_OTHER_RUN.format(folder=repr("a.gate-x"), field="--out"))


@pytest.mark.parametrize("name", ["Model_Card.md", "MODEL_CARD.HTML"])
def test_a_run_file_name_is_compared_case_insensitively(work, name):
    """``diff a b -o base/Model_Card.md`` beside a lone audit.json was written: on a
    case-insensitive disk (macOS's default) it makes base a run, the fault 801530a names; and
    the rule was written twice, once in _is_run (R18 #5)."""
    base = work / "base"
    base.mkdir()
    shutil.copy(work / "a" / "audit.json", base / "audit.json")
    text = refusal_line(runner.invoke(app, ["diff", "a", "b", "--out", f"base/{name}"]))
    assert text == f"auditor: error: base/{name}: --out: " + AS_RUN_FILE.format(field="--out")
    assert sorted(p.name for p in base.iterdir()) == ["audit.json"]


def test_a_run_file_in_other_case_makes_a_run(work):
    """base holding audit.json and MODEL_CARD.MD is a run (as on macOS's disk): -o
    base/notes.md lies in it."""
    base = work / "base"
    base.mkdir()
    shutil.copy(work / "a" / "audit.json", base / "audit.json")
    (base / "MODEL_CARD.MD").write_text("kept\n")
    text = refusal_line(runner.invoke(app, ["diff", "a", "b", "-o", "base/notes.md"]))
    words = IN_OTHER_RUN.format(folder=repr("base"), field="--out")
    assert text == f"auditor: error: base/notes.md: --out: {words}"
    assert sorted(p.name for p in base.iterdir()) == ["MODEL_CARD.MD", "audit.json"]


@pytest.mark.parametrize("name", ["summary.md", "junit.xml", "run.log", "checkpoints"])
def test_other_tools_file_names_beside_a_lone_audit_json_make_no_run(work, name):
    """A repo root holding a saved baseline's audit.json and pytest's junit.xml (another
    tool's summary.md, a training loop's run.log or checkpoints/) was a run: every --out
    below it was refused. Only a model card beside audit.json makes a run (MC, r1 #1)."""
    base = work / "base"
    base.mkdir()
    shutil.copy(work / "a" / "audit.json", base / "audit.json")
    result = runner.invoke(app, ["diff", "a", "b", "--out", f"base/{name}"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["diff", "base/audit.json", "b", "-o", "base/reports/y.md"])
    assert result.exit_code == 0, result.output
