"""Hostile audit configs, round 4: ``auditor init``'s file edited as users edit it, through
``auditor run`` and ``auditor audit --config``: a table where a value belongs and the other way
round, arrays of tables, unknown tables, keys in the wrong table, a dotted key above its
table, a key written twice, an empty file. Each was pydantic's or tomllib's words, or (the
empty file) the digits demo run as the user's audit; each is one line naming the file and the
key, exit 2, nothing written."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from auditor.commands.init import EXAMPLE
from tests.commands.test_config_error_startup import CHILD, LATER, ROOT
from tests.hostile.conftest import assert_nothing_written, assert_refused, write_files

SPLITS = EXAMPLE[EXAMPLE.index("[data.splits]") : EXAMPLE.index("\n[model]\n")]
assert SPLITS.count("\n") > 3


def _edit(old: str, new: str) -> str:
    assert old in EXAMPLE, old
    return EXAMPLE.replace(old, new, 1)


# fmt: off
CASES = [
    # (id, config text or bytes, substrings of the one error line)
    ("empty", "", ["a.toml", "holds no setting", "auditor init"]),
    ("comments-only", "# seed = 1\n\n", ["a.toml", "holds no setting"]),
    ("data-a-string", 'data = "table"\n', ["a.toml", "data: must be a table ([data]", '"table"']),
    ("data-an-array-of-tables", _edit("[data]\n", "[[data]]\n"),
     ["a.toml", "data: is one table: write [data] (one bracket)"]),
    ("gates-an-array-of-tables", _edit("[gates] ", "[[gates]] "),
     ["a.toml", "gates: is one table: write [gates]"]),
    ("splits-a-number", _edit(SPLITS, "splits = 0.5\n\n"),
     ["a.toml", "data.splits: must be a table", "not 0.5"]),
    ("seed-a-table", _edit("seed = 0 ", "seed = {value = 0} "), ["a.toml", "seed: must be a number",
                                                                  "not a table"]),
    ("source-misspelt", _edit('source = "digits" ', 'source = "tabel" '),
     ["a.toml", "data.source", '(did you mean "table"?)']),
    ("source-table-alone", _edit('source = "digits" ', 'source = "table" ').replace(
        'target = "odd"', "#"), ["a.toml", "data.path", "needs path, target and sensitive"]),
    ("unknown-table", EXAMPLE + "\n[logging]\nlevel = 1\n",
     ["a.toml", "logging: unknown table", "[fairness]"]),
    ("target-under-fairness", _edit("[fairness]\n", '[fairness]\ntarget = "odd"\n'),
     ["a.toml", "fairness.target", "did you mean data.target?"]),
    ("dotted-data-above-its-table", 'data.source = "table"\n' + EXAMPLE,
     ["a.toml", "data", "a table written twice", "line 1 writes it first"]),
    ("seed-twice", _edit("seed = 0 ", "seed = 0\nseed = 1 "),
     ["a.toml", "seed", "a key written twice", "line 5 writes it first: seed = 0"]),
    ("rules-a-value-and-tables", _edit("min_count = 30", "min_count = 30\nrules = []"),
     ["a.toml", "gates.rules", "written as a value and as a table"]),
    ("epochs-out-of-bounds", _edit("epochs = 30", "epochs = 0"),
     ["a.toml", "pretrain.epochs: must be at least 1, not 0"]),
    ("baseline-a-number", _edit('# baseline = "reports/main/audit.json"', "baseline = 3"),
     ["a.toml", "gates.baseline: must be a file name in quotes, not 3"]),
    ("crlf-with-a-bad-value", _edit("seed = 0 ", 'seed = "0" ').replace("\n", "\r\n").encode(),
     ["a.toml", "seed: must be a number"]),
    ("bom-with-a-bad-value", b"\xef\xbb\xbf" + _edit("[data]\n", "[[data]]\n").encode(),
     ["a.toml", "data: is one table"]),
    # R4's: a hint only where the line it gives is taken, and the line that wrote a table first
    ("use-defaults-yes", _edit("use_defaults = true", "use_defaults = yes"),
     ["a.toml", "gates.use_defaults", "use_defaults = yes; TOML says yes and no as true and "
      "false: use_defaults = true"]),
    ("epochs-ten", _edit("epochs = 30", "epochs = ten"),
     ["a.toml", "pretrain.epochs: not valid TOML at line", "(Invalid value): epochs = ten"]),
    ("seed-null", _edit("seed = 0 ", "seed = null "),
     ["a.toml", "seed", "TOML has no null: leave seed out for its default"]),
    ("path-tab-newline", _edit('source = "digits" ', 'source = "table"\npath = '
                               '"C:\\temp\\new.csv"\nsensitive = ["s"] '),
     ["a.toml", "data.path: holds a tab", '("C:/temp/new.csv")']),
    ("splits-above-data-twice", EXAMPLE.replace(SPLITS, "").replace("[data]\n", SPLITS +
     "[data]\n", 1).replace("\n[model]\n", "\n[data]\n[model]\n", 1),
     ["a.toml", "a table written twice", "writes it first: [data])"]),
    ("confidence-percent", _edit("[privacy]\n", "[privacy]\nconfidence = 1.5\n"),
     ["a.toml", "privacy.confidence: must be less than 1, not 1.5"]),
]
# fmt: on
# How the line ends where no way to write it is known (a hint would have been refused in turn)
ENDS = {"epochs-ten": "(Invalid value): epochs = ten", "confidence-percent": "not 1.5"}
ENDS = {c[1]: ENDS[c[0]] for c in CASES if c[0] in ENDS}
PREDICTIONS = "y_true,y_pred,sex\n" + "".join(f"{i % 2},{i // 2 % 2},{'FM'[i % 3 % 2]}\n"
                                              for i in range(60))  # fmt: skip


@pytest.mark.parametrize(("config", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["run", "audit", "gate"])
def test_an_edited_example_config_is_refused_before_any_work(request, cli, tmp_path, config,
                                                             names, command):  # fmt: skip
    """The three commands that read a config file (gate --config was not run here)."""
    write_files(tmp_path, {"a.toml": config, "p.csv": PREDICTIONS})
    args = {"run": ["run", "a.toml"],
            "audit": ["audit", "-p", "p.csv", "--sensitive", "sex", "--config", "a.toml"],
            "gate": ["gate", "{run}", "--config", "a.toml"]}[command]  # fmt: skip
    if command == "gate":
        run = request.getfixturevalue("finished_run")
        args = [str(run) if a == "{run}" else a for a in args]
    if command != "run" and names[1].startswith("data.path: holds"):  # run reads [data]
        outcome = cli([*args, "--out", "out"])
        assert outcome.code in (0, 1), outcome.err  # as a missing "C:\\temp\\x.csv" is
        return
    line = assert_refused(cli([*args, "--out", "out"]), *names)
    assert line.endswith(ENDS.get(config, "")), line
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("case", ["empty", "data-an-array-of-tables", "source-misspelt",
                                  "dotted-data-above-its-table", "epochs-out-of-bounds"])
def test_the_refusal_loads_neither_torch_nor_the_preflight(tmp_path, case):
    config = dict((c[0], c[1]) for c in CASES)[case]
    write_files(tmp_path, {"a.toml": config})
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD.format(later=LATER)), "run", "a.toml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert child.returncode == 2, child.stderr
    assert "loaded: none" in child.stdout, child.stdout
