"""Explanations of a model without gradients (a supplied scikit-learn estimator or any
``predict_proba`` model): permutation importance through scikit-learn's
:func:`sklearn.inspection.permutation_importance` (Breiman 2001; Fisher, Rudin and Dominici
2019).

Each input column is shuffled across the explained test rows ``n_repeats`` times and the
accuracy of the model's predicted class is measured again: the drop is how much the model
relies on that column. One scorer returns the accuracy of all rows and of every sensitive
group, so each group's drop comes from the same permutations (scikit-learn's multi-metric
scoring). Rows come from the stream ``explain/rows`` (as for attributions), the
permutations from ``explain/permutation``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from auditor.checks.perturbed import named_columns, shuffled_not_finite
from auditor.checks.reliance import RelianceResult
from auditor.results import NotRun

if TYPE_CHECKING:
    from auditor.context import AuditContext

METHOD = "Permutation importance (scikit-learn)"
TOP_FEATURES = 15
TOP_GROUP_FEATURES = 5
ALL_ROWS = "__all__"


@dataclass(frozen=True)
class PermutationFeature:
    """One input column: the mean and standard deviation (over the repeats; NaN with one) of
    the accuracy drop when it is shuffled, and its share of the summed positive drops."""

    feature: str
    accuracy_drop_mean: float
    accuracy_drop_std: float
    share: float


@dataclass(frozen=True)
class PermutationTop:
    feature: str
    accuracy_drop_mean: float


@dataclass(frozen=True)
class GroupPermutation:
    """One sensitive group: its rows among the explained ones, the unpermuted accuracy on
    them, and the columns whose shuffling lowers that accuracy most (a drop above zero; none
    listed for a group under ``min_group_size``: too few rows to rank columns)."""

    group: str
    n: int
    accuracy: float | None
    insufficient_data: bool
    top_features: list[PermutationTop] = field(default_factory=list)


@dataclass(frozen=True)
class PermutationExplanations:
    """Permutation importance of every input column on the explained test rows, overall and
    per sensitive group, and the reliance check."""

    method: str
    metric: Literal["accuracy"]
    n_repeats: int
    split: str
    n_rows: int
    n_rows_split: int
    accuracy: float
    feature_importance: list[PermutationFeature]
    by_group: dict[str, list[GroupPermutation]]
    reliance: RelianceResult | NotRun
    seconds: float
    # columns whose shuffling made the model's outputs not finite: left out, and why
    not_finite_columns: list[str] = field(default_factory=list)
    not_finite_reason: str | None = None
    kind: Literal["permutation"] = "permutation"
    status: Literal["ok"] = "ok"


class _Fitted:
    """What :func:`permutation_importance` calls: a fitted "estimator" (the scorer does the
    predicting, through the audit context, for any supplied model)."""

    def fit(self, x: Any, y: Any) -> _Fitted:  # pragma: no cover - never called
        return self


def _scorer(ctx: AuditContext, masks: dict[str, np.ndarray], given: np.ndarray | None = None,
            broken: dict[int, Any] | None = None) -> Any:  # fmt: skip
    """scorer(estimator, X, y) -> {ALL_ROWS: accuracy, key: accuracy on that group's rows};
    ``given``: the rows unshuffled (a non-finite output names the column shuffled); with
    ``broken``, a non-finite output scores NaN, its column (-1: none seen) kept there."""
    from auditor.models.outputs import NotFinite

    def score(_estimator: Any, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        try:
            hit = ctx.logits(ctx.finetuned, np.asarray(x)).argmax(axis=1) == y  # its dtype
        except NotFinite as exc:  # the rows as given are finite: a shuffled column did it
            if broken is None:
                raise
            moved = () if given is None else _moved_columns(np.asarray(x), given)
            broken.setdefault(int(moved[0]) if len(moved) else -1, exc)
            return dict.fromkeys([ALL_ROWS, *masks], float("nan"))
        out = {ALL_ROWS: float(hit.mean())}
        for key, mask in masks.items():
            out[key] = float(hit[mask].mean()) if mask.any() else 0.0
        return out

    return score


def _moved_columns(x: np.ndarray, given: np.ndarray) -> np.ndarray:
    """The columns where ``x`` differs from ``given``; a missing value (NaN, None) moved to
    a row that is missing too is no change (NaN != NaN)."""
    import pandas as pd

    same = (x == given) | (pd.isna(x) & pd.isna(given))
    return np.flatnonzero(~np.asarray(same, dtype=bool).all(axis=0))


def _group_masks(sensitive: Any) -> dict[str, np.ndarray]:
    """One boolean mask per (feature, group) of the explained rows, keyed "i/j"."""
    masks = {}
    for i, feat in enumerate(sensitive.columns):
        values = sensitive[feat].astype(str).to_numpy()
        for j, g in enumerate(sorted(set(values))):
            masks[f"{i}/{j}"] = values == g
    return masks


def _ranked(drops: np.ndarray) -> list[int]:
    """The columns by falling drop, those of a non-finite one (left out) dropped."""
    return [int(c) for c in np.argsort(-drops, kind="stable") if np.isfinite(drops[c])]


def _by_group(sensitive: Any, masks: dict[str, np.ndarray], result: Any, base: dict[str, float],
              names: list[str], *, min_n: int) -> dict[str, list[GroupPermutation]]:  # fmt: skip
    out = {}
    for i, feat in enumerate(sensitive.columns):
        values = sorted(set(sensitive[feat].astype(str).to_numpy()))
        groups = []
        for j, g in enumerate(values):
            key = f"{i}/{j}"
            n = int(masks[key].sum())
            drops = result[key].importances_mean
            # a column whose shuffling leaves the group's accuracy as it was, or raises it,
            # is none of those that lower it most
            top = [PermutationTop(names[c], float(drops[c]))
                   for c in _ranked(drops) if drops[c] > 0][:TOP_GROUP_FEATURES]  # fmt: skip
            groups.append(GroupPermutation(
                group=g, n=n, accuracy=base[key] if n else None, insufficient_data=n < min_n,
                top_features=[] if n < min_n else top,
            ))  # fmt: skip
        out[str(feat)] = groups
    return out


def permutation_explanations(
    ctx: AuditContext, rows: np.ndarray, *, reliance: RelianceResult | NotRun, started: float
) -> PermutationExplanations | NotRun:
    """Permutation importance of the supplied model on the test rows ``rows``; ``started``:
    when the check began (perf_counter). A column whose shuffling makes the model's outputs
    not finite (finite on the rows as given) is left out, named with why; not run where no
    column stands."""
    from sklearn.inspection import permutation_importance

    cfg, test = ctx.config.transparency, ctx.bundle["test"]
    x = np.ascontiguousarray(test.x[rows])  # an estimator's float64 numbers as read
    y = np.asarray(test.y)[rows]
    sensitive = test.sensitive.iloc[rows].reset_index(drop=True)
    masks = _group_masks(sensitive)
    broken: dict[int, Any] = {}
    scorer = _scorer(ctx, masks, x, broken)
    base = scorer(None, x, y)
    names = list(ctx.bundle.feature_names or [f"x{i}" for i in range(x.shape[1])])
    result = permutation_importance(
        _Fitted(), x, y, scoring=scorer, n_repeats=cfg.reliance_repeats, n_jobs=1,
        random_state=ctx.rngs.int32("explain/permutation"),
    )  # fmt: skip
    left_out = sorted(broken)
    if broken:  # the first column whose shuffle broke, as the user has its rows
        first, cause = min(broken.items(), key=lambda kv: kv[0] < 0)  # -1: unknown first
        what = f"column {names[first]!r}" if first >= 0 else "one column"
        none_stands = -1 in broken or len(left_out) == x.shape[1]  # -1: no column named
        why = shuffled_not_finite(
            ctx, n=cause.n, rows=cause.rows, first=cause.first, positions=rows, what=what,
            method="permutation importance" if none_stands
            else "the importance of " + named_columns([repr(names[c]) for c in left_out]))
        if none_stands:
            return why  # no column's importance stands
    drops = result[ALL_ROWS]
    total = float(np.nansum(np.clip(drops.importances_mean, 0, None))) or 1.0
    one = cfg.reliance_repeats < 2  # the spread of one number is undefined, not zero
    importance = [
        PermutationFeature(names[c], float(drops.importances_mean[c]),
                           math.nan if one else float(drops.importances_std[c]),
                           float(max(drops.importances_mean[c], 0.0) / total))
        for c in _ranked(drops.importances_mean)[:TOP_FEATURES]
    ]  # fmt: skip
    return PermutationExplanations(
        method=METHOD, metric="accuracy", n_repeats=cfg.reliance_repeats, split="test",
        n_rows=len(rows), n_rows_split=len(test), accuracy=base[ALL_ROWS],
        feature_importance=importance,
        by_group=_by_group(sensitive, masks, result, base, names,
                           min_n=ctx.config.fairness.min_group_size),
        reliance=reliance, seconds=round(time.perf_counter() - started, 3),
        not_finite_columns=[names[c] for c in left_out],
        not_finite_reason=why.reason if broken else None,
    )  # fmt: skip
