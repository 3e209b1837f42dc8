"""Hostile audit configs, round 3 (an adversary with the file system): nesting that
overflowed tomllib's recursion, a link loop, UTF-16 without its mark, UTF-32, NUL bytes, a
pyproject.toml whose ``tool`` is no table, paths no file system can open (``~nobody``, a
NUL, a 5,000-byte name) and unquoted TOML dates. Each was an 'internal error' with a crash
log, or a wrong reason; each is refused with exit 2 in one line before any work."""

from __future__ import annotations

import codecs

import pytest

from tests.hostile.conftest import assert_nothing_written, assert_refused, write_files

TABLE = '[data]\nsource = "table"\npath = {path}\ntarget = "y"\nsensitive = ["sex"]\n'

# fmt: off
CASES = [
    # (id, config text or bytes, substrings of the one error line)
    ("nested-arrays", "a = " + "[" * 5000 + "]" * 5000 + "\n", ["a.toml", "nested too deeply"]),
    ("nested-tables", "a = " + "{b=" * 3000 + "1" + "}" * 3000 + "\n",
     ["a.toml", "nested too deeply"]),
    ("nested-900", "[transparency]\nintended_use = " + "[" * 900 + "]" * 900 + "\n",
     ["a.toml", "nested too deeply"]),
    ("utf-16-no-mark", "seed = 1\n".encode("utf-16-le"), ["a.toml", "UTF-16", "save it as UTF-8"]),
    ("utf-32", "seed = 1\n".encode("utf-32"), ["a.toml", "UTF-32", "save it as UTF-8"]),
    ("utf-32-be", codecs.BOM_UTF32_BE + "seed = 1\n".encode("utf-32-be"), ["a.toml", "UTF-32"]),
    ("nul-byte", b"seed = 1\x00\n", ["a.toml", "NUL"]),
    ("path-of-no-user", TABLE.format(path='"~nosuchuser_h9/t.csv"'),
     ["a.toml", "data.path", "~nosuchuser_h9", "no home folder"]),
    ("path-with-nul", TABLE.format(path='"t\\u0000.csv"'), ["a.toml", "data.path", "NUL"]),
    ("path-name-too-long", TABLE.format(path=f'"{"a" * 5000}.csv"'),
     ["a.toml", "data.path", "5,004 bytes"]),
    ("model-path-with-nul", TABLE.format(path='"t.csv"')
     + '[model]\nkind = "checkpoint"\npath = "m\\u0000.pt"\nfactory = "m:b"\n',
     ["a.toml", "model.path", "NUL"]),
    ("baseline-of-no-user", '[gates]\nbaseline = "~nosuchuser_h9/audit.json"\n',
     ["a.toml", "gates.baseline", "no home folder"]),
    ("baseline-with-nul", '[gates]\nbaseline = "x\\u0000"\n', ["a.toml", "gates.baseline", "NUL"]),
    ("adult-path-too-long", f'[data]\nsource = "adult"\npath = "{"d" * 300}"\n',
     ["a.toml", "data.path", "300 bytes"]),
    # already one clean line (guards): control characters in a key are shown escaped
    ("key-nul", '"a\\u0000b" = 1\n', ["a.toml", "a\\x00b", "unknown key"]),
    ("key-rtl-override", '"a\u202eb" = 1\n', ["a.toml", "a\\u202eb", "unknown key"]),
    ("dotted-key-redefines-a-table", "pretrain.epochs = 1\n[pretrain]\nlr = 0.1\n",
     ["a.toml", "pretrain", "a table written twice"]),
    ("integer-past-64-bits", f"seed = {2**64}\n", ["a.toml", "seed"]),
    ("inf-learning-rate", "[finetune]\nlr = inf\n", ["a.toml", "finetune.lr", "finite"]),
    ("date-as-name", "name = 1979-05-27\n",
     ["a.toml", "name", 'write text in quotes: "1979-05-27"']),
    ("time-as-path", TABLE.format(path="07:32:00"), ["a.toml", "data.path", '"07:32:00"']),
    ("datetime-in-list", TABLE.format(path='"t.csv"').replace('["sex"]', "[1979-05-27T07:32:00]"),
     ["a.toml", "data.sensitive[0]", "date"]),
]
# fmt: on


@pytest.mark.parametrize(("config", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_config_is_refused_before_any_work(cli, tmp_path, config, names):
    write_files(tmp_path, {"a.toml": config})
    assert_refused(cli(["run", "a.toml", "--out", "out"]), *names)
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("text", ["tool = 1\n", '[tool]\nauditor = "x"\n',
                                  "[tool]\nauditor = [1]\n"],
                         ids=["tool-a-number", "auditor-a-string", "auditor-a-list"])  # fmt: skip
def test_a_pyproject_whose_tool_auditor_is_no_table(cli, tmp_path, text):
    (tmp_path / "pyproject.toml").write_text(text)
    assert_refused(cli(["run", "pyproject.toml", "--out", "out"]), "pyproject.toml",
                   "[tool.auditor]")  # fmt: skip
    assert_nothing_written(tmp_path)


def test_a_config_that_is_a_link_loop_says_so(cli, tmp_path):
    """It was 'no such file' (Path.is_file swallows ELOOP): the file is there, as a loop."""
    (tmp_path / "a.toml").symlink_to("b.toml")
    (tmp_path / "b.toml").symlink_to("a.toml")
    assert_refused(cli(["run", "a.toml", "--out", "out"]), "a.toml", "symbolic links")
    assert_nothing_written(tmp_path)


def test_dev_zero_is_refused_at_once(cli, tmp_path):
    """An endless device: refused by its kind, never read."""
    assert_refused(cli(["run", "/dev/zero", "--out", "out"]), "/dev/zero", "not a regular file")
    assert_nothing_written(tmp_path)


def test_gate_with_a_baseline_of_no_user(cli, tmp_path, finished_run):
    """`auditor gate RUN -c a.toml` reads the config's baseline too (an internal error)."""
    write_files(tmp_path, {"a.toml": '[gates]\nbaseline = "~nosuchuser_h9/audit.json"\n'})
    outcome = cli(["gate", str(finished_run), "-c", "a.toml", "--out", "out"])
    assert_refused(outcome, "a.toml", "gates.baseline", "no home folder")
    assert_nothing_written(tmp_path)
