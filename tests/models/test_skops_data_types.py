"""A skops file of a real fitted estimator that holds data types other than scikit-learn's
loads: a scipy sparse matrix (an SVC or KNN fitted on one-hot columns keeps its support
vectors or rows sparse; skops rebuilds it with scipy's load_npz, no pickle) and the dtype a
``make_column_selector`` picks columns by (``np.number``, ``object``). Both were refused as
"not scikit-learn's own". Functions of numpy or scipy stay refused, and a name in numpy or
scipy is matched against their own classes, never imported (``numpy.f2py.__main__`` runs
f2py on import)."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from auditor.errors import AuditorInputError
from auditor.models.files import _refusal, load_skops

sio = pytest.importorskip("skops.io")


def frame(n: int = 120) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(5)
    levels = [f"l{i}" for i in range(10)]  # one-hot columns sparse: below 30% filled
    x = pd.DataFrame({"a": rng.normal(size=n), "c": rng.choice(levels, n)})
    y = (x.a + (x.c == "l1") + rng.normal(scale=0.5, size=n) > 0.5).astype(int).to_numpy()
    return x, y


def models() -> dict:
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from sklearn.svm import SVC

    def columns(numbers=("a",), text=("c",)):
        return ColumnTransformer([("n", StandardScaler(), numbers),
                                  ("c", OneHotEncoder(handle_unknown="ignore"), text)])  # fmt: skip

    return {
        "svc": make_pipeline(columns(["a"], ["c"]), SVC(probability=True, random_state=0)),
        "knn": make_pipeline(columns(["a"], ["c"]), KNeighborsClassifier()),
        "number": make_pipeline(columns(make_column_selector(dtype_include=np.number),
                                        make_column_selector(dtype_include="object")),
                                LogisticRegression()),  # fmt: skip
        "object": make_pipeline(columns(make_column_selector(dtype_exclude=[object]),
                                        make_column_selector(dtype_include=[object])),
                                LogisticRegression()),  # fmt: skip
    }


@pytest.mark.parametrize("name", ["svc", "knn", "number", "object"])
def test_real_estimators_holding_sparse_rows_or_a_dtype_load(tmp_path, name):
    x, y = frame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = models()[name].fit(x, y)
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    if name in ("svc", "knn"):
        assert any("sparse" in t for t in sio.get_untrusted_types(file=path))
    loaded = load_skops(path)
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))


def test_numpy_and_scipy_functions_are_still_refused(tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    x, y = frame()
    for func in (np.save, np.load):
        pipe = make_pipeline(FunctionTransformer(func), LogisticRegression())
        pipe[-1].fit(x[["a"]].to_numpy(), y)
        path = tmp_path / "model.skops"
        sio.dump(pipe, path)
        with pytest.raises(AuditorInputError, match=func.__name__):
            load_skops(path)


@pytest.mark.parametrize("name", ["numpy.f2py.__main__.main", "numpy.lib.format.read_array",
                                  "scipy.sparse.load_npz", "scipy.sparse._csr.nope",
                                  "numpy.object_", "numpy.ndarray.tofile"])  # fmt: skip
def test_other_numpy_and_scipy_names_are_refused_unimported(name):
    sys.modules.pop("numpy.f2py.__main__", None)
    assert _refusal(name) is not None
    assert "numpy.f2py.__main__" not in sys.modules
    assert _refusal("scipy.sparse._csr.csr_matrix") is None and _refusal("numpy.number") is None
