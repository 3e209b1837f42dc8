"""GitHub Actions outputs: the job summary ($GITHUB_STEP_SUMMARY) and ``::error`` /
``::warning`` annotations for failing and warning gates, pointing at the config file: a
gate that fails the job (a failure; a warning too where warnings fail,
:func:`~auditor.gates.evaluate.warnings_may_fail`) is an ``::error``, as junit.xml and the
exit code have it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from auditor.config.toml_file import MAX_CONFIG_BYTES  # the most a config may be
from auditor.gates.evaluate import warnings_may_fail
from auditor.report.decision import warnings_fail
from auditor.report.escape import md_code, terminal_exact, terminal_text
from auditor.report.summary import MAX_BYTES
from auditor.report.terminal import failure_text, flagged_gates

MSG_NO_SUMMARY = "auditor: warning: GITHUB_STEP_SUMMARY={path}: cannot append the summary ({why})"
# GitHub drops a step's whole job summary when the step wrote more than 1 MiB to it.
MSG_OVER_STEP_LIMIT = (
    "auditor: warning: GITHUB_STEP_SUMMARY={path}: summary.md ({size:,} KiB) not appended: "
    "after the {before:,} KiB this step wrote there it would pass GitHub's 1 MiB per step, "
    "which drops the step's whole summary; it is {where}"
)
NOTE_LEFT_OUT = (
    "\n_auditor: summary.md ({size:,} KiB) is not in this job summary: with what this step "
    "wrote before it, it would pass GitHub's 1 MiB limit for one step, and GitHub would drop "
    "the whole summary. It is {where}._\n"
)
IN_RUN_FOLDER = "in the run folder"  # where the caller names no path


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def config_line(config_file: str | None, rule: str, metric: str) -> int | None:
    """The line of the config file that declares a rule's metric (for the annotation):
    the ``metric`` line of the i-th ``[[gates.rules]]`` table for ``rules[i]``, else the
    first ``metric`` line naming ``metric``."""
    if not config_file or not rule.startswith("rules["):
        return None
    path = Path(config_file)  # read back from audit.json: a regular file of config size only
    try:
        if not path.is_file() or path.stat().st_size > MAX_CONFIG_BYTES:
            return None
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    index, table = int(rule[len("rules[") : -1]), -1
    for i, line in enumerate(lines, 1):
        text = line.strip()
        if text.replace(" ", "") == "[[gates.rules]]":
            table += 1
        elif table == index and text.startswith("metric"):
            return i
    return next((i for i, line in enumerate(lines, 1) if "metric" in line and metric in line), None)


# GitHub shows 10 annotations of each kind (error, warning, notice) per step and drops the
# rest: the most important go first, and one notice says how many more there are and where.
MAX_PER_KIND = 10
MSG_MORE = (
    "{n} more gates are not annotated here ({fail} failed, {warn} warnings); "
    "every gate is in summary.md and junit.xml of the run folder and in the job summary"
)


# a warning gate's title where warnings fail the job: decision's one wording of the verdict
# line, read at each call (R14 #4: a second copy here missed a change to it)
WARNS_AND_FAILS = {"status": "ok", "verdict": "warn", "fail_on": "warning"}


def _annotation(
    r: Mapping[str, Any],
    config_file: str | None,
    audit: Mapping[str, Any] | None,
    *,
    warn_fails: bool,
) -> str:
    fails_job = r["status"] == "fail" or warn_fails
    kind = "error" if fails_job else "warning"
    warned = r["status"] != "fail" and fails_job
    status = r["status"] + (f" {warnings_fail(WARNS_AND_FAILS)}" if warned else "")
    title = terminal_text(f"auditor gate {status}: {r['name']}", isolate=True)
    props = [f"title={_escape_prop(title)}"]
    if config_file:
        props.insert(0, f"file={_escape_prop(config_file)}")
        line = config_line(config_file, r["rule"], r["metric"])
        if line:
            props.insert(1, f"line={line}")
    message = _escape_data(terminal_text(failure_text(r, audit), isolate=True))
    return f"::{kind} {','.join(props)}::{message}"


def github_annotations(
    gates: Mapping[str, Any],
    *,
    config_file: str | None = None,
    audit: Mapping[str, Any] | None = None,
) -> list[str]:
    """``::error`` / ``::warning`` workflow commands for failing and warning gates, pointing
    at the config file (and the rule's line where it can be found): ``::error`` for each gate
    that fails the job (every flagged gate where warnings fail: the gates' recorded
    ``fail_on``, as junit.xml and the exit code read it), at most :data:`MAX_PER_KIND` of
    each kind, failures first, then insufficient data, not run and warnings; then one
    ``::notice`` counting the gates left out. ``audit``: the audit the gates judged (a
    fairness gap's pair counts)."""
    if gates.get("status") != "ok":
        return []
    config_file = config_file or gates.get("config_file")
    flagged = flagged_gates(gates)
    warn_fails = warnings_may_fail(gates)
    errors = [r for r in flagged if r["status"] == "fail" or warn_fails]  # each fails the job
    warns = [r for r in flagged if not (r["status"] == "fail" or warn_fails)]
    shown = errors[:MAX_PER_KIND] + warns[:MAX_PER_KIND]
    out = [_annotation(r, config_file, audit, warn_fails=warn_fails) for r in shown]
    if len(shown) < len(flagged):
        left = errors[MAX_PER_KIND:] + warns[MAX_PER_KIND:]
        n_fail = sum(r["status"] == "fail" for r in left)
        n_warn = len(left) - n_fail
        more = MSG_MORE.format(n=n_fail + n_warn, fail=n_fail, warn=n_warn)
        out.append(f"::notice title={_escape_prop('auditor gates')}::{_escape_data(more)}")
    return out


def _within_step_limit(
    target: str, text: str, summary_path: str | Path | None
) -> tuple[str, str | None]:
    """What to append to the step summary ``target``: ``text``, or where the file would pass
    :data:`MAX_BYTES` with it, a short note in its place naming ``summary_path`` (nothing, if
    even that would not fit) and the warning line to print."""
    try:
        before = os.stat(target).st_size
    except FileNotFoundError:
        before = 0
    size = len(text.encode("utf-8"))
    if before + size <= MAX_BYTES:
        return text, None
    at = f"at {md_code(summary_path, in_table=False)}" if summary_path else IN_RUN_FOLDER
    note = NOTE_LEFT_OUT.format(size=size // 1024, where=at)
    fits = before + len(note.encode("utf-8")) <= MAX_BYTES
    where = f"at {terminal_exact(summary_path)}" if summary_path else IN_RUN_FOLDER
    return (note if fits else ""), MSG_OVER_STEP_LIMIT.format(
        path=terminal_exact(target), size=size // 1024, before=before // 1024, where=where
    )


def publish_github(
    audit: Mapping[str, Any],
    render_summary: Callable[[], str],
    *,
    config_file: str | None = None,
    summary_path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    stream: TextIO | None = None,
) -> None:
    """Under GitHub Actions: append the summary to $GITHUB_STEP_SUMMARY (when set) and print
    the annotations. Elsewhere: nothing. ``render_summary``: what renders the summary (called
    only when it is written); ``summary_path``: where that summary.md is, named where the
    step's summary cannot take it (``auditor gate``'s is in its --out folder, not the run's)."""
    env = os.environ if env is None else env
    stream = stream or sys.stdout
    target = env.get("GITHUB_STEP_SUMMARY")
    if target:
        summary_text = render_summary()
        summary_text += "" if summary_text.endswith("\n") else "\n"
        try:
            text, over = _within_step_limit(target, summary_text, summary_path)
            with open(target, "a", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:  # the verdict (the exit code) stands; summary.md has the text
            why = terminal_text(exc.strerror or type(exc).__name__)
            print(MSG_NO_SUMMARY.format(path=terminal_exact(target), why=why), file=sys.stderr)
        else:
            if over:
                print(over, file=sys.stderr)
    if env.get("GITHUB_ACTIONS") == "true":
        for line in github_annotations(audit["gates"], config_file=config_file, audit=audit):
            print(line, file=stream)
