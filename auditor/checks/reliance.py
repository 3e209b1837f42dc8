"""The reliance check of the explanations: how much accuracy and predictions move when the
input columns of one sensitive feature are permuted across the test rows (tables whose
sensitive features are model inputs). The permutations of a feature come from the stream
``explain/reliance/<feature>``. Used for every model: attributions or permutation importance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from auditor.checks.base import not_run
from auditor.checks.perturbed import shuffled_not_finite
from auditor.results import NotRun

if TYPE_CHECKING:
    import pandas as pd

    from auditor.context import AuditContext


NOT_AN_INPUT = "no sensitive feature is a model input (sensitive_as_features = false)"
# a supplied model's inputs are its own (features, or an estimator's feature_names_in_)
NOT_AN_INPUT_SUPPLIED = "no sensitive feature is an input of the supplied model"


@dataclass(frozen=True)
class RelianceGroup:
    group: str
    n: int
    accuracy: float
    positive_rate: float
    flip_rate: float


@dataclass(frozen=True)
class RelianceFeature:
    """Accuracy and predictions with one sensitive feature's input columns permuted."""

    input_columns: list[str] | list[int]
    accuracy_permuted_mean: float
    accuracy_permuted_min: float
    accuracy_permuted_max: float
    accuracy_drop: float
    flip_rate: float
    positive_rate_permuted: float
    groups: list[RelianceGroup]


@dataclass(frozen=True)
class RelianceResult:
    n: int
    repeats: int
    accuracy: float
    positive_rate: float
    features: list[str]
    by_feature: dict[str, RelianceFeature]
    status: Literal["ok"] = "ok"


def _permuted_feature(ctx: AuditContext, x: np.ndarray, y: np.ndarray, base_pred: np.ndarray,
                      values: np.ndarray | None, idx: list[int], *, repeats: int,
                      rng: np.random.Generator) -> RelianceFeature:  # fmt: skip
    """Permute columns ``idx`` jointly across rows ``repeats`` times; values: the feature's
    group per row (None when it is not a sensitive column of the split)."""
    accs, flips, pos_rates = [], [], []
    by_group: dict[str, list[float]] = {}
    for _ in range(repeats):
        xp = x.copy()
        xp[:, idx] = x[rng.permutation(len(x))][:, idx]
        pred = ctx.logits(ctx.finetuned, xp).argmax(axis=1)
        accs.append(float((pred == y).mean()))
        flips.append(float((pred != base_pred).mean()))
        pos_rates.append(float((pred == 1).mean()))
        for g in sorted(set(values)) if values is not None else ():
            m = values == g
            by_group.setdefault(g, []).append(float((pred[m] != base_pred[m]).mean()))
    groups = []
    for g in sorted(by_group):
        m = values == g
        groups.append(RelianceGroup(
            group=g, n=int(m.sum()), accuracy=float((base_pred[m] == y[m]).mean()),
            positive_rate=float((base_pred[m] == 1).mean()), flip_rate=float(np.mean(by_group[g])),
        ))  # fmt: skip
    names = ctx.bundle.feature_names
    return RelianceFeature(
        input_columns=[names[i] for i in idx] if names else idx,
        accuracy_permuted_mean=float(np.mean(accs)), accuracy_permuted_min=float(np.min(accs)),
        accuracy_permuted_max=float(np.max(accs)),
        accuracy_drop=float((base_pred == y).mean()) - float(np.mean(accs)),
        flip_rate=float(np.mean(flips)), positive_rate_permuted=float(np.mean(pos_rates)),
        groups=groups,
    )  # fmt: skip


def reliance(ctx: AuditContext, x: np.ndarray, y: np.ndarray, sensitive: pd.DataFrame, *,
              repeats: int) -> RelianceResult | NotRun:  # fmt: skip
    """Permute the input columns of each sensitive feature across rows (jointly, so one-hot
    columns stay valid); report accuracy and prediction changes, overall and per group."""
    from auditor.models.outputs import NotFinite

    bundle = ctx.bundle
    if bundle.modality != "table":
        return not_run(
            "the sensitive features of this data are slices derived from the images (or "
            "labels), not separate model inputs, so there is no column to permute"
        )
    cols = bundle.sensitive_input_columns
    if not cols:
        why = NOT_AN_INPUT_SUPPLIED if ctx.supplied is not None else NOT_AN_INPUT
        return not_run(why)
    base_pred = ctx.logits(ctx.finetuned, x).argmax(axis=1)
    features = {}
    for feat, idx in cols.items():
        values = sensitive[feat].astype(str).to_numpy() if feat in sensitive else None
        try:
            features[feat] = _permuted_feature(
                ctx, x, y, base_pred, values, list(idx), repeats=repeats,
                rng=ctx.rngs.numpy(f"explain/reliance/{feat}"),
            )  # fmt: skip
        except NotFinite as exc:  # the rows as given are finite: the shuffled columns did it
            return shuffled_not_finite(ctx, n=exc.n, rows=exc.rows, first=exc.first,
                                       positions=np.arange(len(x)), method="the reliance check",
                                       what=f"the input columns of {feat!r}")  # fmt: skip
    return RelianceResult(
        n=len(x), repeats=repeats, accuracy=float((base_pred == y).mean()),
        positive_rate=float((base_pred == 1).mean()), features=list(features),
        by_feature=features,
    )  # fmt: skip
