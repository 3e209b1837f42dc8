"""Safe output (issue 12 item 5): control characters and markup from group labels, run names
and fields read back from ``audit.json`` never reach a reader raw. ``junit.xml`` is XML 1.0
(a JUnit parser accepts it), the terminal gets no escape sequence, Markdown and HTML escape
every field."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.builders import predictions_csv
from tests.hostile.conftest import OUT, assert_nothing_written, assert_refused, write_files

OSC = "\x1b]0;owned\x07"
CSI = "\x1b[31m"
PAYLOADS = {
    "osc": f"A{OSC}",
    "csi": f"B{CSI}red",
    "c0": "C\x01\x02\x08",
    "del-c1": "D\x7f\x9b",
    "html": "<script>alert(1)</script>",
    "md": "E|**bold**](javascript:alert(1))",
}
# C0 (but tab and newline), DEL and C1 controls: none may reach any output.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)  # YAML (values JSON-quoted), not shown
FENCED = re.compile(r"^```[a-z]*\n.*?^```$", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
TEXT_FILES = ("junit.xml", "summary.md", "model_card.md", "model_card.html")


def _predictions(labels: list[str]) -> str:
    lines = ["label,pred,score,grp"]
    for i in range(60 * len(labels)):
        label = labels[i % len(labels)].replace('"', '""')
        y, p = ("approved" if i % 3 else "denied"), ("approved" if i % 4 else "denied")
        lines.append(f'{y},{p},{(i % 10) / 10},"{label}"')
    return "\n".join(lines) + "\n"


def _assert_clean(folder: Path, text: str) -> None:
    assert not CONTROL.search(text), repr(CONTROL.search(text))
    for name in TEXT_FILES:
        body = (folder / name).read_text(encoding="utf-8")
        assert not CONTROL.search(body), (name, repr(CONTROL.search(body)))
        if name.endswith(".md"):  # code shows its text as is: markup there is inert
            body = CODE_SPAN.sub("`code`", FENCED.sub("", FRONT_MATTER.sub("", body)))
            assert "](javascript:" not in body, name
        assert "<script>alert" not in body, name
    ET.parse(folder / "junit.xml")  # well-formed XML 1.0


@pytest.fixture(scope="module")
def labelled_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One predictions audit whose group labels are every payload (run once: seconds)."""
    from typer.testing import CliRunner

    from auditor.cli import app

    folder = tmp_path_factory.mktemp("payload-labels")
    write_files(folder, {"p.csv": _predictions(list(PAYLOADS.values()))})
    args = ["audit", "-p", str(folder / "p.csv"), "--sensitive", "grp", "--y-true", "label",
            "--y-pred", "pred", "--y-score", "score", "--positive-label", "approved",
            "--min-group-size", "5", "--out", str(folder / OUT)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    return folder / OUT, result.output


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_group_label_payload_never_reaches_a_reader(labelled_run, kind):
    folder, printed = labelled_run
    _assert_clean(folder, printed)
    audit = json.loads((folder / "audit.json").read_text())
    groups = [g["group"] for g in audit["fairness"]["features"]["grp"]["groups"]]
    assert PAYLOADS[kind] in groups  # audit.json keeps the data as it is (JSON escapes it)


READ_BACK = {
    "tool.version": ("tool", "version"),
    "run.created_at": ("run", "created_at"),
    "run.name": ("run", "name"),
    "run.command": ("run", "command"),
}


@pytest.mark.parametrize("field", sorted(READ_BACK))
@pytest.mark.parametrize("kind", ["osc", "html", "md"])
def test_field_read_back_from_audit_json_is_escaped(cli, tmp_path, finished_run, field, kind):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(finished_run, run)
    audit = json.loads((run / "audit.json").read_text())
    section, key = READ_BACK[field]
    audit[section][key] = PAYLOADS[kind]
    (run / "audit.json").write_text(json.dumps(audit))
    outcome = cli(["card", "run", "--out", OUT])
    assert outcome.code == 0, outcome.err
    _assert_clean(tmp_path / OUT, outcome.out + outcome.err)


def test_worst_off_label_printed_as_text(cli, tmp_path):
    """The terminal lines name the worst-off group: an OSC/CSI label must print as text."""
    lines = ["label,pred,score,grp"]
    for i in range(400):
        group = PAYLOADS["osc"] if i % 2 else PAYLOADS["csi"]
        pred = "approved" if (i % 2 == 0 or i % 10 == 1) else "denied"  # the OSC group rarely
        lines.append(f'{"approved" if i % 3 else "denied"},{pred},0.5,"{group}"')
    write_files(tmp_path, {"p.csv": "\n".join(lines) + "\n"})
    outcome = cli(["audit", "-p", "p.csv", "--sensitive", "grp", "--y-true", "label",
                   "--y-pred", "pred", "--positive-label", "approved", "--out", OUT,
                   "--exit-zero"])  # fmt: skip
    assert outcome.code == 0, outcome.err
    assert "worst-off A\\x1b]0;owned\\x07" in outcome.out  # named, as visible text
    _assert_clean(tmp_path / OUT, outcome.out + outcome.err)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_diff_of_payload_labels_is_clean(cli, labelled_run, fmt):
    folder, _ = labelled_run
    outcome = cli(["diff", str(folder), str(folder), "--format", fmt])
    assert outcome.code == 0, outcome.err
    assert not CONTROL.search(outcome.out), repr(CONTROL.search(outcome.out))
    if fmt == "markdown":
        assert "<script>alert" not in CODE_SPAN.sub("`code`", outcome.out)


@pytest.mark.parametrize("command", ["run", "audit"])
def test_a_folder_in_the_locks_place_is_refused_before_any_work(cli, tmp_path, monkeypatch,
                                                                 command):  # fmt: skip
    """It was found when the run folder was written: after training, for `auditor run`."""
    from auditor import api

    def no_work(*args, **kwargs):
        raise AssertionError("the audit ran")

    monkeypatch.setattr(api, "run", no_work)
    monkeypatch.setattr(api, "audit_predictions", no_work)
    (tmp_path / f".{OUT}.lock").mkdir()
    csv = predictions_csv(tmp_path, n=300)
    args = {
        "run": ["run", "--quiet", "--out", OUT],
        "audit": ["audit", "-p", str(csv), "--sensitive", "sex", "--y-true", "label",
                  "--y-pred", "pred", "--positive-label", "approved", "--out", OUT],
    }[command]  # fmt: skip
    assert_refused(cli(args), f".{OUT}.lock", "--out", "not usable as the run folder's lock")
    assert_nothing_written(tmp_path)
