"""The --out rule (``refuse_rewrite``) where it was wrong: diff could write a file of a run's
own name beside a lone audit.json, which made its folder a run and refused the next diff; the
working folder was named '.'; and a run's own earlier gate was called 'another run's folder'."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from auditor.api import AuditResult
from auditor.api._result import IN_OTHER_RUN, IN_SAME_RUN, SAME
from auditor.cli import app
from auditor.errors import AuditorInputError
from auditor.preflight.run_place import AS_RUN_FILE
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


def test_card_names_in_other_case_make_no_run(work):
    """base holding audit.json beside MODEL_CARD.MD and Model_Card.html is no run: auditor
    writes a run folder whole, its names as it spells them, and a repo's own MODEL_CARD.md
    (beside GitBook's SUMMARY.md, say) is another file (R14 #3): -o base/notes.md is written."""
    base = work / "base"
    base.mkdir()
    shutil.copy(work / "a" / "audit.json", base / "audit.json")
    (base / "MODEL_CARD.MD").write_text("kept\n")
    (base / "Model_Card.html").write_text("kept\n")
    result = runner.invoke(app, ["diff", "a", "b", "-o", "base/notes.md"])
    assert result.exit_code == 0, result.output
    assert (base / "notes.md").is_file()


@pytest.mark.parametrize("read", ["a", "base/audit.json"])
def test_a_repo_root_with_its_own_model_card_is_no_run(work, read):
    """A repo root holding a saved baseline audit.json and the repo's own MODEL_CARD.md was a
    run: every --out below it was refused, naming the root (r7 #3). A run folder holds both
    cards; the root read as the baseline holds its own files too, beside pytest's junit.xml."""
    base = work / "base"
    base.mkdir()
    shutil.copy(work / "a" / "audit.json", base / "audit.json")
    for name, text in [("MODEL_CARD.md", "# Our model\n"), ("junit.xml", "<testsuites/>\n"),
                       ("README.md", "# repo\n")]:  # fmt: skip
        (base / name).write_text(text)
    result = runner.invoke(app, ["diff", read, "b", "-o", "base/reports/y.md"])
    assert result.exit_code == 0, result.output
    assert (base / "reports" / "y.md").is_file()


def _cards_gone(work):
    """Run a without its cards (deleted, or copied without them), and a's files as they are."""
    for name in ("model_card.html", "model_card.md"):
        (work / "a" / name).unlink()
    return folder_bytes(work / "a")


@pytest.mark.parametrize("command", [["gate", "a"], ["card", "a"], ["diff", "b", "a"]])
def test_a_run_read_is_a_run_its_cards_gone(work, command):
    """The run gate, card or diff reads, its cards gone, was no run: ``gate a -o a/g``, ``card
    a -o a/k`` and ``diff b a -o a/d.md`` wrote inside it (r7 #1). Refused as the run read."""
    before = _cards_gone(work)
    text = refusal_line(runner.invoke(app, [*command, "--out", "a/sub/x.md"]))
    assert text == "auditor: error: a/sub/x.md: --out: " + SAME.format(field="--out")
    assert folder_bytes(work / "a") == before and not (work / "a" / "sub").exists()


def test_a_lone_audit_json_read_is_no_run(work):
    """A saved baseline, audit.json alone in its folder, is read by diff: its folder is no
    run, and a diff is written below it."""
    base = work / "base"
    base.mkdir()
    shutil.copy(work / "a" / "audit.json", base / "audit.json")
    result = runner.invoke(app, ["diff", "base/audit.json", "b", "-o", "base/reports/y.md"])
    assert result.exit_code == 0, result.output


def test_a_loaded_result_is_not_written_into_its_run_without_cards(work):
    before = _cards_gone(work)
    with pytest.raises(AuditorInputError, match="a/w: folder: is the run or inside it"):
        AuditResult.load("a").write("a/w")
    assert folder_bytes(work / "a") == before


@pytest.mark.parametrize("out", ["base/model_card.md/sub", "base/Model_Card.HTML/x/d.md"])
def test_a_card_name_as_a_folder_above_out_is_refused(work, out):
    """``diff a b -o base/model_card.md/d.md`` beside a lone audit.json made the folder
    base/model_card.md, and then base passed for a run (r7 #2): every folder a write would
    make is judged by name, not only the last."""
    base = work / "base"
    base.mkdir()
    shutil.copy(work / "a" / "audit.json", base / "audit.json")
    text = refusal_line(runner.invoke(app, ["diff", "a", "b", "--out", out]))
    assert text == f"auditor: error: {out}: --out: " + AS_RUN_FILE.format(field="--out")
    assert sorted(p.name for p in base.iterdir()) == ["audit.json"]


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
    # base's audit.json read, beside only files a run writes: base is that run (r7 #1)
    text = refusal_line(runner.invoke(app, ["diff", "base", "b", "-o", "base/reports/z.md"]))
    assert text.endswith(SAME.format(field="--out"))
    result = runner.invoke(app, ["diff", "a", "b", "-o", "base/reports/y.md"])
    assert result.exit_code == 0, result.output


def _writes(name):
    """Each writer of a read run: gate, card and diff's --out, a loaded write, rerender and
    regate's out_dir; ``name``: the run's folder."""
    from auditor import api

    def cli(*command):
        return lambda: runner.invoke(app, [*command, "--out", f"{name}/{command[0]}/x.md"])

    return {
        "gate": cli("gate", name),
        "card": cli("card", name),
        "diff": cli("diff", "b", name),
        "write": lambda: AuditResult.load(name).write(f"{name}/w"),
        "rerender": lambda: api.rerender(name, out_dir=f"{name}/rr"),
        "regate": lambda: api.regate(name, out_dir=f"{name}/rg"),
    }


@pytest.mark.parametrize("how", ["gate", "card", "diff", "write", "rerender", "regate"])
@pytest.mark.parametrize("extra", ["notes.txt", ".DS_Store"])
def test_a_read_run_holding_a_users_file_is_still_the_run(work, extra, how):
    """A whole run holding one file more (a user's notes.txt, Finder's .DS_Store) was no run
    when read, the rule for a folder read having replaced the one for any folder: ``diff a
    c -o c/d.md`` wrote inside it, and ``gate c -o c/g`` was refused only as "another run's
    folder", the run read (r12 #1, #3). It is the run read, refused before any work."""
    (work / "a" / extra).write_text("hi\n")
    before = folder_bytes(work / "a")
    _refused_as_the_run(_writes("a")[how], f"a/{how}" if how in ("gate", "card", "diff") else "")
    assert folder_bytes(work / "a") == before


@pytest.mark.parametrize("how", ["gate", "card", "diff", "write", "rerender", "regate"])
def test_a_read_run_short_of_a_card_holding_a_users_file_is_a_run(work, how):
    """A run read that lost a card and holds a user's notes.txt was written into by all five
    writers (r12 #2). It still holds a card beside summary.md, which auditor writes together
    and a repo root holding a baseline and its own MODEL_CARD.md does not: it is a run."""
    (work / "a" / "model_card.html").unlink()
    (work / "a" / "notes.txt").write_text("hi\n")
    before = folder_bytes(work / "a")
    _refused_as_the_run(_writes("a")[how], f"a/{how}" if how in ("gate", "card", "diff") else "")
    assert folder_bytes(work / "a") == before


def _refused_as_the_run(write, shown_out):
    """``write`` refused with SAME: on the command line (``shown_out`` its folder) or in Python."""
    if shown_out:
        text = refusal_line(write())
        assert text == f"auditor: error: {shown_out}/x.md: --out: " + SAME.format(field="--out")
        return
    with pytest.raises(AuditorInputError, match="is the run or inside it"):
        write()


@pytest.mark.parametrize("files", [("MODEL_CARD.md", "junit.xml", "README.md"),
                                   ("model_card.md", "junit.xml", "notes.txt"),
                                   ("summary.md", "junit.xml", "README.md")])  # fmt: skip
def test_a_repo_root_read_as_the_baseline_is_written_below(work, files):
    """A repo root holding a saved baseline, its own MODEL_CARD.md (or summary.md), README.md and
    pytest's junit.xml is no run, read or not: ``auditor diff audit.json reports/preds -o
    reports/diff.md`` is written (CI's recipe). Only a card beside summary.md, or run files
    alone, make a read folder a run beside both cards."""
    base = work / "base"
    base.mkdir()
    shutil.copy(work / "a" / "audit.json", base / "audit.json")
    for name in files:
        (base / name).write_text("x\n")
    result = runner.invoke(app, ["diff", "base/audit.json", "a", "-o", "base/reports/diff.md"])
    assert result.exit_code == 0, result.output
    assert (base / "reports" / "diff.md").is_file()
