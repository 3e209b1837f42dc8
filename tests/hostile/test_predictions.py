"""Hostile prediction files and ``auditor audit`` options: each is refused with exit 2 in one
line naming the file (or option) and the column, and nothing is written; a previous report in
``--out`` stays byte-identical."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.hostile.conftest import assert_nothing_written, assert_refused, write_files

COLS = ["--y-true", "label", "--y-pred", "pred", "--positive-label", "approved"]
HEADER = "label,pred,score,sex\n"


def rows(n: int, *, groups: int = 2) -> str:
    out = []
    for i in range(n):
        label = "approved" if i % 3 else "denied"
        pred = "approved" if i % 4 else "denied"
        out.append(f"{label},{pred},{(i % 10) / 10},g{i % groups}\n")
    return "".join(out)


# fmt: off
CASES = [
    # (id, file name, content, extra options, substrings of the one error line)
    ("missing-file", "other.csv", HEADER + rows(50), [], ["p.csv"]),
    ("empty-file", "p.csv", "", [], ["p.csv"]),
    ("header-only", "p.csv", HEADER, [], ["p.csv"]),
    ("no-y-true", "p.csv", "truth,pred,score,sex\n" + rows(50), [], ["p.csv", "label"]),
    ("no-y-pred", "p.csv", "label,guess,score,sex\n" + rows(50), [], ["p.csv", "pred"]),
    ("no-sensitive", "p.csv", "label,pred,score,gender\n" + rows(50), [], ["p.csv", "sex"]),
    ("no-score", "p.csv", HEADER + rows(50), ["--y-score", "proba"], ["p.csv", "proba"]),
    ("score-text", "p.csv", HEADER + rows(50).replace(",0.5,", ",high,"),
     ["--y-score", "score"], ["p.csv", "score"]),
    ("score-above-one", "p.csv", HEADER + rows(50).replace(",0.5,", ",7.5,"),
     ["--y-score", "score"], ["p.csv", "score"]),
    ("score-nan", "p.csv", HEADER + rows(50).replace(",0.5,", ",nan,"),
     ["--y-score", "score"], ["p.csv", "score"]),
    ("y-true-missing", "p.csv", HEADER + rows(50) + ",approved,0.5,g1\n", [],
     ["p.csv", "label"]),
    ("positive-not-a-label", "p.csv", HEADER + rows(50), ["--positive-label", "yes"],
     ["p.csv", "yes"]),
    ("too-many-groups", "p.csv", HEADER + rows(2500, groups=1100), [], ["p.csv", "sex"]),
    ("not-utf8", "p.csv", b"label,pred,score,sex\n\xff\xfe,\x81,0.5,a\n" * 20, [], ["p.csv"]),
    ("binary-garbage", "p.csv", bytes(range(256)) * 20, [], ["p.csv"]),
    ("ragged-rows", "p.csv", HEADER + rows(20) + "approved,denied\n" + rows(20), [],
     ["p.csv"]),
    ("corrupt-parquet", "p.parquet", b"PAR1" + b"\x00" * 64 + b"PAR1", [], ["p.parquet"]),
    ("unsupported-type", "p.json", '{"label": 1}', [], ["p.json"]),
    ("pred-label-never-true", "p.csv", HEADER + rows(50) + "approved,maybe,0.5,g1\n", [],
     ["p.csv", "pred", "'maybe'"]),
]
# fmt: on


@pytest.mark.parametrize(("name", "content", "extra", "names"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_predictions_file_is_refused(cli, tmp_path, previous_run, name, content, extra, names):
    write_files(tmp_path, {name: content})
    file = "p.csv" if name == "other.csv" else name
    before = previous_run()
    outcome = cli(["audit", "-p", file, "--sensitive", "sex", *COLS, *extra, "--out", "out"])
    assert_refused(outcome, *names)
    assert_nothing_written(tmp_path, before)


# fmt: off
OPTION_CASES = [
    ("seed-negative", ["--seed", "-1"], ["--seed"]),
    ("seed-2**70", ["--seed", str(2**70)], ["--seed"]),
    ("n-boot-gone", ["--n-boot", "20000000"], ["--n-boot"]),
    ("min-group-zero", ["--min-group-size", "0"], ["--min-group-size"]),
    ("intersections", ["--intersections", "triples"], ["--intersections"]),
    ("sensitive-twice", ["--sensitive", "sex"], ["--sensitive"]),
    ("batch-rows-zero", ["--batch-rows", "0"], ["--batch-rows"]),
    ("dask-address", ["--dask-scheduler", "bogus"], ["--dask-scheduler", "bogus"]),
    ("config-missing", ["--config", "nope.toml"], ["nope.toml"]),
    ("config-unknown-key", ["--config", "bad.toml"], ["bad.toml", "colour"]),
    ("config-rule-feature", ["--config", "rule.toml"], ["rule.toml", "gates.rules[0].metric",
                                                        "race"]),
]
# fmt: on
CONFIGS = {
    "bad.toml": "colour = 1\n",
    "rule.toml": '[[gates.rules]]\nmetric = "fairness.features.race.disparities.'
    'demographic_parity_difference.between_groups"\nmax = 0.1\n',
}


@pytest.mark.parametrize(("extra", "names"), [c[1:] for c in OPTION_CASES],
                         ids=[c[0] for c in OPTION_CASES])  # fmt: skip
def test_bad_audit_option_is_refused(cli, tmp_path, previous_run, extra, names):
    write_files(tmp_path, {"p.csv": HEADER + rows(60), **CONFIGS})
    before = previous_run()
    outcome = cli(["audit", "-p", "p.csv", "--sensitive", "sex", *COLS, *extra, "--out", "out"])
    assert_refused(outcome, *names)
    assert_nothing_written(tmp_path, before)


CHILD = """
import sys
from auditor.cli import exit_code_of
code = exit_code_of(sys.argv[1:])
heavy = [m for m in ("torch", "sklearn", "scipy", "statsmodels", "captum") if m in sys.modules]
print("loaded:", ",".join(heavy) or "none")
sys.exit(code)
"""


def test_predictions_audit_never_imports_torch(tmp_path):
    """issue 15 item 4: the predictions path reads a file and counts; torch is never needed,
    nor scikit-learn or scipy (its numbers, Wilson intervals included, are computed here).
    The ThresholdOptimizer preview (issue 14 item 4) is fairlearn's, on scikit-learn: off here."""
    write_files(tmp_path, {"p.csv": HEADER + rows(3000),
                           "off.toml": "[fairness]\nmitigation_preview = false\n"})  # fmt: skip
    args = ["audit", "-p", "p.csv", "--sensitive", "sex", *COLS, "--y-score", "score",
            "--out", "out", "--exit-zero", "--config", "off.toml"]  # fmt: skip
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD), *args], cwd=tmp_path,
        capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert child.returncode == 0, child.stderr
    assert (tmp_path / "out" / "audit.json").is_file()
    loaded = child.stdout.strip().splitlines()[-1]
    assert loaded == "loaded: none", loaded
