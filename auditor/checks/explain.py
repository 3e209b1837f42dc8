"""Explanations of the fine-tuned model: Captum's Integrated Gradients.

- Integrated Gradients (Sundararajan et al. 2017) on test rows, towards the predicted class,
  from an all-zeros baseline for images (mid-grey in the [-1, 1] scale) and from the mean
  training row for tables;
- images: a few examples per true class (correct and misclassified) and the mean absolute
  attribution map; tables: global feature importance (mean |attribution| per input column);
- importance per sensitive group (mean total |attribution| and, for tables, the top columns);
- reliance check (tables whose sensitive features are model inputs): how much accuracy and
  predictions move when the columns of one sensitive feature are permuted across test rows
  (:mod:`auditor.checks.reliance`).

A supplied model without gradients (scikit-learn, ``predict_proba``) on a table gets
permutation importance instead (:mod:`auditor.checks.permutation`).

The section is :class:`ExplanationsSection`. Rows to attribute are drawn from the stream
``explain/rows``, the reliance permutations from ``explain/reliance/<feature>``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from auditor.checks.base import Sections, not_run
from auditor.checks.permutation import PermutationExplanations, permutation_explanations
from auditor.checks.perturbed import test_row_name
from auditor.checks.reliance import RelianceResult, reliance
from auditor.config.functions import call_user
from auditor.errors import AuditorInputError
from auditor.results import NotRun

if TYPE_CHECKING:
    import pandas as pd
    import torch
    from torch import nn

    from auditor.context import AuditContext
    from auditor.seeding import Rngs

TOP_FEATURES = 15
TOP_GROUP_FEATURES = 5
METHOD = "Integrated Gradients (Captum)"
IMAGE_BASELINE = "all-zeros image (mid-grey on the [-1, 1] input scale)"
TABLE_BASELINE = "the mean fine-tuning training row"
# A supplied model: the mean of its member rows, or of the evaluation rows without them.
SUPPLIED_BASELINES = ("the mean member (training) row", "the mean evaluation row")
NOT_DIFFERENTIABLE = (
    "Integrated Gradients need a differentiable (PyTorch) model, and permutation importance "
    "needs table inputs; the supplied {kind} gives probabilities only, on images"
)

MODEL_RAISED = (
    "Integrated Gradients could not run the model on its passes along the path from the "
    "baseline: {error}"
)
NOT_FINITE_PATH = (
    "Integrated Gradients are not finite numbers (NaN or infinite) on {n:,} of the {rows:,} "
    "test rows explained (first: {row}): the model's gradients are not finite somewhere on "
    "the straight path from the baseline ({baseline}) to the row, though its outputs are "
    "finite on every row as given; {ending}"
)
ALL_UNDEFINED = "attributions are undefined for this model"
SOME_LEFT_OUT = "their attributions are undefined, and those rows are left out"


@dataclass(frozen=True)
class AttributionExample:
    """One attributed image: its pixels (H, W) and attribution map (H, W, channels summed)."""

    row_id: int
    true: str
    predicted: str
    correct: bool
    confidence: float
    image: list[list[float]]
    attribution: list[list[float]]


@dataclass(frozen=True)
class FeatureImportance:
    feature: str
    mean_abs_attribution: float
    share: float


@dataclass(frozen=True)
class TopFeature:
    feature: str
    mean_abs_attribution: float


@dataclass(frozen=True)
class GroupImportance:
    """Mean total |attribution| of one sensitive group (None when empty); tables: its top
    columns (empty for images, and for a group under min_group_size)."""

    group: str
    n: int
    mean_total_abs_attribution: float | None
    insufficient_data: bool
    top_features: list[TopFeature] = field(default_factory=list)


@dataclass(frozen=True)
class ExplanationsSection:
    """Attributions of the fine-tuned model on test rows. Images: mean |attribution| map
    (H, W) and examples; tables: global feature importance. Both: importance per group and
    the reliance check."""

    method: str
    n_steps: int
    baseline: str
    target: str
    split: str
    n_rows_attributed: int
    n_rows_split: int
    convergence_delta_mean_abs: float | None
    modality: Literal["image", "table"]
    mean_abs_map: list[list[float]] | None
    examples: list[AttributionExample]
    feature_importance: list[FeatureImportance] | None
    by_group: dict[str, list[GroupImportance]]
    reliance: RelianceResult | NotRun
    seconds: float
    # explained rows whose attributions were not finite: left out of every number, and why
    n_rows_not_finite: int = 0
    not_finite_reason: str | None = None
    # mean |f(x) - f(baseline)| of the target score over the rows attributed: the scale of
    # the convergence error (completeness: the attributions add up to it); None in older files
    score_gap_mean_abs: float | None = None
    kind: Literal["attributions"] = "attributions"
    status: Literal["ok"] = "ok"


class ExplanationsNotRun(NotRun):
    """Explanations (attributions, permutation importance) that did not run, and why, with
    the reliance check beside them where it was computed (absent where it was not reached)."""

    reliance: RelianceResult | NotRun | None = None


def _integrated_gradients(model: nn.Module, x: np.ndarray, target: np.ndarray,
                          baseline: np.ndarray, *, n_steps: int,
                          device: torch.device) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Integrated Gradients of ``model``'s ``target`` logit (x: (n, ...), target: (n,)) from
    ``baseline`` (x.shape[1:]): attributions (same shape as x) and convergence deltas (n,).

    Captum's ``IntegratedGradients.attribute(method="riemann_trapezoid")`` computed in torch
    directly (tests hold it to Captum's numbers): importing captum imports all of it,
    matplotlib included, about a second of every run. Each forward + backward pass takes
    :func:`rows_per_pass` rows (several steps of few rows, or a slice of many rows), so at
    28x28 a pass stays cache-sized instead of holding every row at once."""
    import torch

    from auditor.training.predict import rows_per_pass  # imports torch: not at module import

    model.eval()
    xt = torch.as_tensor(x, dtype=torch.float32, device=device)
    bt = torch.as_tensor(baseline, dtype=torch.float32, device=device).expand_as(xt)
    tt = torch.as_tensor(target, dtype=torch.long, device=device)
    budget = rows_per_pass(model, x)
    rows = max(1, min(len(x), budget))
    weights = torch.full((n_steps,), 1.0 / n_steps)
    weights[0], weights[-1] = weights[0] / 2, weights[-1] / 2  # trapezoid rule
    path = (torch.linspace(0, 1, n_steps).tolist(), weights.to(device))
    parts = [
        _ig_rows(model, xt[i : i + rows], bt[i : i + rows], tt[i : i + rows], path,
                 steps_per_pass=max(1, budget // rows))
        for i in range(0, len(x), rows)
    ]  # fmt: skip
    attr = torch.cat(parts) if parts else torch.zeros_like(xt)
    with torch.no_grad():
        ends = [model(a).gather(1, tt[:, None])[:, 0] for a in (xt, bt)] if len(x) else [tt, tt]
    delta = attr.flatten(1).sum(1) - (ends[0] - ends[1])
    return attr.detach().cpu().numpy(), delta.detach().cpu().numpy()


def _ig_rows(model: nn.Module, xt: torch.Tensor, bt: torch.Tensor, tt: torch.Tensor,
             path: tuple[list[float], torch.Tensor], *,
             steps_per_pass: int) -> torch.Tensor:  # fmt: skip
    """Attributions of the rows ``xt`` (m, ...): the weighted gradients along the straight
    path from ``bt``, ``steps_per_pass`` of ``path``'s (alphas, weights) a pass."""
    import torch

    alphas, weights = path
    diff, total = xt - bt, torch.zeros_like(xt)
    for i in range(0, len(alphas), steps_per_pass):
        chunk = alphas[i : i + steps_per_pass]
        points = torch.cat([bt + a * diff for a in chunk]).requires_grad_()
        picked = model(points).gather(1, tt.repeat(len(chunk))[:, None]).sum()
        (grad,) = torch.autograd.grad(picked, points)
        w = weights[i : i + len(chunk)].view(-1, *[1] * xt.dim())
        total += (grad.view(len(chunk), *xt.shape) * w).sum(0)
    return total * diff


def _pick_rows(n: int, limit: int, rngs: Rngs) -> np.ndarray:
    """All rows, or ``limit`` of them drawn from the stream ``explain/rows`` (sorted)."""
    if n <= limit:
        return np.arange(n)
    return np.sort(rngs.numpy("explain/rows").choice(n, size=limit, replace=False))


def _examples(x: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray,
              attr: np.ndarray, ids: np.ndarray, class_names: list[str],
              per_class: int) -> list[AttributionExample]:  # fmt: skip
    """Per true class: up to ``per_class`` correct and up to ``per_class`` misclassified rows
    (the most confident mistakes first)."""
    out = []
    for c in range(len(class_names)):
        for correct in (True, False):
            rows = np.flatnonzero((y_true == c) & ((y_pred == y_true) == correct))
            conf = proba[rows, y_pred[rows]]
            rows = rows[np.argsort(-conf, kind="stable")][:per_class]
            for r in rows:
                out.append(AttributionExample(
                    row_id=int(ids[r]), true=class_names[c],
                    predicted=class_names[int(y_pred[r])], correct=bool(correct),
                    confidence=float(proba[r, y_pred[r]]),
                    image=np.round(x[r, 0], 3).tolist(),
                    attribution=np.round(attr[r].sum(axis=0), 5).tolist(),
                ))  # fmt: skip
    return out


def _group_importance(sensitive: pd.DataFrame, abs_attr_rows: np.ndarray, *,
                      feature_names: list[str] | None,
                      min_n: int) -> dict[str, list[GroupImportance]]:  # fmt: skip
    """Per sensitive feature and group: n, mean total |attribution|, and (tables) the top
    columns by mean |attribution| in that group (none under ``min_n`` rows)."""
    out = {}
    total = abs_attr_rows.reshape(len(abs_attr_rows), -1).sum(axis=1)
    for feat in sensitive.columns:
        groups = []
        values = sensitive[feat].astype(str).to_numpy()
        for g in sorted(set(values)):
            mask = values == g
            n = int(mask.sum())
            top: list[TopFeature] = []
            if feature_names is not None and n and n >= min_n:  # too few rows: no ranking
                per = abs_attr_rows[mask].mean(axis=0)
                top = [TopFeature(feature_names[i], float(per[i]))
                       for i in np.argsort(-per, kind="stable")[:TOP_GROUP_FEATURES]]  # fmt: skip
            groups.append(GroupImportance(
                group=g, n=n, mean_total_abs_attribution=float(total[mask].mean()) if n else None,
                insufficient_data=n < min_n, top_features=top,
            ))  # fmt: skip
        out[str(feat)] = groups
    return out


def _global_importance(abs_attr: np.ndarray, names: list[str]) -> list[FeatureImportance]:
    """Tables: the TOP_FEATURES columns by mean |attribution|, with their share of the sum."""
    mean_abs = abs_attr.mean(axis=0)
    total = float(mean_abs.sum()) or 1.0
    return [
        FeatureImportance(names[i], float(mean_abs[i]), float(mean_abs[i] / total))
        for i in np.argsort(-mean_abs, kind="stable")[:TOP_FEATURES]
    ]


def _table_baseline(ctx: AuditContext) -> str:
    if ctx.supplied is None:
        return TABLE_BASELINE
    return SUPPLIED_BASELINES[0 if len(ctx.bundle["finetune_train"]) else 1]


def explanations_check(
    ctx: AuditContext, sections: Sections
) -> ExplanationsSection | PermutationExplanations | NotRun:
    """Integrated Gradients on (up to ``max_attribution_rows``) test rows, and reliance; a
    supplied model without gradients on a table: permutation importance, and reliance. An
    explanation undefined for the model is not run, its reliance check kept beside it."""
    cfg = ctx.config.transparency
    if not cfg.enabled or not cfg.explanations:
        return not_run("disabled in config (transparency.explanations = false)")
    gradients = ctx.supplied is None or ctx.supplied.differentiable
    if not gradients and ctx.bundle.modality != "table":
        return not_run(NOT_DIFFERENTIABLE.format(kind=ctx.supplied.architecture))
    test, started = ctx.bundle["test"], time.perf_counter()
    if len(test) == 0:
        return not_run("the test split is empty")
    rows = _pick_rows(len(test), cfg.max_attribution_rows, ctx.rngs)
    relied = reliance(
        ctx, np.ascontiguousarray(test.x), np.asarray(test.y), test.sensitive,  # its dtype
        repeats=cfg.reliance_repeats,
    )  # fmt: skip
    if not gradients:
        out = permutation_explanations(ctx, rows, reliance=relied, started=started)
    else:
        out = _attributions(ctx, rows, relied, started=started)
    if isinstance(out, NotRun):  # the reliance check ran: it stands beside
        return ExplanationsNotRun(reason=out.reason, reliance=relied)
    return out


def _attributions(
    ctx: AuditContext, rows: np.ndarray, relied: RelianceResult | NotRun, *, started: float
) -> ExplanationsSection | NotRun:
    """Integrated Gradients on the test rows ``rows`` (see the module docstring); ``started``:
    when the check began (perf_counter)."""
    cfg = ctx.config.transparency
    bundle, test = ctx.bundle, ctx.bundle["test"]
    preds = ctx.predictions("finetuned", "test")
    x = np.ascontiguousarray(test.x[rows], dtype=np.float32)
    image = bundle.modality == "image"
    if image:
        baseline = np.zeros(x.shape[1:], dtype=np.float32)
    else:
        fit_rows = bundle["finetune_train"].x
        baseline = (fit_rows if len(fit_rows) else test.x).mean(axis=0).astype(np.float32)
    args = (ctx.finetuned, x, preds.y_pred[rows], baseline)
    kwargs = {"n_steps": cfg.ig_steps, "device": ctx.device}
    if ctx.supplied is None:  # auditor's own model raising is a defect of auditor's
        attr, delta = _integrated_gradients(*args, **kwargs)
    else:  # a supplied module raising on the path's passes ("batch size must be at least 4")
        try:
            attr, delta = call_user(_integrated_gradients, *args, spec="model",
                                    field_name="model", **kwargs)  # fmt: skip
        except AuditorInputError as exc:
            return not_run(MODEL_RAISED.format(error=exc.message))
    finite = np.isfinite(attr.reshape(len(attr), -1)).all(axis=1)
    bad, why = np.flatnonzero(~finite), None
    if len(bad):  # NaN gradients between the baseline and a row: not a number to show
        why = NOT_FINITE_PATH.format(
            n=len(bad), rows=len(rows), row=test_row_name(ctx, int(rows[bad[0]])),
            baseline=IMAGE_BASELINE if image else _table_baseline(ctx),
            ending=ALL_UNDEFINED if len(bad) == len(rows) else SOME_LEFT_OUT)  # fmt: skip
        if len(bad) == len(rows):
            return not_run(why)
        rows, x, attr, delta = rows[finite], x[finite], attr[finite], delta[finite]
    abs_attr = np.abs(attr)
    names = (
        list(bundle.feature_names or [f"x{i}" for i in range(x.shape[1])]) if not image else None
    )
    examples = _examples(
        x, preds.y_true[rows], preds.y_pred[rows], preds.proba[rows], attr, test.ids[rows],
        list(preds.class_names), cfg.examples_per_class,
    ) if image else []  # fmt: skip
    by_group = _group_importance(
        test.sensitive.iloc[rows].reset_index(drop=True),
        abs_attr if image else abs_attr.reshape(len(rows), -1),
        feature_names=None if image else list(bundle.feature_names or names),
        min_n=ctx.config.fairness.min_group_size,
    )
    delta_mean = float(np.mean(np.abs(delta)))
    # f(x) - f(baseline) = the attributions' sum - the convergence error, row by row
    gap_mean = float(np.mean(np.abs(attr.reshape(len(attr), -1).sum(axis=1) - delta)))
    return ExplanationsSection(
        method=METHOD, n_steps=cfg.ig_steps,
        baseline=IMAGE_BASELINE if image else _table_baseline(ctx),
        target="predicted class", split="test", n_rows_attributed=len(rows),
        n_rows_split=len(test),
        convergence_delta_mean_abs=delta_mean if math.isfinite(delta_mean) else None,
        modality=bundle.modality,
        mean_abs_map=np.round(abs_attr.sum(axis=1).mean(axis=0), 6).tolist() if image else None,
        examples=examples,
        feature_importance=None if image else _global_importance(abs_attr, names),
        by_group=by_group, reliance=relied,
        seconds=round(time.perf_counter() - started, 3),
        n_rows_not_finite=len(bad), not_finite_reason=why,
        score_gap_mean_abs=gap_mean if math.isfinite(gap_mean) else None,
    )  # fmt: skip
