"""Leakage by sensitive group: the TPR of one attack at its reference-calibrated threshold in
each group, beside that group's test accuracy gap and the fairness section's gaps."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.privacy.section import AttackReport, GroupLeakage, GroupRow
from auditor.privacy.summary import level_key, rates_at
from auditor.results import Estimate

if TYPE_CHECKING:
    from auditor.config.privacy import PrivacyConfig
    from auditor.context import AuditContext

THRESHOLD_SOURCE = "reference models (FPR on their OUT rows)"
TOO_FEW = "fewer members than privacy.min_group_members"
FAIRNESS_GAPS = ("demographic_parity_difference", "equalized_odds_difference")


def _row(
    group: str,
    s_in: np.ndarray,
    s_out: np.ndarray,
    threshold: float,
    in_test: np.ndarray,
    correct: np.ndarray,
    overall_acc: float,
    pc: PrivacyConfig,
) -> GroupRow:
    rates = rates_at(threshold, s_in, s_out, confidence=pc.confidence)
    n_test = int(in_test.sum())
    acc = float(correct[in_test].mean()) if n_test else math.nan
    enough = len(s_in) >= pc.min_group_members
    tpr = rates.tpr if enough else Estimate(value=None, n=rates.n_members, reason=TOO_FEW)
    return GroupRow(
        group=group, status="ok" if enough else "insufficient_data",
        n_members=rates.n_members, tp=rates.tp, tpr=tpr, n_non_members=rates.n_non_members,
        fp=rates.fp, fpr=rates.fpr, fpr_nominal=pc.fpr_levels[0], n_test=n_test, test_accuracy=acc,
        accuracy_gap=acc - overall_acc,
    )  # fmt: skip


def group_leakage(
    ctx: AuditContext,
    report: AttackReport,
    scores: np.ndarray,
    *,
    n_members: int,
    pc: PrivacyConfig,
) -> GroupLeakage:
    """Per sensitive group, the rates of ``report``'s attack at the threshold calibrated to FPR
    = ``pc.fpr_levels[0]`` on the reference models. ``scores``: (n_members + n_non,) the
    target's scores, members first."""
    level = pc.fpr_levels[0]
    cal = report.calibrated_at_fpr[level_key(level)]
    members, holdout, test_split = (
        ctx.bundle["finetune_train"], ctx.bundle["holdout"], ctx.bundle["test"]
    )  # fmt: skip
    test = ctx.predictions("finetuned", "test")
    correct = test.y_pred == test.y_true
    overall_acc = float(correct.mean()) if len(correct) else math.nan
    features: dict[str, list[GroupRow]] = {}
    gaps: dict[str, float | None] = {}
    for feat in ctx.bundle.sensitive_features:
        g_mem = members.sensitive[feat].to_numpy()
        g_non = holdout.sensitive[feat].to_numpy()
        g_test = test_split.sensitive[feat].to_numpy()
        rows = [
            _row(str(g), scores[:n_members][g_mem == g], scores[n_members:][g_non == g],
                 cal.threshold, g_test == g, correct, overall_acc, pc)
            for g in sorted(set(g_mem) | set(g_non))
        ]  # fmt: skip
        features[feat] = rows
        ok = [r.tpr.value for r in rows if r.status == "ok" and r.tpr.value is not None]
        gaps[feat] = (max(ok) - min(ok)) if len(ok) >= 2 else None
    return GroupLeakage(
        attack=report.name, fpr_level=level, threshold_source=THRESHOLD_SOURCE,
        threshold=cal.threshold, overall_tpr=cal.tpr, overall_fpr=cal.fpr,
        overall_test_accuracy=overall_acc, min_group_members=pc.min_group_members,
        features=features, tpr_gap=gaps,
    )  # fmt: skip


def fairness_gaps(
    fairness: Mapping[str, Any] | None, features: Mapping[str, Any]
) -> dict[str, dict[str, float | None]]:
    """Between-group gaps of the fairness section (same features), where it ran."""
    if not fairness or fairness.get("status") != "ok":
        return {}
    out: dict[str, dict[str, float | None]] = {}
    for feat in features:
        disp = (fairness.get("features", {}).get(feat) or {}).get("disparities") or {}
        out[feat] = {
            m: (disp.get(m) or {}).get("between_groups", {}).get("value") for m in FAIRNESS_GAPS
        }
    return out
