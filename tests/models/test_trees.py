"""A skops file whose decision tree scikit-learn would walk out of bounds or in a circle is
refused before any prediction: a child index past the node array crashed auditor with a
segmentation fault (exit 139, its staging folder left), and children pointing back at the
root hung it at full CPU, deaf to Ctrl-C. Trees scikit-learn fits still load."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditor.errors import AuditorInputError
from auditor.models.files import load_skops

sio = pytest.importorskip("skops.io")


def frame(n: int = 300) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(7)
    x = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    return x, (x.a + x.b + rng.normal(scale=0.5, size=n) > 0).astype(int).to_numpy()


def fitted() -> dict:
    from sklearn.ensemble import (
        AdaBoostClassifier,
        ExtraTreesClassifier,
        GradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.tree import DecisionTreeClassifier

    x, y = frame()
    models = {
        "depth-first": DecisionTreeClassifier(max_depth=4, random_state=0),
        "best-first": DecisionTreeClassifier(max_leaf_nodes=12, random_state=0),
        "pruned": DecisionTreeClassifier(ccp_alpha=0.01, random_state=0),
        "forest": RandomForestClassifier(n_estimators=5, random_state=0),
        "extra": ExtraTreesClassifier(n_estimators=5, random_state=0),
        "boosting": GradientBoostingClassifier(n_estimators=5, random_state=0),
        "ada": AdaBoostClassifier(n_estimators=5, random_state=0),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {name: model.fit(x, y) for name, model in models.items()}


def test_trees_scikit_learn_fits_still_load(tmp_path):
    x = frame()[0]
    for name, model in fitted().items():
        path = tmp_path / f"{name}.skops"
        sio.dump(model, path)
        np.testing.assert_array_equal(load_skops(path).predict_proba(x), model.predict_proba(x))


def tampered(source: Path, target: Path, change, field: str = "left_child") -> Path:
    """``source`` with its tree's node array (the arrays holding ``field``) changed in place by
    ``change(nodes)``."""

    def changed(array):
        if not (array.dtype.names and field in array.dtype.names):
            return None
        array = array.copy()
        change(array)
        return array

    return rewritten(source, target, changed)


def rewritten(source: Path, target: Path, new) -> Path:
    """``source`` with each .npy array ``a`` replaced by ``new(a)`` where that is not None."""
    with zipfile.ZipFile(source) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    for name, data in entries.items():
        array = np.load(io.BytesIO(data), allow_pickle=False) if name.endswith(".npy") else None
        array = None if array is None else new(array)
        if array is not None:
            buffer = io.BytesIO()
            np.save(buffer, array)
            entries[name] = buffer.getvalue()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return target


def past_the_end(nodes):
    nodes["left_child"][0] = nodes["right_child"][0] = 10**9


def back_to_the_root(nodes):
    split = nodes["left_child"] != -1
    nodes["left_child"][split] = nodes["right_child"][split] = 0
    nodes["threshold"][:] = 1e300


def feature_past_the_rows(nodes):
    nodes["feature"][0] = 10**6


PROBE = """
import sys
import numpy as np
import skops.io as sio
path = sys.argv[1]
model = sio.load(path, trusted=sio.get_untrusted_types(file=path))
model.predict_proba(np.zeros((3, 2)))
"""


@pytest.mark.parametrize("change", [past_the_end, back_to_the_root, feature_past_the_rows])
def test_a_tree_walked_out_of_bounds_or_in_a_circle_is_refused(tmp_path, change):
    model = fitted()["depth-first"]
    sio.dump(model, tmp_path / "ok.skops")
    path = tampered(tmp_path / "ok.skops", tmp_path / "bad.skops", change)
    if change is not feature_past_the_rows:  # what scikit-learn does with it: crash or hang
        try:
            code = subprocess.run([sys.executable, "-c", PROBE, str(path)], timeout=5,
                                  capture_output=True).returncode  # fmt: skip
        except subprocess.TimeoutExpired:
            code = "hung"
        assert code not in (0, 1), code
    with pytest.raises(AuditorInputError, match="not one scikit-learn builds") as err:
        load_skops(path)
    assert err.value.field == "model.path" and "node 0 of" in str(err.value)


def test_a_histogram_boosting_tree_walked_out_of_bounds_is_refused(tmp_path):
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y = frame()
    x["c"] = np.where(x.a > 0, "u", "v")
    model = HistGradientBoostingClassifier(max_iter=3, categorical_features=["c"]).fit(x, y)
    sio.dump(model, tmp_path / "ok.skops")
    np.testing.assert_array_equal(load_skops(tmp_path / "ok.skops").predict_proba(x),
                                  model.predict_proba(x))  # fmt: skip

    def past_the_end(nodes):
        nodes["left"][0] = 10**9

    tampered(tmp_path / "ok.skops", tmp_path / "bad.skops", past_the_end, field="bitset_idx")
    with pytest.raises(AuditorInputError, match="not one scikit-learn builds"):
        load_skops(tmp_path / "bad.skops")


@pytest.mark.parametrize("algorithm", ["ball_tree", "kd_tree"])
def test_a_nearest_neighbours_tree_walked_out_of_bounds_is_refused(tmp_path, algorithm):
    from sklearn.neighbors import KNeighborsClassifier

    x, y = frame()
    model = KNeighborsClassifier(algorithm=algorithm).fit(x, y)
    sio.dump(model, tmp_path / "ok.skops")
    np.testing.assert_array_equal(load_skops(tmp_path / "ok.skops").predict_proba(x),
                                  model.predict_proba(x))  # fmt: skip

    def past_the_rows(order):  # the tree's row order, past its rows (a segfault)
        is_order = order.dtype.kind == "i" and sorted(order) == list(range(300))
        return order + 10**8 if is_order else None

    rewritten(tmp_path / "ok.skops", tmp_path / "bad.skops", past_the_rows)
    with pytest.raises(AuditorInputError, match="not one scikit-learn builds"):
        load_skops(tmp_path / "bad.skops")
