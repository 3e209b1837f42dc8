"""RMIA offline (Zarifzadeh et al. 2024): the likelihood ratio of a row x against population
rows z. Its offline mixing parameter ``a`` is chosen on a reference model seen as the target
(reference 0), never on the target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from auditor.privacy.attacks._stats import true_class_log_proba
from auditor.privacy.attacks.base import AttackInputs
from auditor.privacy.roc import roc_auc

if TYPE_CHECKING:
    from auditor.config.privacy import PrivacyConfig

A_GRID = tuple(round(0.1 * i, 1) for i in range(11))
TUNED_ON = "reference model 0"


def rmia_scores(
    p_target_x: np.ndarray,
    p_target_z: np.ndarray,
    p_ref_x: np.ndarray,
    in_mask: np.ndarray,
    p_ref_z: np.ndarray,
    *,
    a: float,
    gamma: float = 1.0,
) -> np.ndarray:
    """Offline RMIA: the fraction of population rows z with LR(x, z) > gamma.

    p_*: probabilities of the true class, target (n,) / (n_z,), references (R, n) / (R, n_z);
    in_mask (R, n). Pr(x) = ((1 + a) * mean over OUT references + (1 - a)) / 2. A row that is IN
    every selected reference uses the mean over all of them.
    """
    out = ~in_mask
    cnt = out.sum(axis=0)
    out_mean = np.divide(
        np.where(out, p_ref_x, 0.0).sum(axis=0), cnt, out=p_ref_x.mean(axis=0), where=cnt > 0
    )
    pr_x = 0.5 * ((1 + a) * out_mean + (1 - a))
    pr_z = 0.5 * ((1 + a) * p_ref_z.mean(axis=0) + (1 - a))
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 / 0 is NaN, handled below
        ratio_x = p_target_x / pr_x
        ratio_z = np.sort(p_target_z / pr_z)
    if np.isnan(ratio_z[-1:]).any():  # a NaN population ratio (sorted last): no rank is sound
        return np.full(len(ratio_x), np.nan)
    rank = np.searchsorted(ratio_z, ratio_x / gamma, side="left") / max(len(ratio_z), 1)
    return np.where(np.isnan(ratio_x), np.nan, rank)  # a NaN ratio ranked last read as a member


def _score(target: AttackInputs, *, references: int, a: float, gamma: float) -> np.ndarray:
    """RMIA of ``target`` with its first ``references`` reference models."""
    r = slice(0, references)

    def proba(key: str, logits: np.ndarray, y: np.ndarray) -> np.ndarray:
        # once per inputs, whatever ``a`` (the grid of create() scores the same inputs 11 times)
        return target.derived(
            f"rmia/p_true/{key}/{references}", lambda: np.exp(true_class_log_proba(logits, y))
        )

    return rmia_scores(
        proba("x", target.logits, target.y),
        proba("z", target.population_logits, target.y_population),
        proba("ref_x", target.ref_logits[r], target.y),
        target.ref_in[r],
        proba("ref_z", target.ref_population_logits[r], target.y_population),
        a=a,
        gamma=gamma,
    )


@dataclass(frozen=True)
class Rmia:
    references: int
    a: float
    gamma: float
    a_grid_auc: dict[str, float | None]  # None: that a's scores undefined (a = 1's 0 / 0)
    population: str
    pool_exclude: tuple[int, ...] = (0,)
    name: ClassVar[str] = "rmia"
    probe: ClassVar[str] = "rmia"
    description: ClassVar[str] = (
        "RMIA offline (Zarifzadeh et al. 2024): likelihood ratio against population rows"
    )

    @classmethod
    def create(cls, config: PrivacyConfig, tuning: AttackInputs, tuning_members: np.ndarray):
        """``a`` maximises the AUC on ``tuning`` (reference 0 as the attacked model)."""
        n_refs, gamma = min(config.rmia_references, config.n_reference - 1), config.rmia_gamma
        auc: dict[float, float | None] = {}
        for a in A_GRID:  # from 0: a NaN there is a NaN input, roc_auc's error
            s = _score(tuning, references=n_refs, a=a, gamma=gamma)
            # a = 1 divides by the references' probability alone: 0 / 0 where every one
            # underflowed (saturated logits); that a alone is no candidate (Pr >= (1 - a) / 2)
            underflow = a == 1.0 and bool(np.isnan(s).any())
            auc[a] = None if underflow else roc_auc(s[tuning_members], s[~tuning_members])
        best = max((a for a in A_GRID if auc[a] is not None), key=lambda a: (auc[a], -a))
        return cls(
            references=n_refs, a=best, gamma=gamma,
            a_grid_auc={f"{a:.1f}": v for a, v in auc.items()},
            population=f"test split ({len(tuning.y_population)} rows)",
        )  # fmt: skip

    @property
    def params(self) -> dict[str, Any]:
        return {
            "references": self.references, "a": self.a, "a_tuned_on": TUNED_ON,
            "a_grid_auc": self.a_grid_auc, "gamma": self.gamma, "population": self.population,
        }  # fmt: skip

    def score(self, target: AttackInputs) -> np.ndarray:
        return _score(target, references=self.references, a=self.a, gamma=self.gamma)
