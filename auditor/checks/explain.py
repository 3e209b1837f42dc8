"""Explanations of the fine-tuned model through Captum.

- Integrated Gradients (Sundararajan et al. 2017) on test rows, towards the predicted class,
  from an all-zeros baseline for images (mid-grey in the [-1, 1] scale) and from the mean
  training row for tables;
- images: a few examples per true class (correct and misclassified) and the mean absolute
  attribution map; tables: global feature importance (mean |attribution| per input column);
- importance per sensitive group (mean total |attribution| and, for tables, the top columns);
- reliance check (tables whose sensitive features are model inputs): how much accuracy and
  predictions move when the columns of one sensitive feature are permuted across test rows.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch

from auditor.checks import not_run
from auditor.training import predict_logits

TOP_FEATURES = 15


def _integrated_gradients(model, x: np.ndarray, target: np.ndarray, baseline: np.ndarray, *,
                          n_steps: int, device) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Captum IG attributions (same shape as x) and convergence deltas (n,)."""
    from captum.attr import IntegratedGradients

    model.eval()
    ig = IntegratedGradients(model)
    xt = torch.as_tensor(x, dtype=torch.float32, device=device)
    bt = torch.as_tensor(np.broadcast_to(baseline, x.shape).copy(), dtype=torch.float32,
                         device=device)  # fmt: skip
    tt = torch.as_tensor(target, dtype=torch.long, device=device)
    attr, delta = ig.attribute(
        xt, baselines=bt, target=tt, n_steps=n_steps, method="riemann_trapezoid",
        internal_batch_size=max(256, len(x)), return_convergence_delta=True,
    )  # fmt: skip
    return attr.detach().cpu().numpy(), delta.detach().cpu().numpy()


def _pick_rows(n: int, limit: int, seed: int) -> np.ndarray:
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


def _examples(x, y_true, y_pred, proba, attr, ids, class_names, per_class: int) -> list[dict]:
    """Per true class: up to ``per_class`` correct and up to ``per_class`` misclassified rows
    (the most confident mistakes first)."""
    out = []
    for c in range(len(class_names)):
        for correct in (True, False):
            rows = np.flatnonzero((y_true == c) & ((y_pred == y_true) == correct))
            conf = proba[rows, y_pred[rows]]
            rows = rows[np.argsort(-conf, kind="stable")][:per_class]
            for r in rows:
                out.append({
                    "row_id": int(ids[r]), "true": class_names[c],
                    "predicted": class_names[int(y_pred[r])], "correct": bool(correct),
                    "confidence": float(proba[r, y_pred[r]]),
                    "image": np.round(x[r, 0], 3).tolist(),
                    "attribution": np.round(attr[r].sum(axis=0), 5).tolist(),
                })  # fmt: skip
    return out


def _group_importance(sensitive, abs_attr_rows: np.ndarray, *, feature_names, min_n: int):
    """Per sensitive feature and group: n, mean total |attribution|, and (tables) the top
    columns by mean |attribution| in that group."""
    out = {}
    total = abs_attr_rows.reshape(len(abs_attr_rows), -1).sum(axis=1)
    for feat in sensitive.columns:
        groups = []
        values = sensitive[feat].astype(str).to_numpy()
        for g in sorted(set(values)):
            mask = values == g
            n = int(mask.sum())
            entry: dict[str, Any] = {
                "group": g, "n": n,
                "mean_total_abs_attribution": float(total[mask].mean()) if n else None,
                "insufficient_data": n < min_n,
            }  # fmt: skip
            if feature_names is not None and n:
                per = abs_attr_rows[mask].mean(axis=0)
                top = np.argsort(-per, kind="stable")[:5]
                entry["top_features"] = [
                    {"feature": feature_names[i], "mean_abs_attribution": float(per[i])}
                    for i in top
                ]
            groups.append(entry)
        out[feat] = groups
    return out


def _reliance(ctx, x, y, sensitive, *, repeats: int, seed: int) -> dict[str, Any]:
    """Permute the input columns of each sensitive feature across rows (jointly, so one-hot
    columns stay valid); report accuracy and prediction changes, overall and per group."""
    bundle = ctx.bundle
    if bundle.modality != "table":
        return not_run(
            "the sensitive features of this data are slices derived from the images (or "
            "labels), not separate model inputs, so there is no column to permute"
        )
    cols = bundle.sensitive_input_columns
    if not cols:
        return not_run("no sensitive feature is a model input (sensitive_as_features = false)")
    base_pred = predict_logits(ctx.finetuned, x, device=ctx.device).argmax(axis=1)
    base_acc = float((base_pred == y).mean())
    rng = np.random.default_rng(seed)
    features = {}
    for feat, idx in cols.items():
        idx = list(idx)
        accs, flips, pos_rates = [], [], []
        by_group: dict[str, list[float]] = {}
        values = sensitive[feat].astype(str).to_numpy() if feat in sensitive else None
        for _ in range(repeats):
            xp = x.copy()
            perm = rng.permutation(len(x))
            xp[:, idx] = x[perm][:, idx]
            pred = predict_logits(ctx.finetuned, xp, device=ctx.device).argmax(axis=1)
            accs.append(float((pred == y).mean()))
            flips.append(float((pred != base_pred).mean()))
            pos_rates.append(float((pred == 1).mean()))
            if values is not None:
                for g in set(values):
                    m = values == g
                    by_group.setdefault(g, []).append(float((pred[m] != base_pred[m]).mean()))
        groups = []
        if values is not None:
            for g in sorted(by_group):
                m = values == g
                groups.append({
                    "group": g, "n": int(m.sum()),
                    "accuracy": float((base_pred[m] == y[m]).mean()),
                    "positive_rate": float((base_pred[m] == 1).mean()),
                    "flip_rate": float(np.mean(by_group[g])),
                })  # fmt: skip
        features[feat] = {
            "input_columns": [bundle.feature_names[i] for i in idx]
            if bundle.feature_names
            else idx,
            "accuracy_permuted_mean": float(np.mean(accs)),
            "accuracy_permuted_min": float(np.min(accs)),
            "accuracy_permuted_max": float(np.max(accs)),
            "accuracy_drop": base_acc - float(np.mean(accs)),
            "flip_rate": float(np.mean(flips)),
            "positive_rate_permuted": float(np.mean(pos_rates)),
            "groups": groups,
        }
    return {
        "status": "ok", "n": len(x), "repeats": repeats, "accuracy": base_acc,
        "positive_rate": float((base_pred == 1).mean()), "features": list(features),
        "by_feature": features,
    }  # fmt: skip


def explanations_check(ctx, sections) -> dict:
    cfg = ctx.config.transparency
    if not cfg.enabled or not cfg.explanations:
        return not_run("disabled in config (transparency.explanations = false)")
    started = time.perf_counter()
    bundle = ctx.bundle
    test = bundle["test"]
    if len(test) == 0:
        return not_run("the test split is empty")
    preds = ctx.predictions("finetuned", "test")
    class_names = list(preds.class_names)
    rows = _pick_rows(len(test), cfg.max_attribution_rows, ctx.seed)
    x = np.ascontiguousarray(test.x[rows], dtype=np.float32)
    y_true, y_pred, proba = preds.y_true[rows], preds.y_pred[rows], preds.proba[rows]
    if bundle.modality == "image":
        baseline = np.zeros(x.shape[1:], dtype=np.float32)
        baseline_text = "all-zeros image (mid-grey on the [-1, 1] input scale)"
    else:
        baseline = bundle["finetune_train"].x.mean(axis=0).astype(np.float32)
        baseline_text = "the mean fine-tuning training row"
    attr, delta = _integrated_gradients(ctx.finetuned, x, y_pred, baseline,
                                        n_steps=cfg.ig_steps, device=ctx.device)  # fmt: skip
    abs_attr = np.abs(attr)
    out: dict[str, Any] = {
        "status": "ok", "method": "Integrated Gradients (Captum)", "n_steps": cfg.ig_steps,
        "baseline": baseline_text, "target": "predicted class", "split": "test",
        "n_rows_attributed": len(rows), "n_rows_split": len(test),
        "convergence_delta_mean_abs": float(np.mean(np.abs(delta))),
        "modality": bundle.modality,
    }  # fmt: skip
    if bundle.modality == "image":
        mean_map = abs_attr.sum(axis=1).mean(axis=0)  # (H, W), channels summed
        out["mean_abs_map"] = np.round(mean_map, 6).tolist()
        out["examples"] = _examples(x, y_true, y_pred, proba, attr, test.ids[rows], class_names,
                                    cfg.examples_per_class)  # fmt: skip
        out["feature_importance"] = None
    else:
        names = list(bundle.feature_names or [f"x{i}" for i in range(x.shape[1])])
        mean_abs = abs_attr.mean(axis=0)
        order = np.argsort(-mean_abs, kind="stable")
        total = float(mean_abs.sum()) or 1.0
        out["mean_abs_map"] = None
        out["examples"] = []
        out["feature_importance"] = [
            {"feature": names[i], "mean_abs_attribution": float(mean_abs[i]),
             "share": float(mean_abs[i] / total)}
            for i in order[:TOP_FEATURES]
        ]  # fmt: skip
    sens = test.sensitive.iloc[rows].reset_index(drop=True)
    out["by_group"] = _group_importance(
        sens,
        abs_attr.reshape(len(rows), -1) if bundle.modality == "table" else abs_attr,
        feature_names=list(bundle.feature_names) if bundle.modality == "table" else None,
        min_n=ctx.config.fairness.min_group_size,
    )
    out["reliance"] = _reliance(ctx, np.ascontiguousarray(test.x, dtype=np.float32),
                                np.asarray(test.y), test.sensitive,
                                repeats=cfg.reliance_repeats, seed=ctx.seed)  # fmt: skip
    out["seconds"] = round(time.perf_counter() - started, 3)
    if not math.isfinite(out["convergence_delta_mean_abs"]):
        out["convergence_delta_mean_abs"] = None
    return out
