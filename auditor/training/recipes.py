"""Training recipes (``[training] recipe``), as the stage settings they mean:

- ``"pretrain-finetune"`` (default): pretrain the backbone ([pretrain]), then fine-tune a new
  head on it with the backbone frozen except ``finetune.unfreeze_last`` layers ([finetune]);
- ``"plain"``: train the whole model once on the training split, from its initialisation:
  no pretraining (``pretrain.objective = "none"``), every layer trainable, the pretrain
  split's rows added to the training split (``data.splits.pretrain`` folds into
  ``finetune_train``; for a table, whose members and non-members are as many, finetune_train
  and holdout share the pretrain rows and their own equally), with the [finetune] settings
  (epochs, lr, batch size, patience).

:func:`effective_config` returns the config the stages run with; ``audit.json`` records it,
so a reader sees the settings the recipe meant. Reference models and canaries retrain with
the same settings, so the privacy probes follow the recipe too, in float32 whatever
``[training] precision`` says (DP-SGD fine-tuning too).
"""

from __future__ import annotations

from auditor.config import AuditConfig
from auditor.config.recipe_splits import plain_splits

__all__ = ["ALL_LAYERS", "effective_config"]
# unfreeze_last for "every backbone layer" (the stages take the last N of fewer layers).
ALL_LAYERS = 1_000_000


def effective_config(config: AuditConfig) -> AuditConfig:
    """``config`` with its recipe applied to the stage settings (unchanged for the default
    "pretrain-finetune" recipe)."""
    if config.training.recipe != "plain":
        return config
    updates = {
        "pretrain": config.pretrain.model_copy(update={"objective": "none"}),
        "finetune": config.finetune.model_copy(update={"unfreeze_last": ALL_LAYERS}),
    }
    splits = getattr(config.data, "splits", None)  # a supplied model's data has none
    if splits is not None and splits.pretrain > 0:
        folded = plain_splits(config.data.source, splits)  # preflight's sizes read the same
        updates["data"] = config.data.model_copy(update={"splits": folded})
    return config.model_copy(update=updates)
