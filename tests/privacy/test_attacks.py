import numpy as np
import pytest

from auditor.config import PrivacyConfig
from auditor.config.privacy import PROBES
from auditor.privacy import attacks
from auditor.privacy.attacks.rmia import A_GRID
from auditor.privacy.roc import roc_auc


def test_logit_scaled_confidence_is_log_odds_and_stable():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(50, 3))
    y = rng.integers(0, 3, 50)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    py = p[np.arange(50), y]
    assert np.allclose(attacks.logit_scaled_confidence(z, y), np.log(py / (1 - py)))
    # p = 1 - 1e-40 in float32 arithmetic would give inf; float64 from logits stays finite
    big = np.array([[100.0, 0.0, 0.0]], dtype=np.float32)
    phi = attacks.logit_scaled_confidence(big, np.array([0]))
    assert np.isfinite(phi).all() and phi[0] == pytest.approx(100 - np.log(2))


def test_loss_score_is_minus_cross_entropy():
    z = np.array([[2.0, 0.0], [0.0, 2.0]])
    y = np.array([0, 0])
    expected = -np.log(np.exp(z[:, 0]) / np.exp(z).sum(1))
    assert np.allclose(-attacks.loss_score(z, y), expected)


def _synthetic(k=16, n=400, gap=1.5, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.normal(2, 1, n)  # per-row difficulty
    in_mask = np.zeros((k, n), bool)
    for j in range(k // 2):
        half = rng.permutation(n)[: n // 2]
        in_mask[2 * j, half] = True
        in_mask[2 * j + 1] = ~in_mask[2 * j]
    phi_ref = base + gap * in_mask + rng.normal(0, 0.5, (k, n))
    member = rng.random(n) < 0.5
    phi_t = base + gap * member + rng.normal(0, 0.5, n)
    return phi_t, phi_ref, in_mask, member


@pytest.mark.parametrize("fixed", [True, False])
def test_lira_separates_members_and_is_chance_without_signal(fixed):
    phi_t, phi_ref, in_mask, member = _synthetic()
    on, off = attacks.lira_scores(phi_t, phi_ref, in_mask, fixed_variance=fixed)
    assert roc_auc(on[member], on[~member]) > 0.9
    assert roc_auc(off[member], off[~member]) > 0.9
    phi_t, phi_ref, in_mask, member = _synthetic(gap=0.0, seed=1)
    on, _ = attacks.lira_scores(phi_t, phi_ref, in_mask, fixed_variance=fixed)
    assert abs(roc_auc(on[member], on[~member]) - 0.5) < 0.1


def test_lira_calibrates_per_row_difficulty_better_than_raw_confidence():
    phi_t, phi_ref, in_mask, member = _synthetic(gap=0.8, seed=2)
    _, off = attacks.lira_scores(phi_t, phi_ref, in_mask, fixed_variance=True)
    assert roc_auc(off[member], off[~member]) > roc_auc(phi_t[member], phi_t[~member])


def test_rmia_scores_are_fractions_and_detect_members():
    phi_t, phi_ref, in_mask, member = _synthetic(k=4, gap=1.5, seed=3)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    rng = np.random.default_rng(3)
    z_base = rng.normal(2, 1, 300)
    p_tz = sig(z_base + rng.normal(0, 0.5, 300))
    p_refz = sig(z_base + rng.normal(0, 0.5, (4, 300)))
    s = attacks.rmia_scores(sig(phi_t), p_tz, sig(phi_ref), in_mask, p_refz, a=0.3)
    assert s.min() >= 0 and s.max() <= 1
    assert roc_auc(s[member], s[~member]) > 0.8


def _logits(phi: np.ndarray) -> np.ndarray:
    """Binary logits (..., n, 2) whose true class (0) has logit-scaled confidence ``phi``."""
    return np.stack([phi, np.zeros_like(phi)], axis=-1)


def _inputs(k=8, n=400, gap=1.5, seed=4):
    """Synthetic AttackInputs: K + 1 models, model 0 the target; returns (inputs for each model
    as the attacked one, true membership of each)."""
    rng = np.random.default_rng(seed)
    phi_t, phi_ref, in_mask, member = _synthetic(k=k, n=n, gap=gap, seed=seed)
    z_base = rng.normal(2, 1, 300)
    pop = z_base + rng.normal(0, 0.5, (k + 1, 300))
    phi_all, in_all = np.vstack([phi_t, phi_ref]), np.vstack([member, in_mask])
    y, y_pop = np.zeros(n, np.int64), np.zeros(300, np.int64)

    def view(i: int) -> attacks.AttackInputs:
        others = np.arange(k + 1) != i
        return attacks.AttackInputs(
            logits=_logits(phi_all[i]), y=y, population_logits=_logits(pop[i]),
            y_population=y_pop, ref_logits=_logits(phi_all[others]),
            ref_population_logits=_logits(pop[others]), ref_in=in_all[others],
        )  # fmt: skip

    return view, in_all


@pytest.mark.parametrize("name", list(attacks.registered_attacks()))
def test_every_registered_attack_scores_one_number_per_row_and_finds_members(name):
    view, in_all = _inputs()
    config = PrivacyConfig(n_reference=8)
    attack = attacks.create_attack(name, config, view(1), in_all[1])
    scores = attack.score(view(0))
    assert scores.shape == (400,) and np.isfinite(scores).all()
    assert roc_auc(scores[in_all[0]], scores[~in_all[0]]) > 0.5, name
    assert attack.name == name and attack.probe in PROBES and attack.description
    assert isinstance(attack.params, dict)


def test_the_registry_refuses_unknown_and_duplicate_attacks():
    view, in_all = _inputs()
    with pytest.raises(ValueError, match="unknown attack 'shadow'"):
        attacks.create_attack("shadow", PrivacyConfig(), view(1), in_all[1])
    with pytest.raises(ValueError, match="already registered"):
        attacks.register_attack(attacks.LossAttack)


def test_rmia_tunes_a_on_the_reference_it_is_given_never_on_the_target():
    view, in_all = _inputs(seed=5)
    config = PrivacyConfig(n_reference=8)
    tuned = attacks.create_attack("rmia", config, view(1), in_all[1])
    again = attacks.create_attack("rmia", config, view(1), in_all[1])
    assert tuned == again and tuned.pool_exclude == (0,)
    assert tuned.a in A_GRID


def test_attacks_on_shared_inputs_give_the_numbers_of_fresh_inputs():
    """Every attack scoring one AttackInputs (sharing what they derive: LiRA's two scores,
    RMIA's probabilities) equals each attack on inputs of its own; shared arrays are
    read-only."""
    view, in_all = _inputs()
    config = PrivacyConfig(n_reference=8)
    made = [attacks.create_attack(n, config, view(1), in_all[1])
            for n in attacks.registered_attacks()]  # fmt: skip
    shared = view(0)
    for attack in made:
        np.testing.assert_array_equal(attack.score(shared), attack.score(view(0)))
    online = attacks.create_attack("lira_online", config, view(1), in_all[1]).score(shared)
    with pytest.raises(ValueError, match="read-only"):
        online[0] = 0.0
    calls = []
    assert shared.derived("k", lambda: calls.append(1) or np.zeros(2)) is shared.derived(
        "k", lambda: calls.append(1) or np.zeros(2)
    )
    assert calls == [1]


def test_rmia_tunes_a_among_the_values_its_ratio_is_defined_for():
    # a head fine-tuned at lr 1e9 gave logits of 1e10: every reference's true-class
    # probability underflowed to 0 on some rows, a = 1 divided 0 by 0, and the NaN AUC was an
    # internal error ("NaN membership scores") of `auditor run`
    import dataclasses

    view, in_all = _inputs(seed=3)

    def saturated(inputs: attacks.AttackInputs) -> attacks.AttackInputs:
        big = {f: getattr(inputs, f) * 1e10 for f in
               ("logits", "population_logits", "ref_logits", "ref_population_logits")}
        return dataclasses.replace(inputs, **big)

    tuned = attacks.create_attack("rmia", PrivacyConfig(n_reference=8), saturated(view(1)),
                                  in_all[1])  # fmt: skip
    assert tuned.a < 1.0 and tuned.a_grid_auc["1.0"] is None
    scores = tuned.score(saturated(view(0)))
    assert np.isfinite(scores).all()


def test_rmia_tuning_with_a_nan_target_probability_says_nan_scores():
    # only a = 1's 0 / 0 (every reference's probability underflowed) leaves the grid; a NaN
    # of the tuned-on model's own probability is NaN at every a, and dropping every a ended
    # in "max() arg is an empty sequence" instead of roc_auc's line
    import dataclasses

    view, in_all = _inputs(seed=3)
    tuning = view(1)
    logits = tuning.logits.copy()
    logits[0] = np.nan
    with pytest.raises(ValueError, match="NaN membership scores"):
        attacks.create_attack("rmia", PrivacyConfig(n_reference=8),
                              dataclasses.replace(tuning, logits=logits), in_all[1])  # fmt: skip
