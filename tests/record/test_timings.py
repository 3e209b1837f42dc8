"""The durations read back (:mod:`auditor.record.timings`): a step's, a training stage's, a
reference model's, the canary model's or the explanations' seconds below 0 was printed by the
card as the time it took; each is refused: exit 2, one line naming the file and the field,
nothing written."""

from __future__ import annotations

import json

import pytest

from auditor.api import AuditResult
from tests.record._edits import assert_refused, set_at, write_edited


@pytest.mark.parametrize(
    ("keys", "field"),
    [
        (("run", "timings_s", "total"), "run/timings_s/total"),
        (("training", "finetune", "samples_per_second"), "training/finetune/samples_per_second"),
        (("privacy", "timings_s", "attacks"), "privacy/timings_s/attacks"),
        (("privacy", "references", "seconds_total"), "privacy/references/seconds_total"),
        (("privacy", "references", "seconds_per_model", 1),
         "privacy/references/seconds_per_model/1"),
        (("privacy", "canaries", "model", "seconds"), "privacy/canaries/model/seconds"),
        (("explanations", "seconds"), "explanations/seconds"),
    ],
)  # fmt: skip
def test_a_duration_below_zero_is_refused(privacy_audit, tmp_path, keys, field):
    audit = json.loads(privacy_audit.read_text())
    set_at(audit, keys, -5.0)
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, field,
                   "-5.0 is outside [0, inf], where a duration in seconds")  # fmt: skip


def test_a_duration_of_zero_reads_back(privacy_audit, tmp_path):
    """A step too quick for the clock takes 0 s."""
    audit = json.loads(privacy_audit.read_text())
    audit["run"]["timings_s"]["gates"] = 0.0
    audit["explanations"]["seconds"] = 0
    edited = write_edited(audit, tmp_path)
    AuditResult.load(edited)


def test_a_training_stage_below_zero_seconds_is_the_schemas_to_refuse(privacy_audit, tmp_path):
    """A training stage's seconds are bounded by the schema (r5 #3: the path table here held
    them too, an entry that never fired)."""
    audit = json.loads(privacy_audit.read_text())
    set_at(audit, ("training", "pretrain", "seconds"), -5.0)
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path,
                   "training/pretrain/seconds", "-5.0 is less than the minimum of 0")  # fmt: skip
