"""``auditor diff A B --out FILE``: a run folder is evidence, so FILE may not lie in A's or
B's (``--out A/audit.json`` replaced the audit by the diff's Markdown; a new ``A/new.md`` made
a later run to A refuse it), nor in any other run's (``--out C/audit.json``), refused in the
words of gate and card; a file beside the runs (``reports/diff.md``, as docs/github-actions.yml
writes) is fine."""

from __future__ import annotations

import shutil

import pytest

from auditor.api import AN_AUDIT, IN_OTHER_RUN, SAME_FOLDER
from auditor.cli import exit_code_of
from tests.builders import folder_bytes, predictions_audit


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    folder = tmp_path_factory.mktemp("diff-out")
    predictions_audit(folder, n=600)
    return folder / "run"


@pytest.mark.parametrize(
    ("b_arg", "out"),
    [("b", "a/audit.json"), ("b", "a/model_card.md"), ("b", "a/junit.xml"),
     ("b/audit.json", "b/summary.md"), ("b", "b/checkpoints/x.md"), ("b", "b/../a/audit.json"),
     ("b", "a/new.md"), ("b/audit.json", "b/diff.md"), ("b", "a/new/diff.md")],
)  # fmt: skip
def test_diff_out_inside_a_run_is_refused(finished, tmp_path, capsys, monkeypatch, b_arg, out):
    runs = _three_runs(finished, tmp_path, monkeypatch)
    before = {name: folder_bytes(tmp_path / name) for name in runs}
    code = exit_code_of(["diff", "a", b_arg, "--out", out])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == [f"auditor: error: {out}: --out: {SAME_FOLDER}"], err
    assert {name: folder_bytes(tmp_path / name) for name in runs} == before


@pytest.mark.parametrize(
    "out", ["c/audit.json", "c/model_card.html", "link/audit.json", "c/checkpoints/sub/x.md",
            "c/notes.md", "link/diff.md"],
)  # fmt: skip
def test_a_third_runs_folder_is_named_as_another_run(finished, tmp_path, capsys, monkeypatch,
                                                     out):  # fmt: skip
    """C is neither A nor B: it was refused as 'the run or inside it'; now in the words gate
    and card refuse another run's folder with, naming C."""
    runs = _three_runs(finished, tmp_path, monkeypatch)
    before = {name: folder_bytes(tmp_path / name) for name in runs}
    code = exit_code_of(["diff", "a", "b", "--out", out])
    err = capsys.readouterr().err.strip().splitlines()
    words = IN_OTHER_RUN.format(folder=repr("c"), field="--out")
    assert code == 2 and err == [f"auditor: error: {out}: --out: {words}"], err
    assert {name: folder_bytes(tmp_path / name) for name in runs} == before


def _three_runs(finished, tmp_path, monkeypatch) -> tuple[str, ...]:
    runs = ("a", "b", "c")  # c: a third run, neither A nor B
    for name in runs:
        shutil.copytree(finished, tmp_path / name)
    (tmp_path / "c" / "checkpoints" / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "c")
    monkeypatch.chdir(tmp_path)
    return runs


def test_a_saved_audit_json_above_does_not_make_a_run(finished, tmp_path, capsys, monkeypatch):
    """A baseline's audit.json saved in a folder above (a repo root, the home folder) refused
    every diff --out below it; a folder is a run where it holds what a run writes beside it."""
    shutil.copy(finished / "audit.json", tmp_path / "audit.json")
    for name in ("a", "b"):
        shutil.copytree(finished, tmp_path / "work" / name)
    monkeypatch.chdir(tmp_path / "work")
    assert exit_code_of(["diff", "a", "b", "--out", "out/diff.md"]) == 0, capsys.readouterr()
    assert (tmp_path / "work" / "out" / "diff.md").is_file()


def test_a_root_level_audit_json_read_as_a(finished, tmp_path, capsys, monkeypatch):
    """``auditor diff audit.json ../b -o reports/x.md`` from a folder holding a saved
    audit.json worked before the --out check and was refused by it; the file itself still is."""
    proj = tmp_path / "proj"
    proj.mkdir()
    shutil.copy(finished / "audit.json", proj / "audit.json")
    shutil.copytree(finished, tmp_path / "b")
    before = (proj / "audit.json").read_bytes()
    monkeypatch.chdir(proj)
    code = exit_code_of(["diff", "audit.json", "../b", "-o", "reports/x.md"])
    assert code == 0, capsys.readouterr().err
    assert exit_code_of(["diff", "audit.json", "../b", "-o", "audit.json"]) == 2
    assert capsys.readouterr().err.strip().endswith(f"audit.json: --out: {SAME_FOLDER}")
    assert (proj / "audit.json").read_bytes() == before


def test_a_saved_audit_json_is_not_the_out(finished, tmp_path, capsys, monkeypatch):
    """A lone audit.json (a saved baseline, not read here) is no run folder, but the file
    itself is an audit: the diff's Markdown does not replace it."""
    (tmp_path / "base").mkdir()
    shutil.copy(finished / "audit.json", tmp_path / "base" / "audit.json")
    for name in ("a", "b"):
        shutil.copytree(finished, tmp_path / name)
    before = (tmp_path / "base" / "audit.json").read_bytes()
    monkeypatch.chdir(tmp_path)
    assert exit_code_of(["diff", "a", "b", "-o", "base/audit.json"]) == 2
    words = AN_AUDIT.format(field="--out")
    assert capsys.readouterr().err.strip() == f"auditor: error: base/audit.json: --out: {words}"
    assert (tmp_path / "base" / "audit.json").read_bytes() == before


@pytest.mark.parametrize("out", ["a-vs-b.md", "new/diff.md"])
def test_a_new_file_beside_the_runs_is_written(finished, tmp_path, capsys, monkeypatch, out):
    for name in ("a", "b"):
        shutil.copytree(finished, tmp_path / name)
    before = folder_bytes(tmp_path / "a")
    monkeypatch.chdir(tmp_path)
    assert exit_code_of(["diff", "a", "b", "--out", out]) == 0, capsys.readouterr().err
    assert (tmp_path / out).read_text(encoding="utf-8").startswith("## auditor diff")
    assert folder_bytes(tmp_path / "a") == before
