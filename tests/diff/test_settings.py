"""The diff compares the two configs setting by setting: a setting auditor gained since an
older audit reads as its default (the sha256 of each config as written differed for every
older audit against a new one of the same config file, and named no setting)."""

from __future__ import annotations

import copy

from auditor.diff import diff_audits, render_text
from tests.builders import predictions_audit


def _config_rows(a: dict, b: dict) -> dict[str, tuple]:
    return {c.key: (c.a, c.b) for c in diff_audits(a, b).provenance
            if c.key.startswith("config") and c.change != "same"}  # fmt: skip


def test_a_setting_added_since_reads_as_its_default(tmp_path):
    new = predictions_audit(tmp_path).data
    older = copy.deepcopy(new)
    older["config"]["training"].pop("precision")  # written before 0f340fa
    assert _config_rows(older, new) == {}
    assert _config_rows(new, older) == {}


def test_each_changed_setting_is_named(tmp_path):
    a = predictions_audit(tmp_path).data
    b = copy.deepcopy(a)
    b["config"]["training"]["precision"] = "bf16"
    b["config"]["fairness"]["min_group_size"] = a["config"]["fairness"]["min_group_size"] + 5
    rows = _config_rows(a, b)
    assert rows.pop("config training.precision") == ('"fp32"', '"bf16"')
    assert "config fairness.min_group_size" in rows
    assert set(rows) == {"config (sha256 of JSON)", "config fairness.min_group_size"}
    assert "training.precision" in render_text(diff_audits(a, b))


def test_a_config_todays_code_cannot_read_is_compared_as_written(tmp_path):
    a = predictions_audit(tmp_path).data
    b = copy.deepcopy(a)
    b["config"]["retired_setting"] = 3  # a key this auditor refuses
    assert _config_rows(a, b)["config retired_setting"] == (None, "3")
