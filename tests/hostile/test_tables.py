"""Hostile tables behind ``[data] source = "table"``: each is refused with exit 2 before torch
loads, in one line naming the data file and the key; a table too small for its splits or with
too many groups never trains."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.hostile.conftest import assert_nothing_written, assert_refused, write_files

TABLE = '[data]\nsource = "table"\npath = "{file}"\ntarget = "y"\nsensitive = ["sex"]\n'


def rows(n: int, *, groups: int = 2) -> str:
    """``n`` rows of x (few distinct values: not an ID), sex (``groups`` levels), y."""
    return "".join(f"{i % 3},g{i % groups},{(i // 2) % 2}\n" for i in range(n))


HEADER = "x,sex,y\n"
# fmt: off
CASES = [
    # (id, file name, file content, extra config lines, substrings of the one error line)
    ("header-only", "t.csv", HEADER, "", ["t.csv", "no data rows"]),
    ("empty-file", "t.csv", "", "", ["t.csv"]),
    ("duplicate-column", "t.csv", "x,sex,sex,y\n" + "1,a,a,0\n" * 40, "", ["t.csv", "'sex'"]),
    ("no-target", "t.csv", "x,sex,z\n" + rows(40), "", ["t.csv", "'y'"]),
    ("no-sensitive", "t.csv", "x,gender,y\n" + rows(40), "", ["t.csv", "'sex'"]),
    ("single-class", "t.csv", HEADER + "".join(f"{i % 3},g{i % 2},1\n" for i in range(60)), "",
     ["t.csv", "data.target", "single class"]),
    ("id-column", "t.csv", "applicant_id,sex,y\n" + "".join(
        f"{i},g{i % 2},{i % 2}\n" for i in range(60)), "", ["t.csv", "applicant_id"]),
    ("five-rows", "t.csv", HEADER + rows(5), "", ["t.csv", "data.splits.", "needs at least"]),
    ("too-few-for-test", "t.csv", HEADER + rows(400), "[data.splits]\ntest = 0.01\n",
     ["t.csv", "data.splits.test", "'test'"]),
    ("too-many-groups", "t.csv", HEADER + rows(2400, groups=1200), "",
     ["t.csv", "data.sensitive", "1,200 groups"]),
    ("too-many-intersections", "t.csv", "x,sex,race,y\n" + "".join(
        f"{i % 7},s{i % 40},r{i % 41},{(i // 2) % 2}\n" for i in range(3000)),
     'sensitive = ["sex", "race"]\n', ["t.csv", "data.sensitive", "sex & race"]),
    ("missing-sensitive", "t.csv", HEADER + rows(60) + "3,,1\n", "", ["t.csv", "'sex'"]),
    ("not-utf8", "t.csv", b"x,sex,y\n\xff\xfe,\x81,1\n" * 30, "", ["t.csv"]),
    ("binary-garbage", "t.csv", bytes(range(256)) * 20, "", ["t.csv"]),
    ("unsupported-type", "t.xlsx", "x,sex,y\n" + rows(40), "", ["t.xlsx", "unsupported"]),
    ("corrupt-parquet", "t.parquet", b"PAR1" + b"\x00" * 64 + b"PAR1", "", ["t.parquet"]),
    ("missing-file", "other.csv", HEADER + rows(40), "", ["t.csv"]),
    ("positive-label", "t.csv", HEADER + rows(400), 'positive_label = "yes"\n',
     ["t.csv", "data.positive_label"]),
]
# fmt: on


def _config(file: str, extra: str) -> str:
    """The table config; ``extra`` follows [data] (its keys, or a new table), a
    ``sensitive = ...`` line replaces the default."""
    text = TABLE.format(file=file)
    if extra.startswith("sensitive = "):
        return text.replace('sensitive = ["sex"]\n', extra)
    return text + extra


@pytest.mark.parametrize(("name", "content", "extra", "names"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_table_is_refused_before_training(cli, tmp_path, name, content, extra, names):
    file = "t.csv" if name == "other.csv" else name
    write_files(tmp_path, {name: content, "a.toml": _config(file, extra)})
    assert_refused(cli(["run", "a.toml", "--out", "out"]), *names)
    assert_nothing_written(tmp_path)


CHILD = """
import sys
from auditor.cli import exit_code_of
code = exit_code_of(sys.argv[1:])
print("torch loaded:", "torch" in sys.modules)
sys.exit(code)
"""


@pytest.mark.parametrize("case", ["five-rows", "too-many-groups"])
def test_refused_table_never_loads_torch(tmp_path, case):
    [(_, name, content, extra, _)] = [c for c in CASES if c[0] == case]
    write_files(tmp_path, {name: content, "a.toml": _config(name, extra)})
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD), "run", "a.toml", "--out", "out"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert child.returncode == 2, child.stderr
    assert "torch loaded: False" in child.stdout
    assert len(child.stderr.strip().splitlines()) == 1 and "Traceback" not in child.stderr
