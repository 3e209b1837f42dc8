"""Hostile ``audit.json`` files read back by ``auditor gate``, ``auditor card`` and
``auditor diff``: refused with exit 2 in one line naming the file (and the field), nothing
written, and the run itself left byte-identical; re-gating and re-rendering never write into
the run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.builders import folder_bytes
from tests.hostile.conftest import OUT, assert_nothing_written, assert_refused


def _set(path: str, value: object):
    def edit(audit: dict) -> str:
        *parents, last = path.split(".")
        node = audit
        for key in parents:
            node = node[key]
        node[last] = value
        return json.dumps(audit)

    return edit


# fmt: off
CASES = [
    # (id, new text of audit.json from the valid one, substrings of the one error line)
    ("int-400-digits", lambda a: json.dumps(a).replace('"seed": 0', '"seed": ' + "9" * 400, 1),
     ["audit.json"]),
    ("deep-200k", lambda a: "[" * 200_000 + "]" * 200_000, ["audit.json"]),
    ("deep-object", lambda a: '{"a":' * 200_000 + "1" + "}" * 200_000, ["audit.json"]),
    ("not-json", lambda a: "{nope", ["audit.json", "JSON"]),
    ("empty", lambda a: "", ["audit.json"]),
    ("array", lambda a: "[]", ["audit.json", "not a JSON object"]),
    ("bad-utf8", lambda a: json.dumps(a).encode().replace(b"preds", b"\xff\xfe", 1),
     ["audit.json"]),
    ("schema-version", _set("schema_version", "0.0"), ["audit.json", "schema_version"]),
    ("accuracy-text", _set("performance.finetuned.test.accuracy", "high"),
     ["audit.json", "performance"]),
    ("gates-text", _set("gates", "all good"), ["audit.json", "gates"]),
    ("fairness-list", _set("fairness", []), ["audit.json", "fairness"]),
    ("extra-section", _set("backdoor", {"x": 1}), ["audit.json", "backdoor"]),
    ("no-run", lambda a: json.dumps({k: v for k, v in a.items() if k != "run"}),
     ["audit.json", "run"]),
]
# fmt: on


def _broken_run(finished_run: Path, tmp_path: Path, edit) -> Path:
    run = tmp_path / "run"
    shutil.copytree(finished_run, run)
    text = edit(json.loads((run / "audit.json").read_text()))
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    (run / "audit.json").write_bytes(data)
    return run


@pytest.mark.parametrize("command", ["gate", "card"])
@pytest.mark.parametrize(("edit", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_audit_json_is_refused(cli, tmp_path, finished_run, command, edit, names):
    run = _broken_run(finished_run, tmp_path, edit)
    before = folder_bytes(run)
    assert_refused(cli([command, "run", "--out", OUT]), *names)
    assert_nothing_written(tmp_path)
    assert folder_bytes(run) == before


@pytest.mark.parametrize("case", ["deep-200k", "int-400-digits", "accuracy-text"])
def test_diff_refuses_a_bad_audit_json(cli, tmp_path, finished_run, case):
    [edit] = [c[1] for c in CASES if c[0] == case]
    _broken_run(finished_run, tmp_path, edit)
    assert_refused(cli(["diff", str(finished_run), "run"]), "audit.json")


@pytest.mark.parametrize("target", ["missing", "empty-folder"])
def test_run_folder_without_audit_json(cli, tmp_path, target):
    (tmp_path / "empty-folder").mkdir()
    for command in ("gate", "card"):
        assert_refused(cli([command, target, "--out", OUT]), target)
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("command", ["gate", "card", "diff"])
def test_an_audit_that_is_not_a_file_is_named_so(cli, tmp_path, finished_run, command):
    """``/dev/null`` (or a FIFO, or a folder named audit.json) exists: "no such file" sent
    the user looking for a missing path."""
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "audit.json").mkdir()
    for target in ("/dev/null", "odd"):
        args = [command, target, "--out", OUT]
        if command == "diff":
            args = [command, str(finished_run), target]
        line = assert_refused(cli(args), target, "is not a regular file")
        assert "no such file" not in line


@pytest.mark.parametrize("out", ["run", "run/inside", "run/audit.json"])
@pytest.mark.parametrize("command", ["gate", "card"])
def test_rewriting_the_run_is_refused(cli, tmp_path, finished_run, command, out):
    run = tmp_path / "run"
    shutil.copytree(finished_run, run)
    before = folder_bytes(run)
    assert_refused(cli([command, "run", "--out", out]), "--out")
    assert folder_bytes(run) == before
    assert_nothing_written(tmp_path)


def test_gate_with_a_bad_config_leaves_the_run(cli, tmp_path, finished_run):
    run = tmp_path / "run"
    shutil.copytree(finished_run, run)
    before = folder_bytes(run)
    (tmp_path / "relaxed.toml").write_text('[[gates.rules]]\nmetric = "nowhere.x"\nmax = 1\n')
    assert_refused(cli(["gate", "run", "--config", "relaxed.toml", "--out", OUT]),
                   "relaxed.toml", "gates.rules[0].metric")  # fmt: skip
    assert folder_bytes(run) == before
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("version", ["1.0", "3.0", None])
def test_another_schema_version_says_what_to_do(cli, tmp_path, finished_run, version):
    run = tmp_path / "old"
    shutil.copytree(finished_run, run)
    audit = json.loads((run / "audit.json").read_text(encoding="utf-8"))
    audit["schema_version"] = version
    (run / "audit.json").write_text(json.dumps(audit), encoding="utf-8")
    for args in (["gate", "old", "--out", OUT], ["diff", str(finished_run), "old"]):
        line = assert_refused(cli(args), "schema_version", "another auditor version")
        assert repr(version) in line and "audit again" in line


def _linked_run(finished_run: Path, tmp_path: Path) -> Path:
    """A copy of the run whose audit.json is a link to a copy in another folder (kept)."""
    run, kept = tmp_path / "run", tmp_path / "kept"
    shutil.copytree(finished_run, run)
    kept.mkdir()
    (run / "audit.json").rename(kept / "audit.json")
    (run / "audit.json").symlink_to(Path("..") / "kept" / "audit.json")
    return run


@pytest.mark.parametrize("out", ["run", "run/inside"])
@pytest.mark.parametrize("command", ["gate", "card"])
def test_a_linked_audit_json_does_not_let_the_run_be_rewritten(cli, tmp_path, finished_run,
                                                                 command, out):
    """With run/audit.json a link to kept/audit.json, the run was taken to be kept/ (the link
    resolved): ``auditor gate run --out run/inside`` wrote into the run (exit 1, the gate's),
    where the same command on a plain audit.json is refused. Both folders are the run's."""
    run = _linked_run(finished_run, tmp_path)
    before = folder_bytes(run)
    assert_refused(cli([command, "run", "--out", out]), "--out", "a run is never rewritten")
    assert folder_bytes(run) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept", "run"]


@pytest.mark.parametrize("command", ["gate", "card"])
def test_a_linked_audit_json_writes_beside_the_run_named(cli, tmp_path, finished_run, command):
    """The default --out is RUN_DIR.gate-<time> (RUN_DIR.card-...) beside the folder named,
    not beside the folder the link points into (kept.gate-...)."""
    _linked_run(finished_run, tmp_path)
    cli([command, "run"])
    made = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("kept", "run"))
    assert len(made) == 1 and made[0].startswith(f"run.{command}-"), made
