"""What the checks receive: the trained stages, the data, and cached predictions.

Checks are pure functions of an :class:`AuditContext`; they never train the target model
again and never write outside ``ctx.artifacts_dir``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from auditor.config import AuditConfig
from auditor.data import DatasetBundle
from auditor.predictions import Predictions
from auditor.training import TrainRecord, predict_logits


@dataclass
class AuditContext:
    config: AuditConfig
    bundle: DatasetBundle
    device: torch.device
    # The pretrained model: with its pretraining head (supervised) or its own random head
    # (self-supervised, ``pretrain_decoder`` set).
    pretrained: nn.Module
    finetuned: nn.Module
    pretrain_record: TrainRecord
    finetune_record: TrainRecord
    pretrain_decoder: nn.Module | None = None
    # Staging folder of the run: checks may write files here (they land in the run folder).
    artifacts_dir: Path | None = None
    seed: int = 0
    _cache: dict[tuple[str, str], Predictions] = field(default_factory=dict, repr=False)

    @property
    def pretrain_supervised(self) -> bool:
        return self.pretrain_record.objective == "supervised"

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
            logits = predict_logits(model, data.x, device=self.device)
            self._cache[key] = Predictions(
                stage=stage, split=split, task=task.name, class_names=task.class_names,
                logits=logits, y_true=np.asarray(y, dtype=np.int64),
            )  # fmt: skip
        return self._cache[key]
