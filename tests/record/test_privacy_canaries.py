"""The canaries read back (:mod:`auditor.record.privacy_canaries`): a count of correct guesses
past r, r past m or apart from k_plus + k_minus, an epsilon lower bound below 0 or past the
ceiling, a kind's inserted canaries past its audited ones, a loss AUC past [0, 1] or an
exposure past [0, its maximum] was shown by the card and the diff; each is refused: exit 2,
one line naming the file and the field, nothing written."""

from __future__ import annotations

import json
import math

import pytest

from auditor.api import AuditResult
from auditor.errors import AuditorInputError
from auditor.privacy.canaries import epsilon_lower_bound
from auditor.record.privacy_canaries import check_canaries
from tests.record._edits import assert_refused, set_at, write_edited

CANARIES = ("privacy", "canaries")
MISLABELLED = (*CANARIES, "kinds", "mislabelled")


@pytest.mark.parametrize(
    ("keys", "value", "field", "words"),
    [
        ((*CANARIES, "correct"), 10**15, "canaries/correct", "is not a count between 0 and r"),
        ((*CANARIES, "r"), 101, "canaries/r", "101 is not a count between 0 and m (100)"),
        ((*CANARIES, "r"), 39, "canaries/r", "39 is not k_plus + k_minus (40)"),
        ((*CANARIES, "m"), -5, "canaries/m", "-5 is outside [0, inf], where a count lies"),
        ((*CANARIES, "epsilon_lower_bound"), 1e300, "canaries/epsilon_lower_bound",
         "1e+300 is not the bound of m, r, correct, delta and confidence (0)"),
        ((*CANARIES, "epsilon_lower_bound"), -1.0, "canaries/epsilon_lower_bound",
         "-1.0 is not the bound of m, r, correct"),
        ((*CANARIES, "epsilon_ceiling"), -2.0, "canaries/epsilon_ceiling",
         "-2.0 is not the bound of m, r, r, delta and confidence (2.55401)"),
        ((*CANARIES, "epsilon_ceiling"), None, "canaries/epsilon_ceiling",
         "None is not the bound of m, r, r"),
        ((*CANARIES, "confidence"), 7.0, "canaries/confidence", "7.0 is outside [0, 1]"),
        ((*CANARIES, "delta"), 3.0, "canaries/delta", "3.0 is outside [0, 1]"),
        ((*CANARIES, "model", "n_canaries_inserted"), 10**9, "model/n_canaries_inserted",
         "1000000000 is not the sum of the kinds' n_inserted (54)"),
        ((*MISLABELLED, "n_inserted"), 51, "mislabelled/n_inserted",
         "51 is not a count between 0 and n_audited (50)"),
        ((*MISLABELLED, "n_candidates"), -1, "mislabelled/n_candidates", "-1 is outside [0,"),
        ((*MISLABELLED, "loss_auc", "ci_high"), 1e300, "mislabelled/loss_auc/ci_high",
         "where an AUC and its interval lie"),
        ((*MISLABELLED, "exposure_bits_max_inserted"), 99.0,
         "mislabelled/exposure_bits_max_inserted", "where an exposure in bits lies"),
        ((*MISLABELLED, "exposure_bits_mean_not_inserted"), -0.5,
         "mislabelled/exposure_bits_mean_not_inserted", "-0.5 is outside [0,"),
    ],
)  # fmt: skip
def test_canary_numbers_out_of_bounds_are_refused(privacy_audit, tmp_path, keys, value, field,
                                                  words):  # fmt: skip
    audit = json.loads(privacy_audit.read_text())
    set_at(audit, keys, value)
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, field, words)


def test_a_bound_at_its_ceiling_reads_back(privacy_audit, tmp_path):
    """Every guess right: the lower bound is the ceiling, within the bisection's 1e-6."""
    audit = json.loads(privacy_audit.read_text())
    canaries = audit["privacy"]["canaries"]
    canaries["correct"] = canaries["r"]
    canaries["epsilon_lower_bound"] = canaries["epsilon_ceiling"] + 5e-7
    AuditResult.load(write_edited(audit, tmp_path))


def _both_bounds_1e300(canaries):
    canaries["epsilon_ceiling"] = canaries["epsilon_lower_bound"] = 1e300


def _every_guess_wrong_at_the_ceiling(canaries):
    canaries["correct"] = 0
    canaries["epsilon_lower_bound"] = canaries["epsilon_ceiling"]


def _exposure_and_its_maximum_1e300(canaries):
    kind = canaries["kinds"]["mislabelled"]
    kind["exposure_bits_max_possible"] = kind["exposure_bits_max_inserted"] = 1e300


def _m_r_and_correct_10_15(canaries):
    canaries.update(m=10**15, r=10**15, correct=10**15, k_plus=10**15 - 20)


def _more_inserted_and_trained_on(canaries):
    canaries["model"]["n_canaries_inserted"] += 1000
    canaries["model"]["n_train"] += 1000


def _trained_on_10_15(canaries):
    canaries["model"]["n_train"] = 10**15


def _audited_moved_to_noise(canaries):
    for name, moved in (("mislabelled", -10), ("noise", 10)):
        kind = canaries["kinds"][name]
        kind["n_audited"] += moved
        kind["loss_auc"]["n"] += moved


def _audited_and_their_auc_10_6(canaries):
    kind = canaries["kinds"]["mislabelled"]
    kind["loss_auc"]["n"] = kind["n_audited"] = 10**6
    canaries["m"] = 10**6 + canaries["kinds"]["noise"]["n_audited"]


def _one_more_audited(canaries):
    """r10 #2: named as the loss AUC's n (50 is not this kind's n_audited (51))."""
    canaries["kinds"]["mislabelled"]["n_audited"] += 1


def _candidates_past_the_test_rows(canaries):
    kind = canaries["kinds"]["mislabelled"]
    kind["n_candidates"] = 10**6
    kind["exposure_bits_max_possible"] = math.log2(10**6 + 1)


def _guesses_moved_to_one_side(canaries):
    canaries["k_plus"] += 1
    canaries["k_minus"] -= 1


def _bound_dropped(canaries):
    canaries["correct"] = canaries["r"]
    canaries["epsilon_lower_bound"] = None


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (_both_bounds_1e300, "canaries/epsilon_ceiling",
         "1e+300 is not the bound of m, r, r, delta and confidence (2.55401)"),
        (_every_guess_wrong_at_the_ceiling, "canaries/epsilon_lower_bound",
         "is not the bound of m, r, correct, delta and confidence (0)"),
        (_bound_dropped, "canaries/epsilon_lower_bound", "None is not the bound of m, r, correct"),
        (_guesses_moved_to_one_side, "canaries/k_plus",
         "21 is not the guesses config/privacy/canary_guesses makes of m (20)"),
        (_exposure_and_its_maximum_1e300, "mislabelled/exposure_bits_max_possible",
         "1e+300 is not log2(n_candidates + 1) (7.65105)"),
        (_m_r_and_correct_10_15, "canaries/m",
         "1000000000000000 is not config/privacy/n_canaries (100)"),
        (_more_inserted_and_trained_on, "canaries/model/n_canaries_inserted",
         "is not the sum of the kinds' n_inserted"),
        (_trained_on_10_15, "canaries/model/n_train",
         "1000000000000000 is not privacy/members/n + n_canaries_inserted"),
        (_audited_moved_to_noise, "canaries/kinds/mislabelled/n_audited",
         "40 is not this kind's share of m = 100 canaries (50)"),
        (_audited_and_their_auc_10_6, "canaries/m",
         "1000050 is not config/privacy/n_canaries (100)"),
        (_one_more_audited, "canaries/kinds/mislabelled/n_audited",
         "51 is not this kind's share of m = 100 canaries (50)"),
        (_candidates_past_the_test_rows, "canaries/kinds/mislabelled",
         "1000050 audited and candidate mislabelled canaries are more than the test split's"),
    ],
)  # fmt: skip
def test_canary_numbers_apart_from_their_sources_are_refused(privacy_audit, tmp_path, edit,
                                                            field, words):  # fmt: skip
    """Each number edited with those it is checked against (r3 #1-#3): still refused, as
    auditor derives it from others it does not write beside it."""
    audit = json.loads(privacy_audit.read_text())
    edit(audit["privacy"]["canaries"])
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, field, words)


def test_the_written_bounds_are_the_writers_function_of_the_guesses(privacy_audit):
    """The run's own bound and ceiling are what the read-back recomputes."""
    canaries = json.loads(privacy_audit.read_text())["privacy"]["canaries"]
    m, r, delta, level = (canaries[k] for k in ("m", "r", "delta", "confidence"))
    ceiling = epsilon_lower_bound(m, r, r, delta=delta, confidence=level)
    assert canaries["epsilon_ceiling"] == pytest.approx(ceiling, abs=2e-6)
    bound = epsilon_lower_bound(m, r, canaries["correct"], delta=delta, confidence=level)
    assert canaries["epsilon_lower_bound"] == pytest.approx(bound, abs=2e-6)


def test_canaries_apart_from_the_configs_are_refused(privacy_audit, tmp_path):
    """m is the config's n_canaries (the kinds, test rows and guesses as they are)."""
    audit = json.loads(privacy_audit.read_text())
    audit["config"]["privacy"]["n_canaries"] = 99
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, "canaries/m",
                   "100 is not config/privacy/n_canaries (99)")  # fmt: skip


def test_without_the_configs_count_an_edited_m_is_named_before_the_kinds(privacy_audit,
                                                                           tmp_path):  # fmt: skip
    """An audit whose config has no n_canaries: m apart from its kinds' sum is named as m."""
    audit = json.loads(privacy_audit.read_text())
    del audit["config"]["privacy"]["n_canaries"]
    audit["privacy"]["canaries"]["m"] = 101
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, "canaries/m",
                   "101 is not the sum of the kinds' n_audited (100)")  # fmt: skip


@pytest.mark.parametrize(("dp", "delta", "words"), [
    (None, 5e-324, "5e-324 is not 0.0, the delta auditor audits at where config/privacy/dp is"),
    (None, 1e-5, "1e-05 is not 0.0, the delta auditor audits at where config/privacy/dp is null"),
    ({"target_delta": 1e-5}, 0.0, "0.0 is not config/privacy/dp/target_delta (1e-05)"),
    ({"target_delta": 1e-5}, 2e-5, "2e-05 is not config/privacy/dp/target_delta (1e-05)"),
])  # fmt: skip
def test_a_delta_apart_from_the_configs_is_refused(privacy_audit, tmp_path, dp, delta, words):
    """R8 #1: the canaries audit at config privacy.dp.target_delta, 0.0 where dp is null
    (canary_probe), as m is config n_canaries; a delta of 5e-324 turned off every
    recomputation past 20,000 guesses, so a bound of 29 beside a true 0.003 gated rc 0."""
    audit = json.loads(privacy_audit.read_text())
    assert audit["config"]["privacy"]["dp"] is None and audit["privacy"]["canaries"]["delta"] == 0
    audit["config"]["privacy"]["dp"] = dp
    if dp is not None:  # privacy/dp as DP-SGD writes it, as R14 #1 ties them
        audit["privacy"]["dp"].update(enabled=True, target_delta=dp["target_delta"])
    audit["privacy"]["canaries"]["delta"] = delta
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, "canaries/delta", words)


def _guessed(m: int, r: int, correct: int, delta: float, bounds: tuple | None = None) -> dict:
    ceiling, bound = bounds or (epsilon_lower_bound(m, r, r, delta=delta),
                                epsilon_lower_bound(m, r, correct, delta=delta))  # fmt: skip
    return {"status": "ok", "m": m, "r": r, "k_plus": r // 2, "k_minus": r - r // 2,
            "correct": correct, "delta": delta, "confidence": 0.95, "kinds": {},
            "epsilon_ceiling": ceiling, "epsilon_lower_bound": bound}  # fmt: skip


def test_the_delta_is_the_configs_each_bound_consistent_with_it():
    """R8 #1 as R8 ran it: 4*10^7 guesses at a delta of 5e-324 (dp null) held a bound of 29
    (0.003 at delta 0) only below its ceiling; and with dp set, bounds at delta 0 or at
    another delta, each consistent with it, read back."""
    r8 = _guessed(10**8, 4 * 10**7, 20_035_575, 5e-324, bounds=(30.0, 29.0))
    with pytest.raises(AuditorInputError, match="delta: 5e-324 is not 0.0, the delta auditor"):
        check_canaries({"config": {"privacy": {"dp": None}}, "privacy": {"canaries": r8}},
                       source="a.json")  # fmt: skip
    dp = {"privacy": {"dp": {"target_delta": 1e-5, "target_epsilon": 8.0}}}
    check_canaries({"config": dp, "privacy": {"canaries": _guessed(100, 40, 30, 1e-5)}},
                   source="a.json")  # fmt: skip
    for delta in (0.0, 2e-5):
        with pytest.raises(AuditorInputError, match=rf"{delta!r} is not config/privacy/dp/tar"):
            check_canaries({"config": dp, "privacy": {"canaries": _guessed(100, 40, 30, delta)}},
                           source="a.json")  # fmt: skip
    for config in ({}, {"privacy": {}}, {"privacy": {"dp": {"target_epsilon": 8.0}}}):
        check_canaries({"config": config, "privacy": {"canaries": _guessed(100, 40, 30, 2e-5)}},
                       source="a.json")  # the config states no delta: not held (older files)


def _powerless(audit: dict, bound: float | None, undefined: dict) -> None:
    """Four guesses of 100 canaries (0.5^4 > 5%: the ceiling 0), every one right."""
    audit["config"]["privacy"]["canary_guesses"] = 2
    canaries = audit["privacy"]["canaries"]
    canaries.update(k_plus=2, k_minus=2, r=4, correct=4, epsilon_ceiling=0.0,
                    epsilon_lower_bound=bound, undefined=undefined)  # fmt: skip
    assert epsilon_lower_bound(canaries["m"], 4, 4, delta=canaries["delta"]) == 0


@pytest.mark.parametrize(("bound", "undefined", "field", "words"), [
    (None, {}, "canaries/undefined/epsilon_lower_bound",
     "None: a null epsilon_lower_bound needs its reason here"),
    (None, {"epsilon_lower_bound": ""}, "canaries/undefined/epsilon_lower_bound",
     "'': a null epsilon_lower_bound needs its reason here"),
    (0.0, {}, "canaries/epsilon_lower_bound",
     "0.0 beside a ceiling of 0: auditor writes it null there"),
])  # fmt: skip
def test_at_a_ceiling_of_0_the_bound_is_null_with_its_reason(privacy_audit, tmp_path, bound,
                                                             undefined, field, words):  # fmt: skip
    """R8 #2: a null bound without its reason made the card raise UndefinedError (an internal
    error), and a bound of 0.0 beside a ceiling of 0 was shown as 0.00 where auditor writes
    "insufficient data". With its reason, as the writer writes it, the file reads back."""
    audit = json.loads(privacy_audit.read_text())
    _powerless(audit, bound, undefined)
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, field, words)
    _powerless(audit, None, {"epsilon_lower_bound": "no outcome of 4 guesses shows more"})
    written = tmp_path / "written" / "audit.json"
    written.parent.mkdir()
    written.write_text(json.dumps(audit))
    assert AuditResult.load(written)
