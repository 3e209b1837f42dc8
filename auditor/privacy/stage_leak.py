"""Pretraining versus fine-tuning: how much each stage leaks about its own training rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from auditor.privacy.attacks import loss_score
from auditor.privacy.section import RocSummary, StageLeak, Stages
from auditor.privacy.summary import roc_summary

if TYPE_CHECKING:
    from auditor.context import AuditContext
    from auditor.seeding import Rngs

NON_MEMBER_SPLITS = ("holdout", "test")
NOTHING_TO_LEAK = "no pretraining (objective 'none'): nothing to leak"
PRETRAIN_LOSS = "LOSS on the pretraining labels"
PRETRAIN_RECONSTRUCTION = "minus the per-sample masked-reconstruction error"
FINETUNE_LOSS = "LOSS on the fine-tuning labels"


def _reconstruction_score(ctx: AuditContext, split: str, rngs: Rngs) -> np.ndarray:
    """Minus the masked-reconstruction error of the pretrained stage on ``split`` (mask from the
    stream ``eval/reconstruction_mask/<split>``, the one the performance check reads)."""
    return -ctx.reconstruction(split).per_row


def _pretrain_scores(ctx: AuditContext, rngs: Rngs) -> tuple[str, np.ndarray, np.ndarray] | None:
    """(score name, member scores, non-member scores) of the pretrained stage, or None."""
    if ctx.pretrain_supervised:

        def score(split: str) -> np.ndarray:
            pred = ctx.predictions("pretrained", split)
            return loss_score(pred.logits, ctx.bundle[split].y_pretrain)

        name = PRETRAIN_LOSS
    elif ctx.pretrain_decoder is not None:

        def score(split: str) -> np.ndarray:
            return _reconstruction_score(ctx, split, rngs)

        name = PRETRAIN_RECONSTRUCTION
    else:
        return None
    return name, score("pretrain"), np.concatenate([score(s) for s in NON_MEMBER_SPLITS])


def stage_comparison(
    ctx: AuditContext,
    finetuned: RocSummary,
    *,
    levels: list[float],
    confidence: float,
    rngs: Rngs,
) -> Stages:
    """The pretrained stage on its pretraining rows vs held-out + test rows, beside the
    fine-tuned stage's LOSS summary ``finetuned`` (members vs holdout)."""
    scored = _pretrain_scores(ctx, rngs)
    if scored is None:
        pre = StageLeak(
            applicable=False, reason=NOTHING_TO_LEAK, members="pretrain",
            non_members=list(NON_MEMBER_SPLITS),
        )  # fmt: skip
    else:
        name, s_in, s_out = scored
        summary = roc_summary(s_in, s_out, levels=levels, confidence=confidence)
        pre = StageLeak(
            applicable=True, score=name, members="pretrain", non_members=list(NON_MEMBER_SPLITS),
            **dict(summary),
        )  # fmt: skip
    fine = StageLeak(
        applicable=True, score=FINETUNE_LOSS, members="finetune_train", non_members=["holdout"],
        n_members=finetuned.n_members, n_non_members=finetuned.n_non_members,
        auc=finetuned.auc, tpr_at_fpr=finetuned.tpr_at_fpr,
    )  # fmt: skip
    return Stages(pretrained=pre, finetuned=fine)
