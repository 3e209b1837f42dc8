"""The decision trees a skops file holds, checked before any prediction: scikit-learn walks a
tree's nodes in compiled code without bounds checks, so a file whose node array names a
child past its end crashed auditor (a segmentation fault, its staging folder left), and one
whose children point back at the root hung it at full CPU, deaf to Ctrl-C. Every
``sklearn.tree._tree.Tree`` reachable from the estimator (a decision tree, the trees of a
random forest, extra trees, gradient boosting, AdaBoost, an isolation forest), and each
tree of a HistGradientBoosting model and each BallTree or KDTree (a nearest-neighbours
model's), must be a tree as scikit-learn builds one: each split
node's children come after it and within the array, each leaf has none, each split reads
one of the features the estimator takes (a categorical split, one of its bitsets), and a
tree estimator's tree reads as many features as the estimator takes."""

from __future__ import annotations

from typing import Any

import numpy as np

BAD_TREE = (
    "refused: a decision tree in the file is not one scikit-learn builds ({why}); "
    "scikit-learn would walk it unchecked (a crash or an endless loop)"
)
# A nearest-neighbours search tree (BallTree, KDTree: a KNN model's _tree), walked unchecked.
NEIGHBOR_TREES = frozenset({"sklearn.neighbors._ball_tree", "sklearn.neighbors._kd_tree"})
# How deep the estimator's attributes are searched for trees (a Pipeline of a
# GridSearchCV of a forest is a few levels).
MAX_DEPTH = 64


def tree_fault(estimator: Any) -> str | None:
    """Why a tree held by ``estimator`` cannot be walked safely (for :data:`BAD_TREE`), or
    None when every tree it holds is sound."""
    from sklearn.tree._tree import Tree

    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(estimator, 0)]
    while stack:
        obj, depth = stack.pop()
        if id(obj) in seen or depth > MAX_DEPTH:
            continue
        seen.add(id(obj))
        if isinstance(obj, Tree):
            fault = _nodes_fault(obj)
        elif type(obj).__module__ in NEIGHBOR_TREES:
            fault = _neighbors_fault(obj)
        else:
            fault = _width_fault(obj, Tree) or _predictors_fault(obj)
            stack.extend((child, depth + 1) for child in _children(obj))
        if fault:
            return fault
    return None


def _children(obj: Any) -> list[Any]:
    if isinstance(obj, dict):
        return list(obj.values())
    if isinstance(obj, list | tuple | set | frozenset):
        return list(obj)
    if isinstance(obj, np.ndarray):
        return list(obj.ravel()) if obj.dtype == object else []
    if type(obj).__module__.split(".")[0] == "sklearn" and hasattr(obj, "__dict__"):
        return list(vars(obj).values())
    return []


def _width_fault(obj: Any, tree_type: type) -> str | None:
    """A tree estimator whose tree reads more features than the estimator is given."""
    tree = getattr(obj, "__dict__", {}).get("tree_")
    width = getattr(obj, "__dict__", {}).get("n_features_in_")
    if isinstance(tree, tree_type) and width is not None and tree.n_features != width:
        return f"its tree reads {tree.n_features} features, its estimator takes {width}"
    return None


def _nodes_fault(tree: Any) -> str | None:
    nodes = tree.__getstate__()["nodes"]
    n = len(nodes)
    if tree.node_count != n:
        return f"{tree.node_count} nodes counted, {n} stored"
    left, right = nodes["left_child"].astype(np.int64), nodes["right_child"].astype(np.int64)
    feature = nodes["feature"].astype(np.int64)
    index = np.arange(n)
    leaf = (left == -1) & (right == -1)
    split = ~leaf
    bad = split & ((left <= index) | (left >= n) | (right <= index) | (right >= n)
                   | (feature < 0) | (feature >= tree.n_features))  # fmt: skip
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return (f"node {i} of {n} has children {int(left[i])} and {int(right[i])} and reads "
                f"feature {int(feature[i])} of {tree.n_features}")  # fmt: skip
    return None


def _predictors_fault(obj: Any) -> str | None:
    """A HistGradientBoosting model's trees (``_predictors``, lists of TreePredictor): split
    nodes' children after them and in the array, features within ``n_features_in_``, a
    categorical split's bitset within its bitsets."""
    own = getattr(obj, "__dict__", {})
    if "_predictors" not in own:
        return None
    width = int(own.get("n_features_in_", 0))
    for predictor in (p for stage in own["_predictors"] for p in stage):
        nodes = predictor.nodes
        n, index = len(nodes), np.arange(len(nodes))
        left, right = nodes["left"].astype(np.int64), nodes["right"].astype(np.int64)
        feature, bitset = nodes["feature_idx"].astype(np.int64), nodes["bitset_idx"]
        sets = min(len(predictor.raw_left_cat_bitsets), len(predictor.binned_left_cat_bitsets))
        split = nodes["is_leaf"] == 0
        bad = split & ((left <= index) | (left >= n) | (right <= index) | (right >= n)
                       | (feature < 0) | (feature >= width)
                       | ((nodes["is_categorical"] != 0) & (bitset.astype(np.int64) >= sets)))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            return (f"node {i} of {n} has children {int(left[i])} and {int(right[i])} and "
                    f"reads feature {int(feature[i])} of {width}")  # fmt: skip
    return None


def _neighbors_fault(tree: Any) -> str | None:
    """A BallTree or KDTree: its row order a permutation of its rows' indices, each node's
    rows within them, a split node's two children (2i + 1, 2i + 2) within its nodes, and its
    bounds one per node and feature."""
    data, order, nodes, bounds = tree.__getstate__()[:4]
    n, n_nodes = len(data), len(nodes)
    if len(order) != n or not np.array_equal(np.sort(order), np.arange(n)):
        return f"its row order is not a permutation of its {n} rows"
    start, end = nodes["idx_start"], nodes["idx_end"]
    children_past = (nodes["is_leaf"] == 0) & (2 * np.arange(n_nodes) + 2 >= n_nodes)
    bad = (start < 0) | (start > end) | (end > n) | children_past
    if bad.any() or bounds.shape[1:] != (n_nodes, data.shape[1]):
        i = int(np.flatnonzero(bad)[0]) if bad.any() else 0
        return f"node {i} of {n_nodes} covers rows {int(start[i])} to {int(end[i])} of {n}"
    return None
