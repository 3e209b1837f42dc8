"""LOSS (Yeom et al. 2018): minus the per-sample cross-entropy; and the correctness attack
(a correctly classified row is called a member: the train-test accuracy gap as an attack).
Neither has a parameter; both read only the attacked model's logits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from auditor.privacy.attacks._stats import true_class_log_proba
from auditor.privacy.attacks.base import AttackInputs

if TYPE_CHECKING:
    from auditor.config.privacy import PrivacyConfig


def loss_score(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Minus the cross-entropy of the true class: logits (..., n, k), y (n,) -> (..., n)."""
    return true_class_log_proba(logits, y)


def correctness_score(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """1.0 where the predicted class is the true one, else 0.0."""
    return (np.asarray(logits).argmax(axis=-1) == y).astype(np.float64)


@dataclass(frozen=True)
class LossAttack:
    name: ClassVar[str] = "loss"
    probe: ClassVar[str] = "loss"
    description: ClassVar[str] = (
        "LOSS (Yeom et al. 2018): lower per-sample cross-entropy means member"
    )
    pool_exclude: tuple[int, ...] = ()

    @classmethod
    def create(
        cls, config: PrivacyConfig, tuning: AttackInputs, tuning_members: np.ndarray
    ) -> LossAttack:
        return cls()

    @property
    def params(self) -> dict[str, Any]:
        return {}

    def score(self, target: AttackInputs) -> np.ndarray:
        return loss_score(target.logits, target.y)


@dataclass(frozen=True)
class CorrectnessAttack:
    name: ClassVar[str] = "correctness"
    probe: ClassVar[str] = "loss"
    description: ClassVar[str] = "correctness gap: a correctly classified row is called a member"
    pool_exclude: tuple[int, ...] = ()

    @classmethod
    def create(
        cls, config: PrivacyConfig, tuning: AttackInputs, tuning_members: np.ndarray
    ) -> CorrectnessAttack:
        return cls()

    @property
    def params(self) -> dict[str, Any]:
        return {}

    def score(self, target: AttackInputs) -> np.ndarray:
        return correctness_score(target.logits, target.y)
