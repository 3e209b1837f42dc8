"""Predictions of one model stage on one split: logits, probabilities, per-sample loss."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Predictions:
    """stage: "pretrained" | "finetuned"; split: a split name; task: the task's name.

    logits: float32 (n, k); y_true: int64 (n,). Probabilities and losses are computed in
    float64 from the logits (stable log-softmax), once, on first use.
    """

    stage: str
    split: str
    task: str
    class_names: tuple[str, ...]
    logits: np.ndarray
    y_true: np.ndarray

    def __len__(self) -> int:
        return int(self.y_true.shape[0])

    @cached_property
    def log_proba(self) -> np.ndarray:
        z = self.logits.astype(np.float64)
        z = z - z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    @cached_property
    def proba(self) -> np.ndarray:
        """(n, k) float64 softmax probabilities."""
        return np.exp(self.log_proba)

    @cached_property
    def y_pred(self) -> np.ndarray:
        return self.logits.argmax(axis=1).astype(np.int64)

    @cached_property
    def loss(self) -> np.ndarray:
        """(n,) per-sample cross-entropy, float64."""
        return -self.log_proba[np.arange(len(self)), self.y_true]

    @property
    def y_score(self) -> np.ndarray:
        """Binary: probability of class 1, (n,). Multi-class: the (n, k) probabilities."""
        return self.proba[:, 1] if self.proba.shape[1] == 2 else self.proba
