"""From membership scores to the typed summaries of the privacy section: AUC and TPR at low
FPR as estimate nodes, rates at reference-fitted thresholds, pooled (leave-one-out) ROC
(intervals clustered by row: :mod:`auditor.privacy.pooled`)."""

from __future__ import annotations

import math

import numpy as np

from auditor.privacy import roc
from auditor.privacy.pooled import level_key, pooled_fields
from auditor.privacy.section import (
    AttackReport,
    PooledSummary,
    RatesAt,
    RocCurve,
    RocSummary,
    TprAtFpr,
)
from auditor.results import Estimate

DECISION_SOURCE = "reference models (max balanced accuracy)"


def auc_estimate(s_in: np.ndarray, s_out: np.ndarray, *, confidence: float) -> Estimate:
    """Membership AUC with its Hanley-McNeil interval; n = members + non-members."""
    auc = roc.roc_auc(s_in, s_out)
    lo, hi = roc.auc_interval(auc, len(s_in), len(s_out), confidence=confidence)
    return Estimate(value=auc, ci_low=lo, ci_high=hi, n=len(s_in) + len(s_out))


def tpr_node(counts: roc.RocCounts, level: float, *, confidence: float) -> TprAtFpr:
    t = roc.tpr_at_fpr(counts, level, confidence=confidence)
    return TprAtFpr(
        value=t.tpr, ci_low=t.ci_low, ci_high=t.ci_high, n=t.n_members, fpr=t.fpr, tp=t.tp,
        fp=t.fp, n_non_members=t.n_non_members, threshold=t.threshold, resolvable=t.resolvable,
    )  # fmt: skip


def _summary_fields(
    s_in: np.ndarray, s_out: np.ndarray, levels: list[float], confidence: float
) -> dict:
    counts = roc.roc_counts(s_in, s_out)
    return {
        "n_members": len(s_in),
        "n_non_members": len(s_out),
        "auc": auc_estimate(s_in, s_out, confidence=confidence),
        "tpr_at_fpr": {level_key(a): tpr_node(counts, a, confidence=confidence) for a in levels},
    }


def roc_summary(
    s_in: np.ndarray, s_out: np.ndarray, *, levels: list[float], confidence: float
) -> RocSummary:
    """AUC and TPR at each FPR level of member scores ``s_in`` vs non-member ``s_out``."""
    return RocSummary(**_summary_fields(s_in, s_out, levels, confidence))


def curve(s_in: np.ndarray, s_out: np.ndarray) -> RocCurve:
    return RocCurve(**roc.log_curve(roc.roc_counts(s_in, s_out)))


def rates_at(
    threshold: float,
    s_in: np.ndarray,
    s_out: np.ndarray,
    *,
    confidence: float,
    source: str | None = None,
) -> RatesAt:
    """TPR and FPR (Clopper-Pearson intervals) of calling ``score >= threshold`` a member."""
    tp, fp = int((s_in >= threshold).sum()), int((s_out >= threshold).sum())
    n1, n0 = len(s_in), len(s_out)
    tpr, fpr = (tp / n1 if n1 else math.nan), (fp / n0 if n0 else math.nan)
    tlo, thi = roc.clopper_pearson(tp, n1, confidence=confidence)
    flo, fhi = roc.clopper_pearson(fp, n0, confidence=confidence)
    return RatesAt(
        threshold=float(threshold), tp=tp, n_members=n1, fp=fp, n_non_members=n0,
        tpr=Estimate(value=tpr, ci_low=tlo, ci_high=thi, n=n1),
        fpr=Estimate(value=fpr, ci_low=flo, ci_high=fhi, n=n0),
        balanced_accuracy=(tpr + 1 - fpr) / 2, advantage=tpr - fpr, threshold_source=source,
    )  # fmt: skip


def pooled_rows(
    is_member: np.ndarray, ref_in: np.ndarray, pool_exclude: tuple[int, ...] = ()
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """The references kept in the pooled ROC, and each pooled member (non-member) score's
    row, the target's first, then each kept reference's: one row recurs in every attacked
    model (the intervals are clustered by row)."""
    keep = [k for k in range(len(ref_in)) if k not in pool_exclude]
    rows = np.broadcast_to(np.arange(len(is_member)), ref_in[keep].shape)
    row_in = np.concatenate([np.flatnonzero(is_member), rows[ref_in[keep]]])
    row_out = np.concatenate([np.flatnonzero(~is_member), rows[~ref_in[keep]]])
    return keep, row_in, row_out


def attack_report(
    *,
    name: str,
    description: str,
    params: dict,
    target: np.ndarray,
    is_member: np.ndarray,
    ref_scores: np.ndarray,
    ref_in: np.ndarray,
    levels: list[float],
    confidence: float,
    pool_exclude: tuple[int, ...] = (),
) -> AttackReport:
    """target (n,) scores of the attacked model; ref_scores (K, n) the same attack run on each
    reference model as if it were the target (leave-one-out), with ref_in (K, n). Thresholds
    are fitted on the references only; ``pool_exclude``: references left out of the pooled
    ROC (those an attack parameter was tuned on)."""
    s_in, s_out = target[is_member], target[~is_member]
    r_in, r_out = ref_scores[ref_in], ref_scores[~ref_in]
    decision = rates_at(
        roc.best_balanced_threshold(r_in, r_out), s_in, s_out,
        confidence=confidence, source=DECISION_SOURCE,
    )  # fmt: skip
    calibrated = {
        level_key(a): rates_at(roc.threshold_at_fpr(r_out, a), s_in, s_out, confidence=confidence)
        for a in levels
    }
    keep, row_in, row_out = pooled_rows(is_member, ref_in, pool_exclude)
    p_in = np.concatenate([s_in, ref_scores[keep][ref_in[keep]]])
    p_out = np.concatenate([s_out, ref_scores[keep][~ref_in[keep]]])
    pooled = PooledSummary(
        **pooled_fields(p_in, p_out, row_in, row_out, levels=levels, confidence=confidence),
        n_models=1 + len(keep), roc=curve(p_in, p_out),
    )  # fmt: skip
    return AttackReport(
        **_summary_fields(s_in, s_out, levels, confidence),
        name=name, description=description, params=params, roc=curve(s_in, s_out),
        decision=decision, calibrated_at_fpr=calibrated, pooled=pooled,
    )  # fmt: skip
