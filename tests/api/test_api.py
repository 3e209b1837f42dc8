"""The Python API: a predictions audit end to end, loading audits, and re-gating and
re-rendering into new folders that leave the run byte-identical."""

from __future__ import annotations

import json

import pytest

from auditor import api
from auditor.audit_tree.jsonfile import NOT_JSON
from auditor.errors import AuditorInputError
from auditor.run_folder import NOT_AN_OBJECT, WRONG_SCHEMA
from tests.builders import folder_bytes, leftovers, predictions_audit


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    return folder, predictions_audit(folder)


def test_audit_predictions_writes_a_whole_run(audited):
    folder, result = audited
    assert result.run_dir == folder / "run"
    assert sorted(p.name for p in result.run_dir.iterdir()) == [
        "audit.json", "junit.xml", "model_card.html", "model_card.md", "summary.md",
    ]  # fmt: skip
    assert api.AuditResult.load(result.run_dir).data == json.loads(
        (result.run_dir / "audit.json").read_text()
    )
    assert result.verdict in ("pass", "warn", "fail")
    assert result.headline()["n"] == 2000
    assert leftovers(folder) == []


def test_regate_writes_elsewhere_and_leaves_the_run(audited, tmp_path):
    _, result = audited
    before = folder_bytes(result.run_dir)
    strict = tmp_path / "strict.toml"
    strict.write_text(
        '[[gates.rules]]\nname = "no gap"\n'
        'metric = "fairness.features.sex.disparities.demographic_parity_difference.between_groups"'
        '\nmax = 0.0\nmode = "point"\n'
    )
    regated = api.regate(result.run_dir, config=strict, out_dir=tmp_path / "verdict")
    assert regated.verdict == "fail" and regated.run_dir == tmp_path / "verdict"
    assert json.loads((tmp_path / "verdict" / "audit.json").read_text())["gates"]["verdict"] == (
        "fail"
    )
    assert folder_bytes(result.run_dir) == before
    for inside in (result.run_dir, result.run_dir / "gate", result.run_dir / ".." / "run"):
        with pytest.raises(AuditorInputError, match="never rewritten"):
            api.regate(result.run_dir, out_dir=inside)
    assert folder_bytes(result.run_dir) == before


def test_regate_default_folder_is_beside_the_run(audited):
    _, result = audited
    regated = api.regate(result.run_dir)
    assert regated.run_dir.parent == result.run_dir.parent
    assert regated.run_dir.name.startswith("run.gate-")


def test_two_regates_in_one_second_get_two_folders(audited, monkeypatch):
    """The default folder is named to the second: a second re-gate in that second replaced
    the first one's folder."""
    from datetime import datetime

    from auditor.api import _rerun

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 1, 2, 3, 4, 5, tzinfo=tz)

    monkeypatch.setattr(_rerun, "datetime", Frozen)
    _, result = audited
    first, second = api.regate(result.run_dir), api.regate(result.run_dir)
    assert first.run_dir.name == "run.gate-20260102T030405Z"
    assert second.run_dir.name == "run.gate-20260102T030405Z-2"
    assert (first.run_dir / "audit.json").is_file() and (second.run_dir / "audit.json").is_file()


def test_rerender_writes_every_format_elsewhere(audited, tmp_path):
    _, result = audited
    before = folder_bytes(result.run_dir)
    card = api.rerender(result.run_dir, out_dir=tmp_path / "card")
    assert (card.run_dir / "model_card.html").read_bytes() == before["model_card.html"]
    assert folder_bytes(result.run_dir) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", NOT_JSON.split("(")[0]),
        ("[" * 200_000 + "]" * 200_000, NOT_JSON.split("(")[0]),
        ('{"schema_version": "1.0", "n": ' + "9" * 5000 + "}", NOT_JSON.split("(")[0]),
        ("[1, 2]", NOT_AN_OBJECT),
        ('{"schema_version": "0.1"}', WRONG_SCHEMA.split("{")[0]),
    ],
)
def test_a_broken_audit_json_is_bad_input(tmp_path, text, message):
    path = tmp_path / "audit.json"
    path.write_text(text)
    with pytest.raises(AuditorInputError) as err:
        api.AuditResult.load(tmp_path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_run_refuses_out_that_is_a_file_before_any_work(tmp_path, monkeypatch):
    from auditor.config import AuditConfig

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained before checking --out")

    monkeypatch.setattr(api, "trained_context", no_training)
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(AuditorInputError, match="is a file"):
        api.run(AuditConfig(), out_dir=target)


def test_the_reproduce_command_is_quoted_for_a_shell(monkeypatch):
    """The card's Reproduce line is pasted into a shell: a name with a space, '|' or a line
    break was written bare and did not run as the same command."""
    import subprocess
    import sys

    from auditor.api._trained import command_line

    args = ["audit", "-p", "my preds|v2.csv", "--sensitive", "sex\nage"]
    monkeypatch.setattr(sys, "argv", ["/venv/bin/auditor", *args])
    line = command_line(None)  # a line break: $'sex\x0aage' (tests/api/test_trained_command)
    said = subprocess.run(["bash", "-c", "printf '%s\\0' " + line], capture_output=True,
                          text=True, timeout=30).stdout  # fmt: skip
    assert said.split("\0")[:-1] == ["auditor", *args]
    assert command_line("auditor run x.toml") == "auditor run x.toml"  # given: kept as is
