"""GitHub drops a step's whole job summary when the step wrote more than 1 MiB to
$GITHUB_STEP_SUMMARY ('upload aborted, supports content up to a size of 1024k'). Two
auditor commands in one step (``auditor run`` then ``auditor gate --baseline``) each
appended a summary under 1 MiB, together over it: both were lost, with what the step had
written before. A summary that would pass the limit is now left out with a short note in
the job summary and one warning line."""

from __future__ import annotations

import io

from auditor.report.github import publish_github
from auditor.report.summary import MAX_BYTES
from tests.report.test_junit import audit_with_gates


def test_a_summary_that_would_pass_the_step_limit_is_left_out_with_a_note(tmp_path, capsys):
    target = tmp_path / "step_summary.md"
    before = "# earlier output of this step\n" + "x" * (700 * 1024) + "\n"
    target.write_text(before, encoding="utf-8")
    summary = "## auditor gates\n" + "y" * (500 * 1024) + "\n"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(target)}
    out = io.StringIO()
    publish_github(audit_with_gates(), lambda: summary, env=env, stream=out)
    text = target.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= MAX_BYTES
    assert text.startswith(before) and "y" * 100 not in text
    assert "1 MiB" in text and "summary.md" in text  # the note: where the summary is
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("auditor: warning: GITHUB_STEP_SUMMARY=")
    assert out.getvalue().startswith("::error ")  # the annotations are still printed


def test_a_summary_that_fits_is_appended_whole(tmp_path, capsys):
    target = tmp_path / "step_summary.md"
    target.write_text("before\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(target)}
    publish_github(audit_with_gates(), lambda: "## auditor gates\nS\n", env=env)
    assert target.read_text(encoding="utf-8") == "before\n## auditor gates\nS\n"
    assert capsys.readouterr().err == ""


def test_the_note_and_the_warning_name_the_summary_left_out(tmp_path, capsys):
    """``auditor gate`` writes its summary.md to its --out folder, not to the run folder,
    whose summary.md may judge other gates: the note and the warning said 'summary.md is in
    the run folder'; they name the file's path."""
    import numpy as np
    import pandas as pd
    from typer.testing import CliRunner

    from auditor.cli import app

    rng = np.random.default_rng(1)
    rows = pd.DataFrame({"group": np.repeat(["a", "b"], [300, 90])})
    rows["y_true"] = rng.integers(0, 2, len(rows))
    rows["y_pred"] = np.where(rows.group == "a", rows.y_true, 1)  # b: every row predicted 1
    rows.to_csv(tmp_path / "p.csv", index=False)
    run, out, step = tmp_path / "run", tmp_path / "gs1", tmp_path / "step.md"
    args = ["audit", "-p", str(tmp_path / "p.csv"), "--sensitive", "group", "-o", str(run), "-q"]
    assert CliRunner().invoke(app, args).exit_code == 1
    step.write_text("x" * (MAX_BYTES - 600), encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(step)}
    res = CliRunner().invoke(app, ["gate", str(run), "-o", str(out)], env=env)
    assert res.exit_code == 1, res.output  # the gate failed: the verdict stands
    assert (out / "summary.md").is_file()
    where = f"it is at {out / 'summary.md'}"
    assert where in res.stderr and "run folder" not in res.stderr
    note = step.read_text(encoding="utf-8")[MAX_BYTES - 600 :]
    assert f"It is at `{out / 'summary.md'}`._" in note and "run folder" not in note
