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
