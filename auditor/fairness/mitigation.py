"""Mitigation preview: what fairlearn's ThresholdOptimizer (post-processing, per-group
thresholds on the model's score, fitted on the validation split) would do on test; for a
predictions file (no validation split), fitted on one random half of its rows and evaluated
on the other.

A preview for the card: the model and its reported predictions are not changed.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator

from auditor.fairness.counts import counts_from_arrays
from auditor.fairness.engine import audit_counts
from auditor.seeding import Rngs

CONSTRAINTS = ("demographic_parity", "equalized_odds")
SHOWN = ("demographic_parity_difference", "equalized_odds_difference")


class _ScoreColumn(BaseEstimator):
    """A fitted 'model' whose prediction is its one input column: the real model's score."""

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> _ScoreColumn:  # noqa: N803 - scikit-learn's signature
        self.fitted_ = True
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:  # noqa: N803
        return np.asarray(X)[:, 0]


def _summary(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sensitive: pd.Series,
    *,
    feature: str,
    rate_method: str,
    favourable: int | None,
    ci_level: float,
    seed: int,
    min_group_size: int,
) -> dict[str, Any]:
    table = counts_from_arrays(y_true, y_pred, pd.DataFrame({feature: sensitive}), classes=[0, 1])
    res = audit_counts(
        table,
        specs=[(feature,)],
        positive=1,
        rate_method=rate_method,
        favourable=favourable,
        ci_level=ci_level,
        seed=seed,
        min_group_size=min_group_size,
    )
    disp = res.features[feature].disparities
    out = {k: asdict(res.overall[k]) for k in ("accuracy", "selection_rate")}
    for name in SHOWN:
        out[name] = asdict(disp[name]["between_groups"])
    return out


def threshold_optimizer_preview(
    *,
    feature: str,
    val_score: ArrayLike,
    val_y: ArrayLike,
    val_sensitive: ArrayLike,
    test_score: ArrayLike,
    test_y: ArrayLike,
    test_pred: ArrayLike,
    test_sensitive: ArrayLike,
    seed: int = 0,
    rate_method: str = "wilson",
    favourable: int | None = None,
    ci_level: float = 0.95,
    min_group_size: int = 30,
    fitted_on: str = "val",
    evaluated_on: str = "test",
) -> dict[str, Any]:
    """Binary target. Scores: P(positive) per row; ``favourable``: as in
    :func:`~auditor.fairness.engine.audit_counts` (class index). Returns, per constraint,
    the test metrics before (the model's own predictions) and after the fitted per-group
    thresholds."""
    from fairlearn.postprocessing import ThresholdOptimizer

    kw = dict(
        feature=feature, rate_method=rate_method, favourable=favourable, ci_level=ci_level,
        seed=seed, min_group_size=min_group_size,
    )  # fmt: skip
    before = _summary(test_y, test_pred, pd.Series(test_sensitive), **kw)
    results = {}
    for constraint in CONSTRAINTS:
        opt = ThresholdOptimizer(
            estimator=_ScoreColumn().fit(None),
            constraints=constraint,
            objective="accuracy_score",
            prefit=True,
            predict_method="predict",
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                opt.fit(
                    np.asarray(val_score)[:, None],
                    np.asarray(val_y),
                    sensitive_features=np.asarray(val_sensitive),
                )
                after_pred = opt.predict(
                    np.asarray(test_score)[:, None],
                    sensitive_features=np.asarray(test_sensitive),
                    random_state=seed,
                )
        except (ValueError, KeyError) as exc:  # e.g. a test group never seen in validation
            results[constraint] = {
                "status": "not_run",
                "reason": f"ThresholdOptimizer: {exc}"[:300],
            }
            continue
        after = _summary(
            test_y, np.asarray(after_pred, dtype=np.int64), pd.Series(test_sensitive), **kw
        )
        results[constraint] = {"status": "ok", "after": after}
    return {
        "status": "ok",
        "feature": feature,
        "method": "fairlearn.postprocessing.ThresholdOptimizer",
        "objective": "accuracy_score",
        "fitted_on": fitted_on,
        "evaluated_on": evaluated_on,
        "randomized": True,
        "before": before,
        "constraints": results,
    }


HALVES_NOTE = "preview only; the audited model is unchanged (the file has no validation split)"
FIT_HALF = "half A: {n:,} of the {total:,} rows, drawn at random (stream {stream})"
EVAL_HALF = "half B: the other {n:,} rows"
SPLIT_STREAM = "fairness/mitigation/split"


def halves_preview(
    *,
    features: Sequence[str],
    score: np.ndarray,
    y: np.ndarray,
    pred: np.ndarray,
    sensitive: pd.DataFrame,
    rngs: Rngs,
    rate_method: str = "wilson",
    favourable: int | None = None,
    ci_level: float = 0.95,
    min_group_size: int = 30,
) -> dict[str, Any]:
    """The preview for rows without a validation split (a predictions file): the rows are
    split into two halves by the stream ``fairness/mitigation/split``; the thresholds are
    fitted on half A and the model's predictions (``pred``, 0/1) and the thresholded ones
    are compared on half B. score: (n,) P(positive); y: (n,) 0/1; sensitive: n rows, one
    column per feature. Returns the mitigation preview (a MitigationPreview's fields)."""
    n = len(y)
    order = rngs.numpy(SPLIT_STREAM).permutation(n)
    fit, held = np.sort(order[: n // 2]), np.sort(order[n // 2 :])
    fitted_on = FIT_HALF.format(n=len(fit), total=n, stream=SPLIT_STREAM)
    evaluated_on = EVAL_HALF.format(n=len(held))
    previews = {}
    for f in features:
        groups = sensitive[f].to_numpy()
        previews[f] = threshold_optimizer_preview(
            feature=f, val_score=score[fit], val_y=y[fit], val_sensitive=groups[fit],
            test_score=score[held], test_y=y[held], test_pred=pred[held],
            test_sensitive=groups[held], seed=rngs.int32(f"fairness/mitigation/{f}"),
            rate_method=rate_method, favourable=favourable, ci_level=ci_level,
            min_group_size=min_group_size, fitted_on=fitted_on, evaluated_on=evaluated_on,
        )  # fmt: skip
    return {"status": "ok", "note": HALVES_NOTE, "features": previews}
