"""R10 #5: no TOML string selected a copied path whose label holds an invisible character
and a '"' or what needs quoting: junit.xml wrote 'groups[a"\\u00adb]' and
'groups["x]\\u00ady"]', which in "…" is not valid TOML and in '…' named 'a"\\\\u00adb', the
escape as six characters. The path reader now reads \\uXXXX in a label as the character a
copied path shows so, and a rule takes a copied path pasted into '…' (docs/ci.md)."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from auditor.audit_tree import parse_path, spellings

LABELS = ['a"\xadb', "x]\xady", 'q"]\\\xadz']  # a quote, a bracket, a backslash, a SHY


@pytest.mark.parametrize(
    ("copied", "label"),
    [('groups[a"\\u00adb]', LABELS[0]), ('groups["x]\\u00ady"]', LABELS[1]),
     ('groups["q\\"]\\\\\\u00adz"]', LABELS[2]), ('groups["a\\\\u00ad"]', "a\\u00ad")],
)  # fmt: skip
def test_a_copied_label_reads_back(copied, label):
    """The last: a label of a backslash and 'u00ad' is quoted, its backslash doubled. A
    label names its coded form only where the text as typed names nothing (R13 #1)."""
    assert spellings(parse_path(copied)[1])[-1] == label


def test_a_path_copied_from_junit_pastes_into_a_rule_for_every_label(tmp_path):
    rng = np.random.default_rng(3)
    n = 900
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame({"y_true": y, "y_pred": np.where(rng.random(n) < 0.8, y, 1 - y),
                          "g": np.array(LABELS)[rng.integers(0, 3, n)]})  # fmt: skip
    frame.to_csv(tmp_path / "p.csv", index=False)
    cli = [sys.executable, "-m", "auditor"]
    run = str(tmp_path / "run")
    audit = [*cli, "audit", "-p", str(tmp_path / "p.csv"), "--sensitive", "g", "-o", run, "-q"]
    done = subprocess.run([*audit, "--exit-zero"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rule = "[[gates.rules]]\nmetric = '{}'\nmin = 0.99\n"
    any_group = "fairness.features.g.groups[*].metrics.accuracy"
    (tmp_path / "g.toml").write_text("[gates]\nuse_defaults = false\n" + rule.format(any_group))
    gate = [*cli, "gate", run, "-c", str(tmp_path / "g.toml")]
    done = subprocess.run([*gate, "-o", str(tmp_path / "g1")], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    junit = (tmp_path / "g1" / "junit.xml").read_text()
    copied = sorted(set(re.findall(r"^metric: (.*)$", junit, re.MULTILINE)))
    assert len(copied) == 3 and all("\\u00ad" in path for path in copied), copied
    rules = "".join(rule.format(path) for path in copied)  # pasted as they are, into '…'
    (tmp_path / "g.toml").write_text("[gates]\nuse_defaults = false\n" + rules)
    done = subprocess.run([*gate, "-o", str(tmp_path / "g2")], capture_output=True, text=True)
    assert done.returncode == 1 and "unknown metric" not in done.stderr, done.stderr
    assert "3 fail" in done.stdout, done.stdout
