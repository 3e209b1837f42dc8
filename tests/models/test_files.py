"""A skops file is trusted for scikit-learn's own CLASSES only: skops lists functions too,
and a scikit-learn function in a ``FunctionTransformer`` runs when predict_proba is called
(``dump_svmlight_file`` writes a file, ``fetch_openml`` reaches the network); the few
functions real fitted estimators hold still load."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from auditor.errors import AuditorInputError
from auditor.models.files import UNTRUSTED_FUNCTION, load_skops

sio = pytest.importorskip("skops.io")


def frame(n: int = 240) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"a": rng.normal(size=n), "b": np.abs(rng.normal(size=n)),
                      "c": rng.choice(["x", "y", "z"], n)})  # fmt: skip
    y = ((x.a + (x.c == "y")) + rng.normal(scale=0.5, size=n) > 0.5).astype(int).to_numpy()
    return x, y


def writer_pipeline(target, n: int):
    from sklearn.datasets import dump_svmlight_file
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    x, y = frame()
    writes = FunctionTransformer(func=dump_svmlight_file,
                                 kw_args={"y": np.zeros(n), "f": str(target)})  # fmt: skip
    pipe = Pipeline([("write", writes), ("lr", LogisticRegression())])
    pipe.named_steps["lr"].fit(x[["a", "b"]].to_numpy(), y)  # fitted, as a saved pipeline is
    return pipe


def test_a_pipeline_calling_a_scikit_learn_function_is_refused_and_writes_nothing(tmp_path):
    target = tmp_path / "written.svmlight"
    path = tmp_path / "model.skops"
    x = frame()[0][["a", "b"]].to_numpy()[:5]
    sio.dump(writer_pipeline(target, len(x)), path)
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted == ["sklearn.datasets._svmlight_format_io.dump_svmlight_file"]
    loaded = sio.load(path, trusted=untrusted)  # what trusting every sklearn.* name loaded
    with pytest.raises(Exception):  # noqa: B017, PT011 - None reaches the next step
        loaded.predict_proba(x)
    assert target.exists()  # the file really writes
    target.unlink()
    with pytest.raises(AuditorInputError, match="dump_svmlight_file") as err:
        load_skops(path)
    assert err.value.field == "model.path" and UNTRUSTED_FUNCTION.split("{")[0] in str(err.value)
    assert not target.exists()


def fitted_models() -> dict:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    x, y = frame()
    scale, one_hot = StandardScaler(), OneHotEncoder(handle_unknown="ignore")
    columns = ColumnTransformer([("num", scale, ["a", "b"]), ("cat", one_hot, ["c"])])
    models = {
        "hgb": HistGradientBoostingClassifier(categorical_features=["c"], max_iter=10),
        "pipeline": Pipeline([("columns", columns), ("lr", LogisticRegression())]),
        "kbest": make_pipeline(columns, SelectKBest(f_classif, k=3), LogisticRegression()),
        "grid": GridSearchCV(make_pipeline(columns, LogisticRegression()),
                             {"logisticregression__C": [0.1, 1.0]}, cv=2, scoring="roc_auc"),
    }  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {name: model.fit(x, y) for name, model in models.items()}


def test_real_fitted_estimators_still_load(tmp_path):
    x = frame()[0]
    for name, model in fitted_models().items():
        path = tmp_path / f"{name}.skops"
        sio.dump(model, path)
        loaded = load_skops(path)
        np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))
    held = set(sio.get_untrusted_types(file=tmp_path / "hgb.skops"))
    assert "sklearn.utils.validation.check_array" in held  # a function, allowed by name
    assert any("f_classif" in t for t in sio.get_untrusted_types(file=tmp_path / "kbest.skops"))


@pytest.mark.parametrize("name", ["sklearn.datasets.fetch_openml", "sklearn.utils._joblib.Memory",
                                  "sklearn.base.BaseEstimator.get_params", "sklearn.nope.Nope",
                                  "sklearn..x", "sklearn.utils"])  # fmt: skip
def test_names_that_are_no_scikit_learn_class_are_refused(name):
    from auditor.models.files import _refusal

    assert _refusal(name) is not None
    assert _refusal("sklearn.tree._tree.Tree") is None


COMPRESS = ["zlib", "gzip", "bz2", "xz", "lzma"]


@pytest.mark.parametrize("how", ["pickle", "joblib", *COMPRESS, "torch", "torch legacy"])
def test_a_file_of_another_kind_is_named_with_the_way_on(tmp_path, how):
    # a pickle said "not a readable skops file (BadZipFile: File is not a zip file)", a
    # torch.save file "(KeyError: \"There is no item named 'schema.json' in the archive\")";
    # a compressed joblib file and torch.save's legacy format said "(BadZipFile ...)" too
    import pickle

    from sklearn.linear_model import LogisticRegression

    from auditor.models.files import PICKLE_NOT_SKOPS, TORCH_NOT_SKOPS

    x, y = frame()
    model = LogisticRegression().fit(x[["a", "b"]], y)
    path = tmp_path / "model.skops"
    if how == "pickle":
        path.write_bytes(pickle.dumps(model))
    elif how == "joblib":
        import joblib

        joblib.dump(model, path)
    elif how in COMPRESS:
        import joblib

        joblib.dump(model, path, compress=(how, 3))
    else:
        import torch

        legacy = {"_use_new_zipfile_serialization": False} if how == "torch legacy" else {}
        torch.save(torch.nn.Linear(2, 2).state_dict(), path, **legacy)
    with pytest.raises(AuditorInputError) as err:
        load_skops(path)
    want = TORCH_NOT_SKOPS if how.startswith("torch") else PICKLE_NOT_SKOPS
    assert err.value.message == want and err.value.field == "model.path"


def test_an_empty_file_says_so_to_either_loader(tmp_path):
    # it said "(BadZipFile: File is not a zip file)" and "(EOFError)"
    from auditor.models.files import EMPTY_FILE, load_state_dict

    path = tmp_path / "model.skops"
    path.touch()
    for load in (load_skops, load_state_dict):
        with pytest.raises(AuditorInputError) as err:
            load(path)
        assert err.value.message == EMPTY_FILE and err.value.field == "model.path"


@pytest.mark.parametrize("how", COMPRESS)
def test_a_compressed_joblib_file_is_named_a_pickle_as_a_checkpoint(tmp_path, how):
    # it said "refused: the file holds pickled objects other than tensors (Unsupported
    # operand 120)": the compressor's first byte read as a pickle's
    import joblib

    from auditor.models.files import PICKLE_NOT_STATE, load_state_dict

    path = tmp_path / "model.pt"
    joblib.dump({"w": np.zeros(3)}, path, compress=(how, 3))
    with pytest.raises(AuditorInputError) as err:
        load_state_dict(path)
    assert err.value.message == PICKLE_NOT_STATE and err.value.field == "model.path"
