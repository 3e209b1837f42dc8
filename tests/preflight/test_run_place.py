"""No audit writes a new run folder inside another run's folder: ``auditor audit -o C/sub``,
``auditor run CONFIG -o C/sub`` and the API's ``out_dir`` are refused before any work (exit 2,
one line naming --out and the run folder), as gate, card and diff refuse their --out there."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor import api
from auditor.api import AuditResult
from auditor.api._result import IN_SAME_RUN
from auditor.cli import app
from auditor.errors import AuditorInputError
from auditor.preflight import check_out_dir, run_place
from auditor.preflight.run_place import AS_RUN_FILE, IN_OTHER_RUN, is_run_folder
from tests.builders import folder_bytes, predictions_frame, refusal_line

runner = CliRunner()
ARGS = ["--sensitive", "sex", "--y-true", "label", "--y-pred", "pred",
        "--positive-label", "approved", "--exit-zero"]  # fmt: skip
WORDS = IN_OTHER_RUN.format(folder=repr("c"), field="--out")


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A working folder with preds.csv and a predictions run folder, c (audit.json beside both
    model cards, as every run writes)."""
    monkeypatch.chdir(tmp_path)
    predictions_frame(n=600).to_csv(tmp_path / "preds.csv", index=False)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "audit.json").write_text(json.dumps({"run": {"mode": "predictions"}}))
    (tmp_path / "c" / "model_card.md").write_text("# card\n")
    (tmp_path / "c" / "model_card.html").write_text("<p>card</p>\n")
    return tmp_path


@pytest.mark.parametrize(("command", "out"), [
    ("audit", "c/sub"), ("audit", "c/sub/deeper"), ("audit", "c/sub/../other"), ("run", "c/sub"),
])  # fmt: skip
def test_an_out_inside_a_run_is_refused_before_any_work(work, command, out):
    if command == "run":  # the audits need no config in the working folder
        (work / "x.toml").write_text('name = "x"\n')
    before = folder_bytes(work / "c")
    args = ["-p", "preds.csv", *ARGS] if command == "audit" else ["x.toml"]
    text = refusal_line(runner.invoke(app, [command, *args, "-o", out]))
    assert text == f"auditor: error: {out}: --out: {WORDS}"
    assert folder_bytes(work / "c") == before
    assert sorted(os.listdir(work / "c")) == ["audit.json", "model_card.html", "model_card.md"]


def _audit_model(out_dir: str) -> None:
    from sklearn.linear_model import LogisticRegression

    frame = predictions_frame(n=200)[["label", "sex"]].assign(x=range(200))
    model = LogisticRegression().fit(frame[["x"]], frame["label"])
    api.audit_model(model, data=frame, target="label", sensitive=["sex"], features=["x"],
                    out_dir=out_dir, progress=False)  # fmt: skip


def _audit_predictions(out_dir: str | None = None) -> AuditResult:
    """In memory where ``out_dir`` is None."""
    return api.audit_predictions("preds.csv", y_true="label", y_pred="pred", sensitive=["sex"],
                                 positive_label="approved", out_dir=out_dir)  # fmt: skip


@pytest.mark.parametrize("audit", [_audit_predictions, _audit_model])
def test_the_python_api_names_out_dir(work, audit):
    with pytest.raises(AuditorInputError, match="out_dir: lies in another run's folder, 'c'"):
        audit("c/sub")
    assert not (work / "c" / "sub").exists()


def test_a_link_into_a_run_is_refused(work):
    (work / "link").symlink_to(work / "c", target_is_directory=True)
    with pytest.raises(AuditorInputError, match="lies in another run's folder, 'c'"):
        check_out_dir("link/sub", mode="predictions")


@pytest.mark.parametrize("out", ["c", "link"])
def test_the_run_itself_is_still_rerun_in_place(work, out):
    """``auditor audit -o c`` on a predictions run replaces it, as before; ``-o link`` (a link
    to run c) replaces c and keeps the link. The plain case has no link to c (R3 #9)."""
    if out == "link":
        (work / "link").symlink_to(work / "c", target_is_directory=True)
    done = runner.invoke(app, ["audit", "-p", "preds.csv", *ARGS, "-o", out, "-q"])
    assert done.exit_code == 0, done.output
    assert (work / "c" / "summary.md").is_file()
    assert (work / "link").is_symlink() if out == "link" else not os.path.lexists(work / "link")


def test_a_lone_audit_json_makes_no_run_folder(work):
    """A baseline saved in a folder (audit.json alone) is no run: an audit below it is written."""
    (work / "base").mkdir()
    (work / "base" / "audit.json").write_text("{}")
    assert not is_run_folder(work / "base") and is_run_folder(work / "c")
    done = runner.invoke(app, ["audit", "-p", "preds.csv", *ARGS, "-o", "base/sub", "-q"])
    assert done.exit_code == 0, done.output
    assert (work / "base" / "sub" / "audit.json").is_file()


@pytest.mark.parametrize("files", [
    {"junit.xml": "<testsuites/>\n", "summary.md": "# CI\n"},  # r1 #1
    {"MODEL_CARD.md": "# Our model\n"},  # r7 #3
])  # fmt: skip
def test_a_repo_root_with_a_baseline_beside_other_files_is_no_run(work, files):
    """A repo root holding a saved baseline audit.json and pytest's junit.xml (or another
    tool's summary.md, r1 #1), or the repo's own MODEL_CARD.md (r7 #3), was a run: ``auditor
    audit`` (default reports/preds) and plain ``auditor run`` (reports/digits) below it were
    refused, naming the root. A run folder holds both cards."""
    (work / "audit.json").write_text("{}")
    for name, text in files.items():
        (work / name).write_text(text)
    assert not is_run_folder(work)
    assert check_out_dir("reports/digits", mode="run") == Path("reports/digits")
    done = runner.invoke(app, ["audit", "-p", "preds.csv", *ARGS, "-q"])
    assert done.exit_code == 0, done.output
    assert (work / "reports" / "preds" / "model_card.html").is_file()


@pytest.mark.parametrize("out", [
    "base/model_card.md", "base/Model_Card.HTML",  # r1 #2
    "base/model_card.md/sub", "base/Model_Card.html/a/b",  # r7 #2
])  # fmt: skip
def test_a_card_name_at_or_above_out_beside_a_lone_audit_json_is_refused(work, out):
    """``-o base/model_card.md`` (or ``base/model_card.md/sub``) beside a lone audit.json was
    written, made base a run (audit.json beside a card's name), and then its own rerun and
    ``-o base/sub`` were refused (r1 #2, r7 #2): refused before any work. Every folder the
    write would make is judged by its name, not only the last."""
    (work / "base").mkdir()
    (work / "base" / "audit.json").write_text("{}")
    text = refusal_line(runner.invoke(app, ["audit", "-p", "preds.csv", *ARGS, "-o", out]))
    assert text == f"auditor: error: {out}: --out: " + AS_RUN_FILE.format(field="--out")
    assert "--out: puts a model card's name beside an audit.json" in text
    assert os.listdir(work / "base") == ["audit.json"]
    (work / "base" / "notes").mkdir()  # a folder that is there already is not made by it
    assert check_out_dir("base/notes/model_card.md.d") == Path("base/notes/model_card.md.d")


def test_an_in_memory_result_is_not_written_into_a_run(work):
    """AuditResult.write of an in-memory result below run c (C.md item 1's hole): refused in
    the words a loaded result gets (r1 #4, #5)."""
    result = _audit_predictions()
    with pytest.raises(AuditorInputError) as fresh:
        result.write("c/w")
    loaded = AuditResult.load(result.write("d").run_dir)
    with pytest.raises(AuditorInputError) as read:
        loaded.write("c/w")
    words = IN_OTHER_RUN.format(folder=repr("c"), field="folder=")
    assert str(fresh.value) == str(read.value) == f"c/w: folder: {words}"
    assert not (work / "c" / "w").exists()


def test_an_in_memory_result_written_twice_names_its_own_run(work):
    """Written to d, then to d/sub: d is that result's own run, not another's (r1 #4)."""
    result = _audit_predictions()
    result.write("d")
    before = folder_bytes(work / "d")
    with pytest.raises(AuditorInputError) as caught:
        result.write("d/sub")
    words = IN_SAME_RUN.format(folder=repr("d"), field="folder=")
    assert str(caught.value) == f"d/sub: folder: {words}"
    assert "(an earlier gate, card or write of it, or a copy)" in words  # d: r7 #6
    assert folder_bytes(work / "d") == before


def test_a_write_judges_its_place_once(work, monkeypatch):
    """A result's write walked the folders above its out three times and checked the path
    for link loops three or four times (refuse_rewrite, check_out_dir, write_run; r7 #4):
    now once before any work and once as the folder is swapped in (staged_run)."""
    import auditor.api._result as result_module
    import auditor.preflight as preflight

    calls: list[str] = []

    def counted(name, real):
        return lambda *a, **k: calls.append(name) or real(*a, **k)

    monkeypatch.setattr(run_place, "run_holding", counted("walk", run_place.run_holding))
    for module in (result_module, preflight):
        monkeypatch.setattr(module, "check_resolvable",
                            counted("check", module.check_resolvable))  # fmt: skip
    fresh = _audit_predictions()
    calls.clear()
    loaded = AuditResult.load(fresh.write("d").run_dir)
    assert sorted(calls) == ["check", "check", "walk", "walk"]  # in memory
    calls.clear()
    loaded.write("e")
    assert sorted(calls) == ["check", "check", "walk", "walk"]  # loaded: refuse_rewrite


@pytest.mark.parametrize(("names", "run", "read"), [
    ((), False, False),  # a lone audit.json: a saved baseline
    (("model_card.html", "model_card.md"), True, True),
    (("model_card.html", "model_card.md", "notes.txt", ".DS_Store"), True, True),  # r12 #1
    (("model_card.md", "summary.md", "junit.xml", "notes.txt"), False, True),  # r12 #2
    (("MODEL_CARD.md", "SUMMARY.md"), False, False),  # a repo root, GitBook's SUMMARY.md: R14 #3
    (("model_card.html", "Model_Card.md"), False, False),  # names auditor never writes
    (("model_card.md", "junit.xml"), False, True),  # only files a run writes
    (("summary.md", "junit.xml", "run.log", "checkpoints"), False, True),
    (("MODEL_CARD.md", "junit.xml", "README.md"), False, False),  # a repo root
    (("summary.md", "junit.xml", "README.md"), False, False),
    (("model_card.md", "README.md"), False, False),
])  # fmt: skip
def test_what_makes_a_run_folder(tmp_path, names, run, read):
    """audit.json beside both cards is a run, whatever else it holds; a folder read is one by
    that rule too, and also beside only files a run writes, or beside a card and summary.md
    (r12 #1, #2: the rule for a folder read replaced the other); names as auditor writes them,
    case and all (R14 #3: a repo root's MODEL_CARD.md beside GitBook's SUMMARY.md is none)."""
    (tmp_path / "audit.json").write_text("{}")
    for name in names:
        (tmp_path / name).write_text("x\n")
    assert (is_run_folder(tmp_path), is_run_folder(tmp_path, read=True)) == (run, read)


def test_a_repo_root_recipes_write_below_it(work):
    """A repo root holding a saved baseline, its own MODEL_CARD.md, README.md and pytest's
    junit.xml: the default ``auditor audit``, ``diff audit.json reports/preds -o
    reports/diff.md`` and default gate and card folders are all written (r12 #2 kept them)."""
    done = runner.invoke(app, ["audit", "-p", "preds.csv", *ARGS, "-q", "-o", "saved"])
    assert done.exit_code == 0, done.output
    (work / "audit.json").write_bytes((work / "saved" / "audit.json").read_bytes())
    for name in ("MODEL_CARD.md", "README.md", "junit.xml"):
        (work / name).write_text("x\n")
    for command in (["audit", "-p", "preds.csv", *ARGS, "-q"],
                    ["diff", "audit.json", "reports/preds", "-o", "reports/diff.md"],
                    ["gate", "reports/preds"], ["card", "reports/preds"]):  # fmt: skip
        done = runner.invoke(app, command)
        assert done.exit_code == 0, (command, done.output)
    assert (work / "reports" / "diff.md").is_file()
