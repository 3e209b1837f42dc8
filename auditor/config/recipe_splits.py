"""The split fractions ``training.recipe = "plain"`` trains on, in one place light enough for
preflight (pydantic only): :func:`auditor.training.recipes.effective_config` applies them to
the stages and :func:`auditor.preflight.used_splits` checks their sizes before torch loads
(importing the training package loads torch: 3 s before a size error)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.config import SplitFractions

# Sources whose members (finetune_train) and non-members (holdout) are made equal in number
# (auditor.data._tables.equal_membership): the tables.
EQUAL_MEMBERSHIP = ("table", "adult")


def plain_splits(source: str, splits: SplitFractions) -> SplitFractions:
    """``splits`` with the pretrain split folded into finetune_train; for a table, whose
    members are trimmed to the non-members' count (rows added to one alone would be trimmed
    away), finetune_train and holdout share the pretrain rows and their own equally."""
    if splits.pretrain <= 0:
        return splits
    folded = {"pretrain": 0.0, "finetune_train": splits.finetune_train + splits.pretrain}
    if source in EQUAL_MEMBERSHIP and splits.holdout > 0:
        shared = (splits.pretrain + splits.finetune_train + splits.holdout) / 2
        folded.update(finetune_train=shared, holdout=shared)
    return splits.model_copy(update=folded)
