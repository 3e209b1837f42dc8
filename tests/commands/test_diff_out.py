"""``auditor diff A B --out FILE``: a run folder is evidence, so FILE may not lie in A's or
B's (``--out A/audit.json`` replaced the audit by the diff's Markdown; a new ``A/new.md`` made
a later run to A refuse it), nor in any other run's (``--out C/audit.json``), refused in the
words of gate and card; a file beside the runs (``reports/diff.md``, as docs/github-actions.yml
writes) is fine."""

from __future__ import annotations

import shutil

import pytest

from auditor.api import SAME_FOLDER
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
     ("b", "c/audit.json"), ("b", "c/model_card.html"), ("b", "link/audit.json"),
     ("b", "c/checkpoints/sub/x.md"), ("b", "a/new.md"), ("b/audit.json", "b/diff.md"),
     ("b", "a/new/diff.md"), ("b", "c/notes.md"), ("b", "link/diff.md")],
)  # fmt: skip
def test_diff_out_inside_a_run_is_refused(finished, tmp_path, capsys, monkeypatch, b_arg, out):
    runs = ("a", "b", "c")  # c: a third run, neither A nor B
    for name in runs:
        shutil.copytree(finished, tmp_path / name)
    (tmp_path / "c" / "checkpoints" / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "c")
    before = {name: folder_bytes(tmp_path / name) for name in runs}
    monkeypatch.chdir(tmp_path)
    code = exit_code_of(["diff", "a", b_arg, "--out", out])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == [f"auditor: error: {out}: --out: {SAME_FOLDER}"], err
    assert {name: folder_bytes(tmp_path / name) for name in runs} == before


@pytest.mark.parametrize("out", ["a-vs-b.md", "new/diff.md"])
def test_a_new_file_beside_the_runs_is_written(finished, tmp_path, capsys, monkeypatch, out):
    for name in ("a", "b"):
        shutil.copytree(finished, tmp_path / name)
    before = folder_bytes(tmp_path / "a")
    monkeypatch.chdir(tmp_path)
    assert exit_code_of(["diff", "a", "b", "--out", out]) == 0, capsys.readouterr().err
    assert (tmp_path / out).read_text(encoding="utf-8").startswith("## auditor diff")
    assert folder_bytes(tmp_path / "a") == before
