"""LiRA (Carlini et al. 2022): per-row Gaussians of the logit-scaled confidence under IN and
OUT reference models; online = likelihood ratio, offline = one-sided test against OUT."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from auditor.privacy.attacks._stats import logit_scaled_confidence
from auditor.privacy.attacks.base import AttackInputs

if TYPE_CHECKING:
    from auditor.config.privacy import PrivacyConfig

# Below this many reference models LiRA uses one variance for all rows (Carlini et al. 2022).
LIRA_FIXED_VARIANCE_BELOW = 64
STATISTIC = "logit-scaled confidence (float64)"


def _masked_mean_var(
    phi: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-row mean, variance and count of phi (K, n) over the rows where mask (K, n) holds."""
    cnt = mask.sum(axis=0)
    s = np.where(mask, phi, 0.0).sum(axis=0)
    mean = np.divide(s, cnt, out=np.full(phi.shape[1], np.nan), where=cnt > 0)
    dev = np.where(mask, phi - mean, 0.0)
    var = np.divide((dev**2).sum(axis=0), cnt - 1, out=np.full(phi.shape[1], np.nan), where=cnt > 1)
    return mean, var, cnt


def _pooled_var(phi: np.ndarray, mask: np.ndarray, mean: np.ndarray) -> float:
    dev = np.where(mask, phi - mean, 0.0)
    n = int(mask.sum())
    groups = int((mask.sum(axis=0) > 0).sum())
    return float((dev**2).sum() / max(n - groups, 1))


def normal_logpdf(x: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """log N(x; mean, sd^2), elementwise (``scipy.stats.norm.logpdf(x, mean, sd)``)."""
    u = (x - mean) / sd
    return -0.5 * u * u - np.log(sd) - 0.5 * math.log(2 * math.pi)


def lira_scores(
    phi_target: np.ndarray, phi_ref: np.ndarray, in_mask: np.ndarray, *, fixed_variance: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(online, offline) LiRA scores of the target's rows.

    phi_target: (n,) logit-scaled confidence of the attacked model; phi_ref: (K, n) of the
    reference models; in_mask: (K, n) True where the row was in that reference's training set.
    A row with no IN (or OUT) reference falls back to the mean over all rows.
    """
    out_mask = ~in_mask
    mu_in, var_in, _ = _masked_mean_var(phi_ref, in_mask)
    mu_out, var_out, _ = _masked_mean_var(phi_ref, out_mask)
    mu_in = np.where(np.isnan(mu_in), np.nanmean(mu_in), mu_in)
    mu_out = np.where(np.isnan(mu_out), np.nanmean(mu_out), mu_out)
    if fixed_variance:
        var_in = np.full_like(mu_in, _pooled_var(phi_ref, in_mask, mu_in))
        var_out = np.full_like(mu_out, _pooled_var(phi_ref, out_mask, mu_out))
    else:
        var_in = np.where(np.isfinite(var_in), var_in, np.nanmean(var_in))
        var_out = np.where(np.isfinite(var_out), var_out, np.nanmean(var_out))
    sd_in, sd_out = np.sqrt(np.maximum(var_in, 1e-12)), np.sqrt(np.maximum(var_out, 1e-12))
    online = normal_logpdf(phi_target, mu_in, sd_in) - normal_logpdf(phi_target, mu_out, sd_out)
    offline = (phi_target - mu_out) / sd_out  # one-sided: monotone in Phi(.), no saturation
    return online, offline


def fixed_variance(config: PrivacyConfig) -> bool:
    """One global variance: always, never, or (auto) with fewer than 64 reference models."""
    mode = config.lira_fixed_variance
    return mode == "always" or (mode == "auto" and config.n_reference < LIRA_FIXED_VARIANCE_BELOW)


@dataclass(frozen=True)
class _Lira:
    k: int
    fixed_variance: bool
    pool_exclude: tuple[int, ...] = ()
    probe: ClassVar[str] = "lira"

    @classmethod
    def create(cls, config: PrivacyConfig, tuning: AttackInputs, tuning_members: np.ndarray):
        return cls(k=config.n_reference, fixed_variance=fixed_variance(config))

    @property
    def params(self) -> dict[str, Any]:
        return {"k": self.k, "fixed_variance": self.fixed_variance, "statistic": STATISTIC}

    def _both(self, target: AttackInputs) -> tuple[np.ndarray, np.ndarray]:
        """(online, offline), computed once for both attacks on the same inputs."""
        return target.derived(
            f"lira/fixed_variance={self.fixed_variance}",
            lambda: lira_scores(
                logit_scaled_confidence(target.logits, target.y),
                logit_scaled_confidence(target.ref_logits, target.y),
                target.ref_in,
                fixed_variance=self.fixed_variance,
            ),
        )


@dataclass(frozen=True)
class LiraOnline(_Lira):
    name: ClassVar[str] = "lira_online"
    description: ClassVar[str] = (
        "LiRA online (Carlini et al. 2022): IN/OUT Gaussian likelihood ratio of the "
        "logit-scaled confidence"
    )

    def score(self, target: AttackInputs) -> np.ndarray:
        return self._both(target)[0]


@dataclass(frozen=True)
class LiraOffline(_Lira):
    name: ClassVar[str] = "lira_offline"
    description: ClassVar[str] = (
        "LiRA offline, one-sided (Carlini et al. 2022): test against the OUT Gaussian"
    )

    def score(self, target: AttackInputs) -> np.ndarray:
        return self._both(target)[1]
