"""A ``max`` gate on an epsilon lower bound at or above the most its audit could show (the
ceiling: every canary guess right) cannot fail: insufficient data, never a pass."""

from __future__ import annotations

import pytest

from auditor.audit_tree import read
from auditor.config import GateRule
from auditor.gates import evaluate_rule
from tests.gates.builders import make_audit

EPS = "privacy.canaries.epsilon_lower_bound"
DP_EPS = "privacy.dp.empirical_epsilon_lower_bound"


def _audit(canaries=None, dp=None):
    canaries = canaries or {
        "r": 40,
        "m": 100,
        "epsilon_lower_bound": 0.7,
        "epsilon_ceiling": 2.5486,
    }
    privacy = {"status": "ok", "canaries": canaries}
    if dp is not None:
        privacy["dp"] = dp
    return make_audit(privacy=privacy)


def _one(audit, **rule):
    [result] = evaluate_rule(audit, GateRule(**rule))
    return result


def test_the_ceiling_is_read_beside_each_bound_and_nowhere_else():
    canaries = {"epsilon_lower_bound": 0.7, "epsilon_ceiling": 2.5, "accuracy": 0.9}
    assert read(0.7, parent=canaries, leaf="epsilon_lower_bound").ceiling == 2.5
    dp = {"empirical_epsilon_lower_bound": 0.7, "empirical_epsilon_ceiling": 1.5}
    assert read(0.7, parent=dp, leaf="empirical_epsilon_lower_bound").ceiling == 1.5
    assert read(0.9, parent=canaries, leaf="accuracy").ceiling is None
    older = {"epsilon_lower_bound": 0.7}
    assert read(0.7, parent=older, leaf="epsilon_lower_bound").ceiling is None


@pytest.mark.parametrize(("bound", "shown"), [(2.5486, "2.5486"), (3.0, "2.549"), (100.0, "2.549")])
def test_a_max_at_or_above_the_ceiling_cannot_fail_so_it_is_insufficient_data(bound, shown):
    r = _one(_audit(), metric=EPS, max=bound)
    assert (r.outcome, r.status, r.value) == ("insufficient_data", "warn", 0.7)
    assert r.message.startswith(
        f"insufficient data: this audit can show at most epsilon {shown} (every one of its 40 "
        f"guesses on 100 canaries right), so '<= {bound:g}' cannot fail; raise the guesses: "
        "privacy.canary_guesses, or privacy.n_canaries"
    )
    strict = _one(_audit(), metric=EPS, max=bound, insufficient="fail")
    assert strict.status == "fail"


def test_a_max_below_the_ceiling_is_judged_as_before():
    assert _one(_audit(), metric=EPS, max=2.548).outcome == "pass"
    assert _one(_audit(), metric=EPS, max=0.5).outcome == "fail"


def test_min_rules_and_rules_with_a_min_are_unchanged():
    assert _one(_audit(), metric=EPS, min=0.5).outcome == "pass"
    assert _one(_audit(), metric=EPS, min=0.5, max=3.0).outcome == "pass"  # its min can fail
    assert _one(_audit(), metric=EPS, min=0.9, max=3.0).outcome == "fail"


def test_an_older_record_without_the_ceiling_is_judged_as_before():
    older = _audit({"r": 40, "m": 100, "epsilon_lower_bound": 0.7})
    assert _one(older, metric=EPS, max=3.0).outcome == "pass"
    dp = {"enabled": True, "empirical_epsilon_lower_bound": 0.7}
    assert _one(_audit(dp=dp), metric=DP_EPS, max=3.0).outcome == "pass"


def test_the_dp_sections_bound_gets_its_own_ceiling():
    dp = {"enabled": True, "empirical_epsilon_lower_bound": 0.7, "empirical_epsilon_ceiling": 1.2}
    r = _one(_audit(dp=dp), metric=DP_EPS, max=2.0)
    assert r.outcome == "insufficient_data"
    assert "at most epsilon 1.2 (every one of its canary guesses right), so '<= 2'" in r.message
    assert _one(_audit(dp=dp), metric=DP_EPS, max=1.0).outcome == "pass"


def test_a_powerless_audit_keeps_its_own_reason():
    why = {"epsilon_lower_bound": "4 guesses on 10 canaries cannot show"}
    canaries = {"r": 4, "m": 10, "epsilon_lower_bound": None, "epsilon_ceiling": 0.0,
                "undefined": why}  # fmt: skip
    r = _one(_audit(canaries), metric=EPS, max=1.0)
    assert r.outcome == "insufficient_data" and "cannot show" in r.message


def test_auditor_gate_on_a_real_run_reads_insufficient_data_where_the_bound_cannot_fail(
    tmp_path,
):
    """A digits run with 50 canaries (10 guesses a side) can show at most epsilon 1.82: a gate
    ``<= 2`` on its bound passed; now it warns (exit 0), or fails where the rule says so."""
    from typer.testing import CliRunner

    from auditor.api import run
    from auditor.cli import app
    from auditor.config import PrivacyConfig
    from tests.builders import small_digits_config

    privacy = PrivacyConfig(n_reference=2, n_canaries=50, probes=["canaries"])
    done = run(small_digits_config(privacy=privacy), out_dir=tmp_path / "run", progress=False)
    canaries = done.data["privacy"]["canaries"]
    assert canaries["r"] == 20 and 1.5 < canaries["epsilon_ceiling"] < 2
    rule = f'[[gates.rules]]\nname = "canary eps"\nmetric = "{EPS}"\nmax = 2.0\n'
    for insufficient, code in (("warn", 0), ("fail", 1)):
        config = tmp_path / f"{insufficient}.toml"
        config.write_text(rule + f'insufficient = "{insufficient}"\n')
        out = tmp_path / f"gate-{insufficient}"
        result = CliRunner().invoke(
            app, ["gate", str(done.run_dir), "--config", str(config), "--out", str(out)]
        )
        assert result.exit_code == code, result.output
        [line] = [x for x in result.output.splitlines() if "canary eps" in x]  # a pass: none
        assert line.startswith(f"  {insufficient.upper()}  canary eps: insufficient data: ")
        assert "this audit can show at most epsilon 1.8" in line
        assert "(every one of its 20 guesses on 50 canaries right), so '<= 2' cannot fail" in line
