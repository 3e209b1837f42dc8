"""Membership-inference scores. Every function returns one score per row, higher meaning
"more likely a member". Logit arithmetic is done in float64.

- LOSS (Yeom et al. 2018): minus the per-sample cross-entropy.
- correctness: 1 when the prediction is right (the train-test accuracy gap as an attack).
- LiRA (Carlini et al. 2022): per-row Gaussians of the logit-scaled confidence under IN and
  OUT reference models; online = likelihood ratio, offline = one-sided test against OUT.
- RMIA (Zarifzadeh et al. 2024), offline: the likelihood ratio of x against population rows z.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

# Below this many reference models LiRA uses one variance for all rows (Carlini et al. 2022).
LIRA_FIXED_VARIANCE_BELOW = 64


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def true_class_log_proba(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log p(y | x): logits (..., n, k), y (n,) -> (..., n) float64."""
    lp = _log_softmax(logits)
    return np.take_along_axis(lp, np.broadcast_to(y[..., None], lp.shape[:-1] + (1,)), axis=-1)[
        ..., 0
    ]


def logit_scaled_confidence(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """phi = log(p / (1 - p)) of the true class, computed as z_y - logsumexp_{j != y} z_j
    (no cancellation for p near 1). logits (..., n, k), y (n,) -> (..., n) float64."""
    z = np.asarray(logits, dtype=np.float64)
    idx = np.broadcast_to(y[..., None], z.shape[:-1] + (1,))
    zy = np.take_along_axis(z, idx, axis=-1)[..., 0]
    others = z.copy()
    np.put_along_axis(others, idx, -np.inf, axis=-1)
    m = others.max(axis=-1, keepdims=True)
    lse = m[..., 0] + np.log(np.exp(others - m).sum(axis=-1))
    return zy - lse


def loss_score(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    return true_class_log_proba(logits, y)


def correctness_score(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (np.asarray(logits).argmax(axis=-1) == y).astype(np.float64)


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
    online = stats.norm.logpdf(phi_target, mu_in, sd_in) - stats.norm.logpdf(
        phi_target, mu_out, sd_out
    )
    offline = (phi_target - mu_out) / sd_out  # one-sided: monotone in Phi(.), no saturation
    return online, offline


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
    ratio_x = p_target_x / pr_x
    ratio_z = np.sort(p_target_z / pr_z)
    return np.searchsorted(ratio_z, ratio_x / gamma, side="left") / max(len(ratio_z), 1)
