"""The canaries' claim and delta read back (:mod:`auditor.record.privacy_canaries`): an
untestable claim without its reason made the card raise an internal error (R14 #2), a status
apart from its bound and claim was shown (R14 #3), and the delta's config could be edited
apart from privacy/dp (R14 #1)."""

from __future__ import annotations

import json
import re

import pytest

from auditor.api import AuditResult
from auditor.errors import AuditorInputError
from auditor.record.privacy_canaries import check_canaries
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


@pytest.mark.parametrize(("claimed", "status", "exceeds", "field", "words"), [
    (1.7, "exceeded", False, "canaries/claim_status",
     "'exceeded' is not the claim_status of a claimed epsilon 1.7 beside the bound 0.0 and the "
     "ceiling 2.55"),
    (1.7, "within", True, "canaries/exceeds_claim",
     "True is not the exceeds_claim of a claimed epsilon 1.7 beside the bound 0.0"),
    (1.7, "untestable", None, "canaries/claim_status", "'untestable' is not the claim_status"),
    (None, "within", False, "canaries/claim_status", "'within' is not the claim_status"),
    (None, "no_claim", False, "canaries/exceeds_claim", "False is not the exceeds_claim"),
    (9.0, "within", False, "canaries/claim_status", "'within' is not the claim_status"),
    (-1.0, "within", False, "canaries/claim_status", "'within' is not the claim_status"),
])  # fmt: skip
def test_the_claims_status_is_its_bound_ceiling_and_claim(privacy_audit, tmp_path, claimed, status,
                                                          exceeds, field, words):  # fmt: skip
    """R14 #3: claim_status "exceeded" beside exceeds_claim false, a bound of 0.0 and a claim of
    1.7 gave rc 0, the card saying the bound exceeds the claim while the gate read false. The
    status and the flag are now canary_probe's claim_verdict of the claim, bound and ceiling."""
    audit = json.loads(privacy_audit.read_text())
    assert audit["privacy"]["canaries"]["epsilon_lower_bound"] == 0.0
    _claimed(audit, claimed, status, exceeds, {})
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, field, words)


def test_each_claim_the_writer_writes_reads_back(privacy_audit, tmp_path):
    """A claim below the bound, at or above it below the ceiling, at the ceiling, and none."""
    audit = json.loads(privacy_audit.read_text())
    ceiling = audit["privacy"]["canaries"]["epsilon_ceiling"]
    for claimed, status, exceeds, undefined in [
        (-1.0, "exceeded", True, {}), (0.0, "within", False, {}), (1.7, "within", False, {}),
        (ceiling, "untestable", None, {"exceeds_claim": REASON}), (None, "no_claim", None, {}),
    ]:  # fmt: skip
        _reads(_claimed(audit, claimed, status, exceeds, undefined), tmp_path)


def _r8(audit: dict) -> dict:
    """R8's case: 4*10^7 guesses of 10^8 canaries at a delta of 5e-324, a bound of 29 held only
    below its ceiling of 30 (0.003 at delta 0)."""
    audit["config"]["privacy"].update(n_canaries=10**8, canary_guesses=2 * 10**7)
    canaries = audit["privacy"]["canaries"]
    canaries.update(m=10**8, r=4 * 10**7, k_plus=2 * 10**7, k_minus=2 * 10**7,
                    correct=20_035_575, delta=5e-324, epsilon_ceiling=30.0,
                    epsilon_lower_bound=29.0, kinds={})  # fmt: skip
    return audit


@pytest.mark.parametrize(("config_dp", "section", "field", "words"), [
    ({"target_delta": 5e-324, "target_epsilon": 8.0}, {}, "config/privacy/dp",
     "{'target_delta': 5e-324, 'target_epsilon': 8.0} is not null, as privacy/dp/enabled false"),
    (..., {}, "privacy/canaries/delta", "5e-324 is not 0.0, the delta auditor audits at"),
    (None, {"enabled": True, "target_delta": 1e-5}, "config/privacy/dp/target_delta",
     "None is not privacy/dp/target_delta (1e-05), the delta DP-SGD ran at"),
    (..., {"enabled": True, "target_delta": 1e-5}, "config/privacy/dp/target_delta",
     "None is not privacy/dp/target_delta (1e-05)"),
    ({"target_delta": 5e-324}, {"enabled": True, "target_delta": 1e-5},
     "config/privacy/dp/target_delta", "5e-324 is not privacy/dp/target_delta (1e-05)"),
])  # fmt: skip
def test_the_configs_dp_is_the_sections(privacy_audit, tmp_path, config_dp, section, field,
                                        words):  # fmt: skip
    """R14 #1: R8's delta of 5e-324 came back with a second edit, config/privacy/dp set to that
    target_delta (t1) or deleted (t3), beside privacy/dp saying enabled false: `auditor gate`
    gave rc 0 on a bound of 29. The config's dp is now held to privacy/dp."""
    audit = _r8(json.loads(privacy_audit.read_text()))
    assert audit["privacy"]["dp"]["enabled"] is False
    audit["privacy"]["dp"].update(section)
    if config_dp is ...:
        del audit["config"]["privacy"]["dp"]
    else:
        audit["config"]["privacy"]["dp"] = config_dp
    with pytest.raises(AuditorInputError, match=re.escape(f"{field}: {words}")):
        check_canaries(audit, source="a.json")
    audit["config"]["privacy"]["dp"] = {"target_delta": 1e-5}
    audit["privacy"]["dp"].update(enabled=True, target_delta=1e-5)
    with pytest.raises(AuditorInputError, match="5e-324 is not config/privacy/dp/target_delta"):
        check_canaries(audit, source="a.json")  # tied, the delta is then held to both
