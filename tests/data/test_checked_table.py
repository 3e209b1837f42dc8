"""A table's inputs, groups and target are checked once a run: validation's results go with
its frame to preflight's counts and the loader (they ran three times), and only to a reader
of the same frame under the same settings."""

from __future__ import annotations

import pandas as pd

from auditor import preflight
from auditor.config import AuditConfig, TableData
from auditor.data import table


def _csv(tmp_path, n: int = 200):
    frame = pd.DataFrame({"x": range(n), "g": ["a", "b"] * (n // 2),
                          "y": ["no", "yes", "yes", "no"] * (n // 4)})  # fmt: skip
    frame["x"] = frame["x"] % 7
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    return path


def test_validation_counts_and_loader_encode_the_target_once(tmp_path, monkeypatch):
    calls = []
    encode = table.encode_target
    monkeypatch.setattr(table, "encode_target", lambda *a, **k: calls.append(1) or encode(*a, **k))
    config = AuditConfig(data={"source": "table", "path": _csv(tmp_path), "target": "y",
                               "sensitive": ["g"]})  # fmt: skip
    table.validate_table(config.data)
    classes = preflight.check_table_counts(config.data, "none",
                                           fractions=preflight.used_splits(config))  # fmt: skip
    bundle = table.load_table_bundle(config.data, seed=0)
    assert calls == [1] and classes == ("no", "yes") == bundle.finetune_task.class_names
    table.load_table_bundle(config.data, seed=0)  # taken: a later load checks again
    assert calls == [1, 1]


def test_other_settings_or_a_changed_file_are_checked_again(tmp_path):
    path = _csv(tmp_path)
    data = TableData(path=path, target="y", sensitive=["g"])
    table.validate_table(data)
    flipped = TableData(path=path, target="y", sensitive=["g"], positive_label="no")
    assert table.load_table_bundle(flipped, seed=0).finetune_task.class_names == ("yes", "no")
    table.validate_table(data)
    frame = pd.read_csv(path)
    frame["y"] = frame["y"].replace({"yes": "si"})
    frame.to_csv(path, index=False)  # another size: the file is read and checked again
    assert table.load_table_bundle(data, seed=0).finetune_task.class_names == ("no", "si")
