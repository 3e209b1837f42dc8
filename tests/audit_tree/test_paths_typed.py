"""R13 #1, #2: reading \\uXXXX in a label (c1899a7) changed what an existing rule selects. A
rule naming a label that really holds the six characters '\\u00ad' exited 2 ("no item 'a\\xadb'"),
and where a SHY label 'a<SHY>b' was there too, it silently gated that one. Now a label as typed
that exists is selected as typed, its \\u-decoded form only where it does not; where both
exist, one line names both, exit 2. [key=value] follows the same rule (it read no \\u)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from auditor.audit_tree import resolve

TYPED, SHY = "a\\u00adb", "a\xadb"  # a backslash and 'u00ad'; a real soft hyphen
GROUPS = "fairness.features.g.groups"


def _audit(labels):
    return {"fairness": {"features": {"g": {"groups": [
        {"group": label, "metrics": {"accuracy": 0.5 + i / 10}} for i, label in enumerate(labels)
    ]}}}}  # fmt: skip


@pytest.mark.parametrize("select", [f"[{TYPED}]", f"[group={TYPED}]", '["a\\u00adb"]'])
def test_a_label_as_typed_is_selected_as_typed(select):
    (m,) = resolve(_audit([TYPED, "plain"]), f"{GROUPS}{select}.metrics.accuracy")
    assert m.node == 0.5


@pytest.mark.parametrize("select", [f"[{TYPED}]", f"[group={TYPED}]", '["a\\u00adb"]'])
def test_the_decoded_label_is_tried_where_the_typed_one_is_absent(select):
    (m,) = resolve(_audit(["plain", SHY]), f"{GROUPS}{select}.metrics.accuracy")
    assert m.node == 0.6


@pytest.mark.parametrize("select", [f"[{TYPED}]", f"[group={TYPED}]", '["a\\u00adb"]'])
def test_both_labels_present_is_refused_naming_both(select):
    with pytest.raises(ValueError, match=r"both 'a\\\\u00adb' as typed and 'a\\xadb'"):
        resolve(_audit([SHY, TYPED]), f"{GROUPS}{select}.metrics.accuracy")


def test_a_quoted_key_as_typed_wins_and_both_are_refused():
    audit = {"fairness": {"features": {"k\\u0041": {"x": 1}, "other": {"x": 2}}}}
    assert [m.node for m in resolve(audit, 'fairness.features."k\\u0041".x')] == [1]
    audit["fairness"]["features"]["kA"] = {"x": 3}
    with pytest.raises(ValueError, match="both"):
        resolve(audit, 'fairness.features."k\\u0041".x')
    del audit["fairness"]["features"]["k\\u0041"]
    assert [m.node for m in resolve(audit, 'fairness.features."k\\u0041".x')] == [3]


def test_no_item_lists_labels_that_paste_back():
    with pytest.raises(ValueError) as e:
        resolve(_audit([TYPED, "plain"]), f"{GROUPS}[nope].metrics.accuracy")
    assert '(it has: "a\\\\u00adb", plain)' in str(e.value)


def _gate(tmp_path, labels, rule):
    rng = np.random.default_rng(5)
    n = 600
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame({"y_true": y, "y_pred": np.where(rng.random(n) < 0.8, y, 1 - y),
                          "g": np.array(labels)[rng.integers(0, len(labels), n)]})  # fmt: skip
    frame.to_csv(tmp_path / "p.csv", index=False)
    cli, run = [sys.executable, "-m", "auditor"], str(tmp_path / "run")
    audit = [*cli, "audit", "-p", str(tmp_path / "p.csv"), "--sensitive", "g", "-o", run, "-q"]
    done = subprocess.run([*audit, "--exit-zero"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    toml = f"[gates]\nuse_defaults = false\n[[gates.rules]]\nmetric = '{rule}'\nmin = 0.99\n"
    (tmp_path / "g.toml").write_text(toml)
    gate = [*cli, "gate", run, "-c", str(tmp_path / "g.toml"), "-o", str(tmp_path / "g1")]
    return subprocess.run(gate, capture_output=True, text=True)


def test_cli_a_rule_naming_a_typed_backslash_label_still_selects_it(tmp_path):
    done = _gate(tmp_path, [TYPED, "plain"], f"{GROUPS}[{TYPED}].metrics.accuracy")
    assert done.returncode == 1, done.stderr
    assert "unknown metric" not in done.stderr and "1 fail" in done.stdout, done.stdout


def test_cli_both_labels_present_refuses_in_one_line(tmp_path):
    done = _gate(tmp_path, [TYPED, SHY, "plain"], f"{GROUPS}[{TYPED}].metrics.accuracy")
    assert done.returncode == 2, done.stdout
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert "as typed" in done.stderr, done.stderr
