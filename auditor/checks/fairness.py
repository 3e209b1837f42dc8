"""Fairness of the fine-tuned model on the test split: per-group metrics for each sensitive
feature (or slice) and their intersections, fairlearn's disparities with bootstrap intervals,
the worst-off group, and a ThresholdOptimizer preview. The engine is :mod:`auditor.fairness`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from auditor.checks import not_run
from auditor.errors import AuditorInputError
from auditor.fairness.counts import counts_from_arrays
from auditor.fairness.engine import CI_METHOD, audit_counts, resolve_specs
from auditor.fairness.reference import max_abs_difference

REFERENCE_TOLERANCE = 1e-9


def _features(cfg, bundle) -> list[str]:
    available = list(bundle.sensitive_features)
    features = list(cfg.sensitive) if cfg.sensitive is not None else available
    names = set(features)
    if isinstance(cfg.intersections, list):
        names.update(f for combo in cfg.intersections for f in combo)
    for f in sorted(names):
        if f not in bundle["test"].sensitive.columns:
            raise AuditorInputError(
                f"unknown sensitive feature {f!r}; this data has {', '.join(available) or 'none'}",
                field="fairness.sensitive",
            )
    return features


def fairness_section(
    *,
    y_true,
    y_pred,
    sensitive: pd.DataFrame,
    class_names,
    positive,
    cfg,
    seed: int,
    kinds: dict[str, str],
    source: str,
    features: list[str],
) -> dict[str, Any]:
    """The fairness section (without mitigation) for in-memory predictions."""
    k = len(class_names)
    table = counts_from_arrays(
        y_true,
        y_pred,
        sensitive[features],
        source=source,
        classes=list(range(k)),
        class_names=class_names,
    )
    specs = resolve_specs(features, cfg.intersections)
    result = audit_counts(
        table,
        specs=specs,
        positive=positive,
        min_group_size=cfg.min_group_size,
        n_boot=cfg.n_boot,
        ci_level=cfg.ci_level,
        seed=seed,
    )
    section = {"status": "ok", "ci_method": CI_METHOD, **result.to_dict()}
    section["sensitive_kinds"] = {f: kinds.get(f, "demographic") for f in features}
    if 0 < len(y_true) <= cfg.reference_check_max_rows:
        diff = max_abs_difference(
            result, y_true, y_pred, sensitive, classes=list(range(k)), positive=positive
        )
        section["reference_check"] = {
            "status": "ok",
            "engine": "fairlearn.MetricFrame",
            "max_abs_difference": diff if math.isfinite(diff) else None,
            "tolerance": REFERENCE_TOLERANCE,
            "agrees": bool(diff <= REFERENCE_TOLERANCE),
        }
    else:
        section["reference_check"] = not_run(
            f"{len(y_true)} rows is more than reference_check_max_rows "
            f"({cfg.reference_check_max_rows}); the counts engine is tested against fairlearn"
        )
    return section


def _mitigation(ctx, cfg, features: list[str]) -> dict[str, Any]:
    from auditor.fairness.mitigation import threshold_optimizer_preview

    if not cfg.mitigation_preview:
        return not_run("mitigation_preview = false in [fairness]")
    if ctx.bundle.finetune_task.n_classes != 2:
        return not_run("ThresholdOptimizer needs a binary target")
    val, test = ctx.predictions("finetuned", "val"), ctx.predictions("finetuned", "test")
    if len(val) == 0:
        return not_run("no validation rows to fit the thresholds on")
    previews = {}
    for f in features:
        previews[f] = threshold_optimizer_preview(
            feature=f,
            val_score=val.y_score,
            val_y=val.y_true,
            val_sensitive=ctx.bundle["val"].sensitive[f].to_numpy(),
            test_score=test.y_score,
            test_y=test.y_true,
            test_pred=test.y_pred,
            test_sensitive=ctx.bundle["test"].sensitive[f].to_numpy(),
            seed=ctx.seed,
            n_boot=cfg.n_boot,
            ci_level=cfg.ci_level,
            min_group_size=cfg.min_group_size,
        )
    return {
        "status": "ok",
        "note": "preview only; the audited model is unchanged",
        "features": previews,
    }


def fairness_check(ctx, sections) -> dict[str, Any]:
    cfg = ctx.config.fairness
    if not cfg.enabled:
        return not_run("disabled in config ([fairness] enabled = false)")
    bundle = ctx.bundle
    features = _features(cfg, bundle)
    if not features:
        return not_run("the data declares no sensitive features and [fairness] names none")
    pred = ctx.predictions("finetuned", "test")
    if len(np.unique(pred.y_true)) < 2:
        return not_run("the test split has a single class; error rates per group are undefined")
    k = len(pred.class_names)
    section = fairness_section(
        y_true=pred.y_true,
        y_pred=pred.y_pred,
        sensitive=bundle["test"].sensitive,
        class_names=pred.class_names,
        positive=1 if k == 2 else None,
        cfg=cfg,
        seed=ctx.seed,
        kinds=dict(bundle.sensitive_kinds),
        source="test split",
        features=features,
    )
    section = {"stage": "finetuned", "split": "test", **section}
    section["mitigation"] = _mitigation(ctx, cfg, features)
    return section
