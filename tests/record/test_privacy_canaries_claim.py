"""The canaries' claim read back (:mod:`auditor.record.privacy_canaries`): an untestable claim
without its reason made the card raise an internal error (R14 #2)."""

from __future__ import annotations

import json

import pytest

from auditor.api import AuditResult
from tests.record._edits import assert_refused, write_edited

REASON = "cannot be tested at this canary count: the claimed epsilon 9 is at or above 2.55"


def _claimed(audit: dict, claimed: float | None, status: str, exceeds: bool | None,
             undefined: dict) -> dict:  # fmt: skip
    canaries = audit["privacy"]["canaries"]
    canaries.update(claimed_epsilon=claimed, claim_status=status, exceeds_claim=exceeds,
                    undefined=undefined)  # fmt: skip
    return audit


def _reads(audit: dict, tmp_path) -> None:
    written = tmp_path / "written" / "audit.json"
    written.parent.mkdir(exist_ok=True)
    written.write_text(json.dumps(audit))
    assert AuditResult.load(written)


@pytest.mark.parametrize(("undefined", "words"), [
    ({}, "None: an untestable claim needs its reason here"),
    ({"exceeds_claim": " "}, "' ': an untestable claim needs its reason here"),
])  # fmt: skip
def test_an_untestable_claim_needs_its_reason(privacy_audit, tmp_path, undefined, words):
    """R14 #2: `auditor card` gave `internal error: UndefinedError` (exit 2, a traceback's
    words) where claim_status is "untestable" and undefined/exceeds_claim is gone; with the
    reason, as the writer writes it, the file reads back."""
    audit = json.loads(privacy_audit.read_text())
    ceiling = audit["privacy"]["canaries"]["epsilon_ceiling"]
    _claimed(audit, ceiling + 1, "untestable", None, undefined)
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path,
                   "canaries/undefined/exceeds_claim", words)  # fmt: skip
    _reads(_claimed(audit, ceiling + 1, "untestable", None, {"exceeds_claim": REASON}), tmp_path)
