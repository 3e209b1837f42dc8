"""The DP row of the cards gives the empirical epsilon lower bound with its level, and where
there is none says "insufficient data" with the reason, as the canary paragraph and
summary.md do: it printed "beside the empirical lower bound —." (HTML) and "empirical lower
bound — — **the claim cannot be tested…**" (Markdown)."""

from __future__ import annotations

import pytest

from tests.report.test_privacy_card import _audit, _render

DP = {"enabled": True, "target_epsilon": 8.0, "target_delta": 1e-5, "max_grad_norm": 1.0,
      "accountant_epsilon": 7.9, "noise_multiplier": 0.8, "empirical_epsilon_lower_bound": None,
      "empirical_epsilon_ceiling": None, "lower_bound_exceeds_claim": None,
      "canary_claim_status": "untestable"}  # fmt: skip
WHY = "no outcome of 4 guesses can lift the bound above 0"


def _dp_text(audit: dict, markdown: bool) -> str:
    text = _render(audit, markdown)
    return text.split("DP-SGD")[-1].split("\n")[0]


@pytest.mark.parametrize("markdown", [False, True])
def test_no_bound_reads_insufficient_data_with_the_canaries_reason(markdown):
    audit = _audit(100)
    audit["privacy"]["canaries"].update(epsilon_lower_bound=None,
                                        undefined={"epsilon_lower_bound": WHY})  # fmt: skip
    audit["privacy"]["dp"] = dict(DP)
    line = _dp_text(audit, markdown)
    assert "insufficient data" in line and WHY in line, line
    assert "—." not in line and "bound — " not in line


@pytest.mark.parametrize("markdown", [False, True])
def test_canaries_not_run_is_said(markdown):
    audit = _audit(100)
    audit["privacy"]["canaries"] = {"status": "not_run", "reason": "privacy.n_canaries is 0"}
    audit["privacy"]["dp"] = dict(DP)
    line = _dp_text(audit, markdown)
    reason = "privacy.n\\_canaries is 0" if markdown else "privacy.n_canaries is 0"
    assert "insufficient data" in line and f"canaries not run ({reason})" in line, line


@pytest.mark.parametrize("markdown", [False, True])
def test_a_bound_names_its_confidence_level(markdown):
    audit = _audit(100)
    audit["privacy"]["canaries"]["confidence"] = 0.9
    audit["privacy"]["dp"] = {**DP, "empirical_epsilon_lower_bound": 0.41}
    line = _dp_text(audit, markdown)
    assert "0.41" in line and "(90% confidence)" in line, line
