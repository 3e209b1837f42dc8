"""A skops file whose compiled parts scikit-learn would read out of bounds is refused with one
line before any prediction (reader R9's crafted files, built here): a sparse matrix whose row
pointers fall (SVC: a segfault), a gradient boosting grid wider than its outputs (heap
corruption), a histogram boosting model whose categorical marks are cut short or whose
categorical split reads an unmarked feature (a segfault), a tree estimator without
n_features_in_ (a segfault), a bad tree nested deeper than the old 64-level search (a hang),
and a search tree whose metric weighs fewer features than its rows (wrong numbers, then an
abort). Real fitted models of each kind still load and predict as before."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from auditor.errors import AuditorInputError
from auditor.models.files import load_skops

sio = pytest.importorskip("skops.io")


def data(n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_classification

    return make_classification(n, 5, random_state=0)


def refused(tmp_path, model, words: str) -> str:
    sio.dump(model, tmp_path / "bad.skops")
    with pytest.raises(AuditorInputError, match="not one scikit-learn builds") as err:
        load_skops(tmp_path / "bad.skops")
    assert err.value.field == "model.path" and words in str(err.value), str(err.value)
    assert "\n" not in str(err.value)
    return str(err.value)


def same(tmp_path, model, x) -> None:
    sio.dump(model, tmp_path / "ok.skops")
    loaded = load_skops(tmp_path / "ok.skops")
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))


def test_a_sparse_matrix_whose_row_pointers_fall_is_refused(tmp_path):
    import scipy.sparse as sp
    from sklearn.svm import SVC

    x, y = data()
    same(tmp_path, SVC(probability=True, random_state=0).fit(sp.csr_matrix(x), y), x)
    svc = SVC(probability=True, random_state=0).fit(sp.csr_matrix(x), y)
    sv = svc.support_vectors_
    pointers = sv.indptr.copy()
    pointers[1] = 10**8
    svc.support_vectors_ = sp.csr_matrix((sv.data, sv.indices, pointers), shape=sv.shape)
    refused(tmp_path, svc, "indptr must be a non-decreasing sequence")


@pytest.mark.parametrize("classes", [2, 3])
def test_a_boosting_grid_wider_than_its_outputs_is_refused(tmp_path, classes):
    from sklearn.ensemble import GradientBoostingClassifier

    x, y = data()
    y = y if classes == 2 else np.arange(len(y)) % 3
    model = GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=0).fit(x, y)
    same(tmp_path, model, x)
    model.estimators_ = np.tile(model.estimators_, (1, 2))
    refused(tmp_path, model, "trees have shape")


def histogram():
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y = data()
    x[:, 0] = (np.abs(x[:, 0]) * 3).astype(int)
    model = HistGradientBoostingClassifier(max_iter=5, categorical_features=[0], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(x, y), x


@pytest.mark.parametrize("cut", [True, False])
def test_a_histogram_categorical_split_on_an_unmarked_feature_is_refused(tmp_path, cut):
    model, x = histogram()
    same(tmp_path, model, x)
    nodes = model._predictors[0][0].nodes
    i = int(np.flatnonzero(nodes["is_leaf"] == 0)[0])
    nodes["feature_idx"][i], nodes["is_categorical"][i], nodes["bitset_idx"][i] = 4, 1, 0
    if cut:  # the marks sized short: sklearn sizes its category map by them
        model._bin_mapper.is_categorical_ = np.zeros(0, np.uint8)
    refused(tmp_path, model, "marks 0 features" if cut else "not marked categorical")


def test_a_tree_estimator_without_its_width_is_refused(tmp_path):
    from sklearn.tree import DecisionTreeClassifier

    x, y = data()
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(x, y)
    same(tmp_path, model, x)
    del model.n_features_in_
    refused(tmp_path, model, "has no n_features_in_")


def test_a_bad_tree_nested_past_the_old_depth_cap_is_refused(tmp_path):
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier

    x, y = data()
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(x, y)
    state = model.tree_.__getstate__()
    state["nodes"] = state["nodes"].copy()
    state["nodes"]["left_child"][0] = 10**9
    model.tree_.__setstate__(state)
    for _ in range(25):  # 25 Pipelines: past the 64 attribute levels once searched
        model = Pipeline([("p", model)])
    refused(tmp_path, model, "node 0 of")


@pytest.mark.parametrize(
    ("metric", "params", "small", "words"),
    [("mahalanobis", {"VI": np.eye(5)}, {"VI": np.eye(1)}, "VI of shape (1, 1)"),
     ("seuclidean", {"V": np.ones(5)}, {"V": np.ones(2)}, "V of shape (2,)"),
     ("minkowski", {"p": 3, "w": np.ones(5)}, {"p": 3, "w": np.ones(2)}, "w of shape (2,)")],
)  # fmt: skip
def test_a_search_tree_metric_narrower_than_its_rows_is_refused(
    tmp_path, metric, params, small, words
):
    from sklearn.metrics import DistanceMetric
    from sklearn.neighbors import KNeighborsClassifier

    x, y = data()
    model = KNeighborsClassifier(algorithm="ball_tree", metric=metric, metric_params=params)
    model.fit(x, y)
    same(tmp_path, model, x)
    state = model._tree.__getstate__()
    bad = DistanceMetric.get_metric(metric, **small)
    model._tree.__setstate__(state[:11] + (bad,) + state[12:])
    refused(tmp_path, model, words)


def test_a_search_tree_with_misshapen_bounds_names_its_bounds(tmp_path):
    from sklearn.neighbors import KNeighborsClassifier

    x, y = data()
    model = KNeighborsClassifier(algorithm="kd_tree").fit(x, y)
    state = model._tree.__getstate__()
    model._tree.__setstate__(state[:3] + (state[3][:, :, :2].copy(),) + state[4:])
    refused(tmp_path, model, "bounds have shape")


def test_a_tree_counting_more_nodes_than_it_holds_is_refused():
    from sklearn.tree import DecisionTreeClassifier

    from auditor.models.trees import tree_fault

    x, y = data()
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(x, y)
    state = model.tree_.__getstate__()
    state["node_count"] = 10**7  # sklearn keeps it; __getstate__ then reads past the array
    model.tree_.__setstate__(state)
    if model.tree_.node_count <= model.tree_.capacity:
        pytest.skip("this scikit-learn refuses the count itself")
    assert "counts 10000000 nodes" in tree_fault(model)
