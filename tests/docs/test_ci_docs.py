"""The CI jobs in docs/ work when copied: parsed as YAML and checked for what each system
needs; every ``auditor`` command line in them uses options the CLI really has."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
import yaml

from auditor.cli import app

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _load(name: str) -> dict:
    return yaml.safe_load((DOCS / name).read_text(encoding="utf-8"))


def _github_steps() -> list[dict]:
    return _load("github-actions.yml")["jobs"]["audit"]["steps"]


def _auditor_lines(text: str) -> list[list[str]]:
    """Each ``auditor <command> ...`` invocation, split into words (templating removed)."""
    text = re.sub(r"\$\{\{.*?\}\}", "", text).replace(";", "\n")
    out = []
    for line in text.replace(">\n", " ").splitlines():
        at = line.find("auditor ")
        if at >= 0 and not line.lstrip().startswith("#"):
            words = shlex.split(line[at:].split(";")[0])
            if len(words) > 1 and words[1] in ("run", "diff", "gate", "audit", "card"):
                out.append(words)
    return out


def test_github_actions_installs_auditor_pinned_and_sets_permissions():
    wf = _load("github-actions.yml")
    assert wf["permissions"] == {"contents": "read", "checks": "write"}
    assert re.fullmatch(r"auditor==\d+\.\d+\.\d+", wf["env"]["AUDITOR"])
    runs = [s.get("run", "") for s in _github_steps()]
    assert not any("pip install -e" in r for r in runs)  # would install the model's repo
    assert any('pip install "$AUDITOR"' in r for r in runs)
    assert any("PYTHONPATH=" in r and "GITHUB_ENV" in r for r in runs)  # factory importable


def test_github_actions_pip_cache_needs_no_requirements_file():
    # setup-python's pip cache hashes requirements.txt or pyproject.toml unless told which file,
    # and fails a model repository with neither; the workflow files always exist
    (setup,) = [s for s in _github_steps() if s.get("uses", "").startswith("actions/setup-python")]
    if setup["with"].get("cache") == "pip":
        assert setup["with"]["cache-dependency-path"].startswith(".github/workflows/")


def test_github_actions_uploads_the_card_and_reports_junit():
    steps = {s.get("uses", s.get("name")): s for s in _github_steps()}
    upload = steps["actions/upload-artifact@v4"]
    assert upload["if"] == "always()"
    paths = upload["with"]["path"].split()
    assert "reports/pr/model_card.html" in paths and "reports/diff.md" in paths
    junit = steps["mikepenz/action-junit-report@v4"]
    assert junit["with"]["report_paths"] == "reports/pr/junit.xml"
    order = [s.get("name") for s in _github_steps()]
    assert order.index("Install auditor") < order.index("Audit and gate")


def test_gitlab_keeps_diff_md_and_the_junit_report():
    job = _load("gitlab-ci.yml")["model-audit"]
    assert "reports/diff.md" in job["artifacts"]["paths"]
    assert "reports/mr/model_card.html" in job["artifacts"]["paths"]
    assert job["artifacts"]["reports"]["junit"] == "reports/mr/junit.xml"
    assert job["artifacts"]["when"] == "always"
    assert re.fullmatch(r"auditor==\d+\.\d+\.\d+", job["variables"]["AUDITOR"])
    assert "PYTHONPATH" in job["variables"]
    assert not any("pip install -e" in line for line in job["script"])


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml", "ci.md"])
def test_every_auditor_command_line_uses_real_options(name):
    command = typer.main.get_command(app)
    lines = _auditor_lines((DOCS / name).read_text(encoding="utf-8"))
    assert lines, name
    for words in lines:
        sub = command.commands[words[1]]
        known = {opt for p in sub.params for opt in getattr(p, "opts", [])}
        used = {w.split("=")[0] for w in words[2:] if w.startswith("-")}
        assert used <= known, (words, used - known)


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_diff_is_written_beside_the_run_folder_not_in_it(name):
    """``auditor diff --out`` refuses a path inside a run folder (evidence), as gate and card do."""
    lines = _auditor_lines((DOCS / name).read_text(encoding="utf-8"))
    runs = {words[words.index("--out") + 1] for words in lines if words[1] == "run"}
    diffs = [words[words.index("--out") + 1] for words in lines if words[1] == "diff"]
    assert runs and diffs
    assert not any(Path(run) in Path(out).parents for run in runs for out in diffs), diffs


def test_the_page_is_wrapped_at_its_width():
    """docs/ci.md's summary.md item kept a 98-character line after two commits rewrapped it
    (R4 #10), and a test of that section alone let six more (up to 146 characters) stand in
    others (R8 #6): the whole page's prose wraps at 96, its tables and code blocks aside."""
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    prose, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        fenced ^= line.startswith("```")
        if not fenced and not line.startswith(("```", "|")):
            prose.append((number, line))
    assert len(prose) > 200 and any(line == "## Outputs" for _, line in prose)  # all of it
    assert [(n, len(line)) for n, line in prose if len(line) > 96] == []
