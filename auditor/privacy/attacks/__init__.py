"""Membership-inference attacks, one module each, all with one method
``score(target: AttackInputs) -> (n,) scores`` (higher = more likely a member):

- :mod:`.loss`: LOSS (Yeom et al. 2018) and the correctness attack;
- :mod:`.lira`: LiRA online and offline (Carlini et al. 2022);
- :mod:`.rmia`: RMIA offline (Zarifzadeh et al. 2024).

Logit arithmetic is done in float64.
"""

from auditor.privacy.attacks._stats import logit_scaled_confidence, true_class_log_proba
from auditor.privacy.attacks.base import (
    Attack,
    AttackInputs,
    AttackType,
    create_attack,
    register_attack,
    registered_attacks,
)
from auditor.privacy.attacks.lira import (
    LIRA_FIXED_VARIANCE_BELOW,
    LiraOffline,
    LiraOnline,
    lira_scores,
)
from auditor.privacy.attacks.loss import (
    CorrectnessAttack,
    LossAttack,
    correctness_score,
    loss_score,
)
from auditor.privacy.attacks.rmia import Rmia, rmia_scores

for _attack in (LossAttack, CorrectnessAttack, LiraOnline, LiraOffline, Rmia):
    register_attack(_attack)

__all__ = [
    "LIRA_FIXED_VARIANCE_BELOW",
    "Attack",
    "AttackInputs",
    "AttackType",
    "CorrectnessAttack",
    "LiraOffline",
    "LiraOnline",
    "LossAttack",
    "Rmia",
    "correctness_score",
    "create_attack",
    "logit_scaled_confidence",
    "lira_scores",
    "loss_score",
    "register_attack",
    "registered_attacks",
    "rmia_scores",
    "true_class_log_proba",
]
