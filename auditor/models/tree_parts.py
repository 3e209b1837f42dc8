"""Checks :mod:`auditor.models.trees` makes of the parts of an estimator scikit-learn reads in
compiled code: a tree's split nodes, a gradient boosting model's grid of trees, a sparse
matrix's index arrays and a distance metric's weights."""

from __future__ import annotations

from typing import Any

import numpy as np


def split_fault(what: str, left: np.ndarray, right: np.ndarray, feature: np.ndarray,
                split: np.ndarray, width: int,
                also: np.ndarray | None = None, why: str = "") -> str | None:  # fmt: skip
    """The first split node (``split``) whose children are not after it and within the
    array, or whose feature is not one of ``width`` (or that ``also`` marks, for ``why``)."""
    n = len(left)
    index = np.arange(n)
    bad = split & ((left <= index) | (left >= n) | (right <= index) | (right >= n)
                   | (feature < 0) | (feature >= width))  # fmt: skip
    if also is not None:
        bad |= split & also
    if not bad.any():
        return None
    i = int(np.flatnonzero(bad)[0])
    because = f" ({why})" if also is not None and also[i] else ""
    return (f"{what}'s node {i} of {n} has children {int(left[i])} and {int(right[i])} and "
            f"reads feature {int(feature[i])} of {width}{because}")  # fmt: skip


def boosting_fault(obj: Any, tree_type: type) -> str | None:
    """A gradient boosting model whose grid of trees is not one per stage (``n_estimators_``)
    and output (``n_trees_per_iteration_``: one, or one per class past two); scikit-learn
    writes each tree's output into a column that grid's width names."""
    from sklearn.ensemble._gb import BaseGradientBoosting

    if not isinstance(obj, BaseGradientBoosting) or "estimators_" not in vars(obj):
        return None
    grid, own = obj.estimators_, vars(obj)
    classes = own.get("classes_")
    outputs = 1 if classes is None or len(classes) <= 2 else len(classes)
    want = (own.get("n_estimators_"), outputs)
    shape = getattr(grid, "shape", None)
    if own.get("n_trees_per_iteration_") != outputs or shape != want:
        return (f"a gradient boosting model's trees have shape {shape}, not {want} "
                f"(n_estimators_, n_trees_per_iteration_)")  # fmt: skip
    if grid.dtype != object or not all(isinstance(getattr(t, "tree_", None), tree_type)
                                       for t in grid.ravel()):  # fmt: skip
        return "a gradient boosting model holds a stage that is not a decision tree"
    return None


def sparse_fault(matrix: Any) -> str | None:
    """A scipy sparse matrix whose index arrays scipy's full check refuses (row pointers that
    fall, column indices past its width), or whose coordinates fall outside its shape."""
    try:
        if hasattr(matrix, "check_format"):
            matrix.check_format(full_check=True)
        elif matrix.format == "coo":
            coords = getattr(matrix, "coords", None) or (matrix.row, matrix.col)
            for axis, index in enumerate(coords):
                if len(index) and (index.min() < 0 or index.max() >= matrix.shape[axis]):
                    raise ValueError(f"axis {axis} index out of range")
        elif matrix.format == "dia" and len(matrix.offsets) != matrix.data.shape[0]:
            raise ValueError("one row of data per offset")
    except Exception as exc:  # noqa: BLE001 - scipy's own words for what is wrong
        return f"a sparse {type(matrix).__name__} is malformed: {exc}"
    return None


def metric_fault(metric: Any, width: int) -> str | None:
    """A search tree's distance metric whose weights (Mahalanobis' VI, seuclidean's V,
    minkowski's w) or shape (haversine: two features) do not fit rows ``width`` wide."""
    try:
        vec, mat = metric.__reduce__()[2][1:3]
    except Exception:  # noqa: BLE001 - not a metric scikit-learn pickles
        return f"a search tree's metric {type(metric).__name__} has no weights to check"
    name = type(metric).__name__
    if name.startswith("Mahalanobis"):
        ok, weights = np.shape(mat) == (width, width), f"VI of shape {np.shape(mat)}"
    elif name.startswith("SEuclidean"):
        ok, weights = np.shape(vec) == (width,), f"V of shape {np.shape(vec)}"
    elif name.startswith("Minkowski"):
        ok, weights = np.shape(vec) in ((0,), (width,)), f"w of shape {np.shape(vec)}"
    elif name.startswith("Haversine"):
        ok, weights = width == 2, "haversine (two features)"
    else:
        return None
    if ok:
        return None
    return f"a search tree's metric {name} has {weights}, its rows have {width} features"
