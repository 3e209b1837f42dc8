"""Per-row statistics of a model's logits that the attacks score with, in float64."""

from __future__ import annotations

import numpy as np


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
    if z.shape[-1] == 2:  # one other class: its logsumexp is its logit (the same number)
        return zy - np.take_along_axis(z, 1 - idx, axis=-1)[..., 0]
    others = z.copy()
    np.put_along_axis(others, idx, -np.inf, axis=-1)
    m = others.max(axis=-1, keepdims=True)
    lse = m[..., 0] + np.log(np.exp(others - m).sum(axis=-1))
    return zy - lse
