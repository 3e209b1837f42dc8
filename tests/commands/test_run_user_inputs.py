"""``auditor run`` on a user's own table and code that fail while the run works (not in
preflight): exit 2, one line naming the config file and the field, nothing written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.hostile.conftest import assert_nothing_written, assert_refused, cli  # noqa: F401

TABLE = """
[data]
source = "table"
path = "t.csv"
target = "y"
sensitive = ["g"]
[pretrain]
epochs = 2
[finetune]
epochs = 2
"""
FACTORY = """
def raises(input_shape, n_classes):
    raise RuntimeError("weights file not found")
"""


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(0)
    n = 240
    frame = pd.DataFrame({"x": rng.normal(size=n).round(3), "g": rng.choice(["a", "b"], n)})
    frame["y"] = (frame.x + rng.normal(scale=0.5, size=n) > 0).astype(int)
    frame.to_csv(tmp_path / "t.csv", index=False)
    return tmp_path


def test_a_factory_that_raises_names_the_config_file(cli, table):  # noqa: F811
    (table / "h1_raising_factory.py").write_text(FACTORY)
    (table / "audit.toml").write_text(
        TABLE + '[model]\nkind = "factory"\nfactory = "h1_raising_factory:raises"\n'
    )
    line = assert_refused(cli(["run", "audit.toml", "--out", "out", "--quiet"]),
                          "audit.toml: model.factory:", "RuntimeError: weights file not found",
                          "h1_raising_factory.py:3")  # fmt: skip
    assert "internal error" not in line
    assert_nothing_written(table)


def test_training_that_diverges_is_refused_before_any_check(cli, table):  # noqa: F811
    (table / "audit.toml").write_text(TABLE.replace("epochs = 2\n", "epochs = 2\nlr = 1e300\n", 1))
    assert_refused(cli(["run", "audit.toml", "--out", "out", "--quiet"]),
                   "audit.toml: pretrain.lr:", "diverged")  # fmt: skip
    assert_nothing_written(table)
