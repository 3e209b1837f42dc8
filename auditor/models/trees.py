"""The compiled parts of a skops file's estimator, checked before any prediction: scikit-learn
walks a tree's nodes, a sparse matrix's rows and a distance metric's weights in compiled code
without bounds checks, so a file whose node array names a child past its end crashed auditor
(a segmentation fault, its staging folder left), and one whose children point back at the
root hung it at full CPU, deaf to Ctrl-C. Every ``sklearn.tree._tree.Tree`` reachable from
the estimator (a decision tree, the trees of a random forest, extra trees, gradient boosting,
AdaBoost, an isolation forest), each tree of a HistGradientBoosting model and each BallTree
or KDTree (a nearest-neighbours model's), must be a tree as scikit-learn builds one: each
split node's children come after it and within the array, each leaf has none, each split
reads one of the features the estimator takes (a categorical split, one of its bitsets and a
feature marked categorical), a tree estimator states how many features it takes and its tree
reads as many, a gradient boosting model holds one tree per stage and output, and a search
tree's metric weighs as many features as its rows have. Every scipy sparse matrix it holds
passes scipy's full format check (row pointers rising, column indices within its width)."""

from __future__ import annotations

from typing import Any

import numpy as np

from auditor.models.tree_parts import boosting_fault, metric_fault, sparse_fault, split_fault

BAD_TREE = (
    "refused: the model in the file is not one scikit-learn builds ({why}); "
    "scikit-learn would read it unchecked (a crash, an endless loop or wrong numbers)"
)
# A nearest-neighbours search tree (BallTree, KDTree: a KNN model's _tree), walked unchecked.
NEIGHBOR_TREES = frozenset({"sklearn.neighbors._ball_tree", "sklearn.neighbors._kd_tree"})
# The estimator's attributes are searched with no depth cap (``seen`` stops cycles); a file
# holding more containers and estimators than this is refused rather than half checked.
MAX_OBJECTS = 1_000_000
CATEGORICAL = "a categorical split on a feature not marked categorical, or past its bitsets"
# Values that hold nothing to walk (not pushed, not counted).
LEAVES = (str, bytes, int, float, complex, bool, type(None), np.generic)


def tree_fault(estimator: Any) -> str | None:
    """Why a tree, sparse matrix or metric held by ``estimator`` cannot be read safely (for
    :data:`BAD_TREE`), or None when every one it holds is sound."""
    import scipy.sparse as sp
    from sklearn.tree._tree import Tree

    seen: set[int] = set()
    stack: list[Any] = [estimator]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if len(seen) > MAX_OBJECTS:
            return f"more than {MAX_OBJECTS:,} estimators and containers to check"
        if isinstance(obj, Tree):
            fault = _nodes_fault(obj)
        elif type(obj).__module__ in NEIGHBOR_TREES:
            fault = _neighbors_fault(obj)
        elif sp.issparse(obj):
            fault = sparse_fault(obj)
        else:
            fault = (_width_fault(obj, Tree) or boosting_fault(obj, Tree)
                     or _predictors_fault(obj))  # fmt: skip
            stack.extend(child for child in _children(obj) if not isinstance(child, LEAVES))
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
    """A tree estimator that does not state its width, or whose tree reads another width
    (scikit-learn checks the rows against ``n_features_in_`` only when it is there)."""
    own = getattr(obj, "__dict__", {})
    tree, width = own.get("tree_"), own.get("n_features_in_")
    if not isinstance(tree, tree_type):
        return None
    if width is None:
        return f"a decision tree's estimator {type(obj).__name__} has no n_features_in_"
    if tree.n_features != width:
        return f"a decision tree reads {tree.n_features} features, its estimator takes {width}"
    return None


def _nodes_fault(tree: Any) -> str | None:
    if not 0 <= tree.node_count <= tree.capacity:  # __getstate__ reads node_count nodes
        return f"a decision tree counts {tree.node_count} nodes, room for {tree.capacity}"
    nodes = tree.__getstate__()["nodes"]
    left, right = nodes["left_child"].astype(np.int64), nodes["right_child"].astype(np.int64)
    feature = nodes["feature"].astype(np.int64)
    split = ~((left == -1) & (right == -1))
    return split_fault("a decision tree", left, right, feature, split, tree.n_features)


def _predictors_fault(obj: Any) -> str | None:
    """A HistGradientBoosting model's trees (``_predictors``, lists of TreePredictor): split
    nodes' children after them and in the array, features within ``n_features_in_``, a
    categorical split's bitset within its bitsets and its feature one the bin mapper marks
    categorical (``is_categorical_``, one per feature: it sizes the known categories)."""
    own = getattr(obj, "__dict__", {})
    if "_predictors" not in own:
        return None
    width = int(own.get("n_features_in_", 0))
    marks = getattr(own.get("_bin_mapper"), "is_categorical_", None)
    if marks is None or np.shape(marks) != (width,):
        return (f"a histogram boosting model marks {np.size(marks)} features categorical "
                f"or not, it takes {width}")  # fmt: skip
    marked = np.asarray(marks) != 0
    for predictor in (p for stage in own["_predictors"] for p in stage):
        nodes = predictor.nodes
        left, right = nodes["left"].astype(np.int64), nodes["right"].astype(np.int64)
        feature, bitset = nodes["feature_idx"].astype(np.int64), nodes["bitset_idx"]
        sets = min(len(predictor.raw_left_cat_bitsets), len(predictor.binned_left_cat_bitsets))
        categorical = nodes["is_categorical"] != 0
        inside = (feature >= 0) & (feature < width)
        wrong = categorical & ((bitset.astype(np.int64) >= sets)
                               | ~marked[np.where(inside, feature, 0)])  # fmt: skip
        split = nodes["is_leaf"] == 0
        fault = split_fault("a histogram boosting tree", left, right, feature, split, width,
                            also=wrong, why=CATEGORICAL)  # fmt: skip
        if fault:
            return fault
    return None


def _neighbors_fault(tree: Any) -> str | None:
    """A BallTree or KDTree: its row order a permutation of its rows' indices, each node's
    rows within them, a split node's two children (2i + 1, 2i + 2) within its nodes, its
    bounds one per node and feature, and its metric's weights one per feature."""
    state = tree.__getstate__()
    data, order, nodes, bounds = state[:4]
    n, n_nodes = len(data), len(nodes)
    if len(order) != n or not np.array_equal(np.sort(order), np.arange(n)):
        return f"a search tree's row order is not a permutation of its {n} rows"
    start, end = nodes["idx_start"], nodes["idx_end"]
    children_past = (nodes["is_leaf"] == 0) & (2 * np.arange(n_nodes) + 2 >= n_nodes)
    bad = (start < 0) | (start > end) | (end > n) | children_past
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return (f"a search tree's node {i} of {n_nodes} covers rows {int(start[i])} to "
                f"{int(end[i])} of {n}")  # fmt: skip
    if bounds.shape[1:] != (n_nodes, data.shape[1]):
        return (f"a search tree's bounds have shape {bounds.shape}, not (_, {n_nodes}, "
                f"{data.shape[1]}): one per node and feature")  # fmt: skip
    return metric_fault(state[11], data.shape[1])
