"""The canary probe: retrain the fine-tuning recipe with canaries inserted at random, then
measure their exposure and the one-run epsilon lower bound (math in :mod:`.canaries`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.privacy.attacks import loss_score
from auditor.privacy.canaries import (
    CanarySet,
    OneRunAudit,
    exposure,
    make_canaries,
    one_run_audit,
)
from auditor.privacy.reference import TrainedLogits, train_references
from auditor.privacy.section import Canaries, CanaryKind, CanaryModel
from auditor.privacy.summary import auc_estimate
from auditor.results import NotRun

if TYPE_CHECKING:
    from auditor.config.privacy import PrivacyConfig
    from auditor.context import AuditContext
    from auditor.seeding import Rngs

SCORE = "minus the canary model's cross-entropy on the canary's label"
LOWER_N_CANARIES = "lower privacy.n_canaries"
UNTESTABLE = (
    "cannot be tested at this canary count: the claimed epsilon {claim:.2f} is at or above "
    "{ceiling:.2f}, the most {r} guesses on {m} canaries can ever show; raise "
    "privacy.n_canaries (and privacy.canary_guesses)"
)
POWERLESS = (
    "{r} guesses on {m} canaries cannot show any epsilon above 0 at "
    "{confidence} confidence (even all {r} right is not rejected at epsilon = 0); raise "
    "privacy.n_canaries (and privacy.canary_guesses)"
)


def claim_verdict(
    claimed: float | None, audit: OneRunAudit
) -> tuple[str, bool | None, dict[str, str]]:
    """(claim_status, exceeds_claim, undefined) of a claimed epsilon against the one-run
    audit: a claim at or above the audit's ceiling cannot be refuted by any outcome, so it is
    "untestable" and ``exceeds_claim`` is null with the reason (a gate reads it as
    insufficient data, never a pass)."""
    if claimed is None:
        return "no_claim", None, {}
    if claimed >= audit.epsilon_ceiling:
        why = UNTESTABLE.format(claim=claimed, ceiling=audit.epsilon_ceiling, r=audit.r, m=audit.m)
        return "untestable", None, {"exceeds_claim": why}
    exceeded = bool(audit.epsilon_lower_bound > claimed)
    return ("exceeded" if exceeded else "within"), exceeded, {}


def powerless_bound(audit: OneRunAudit) -> dict[str, str]:
    """``{"epsilon_lower_bound": reason}`` when no outcome of the audit's guesses can show an
    epsilon above 0 (its ceiling is 0: 10 canaries, 4 guesses, 0.5^4 > 5%), else empty. Its
    bound of 0 is then no finding, not evidence of no leak: written as null with the reason,
    a gate on it reads insufficient data, not a pass."""
    if audit.epsilon_ceiling > 0:
        return {}
    level = f"{100 * audit.confidence:.10g}%"  # 0.95 -> 95%, as the card prints levels
    why = POWERLESS.format(r=audit.r, m=audit.m, confidence=level)
    return {"epsilon_lower_bound": why}


def one_run_fields(audit: OneRunAudit, claimed: float | None) -> dict[str, Any]:
    """The one-run audit's fields of :class:`Canaries` (all but ``m``), its claim verdict and
    the reasons of its null fields (:func:`powerless_bound`, :func:`claim_verdict`)."""
    status, exceeds, undefined = claim_verdict(claimed, audit)
    fields = audit.to_dict()
    fields.pop("m")
    powerless = powerless_bound(audit)
    if powerless:
        fields["epsilon_lower_bound"] = None
    return {
        **fields, "claimed_epsilon": claimed, "claim_status": status, "exceeds_claim": exceeds,
        "undefined": {**powerless, **undefined},
    }  # fmt: skip


def _mean(a: np.ndarray) -> float:
    return float(a.mean()) if a.size else math.nan


def _kind(cs: CanarySet, loss: np.ndarray, kind: str, confidence: float) -> CanaryKind:
    """Loss AUC (inserted vs not) and exposure of the audited canaries of one kind."""
    ins = cs.inserted
    of = cs.kind == kind
    aud, extra = of & cs.audited, of & ~cs.audited
    exp_in = exposure(loss[aud & ins], loss[extra])
    exp_out = exposure(loss[aud & ~ins], loss[extra])
    return CanaryKind(
        n_audited=int(aud.sum()), n_inserted=int((aud & ins).sum()), n_candidates=int(extra.sum()),
        loss_auc=auc_estimate(-loss[aud & ins], -loss[aud & ~ins], confidence=confidence),
        mean_loss_inserted=_mean(loss[aud & ins]), mean_loss_not_inserted=_mean(loss[aud & ~ins]),
        exposure_bits_max_possible=float(np.log2(extra.sum() + 1)),
        exposure_bits_mean_inserted=_mean(exp_in),
        exposure_bits_max_inserted=float(exp_in.max()) if exp_in.size else math.nan,
        exposure_bits_mean_not_inserted=_mean(exp_out),
    )  # fmt: skip


def canary_probe(
    ctx: AuditContext,
    pc: PrivacyConfig,
    job: dict[str, Any],
    *,
    target_claim: float | None,
    rngs: Rngs,
) -> Canaries | NotRun:
    """Draw canaries (stream ``privacy/canaries/draw``), retrain with the inserted ones (streams
    under ``privacy/canaries/model``) and audit them. ``job``: the reference jobs' common
    arguments; ``target_claim``: the target's accountant epsilon (DP-SGD) or None."""
    bundle = ctx.bundle
    members, test = bundle["finetune_train"], bundle["test"]
    try:
        cs = make_canaries(
            source_x=test.x, source_y=test.y, n_classes=bundle.finetune_task.n_classes,
            m=pc.n_canaries, n_extra=pc.canary_candidates, noise=bundle.modality == "image",
            rng=rngs.numpy("privacy/canaries/draw"),
        )  # fmt: skip
    except ValueError as exc:  # too few source rows for the requested canaries
        return NotRun(reason=f"{exc}; {LOWER_N_CANARIES}")
    ins = cs.inserted
    x, y = np.concatenate([members.x, cs.x[ins]]), np.concatenate([members.y, cs.y[ins]])
    # the reference models' way (frozen prefix once, stacked where the tail allows)
    run = train_references(
        job, x=x, y=y, ref_in=np.ones((1, len(x)), bool), x_population=cs.x,
        rngs=[rngs.child("privacy/canaries/model")], privacy_config=pc,
        progress=ctx.progress, desc="canary model",
    )  # fmt: skip
    [whole] = run.results
    res = TrainedLogits(whole.logits[len(x) :], whole.seconds, whole.epochs_run, whole.dp_epsilon)
    loss = -loss_score(res.logits, cs.y)
    kinds = {str(k): _kind(cs, loss, str(k), pc.confidence) for k in np.unique(cs.kind)}
    k = pc.canary_guesses if pc.canary_guesses is not None else max(pc.n_canaries // 5, 1)
    delta = pc.dp.target_delta if pc.dp is not None else 0.0
    audit = one_run_audit(
        -loss[cs.audited], ins[cs.audited], k_plus=k, k_minus=k, delta=delta,
        confidence=pc.confidence,
    )  # fmt: skip
    claimed = res.dp_epsilon if res.dp_epsilon is not None else target_claim
    return Canaries(
        m=pc.n_canaries, inclusion_probability=0.5,
        source="mislabelled test rows"
        + (" and uniform-noise images" if bundle.modality == "image" else ""),
        model=CanaryModel(
            n_train=len(x), n_canaries_inserted=int(ins.sum()), seconds=res.seconds,
            epochs_run=res.epochs_run, dp_epsilon=res.dp_epsilon,
        ),
        kinds=kinds, score=SCORE, **one_run_fields(audit, claimed),
    )  # fmt: skip
