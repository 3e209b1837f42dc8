"""What the checks receive: the trained stages, the data, and cached predictions.

Checks are pure functions of an :class:`AuditContext`; they never train the target model
again and never write outside ``ctx.artifacts_dir``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import torch
from torch import nn

from auditor.config import AuditConfig
from auditor.data import DatasetBundle
from auditor.models import count_parameters
from auditor.models.supplied import SuppliedModel
from auditor.seeding import Rngs
from auditor.training import (
    MaskedReconstruction,
    TrainRecord,
    masked_reconstruction,
    predict_logits,
)

NORMALISED = 1e-12  # |log of a row's total probability| below which it is left as it is


@dataclass(frozen=True)
class Predictions:
    """stage: "pretrained" | "finetuned"; split: a split name; task: the task's name.

    logits: float32 (n, k), or an estimator's float64 log-probabilities; y_true: int64 (n,).
    Probabilities and losses are computed in float64 from the logits (stable log-softmax),
    once, on first use.
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
        """(n, k) float64 log-softmax of the logits; a row of log-probabilities already (an
        estimator's, to float64's precision) as it is: normalising it again would move each
        row by its own last bits, and two rows' tied probability of a class apart."""
        z = self.logits.astype(np.float64)
        top = z.max(axis=1, keepdims=True)
        norm = top + np.log(np.exp(z - top).sum(axis=1, keepdims=True))
        norm[np.abs(norm) <= NORMALISED] = 0.0
        return z - norm

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


@dataclass
class AuditContext:
    """The trained stages, the data and the run's seed; predictions are computed once.

    Random draws of a check come from ``ctx.rngs`` under a name of their own
    (``ctx.rngs.numpy("explain/rows")``), never from ``seed`` arithmetic.
    """

    config: AuditConfig
    bundle: DatasetBundle
    device: torch.device
    # The pretrained model: with its pretraining head (supervised) or its own random head
    # (self-supervised, ``pretrain_decoder`` set). None for a supplied model.
    pretrained: nn.Module | None
    # The audited model: fine-tuned here, or the supplied model's module.
    finetuned: nn.Module
    # None for a supplied model (auditor trained nothing).
    pretrain_record: TrainRecord | None
    finetune_record: TrainRecord | None
    pretrain_decoder: nn.Module | None = None
    # Staging folder of the run: checks may write files here (they land in the run folder).
    artifacts_dir: Path | None = None
    seed: int = 0
    # A model trained elsewhere (model.kind checkpoint / sklearn, or audit_model): audited as
    # it is; ``finetuned`` is its module and its splits are the user's files.
    supplied: SuppliedModel | None = None
    # Progress bars for the checks' long stages (False: quiet).
    progress: bool = False
    _cache: dict[tuple[str, str], Predictions] = field(default_factory=dict, repr=False)
    _reconstructions: dict[str, MaskedReconstruction] = field(default_factory=dict, repr=False)

    @property
    def pretrain_supervised(self) -> bool:
        rec = self.pretrain_record
        return rec is not None and rec.objective == "supervised"

    @property
    def rngs(self) -> Rngs:
        """The run's named random streams (a pure function of ``seed``)."""
        return Rngs(self.seed)

    @property
    def n_parameters(self) -> int:
        """Parameter count of the fine-tuned model."""
        return count_parameters(self.finetuned)

    def logits(self, model: nn.Module, x: np.ndarray) -> np.ndarray:
        """(n, k) float32 logits of ``model`` on inputs ``x`` (n, ...), on the run's device."""
        if self.supplied is not None and model is self.finetuned:
            return self.supplied.logits(x)
        return predict_logits(model, x, device=self.device)

    def reconstruction(self, split: str) -> MaskedReconstruction:
        """The masked-reconstruction error of the self-supervised pretrained stage on
        ``split``, computed once; the mask comes from the stream
        ``eval/reconstruction_mask/<split>``, so every reader (performance, the stage
        comparison of privacy) measures the same masked entries."""
        if split not in self._reconstructions:
            self._reconstructions[split] = masked_reconstruction(
                self.pretrained, self.pretrain_decoder, self.bundle[split].x,
                mask_ratio=self.config.pretrain.mask_ratio,
                generator=self.rngs.torch(f"eval/reconstruction_mask/{split}"),
                device=self.device,
            )  # fmt: skip
        return self._reconstructions[split]

    def predictions(self, stage: str, split: str) -> Predictions:
        """Cached predictions of ``stage`` ("pretrained" needs supervised pretraining, or
        "finetuned") on ``split``, against that stage's task labels."""
        key = (stage, split)
        if key not in self._cache:
            data = self.bundle[split]
            if stage == "finetuned":
                model, task, y = self.finetuned, self.bundle.finetune_task, data.y
            elif stage == "pretrained" and self.pretrain_supervised:
                task = self.bundle.pretrain_task
                model, y = self.pretrained, data.y_pretrain
            else:
                raise ValueError(f"no classifier predictions for stage {stage!r}")
            logits = self.logits(model, data.x)
            self._cache[key] = Predictions(
                stage=stage, split=split, task=task.name, class_names=task.class_names,
                logits=logits, y_true=np.asarray(y, dtype=np.int64),
            )  # fmt: skip
        return self._cache[key]
