"""A user's own code (a model factory, a ``train`` function, a checkpoint file, a model's
outputs) failing is bad input: one line naming the field, never an internal error, and a
hostile checkpoint is refused without running anything."""

from __future__ import annotations

import importlib
import os
import pickle
import re
import sys
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from auditor.config import ModelConfig
from auditor.config.functions import call_user
from auditor.errors import AuditorInputError
from auditor.models import build_model
from auditor.models.supplied import (
    SuppliedModel,
    build_module,
    finite_outputs,
    load_state_dict,
    user_trainer,
)
from tests.models.user_code import importable

FACTORY_SOURCE = """
from torch import nn

def raises(input_shape, n_classes):
    raise RuntimeError("no GPU here")

def nan_model(input_shape, n_classes):
    model = nn.Linear(input_shape[0], n_classes)
    nn.init.constant_(model.bias, float("nan"))
    return model

def fit_raises(x, y, *, seed):
    raise ValueError("cannot fit " + str(len(y)))

class NanProba:  # predict_proba NaN in every row (a model fitted on NaN inputs)

    classes_ = [0, 1]

    def predict_proba(self, x):
        import numpy as np

        return np.full((len(x), 2), np.nan)

def fit_nan(x, y, *, seed):
    return NanProba()
"""


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    yield from importable(tmp_path, monkeypatch, "h1_user_code", FACTORY_SOURCE)


def test_call_user_turns_an_exception_into_one_line_naming_the_field():
    def broken(*, x):
        raise KeyError(x)

    with pytest.raises(AuditorInputError) as err:
        call_user(broken, spec="pkg:broken", field_name="model.train", source="a.toml", x="k")
    text = str(err.value)
    assert err.value.field == "model.train" and text.startswith("a.toml: model.train: ")
    assert "'pkg:broken' raised KeyError: 'k'" in text and "test_user_code.py:" in text
    assert "\n" not in text


def test_a_long_exception_is_cut_with_an_ellipsis():
    # sklearn's NaN error was cut at 300 characters: '... Alternatively, it is po'
    def broken(*, x):
        raise ValueError("word " * 100)

    with pytest.raises(AuditorInputError) as err:
        call_user(broken, spec="pkg:broken", field_name="model", x=1)
    text = err.value.message
    error = text.split(" raised ", 1)[1].split(" (at ")[0]
    assert len(error) == 300 and error.endswith("…") and error.startswith("ValueError: word")


@pytest.mark.parametrize("kind", ["factory", "checkpoint"])
def test_a_factory_that_raises_is_bad_input(user_module, kind):
    spec = f"{user_module}:raises"
    with pytest.raises(AuditorInputError) as err:
        if kind == "factory":
            build_model(ModelConfig(kind="factory", factory=spec), modality="table",
                        input_shape=(3,), n_classes=2)  # fmt: skip
        else:
            build_module(spec, input_shape=(3,), n_classes=2)
    assert err.value.field == "model.factory"
    assert "RuntimeError: no GPU here" in str(err.value) and "h1_user_code.py:5" in str(err.value)


def test_a_train_function_that_raises_is_bad_input(user_module):
    train = user_trainer(f"{user_module}:fit_raises", lambda x: x, torch.device("cpu"),
                         n_classes=2)
    with pytest.raises(AuditorInputError, match="ValueError: cannot fit 4") as err:
        train(np.zeros((4, 2), np.float32), np.array([0, 1, 0, 1]), 0)
    assert err.value.field == "model.train"


def test_nan_outputs_of_a_supplied_model_are_refused(user_module):
    module = build_module(f"{user_module}:nan_model", input_shape=(2,), n_classes=2)
    model = SuppliedModel(kind="torch", module=module, n_classes=2, architecture="Linear",
                          differentiable=True, n_parameters=6)  # fmt: skip
    finite = r"not finite .* on 5 of 5 rows \(first: data row 1\)"
    with pytest.raises(AuditorInputError, match=finite):
        model.logits(np.ones((5, 2), np.float32))


NOT_FINITE_HEAD = "the model's outputs are not finite numbers (NaN or infinite) on "


def test_nan_outputs_name_the_model_or_its_train_function(user_module):
    # through audit_model: an estimator's NaN outputs name model; a reference model's, which
    # the train function returned, name model.train (they named model: the inner check fired
    # first, so the outer one naming model.train never could)
    from sklearn.linear_model import LogisticRegression

    from tests.builders import audit_split, two_feature_frame

    data = two_feature_frame(0)
    nan_model = importlib.import_module(user_module).NanProba()
    with pytest.raises(AuditorInputError) as err:
        audit_split(nan_model, data)
    assert err.value.field == "model"
    assert str(err.value) == f"model: {NOT_FINITE_HEAD}300 of 300 rows of data= (first: " \
        "data row 1); a model with NaN weights, or one fed inputs it cannot score"
    fitted = LogisticRegression().fit(data[["x1", "x2"]], data["label"])
    with pytest.raises(AuditorInputError) as err:
        audit_split(fitted, data, train=f"{user_module}:fit_nan")
    assert err.value.field == "train"  # audit_model's argument
    text = str(err.value)  # the rows it scored are the pool's: no data row of a file named
    assert "fit returned (NanProba) gives outputs that are not finite numbers" in text
    assert "data row" not in text


def test_finite_outputs_names_the_first_bad_row():
    out = np.zeros((4, 2), np.float32)
    assert finite_outputs(out) is out
    out[2, 1] = np.inf
    with pytest.raises(AuditorInputError, match=r"1 of 4 rows \(first: data row 3\)") as err:
        finite_outputs(out, field_name="model.train")
    assert err.value.field == "model.train"


class Payload:
    def __reduce__(self):
        return (os.system, ("touch PWNED_BY_CHECKPOINT",))


@pytest.mark.parametrize("how", ["torch.save", "pickle.dump"])
def test_a_pickle_payload_is_refused_quietly_and_never_run(tmp_path, monkeypatch, how):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "model.pt"
    if how == "torch.save":
        torch.save({"weight": torch.zeros(2), "evil": Payload()}, path)
    else:
        path.write_bytes(pickle.dumps(Payload(), protocol=4))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(AuditorInputError, match="refused") as err:
            load_state_dict(path)
    text = str(err.value)
    assert not (tmp_path / "PWNED_BY_CHECKPOINT").exists()
    assert "weights_only" not in text and "\n" not in text, text  # no advice to unpickle
    if how == "torch.save":
        assert "posix.system" in text or "os.system" in text or "nt.system" in text, text
    assert caught == [], [str(w.message) for w in caught]  # stderr stays one line


def test_a_plain_module_state_dict_still_loads(tmp_path):
    path = tmp_path / "ok.pt"
    torch.save(nn.Linear(2, 2).state_dict(), path)
    assert set(load_state_dict(path)) == {"weight", "bias"}


def test_a_model_that_fails_on_the_rows_is_bad_input_without_a_library_line():
    from sklearn.linear_model import LogisticRegression

    from auditor.models.supplied import proba_logits

    rng = np.random.default_rng(0)
    model = LogisticRegression().fit(rng.normal(size=(20, 3)), np.arange(20) % 2)
    with pytest.raises(AuditorInputError) as err:
        proba_logits(model, lambda x: x, np.zeros((4, 2), np.float32))  # 2 columns, not 3
    text = str(err.value)
    assert err.value.field == "model" and "'LogisticRegression.predict_proba' raised" in text
    assert "expecting 3 features" in text and "(at " not in text  # no line inside sklearn


def test_a_whole_module_saved_is_refused_naming_its_class_and_the_fix(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(nn.Sequential(nn.Linear(2, 2)), path)  # torch.save(model), not its state dict
    with pytest.raises(AuditorInputError) as err:
        load_state_dict(path)
    text = str(err.value)
    assert "it names torch.nn.modules" in text and "save model.state_dict()" in text, text
    assert "weights_only" not in text and "\x1b" not in text


def test_a_model_path_that_is_a_folder_says_so(tmp_path):
    from auditor.models.supplied import load_skops

    for load in (load_state_dict, load_skops):
        with pytest.raises(AuditorInputError, match="is a folder") as err:
            load(tmp_path)
        assert err.value.field == "model.path"


WRONG_SHAPES = """
from torch import nn

class Net(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(n_in, 8), nn.ReLU())
        self.head = nn.Linear(8, n_out)

    def forward(self, x):
        return self.head(self.backbone(x))

def one_output(input_shape, n_classes):
    return Net(input_shape[0], 1)

def fixed_inputs(input_shape, n_classes):
    return Net(11, n_classes)
"""


@pytest.mark.parametrize(
    ("name", "words"),
    [("one_output", "returns (2, 1) for inputs of shape (2, 3)"),
     ("fixed_inputs", "builds a module that does not take inputs of shape (rows, 3) (input_shape"
                      " = (3,): the data's 3 input columns (data.features, else every column "
                      "but the target, data.drop and the sensitive ones)): the layer given them, "
                      "Linear(11 -> 8), takes 11; build the module from its input_shape "
                      "argument (torch: mat1 and mat2 shapes cannot be multiplied")],
)  # fmt: skip
def test_a_factory_ignoring_its_arguments_is_refused_before_training(tmp_path, monkeypatch,
                                                                     name, words):  # fmt: skip
    # both were internal errors in the middle of pretraining ("Target 1 is out of bounds")
    (tmp_path / "h1_wrong_shapes.py").write_text(WRONG_SHAPES)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "h1_wrong_shapes", raising=False)
    spec = f"h1_wrong_shapes:{name}"
    builds = [lambda: build_model(ModelConfig(kind="factory", factory=spec), modality="table",
                                  input_shape=(3,), n_classes=2)]  # fmt: skip
    if name == "one_output":  # a supplied checkpoint's one logit is a binary model's sigmoid
        from auditor.models.outputs import OneLogit

        assert isinstance(build_module(spec, input_shape=(3,), n_classes=2), OneLogit)
        builds.append(lambda: build_module(spec, input_shape=(3,), n_classes=3))
    else:
        builds.append(lambda: build_module(spec, input_shape=(3,), n_classes=2))
    for build in builds:
        with pytest.raises(AuditorInputError, match=re.escape(words)) as err:
            build()
        assert err.value.field == "model.factory"


def test_the_forward_check_draws_no_random_numbers_and_keeps_the_mode():
    from auditor.models.supplied import check_forward

    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 2)).train()
    torch.manual_seed(0)
    before = torch.random.get_rng_state()
    check_forward(model, spec="m:f", input_shape=(3,), n_classes=2)
    assert torch.equal(torch.random.get_rng_state(), before) and model.training


class FixedProba:
    def __init__(self, proba):
        self.proba = np.asarray(proba, dtype=float)

    def predict_proba(self, x):
        return np.repeat(self.proba[None, :], len(x), axis=0)


@pytest.mark.parametrize(
    ("module", "words"),
    [
        (nn.Linear(2, 3), "shape (4, 3) on 4 rows; the target has 2 classes"),
        (nn.Linear(2, 1), "shape (4, 1) on 4 rows"),
        ("proba", "shape (4, 3) on 4 rows"),
        ("negative", "not probabilities"),
        ("unnormalised", "not probabilities"),
    ],
)
def test_outputs_that_are_not_one_column_per_class_or_not_probabilities(module, words):
    # each was an IndexError or a numpy broadcast error inside the performance check
    from auditor.models.supplied import ProbaModule

    probas = {"proba": [0.2, 0.3, 0.5], "negative": [-0.5, 1.5], "unnormalised": [2.0, 3.0]}
    if isinstance(module, str):
        module = ProbaModule(FixedProba(probas[module]), lambda x: x)
    model = SuppliedModel(kind="torch", module=module, n_classes=2, architecture="m",
                          differentiable=False, n_parameters=None)  # fmt: skip
    with pytest.raises(AuditorInputError, match=re.escape(words)) as err:
        model.logits(np.ones((4, 2), np.float32))
    assert err.value.field == "model"
    good = SuppliedModel(
        kind="p",
        module=ProbaModule(FixedProba([0.25, 0.75]), lambda x: x),
        n_classes=2,
        architecture="m",
        differentiable=False,
        n_parameters=None,
    )
    assert np.allclose(np.exp(good.logits(np.ones((4, 2), np.float32))), [0.25, 0.75])


def test_a_model_without_predict_proba_is_named_with_what_it_is():
    from sklearn.linear_model import LinearRegression
    from sklearn.svm import LinearSVC

    from auditor.models.supplied import no_predict_proba

    x, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 2
    text = no_predict_proba(LinearRegression().fit(x, y))
    assert text.startswith("LinearRegression has no predict_proba") and "is a regressor" in text
    assert "CalibratedClassifierCV" in no_predict_proba(LinearSVC().fit(x, y))
    assert no_predict_proba(object()).endswith("by their class probabilities")


def test_a_model_with_predict_alone_is_told_how_to_wrap_it():
    # an XGBoost Booster, a duck-typed model: it said only "auditor audits classifiers by
    # their class probabilities", with no way forward
    from auditor.models.supplied import no_predict_proba

    class Booster:
        def predict(self, x):
            return np.zeros(len(x))

    assert no_predict_proba(Booster()) == (
        "Booster has no predict_proba: auditor audits classifiers by their class probabilities"
        " (it has predict: wrap it in an object whose predict_proba(X) returns one column of "
        "probabilities per class, or audit its predictions alone with "
        "auditor.audit_predictions)")
