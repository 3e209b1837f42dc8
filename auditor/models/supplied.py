"""Models auditor did not train, audited as they are (never retrained):

- ``checkpoint``: a PyTorch state dict (``torch.save(model.state_dict(), path)``, or
  auditor's own checkpoint format) loaded with ``weights_only=True`` into the module that the
  factory ``function(input_shape=(F,), n_classes=K)`` builds;
- ``sklearn``: a fitted scikit-learn estimator saved with skops
  (:func:`auditor.models.files.load_skops`: scikit-learn's own types and the data types they
  hold only, never unpickled);
- from Python: any ``nn.Module`` (logits out) or any object with ``predict_proba``.

:class:`SuppliedModel` gives every kind one face: ``logits(x)`` on auditor's inputs (float32
for a module, float64 for an estimator: :mod:`auditor.data.codec`; log-probabilities for a
``predict_proba`` model, so softmax gives its probabilities back), and, when it can, a
trainer of reference models like it for RMIA and LiRA (``train_reference(x, y, seed)``):
the user's ``train`` function, or ``sklearn.base.clone(estimator).fit``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present

from auditor.config.functions import FACTORY_ARGS, call_user, import_function
from auditor.errors import AuditorInputError
from auditor.models.files import (  # noqa: F401 - the loaders' names are this module's too
    DATA_TYPES,
    HOLDS,
    IS_A_FOLDER,
    NO_FILE,
    NOT_A_STATE_DICT,
    NOT_SKOPS,
    REFUSED_PICKLE,
    UNREADABLE,
    UNTRUSTED,
    load_skops,
    load_state_dict,
    model_file,
)
from auditor.models.mismatch import mismatch_why, mismatched_sizes, shapes_detail
from auditor.models.outputs import (
    NotATensor,
    NotFinite,
    OneLogit,
    column_outputs,
    finite_outputs,
    not_a_tensor,
    read_as_logits,
    user_module,
    with_named_logits,
)
from auditor.models.takes import (  # noqa: F401 - BAD_OUTPUT, check_forward named here too
    BAD_OUTPUT,
    check_forward,
    check_trained_takes,
)

STATE_MISMATCH = "the state dict does not fit the factory's module ({detail}){why}"
NOT_FLOAT = (
    "tensor {key!r} is {dtype}, the module's is {own}: {kind} weights are not the model's "
    "(save the floating-point model.state_dict())"
)
WRONG_WIDTH = (
    "the model's outputs have shape {shape} on {n} rows; the target has {k} classes, so "
    "one column per class is needed (logits, or predict_proba)"
)
NOT_PROBA = (
    "{spec!r} returned values that are not probabilities (each in [0, 1], rows summing to 1)"
)
# How far a predict_proba value may stray from [0, 1], and a row's sum from 1 (float32).
PROBA_SLACK = 1e-3
COMPLEX = "{spec!r} returned complex numbers ({dtype}), not logits: return real outputs"
NOT_A_MODULE = "{spec!r} returned {found}, not an nn.Module"
NO_PREDICT_PROBA = (
    "{name} has no predict_proba: auditor audits classifiers by their class probabilities{why}"
)
# Why an estimator has none, by what scikit-learn says it is.
NO_PROBA_WHY = {
    "regressor": " ({name} is a regressor: fit a classifier on class labels)",
    "classifier": (" (a classifier without probabilities: SVC(probability=True), or wrap it "
                   "in sklearn.calibration.CalibratedClassifierCV)"),
}  # fmt: skip
PREDICT_ONLY = (
    " (it has predict: wrap it in an object whose predict_proba(X) returns one column of "
    "probabilities per class, or audit its predictions alone with auditor.audit_predictions)"
)
REFERENCE_NOT_FINITE = (
    "the model fit returned ({name}) gives outputs that are not finite numbers (NaN or "
    "infinite) on {n:,} of the {rows:,} rows it scored (members, non-members and population "
    "rows): its training diverged (NaN weights: a lower learning rate), or it cannot score them"
)
NOT_A_MODEL = "a model is an nn.Module or an object with predict_proba, got {found}"
# Smallest probability before the log (a predict_proba of exactly 0 gives a finite loss):
# float64's eps, where scikit-learn's log_loss clips (1e-12 gave such a row 27.6, not 36.0).
PROBA_FLOOR = 2.0**-52
TRAIN_ARGS = ("x", "y", "seed")
# The reference trainer of an sklearn model without model.train, named in its errors.
CLONE_FIT = "sklearn.base.clone(model).fit"

Predictor = Callable[[np.ndarray], np.ndarray]
Trainer = Callable[[np.ndarray, np.ndarray, int], Predictor]  # x, y, seed: a reference model
# auditor's inputs (n, F) -> what the model takes (a DataFrame, or the matrix itself)
Decode = Callable[[np.ndarray], Any]


def build_module(spec: str, *, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    """``factory(input_shape=..., n_classes=...)``, checked to return an nn.Module."""
    factory = import_function(spec, field_name="model.factory", wanted=FACTORY_ARGS)
    module = call_user(factory, spec=spec, field_name="model.factory", input_shape=input_shape,
                       n_classes=n_classes)  # fmt: skip
    if not isinstance(module, nn.Module):
        raise AuditorInputError(NOT_A_MODULE.format(spec=spec, found=type(module).__name__),
                                field="model.factory")  # fmt: skip
    module = with_named_logits(module, input_shape=input_shape)  # a dict's "logits", say
    one = check_forward(module, spec=spec, input_shape=input_shape, n_classes=n_classes,
                        one_logit=True)  # fmt: skip
    return OneLogit(module) if one else module


def load_checkpoint_model(
    path: Path, *, factory: str, input_shape: tuple[int, ...], n_classes: int,
    classes_given: bool = False,
) -> nn.Module:  # fmt: skip
    """The factory's module with the state dict of ``path`` loaded (strict), in eval mode.
    ``classes_given``: ``n_classes`` counts model.classes (else the target's classes)."""
    state = load_state_dict(path)
    module = build_module(factory, input_shape=input_shape, n_classes=n_classes)
    own: dict[str, Any] = {}
    try:
        inner = user_module(module)  # under OneLogit, LogitsOf: the factory's own module
        own = inner.state_dict()  # a float weight from int8, bool or complex: not a weight
        state = unwrapped_state(state, own)
        cast = next((k for k, v in state.items() if k in own and own[k].is_floating_point()
                     and not v.is_floating_point()), None)  # fmt: skip
        if cast is not None:
            dtype = state[cast].dtype
            kind = ("complex" if dtype.is_complex else "boolean" if dtype == torch.bool
                    else "quantized or integer")  # fmt: skip
            raise AuditorInputError(NOT_FLOAT.format(key=cast, dtype=dtype, own=own[cast].dtype,
                                                     kind=kind),
                                    source=str(path), field="model.path")  # fmt: skip
        inner.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        detail = shapes_detail(state, own) or " ".join(str(exc).split())[:300]
        why = mismatch_why(mismatched_sizes(state, own), input_shape=input_shape,
                           n_classes=n_classes, classes_given=classes_given)  # fmt: skip
        raise AuditorInputError(STATE_MISMATCH.format(detail=detail, why=why), source=str(path),
                                field="model.factory") from None  # fmt: skip
    return module.eval()


def unwrapped_state(state: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """``state`` with a prefix that all its keys share taken off, one dotted name at a time,
    where that gives exactly the module's own keys (``own``): the same weights saved from a
    wrapper of the module (DataParallel and DistributedDataParallel: ``module.``;
    torch.compile: ``_orig_mod.``; a LightningModule's attribute: ``model.``). Else as it is
    (a mismatch is named by the load). Taken off by torch's own
    ``consume_prefix_in_state_dict_if_present`` (in place: ``state`` is a fresh load), which
    keeps each submodule's saved version (``_metadata``) for its own loading rule."""
    want, keys, prefixes = set(own), list(state), []
    while keys and set(keys) != want and all("." in k for k in keys):
        heads = {k.split(".", 1)[0] for k in keys}
        if len(heads) != 1:
            break
        prefixes.append(f"{heads.pop()}.")
        keys = [k.split(".", 1)[1] for k in keys]
    if not prefixes or set(keys) != want:
        return state
    for prefix in prefixes:
        consume_prefix_in_state_dict_if_present(state, prefix)
    return state


class ProbaModule(nn.Module):
    """An object with ``predict_proba`` seen as a module: ``forward(x)`` returns the log of
    its probabilities on ``decode(x)``, its columns in the order ``columns`` (column
    ``columns[i]`` of predict_proba is the audit's class i; None: as they are). Not
    differentiable (no gradients flow)."""

    def __init__(
        self, estimator: Any, decode: Decode, columns: tuple[int, ...] | None = None
    ) -> None:
        super().__init__()
        self.estimator = estimator
        self.decode = decode
        self.columns = columns

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        proba = proba_logits(self.estimator, self.decode, x.detach().cpu().numpy(),
                             columns=self.columns)  # fmt: skip
        return torch.as_tensor(proba, dtype=torch.float32, device=x.device)


def proba_logits(
    estimator: Any, decode: Decode, x: np.ndarray, *, columns: tuple[int, ...] | None = None,
    field_name: str = "model", n_classes: int | None = None,
) -> np.ndarray:  # fmt: skip
    """(n, k) float64 log-probabilities of ``estimator.predict_proba`` on ``decode(x)`` (as
    exact as the probabilities: float32 would round apart two rows' tied probability of a
    class, whose other classes differ, once :class:`~auditor.context.Predictions` reads them), its
    columns taken in the order ``columns`` when it returns one column per class. A failing
    call, a shape other than (n, ``n_classes``) (None: any width), NaN or infinite outputs
    and outputs that are not probabilities are bad input naming ``field_name``
    (``model.train`` for a reference model)."""
    spec = f"{_name(estimator)}.predict_proba"  # failing on the rows: bad input, not a bug
    raw = call_user(estimator.predict_proba, decode(x), spec=spec, field_name=field_name)
    if np.iscomplexobj(raw):  # float64 would keep the real part alone, with a warning
        raise AuditorInputError(NOT_PROBA.format(spec=spec) + " (complex numbers)",
                                field=field_name)  # fmt: skip
    proba = np.asarray(raw, dtype=np.float64)
    want = None if columns is None else len(columns)  # one column: its shape, before its sums
    column_outputs(proba, rows=len(x), n_classes=want if n_classes is None else n_classes,
                   spec=spec, field_name=field_name, want=want)  # fmt: skip
    if proba.size and (
        proba.min() < -PROBA_SLACK or proba.max() > 1 + PROBA_SLACK
        or np.abs(proba.sum(axis=1) - 1).max() > PROBA_SLACK
    ):  # fmt: skip
        raise AuditorInputError(NOT_PROBA.format(spec=spec), field=field_name)
    if columns is not None and proba.shape[1] == len(columns):
        proba = proba[:, list(columns)]  # another width: refused by the caller, as it is
    return np.log(np.clip(proba, PROBA_FLOOR, 1.0))


def module_logits(
    module: nn.Module, x: np.ndarray, *, device: torch.device, field_name: str = "model"
) -> np.ndarray:
    """(n, k) float32 logits of ``module`` on ``x`` (fed as float32: an estimator's float64
    rows to a module ``model.train`` returned) in eval mode, batch by batch. A failing call,
    or an output that is not one tensor (a tuple, a dict), is bad input naming
    ``field_name`` (``model.train``: a reference module's). Each batch's outputs are copied:
    a module may return a view of an output buffer that its next call overwrites."""
    module.eval()
    spec = f"{_name(user_module(module))}.forward"
    parts = []
    with torch.no_grad():
        for i in range(0, len(x), 4096):
            rows = torch.as_tensor(x[i : i + 4096], dtype=torch.float32, device=device)
            out = call_user(module, rows, spec=spec, field_name=field_name)
            if not isinstance(out, torch.Tensor):
                raise NotATensor(not_a_tensor(out, spec=spec), field=field_name)
            if out.is_complex():  # .float() would keep the real part alone, with a warning
                raise AuditorInputError(COMPLEX.format(spec=spec, dtype=out.dtype),
                                        field=field_name)  # fmt: skip
            # one copy (not a view of a buffer the module reuses; .cpu() alone copies CUDA's)
            parts.append(out.to(device="cpu", dtype=torch.float32, copy=True).numpy())
    return np.concatenate(parts)


def _name(model: Any) -> str:
    return type(model).__name__


def no_predict_proba(model: Any) -> str:
    """Why ``model`` cannot be audited: no ``predict_proba``, and what it is instead."""
    try:  # scikit-learn >= 1.6 says what an estimator is in its tags
        kind = getattr(model.__sklearn_tags__(), "estimator_type", None)
    except Exception:  # noqa: BLE001 - not scikit-learn's, or an older one
        kind = getattr(model, "_estimator_type", None)
    why = NO_PROBA_WHY.get(str(kind), "").format(name=_name(model))
    if not why and callable(getattr(model, "predict", None)):  # a Booster, a duck-typed model
        why = PREDICT_ONLY
    return NO_PREDICT_PROBA.format(name=_name(model), why=why)


@dataclass(frozen=True)
class SuppliedModel:
    """A model trained elsewhere, ready to audit.

    kind: "checkpoint" | "sklearn" | "torch" (a module from Python) | "predict_proba";
    module: what the checks call (the torch module, or a :class:`ProbaModule`);
    n_classes: its output width; differentiable: gradients reach the inputs (explanations);
    source_files: file name -> sha256 of the model file(s); train_reference: trains one
    reference model like it on (x, y) with a seed and returns its logits function (None:
    RMIA and LiRA cannot run); reference_recipe: that trainer, in words."""

    kind: str
    module: nn.Module
    n_classes: int
    architecture: str
    differentiable: bool
    n_parameters: int | None
    source_files: dict[str, str] = field(default_factory=dict)
    train_reference: Callable[[np.ndarray, np.ndarray, int], Predictor] | None = None
    reference_recipe: str = ""
    device: torch.device = torch.device("cpu")

    def logits(self, x: np.ndarray) -> np.ndarray:
        """(n, n_classes) logits on auditor's inputs ``x``: a module's float32, an estimator's
        float64 log-probabilities."""
        if len(x) == 0:
            return np.zeros((0, self.n_classes), np.float32)
        if isinstance(self.module, ProbaModule):
            module = self.module
            out = proba_logits(module.estimator, module.decode, x, columns=module.columns)
        else:
            out = module_logits(self.module, x, device=self.device)
        if out.shape != (len(x), self.n_classes):
            message = WRONG_WIDTH.format(shape=out.shape, n=len(x), k=self.n_classes)
            raise AuditorInputError(message, field="model")
        return out if isinstance(self.module, ProbaModule) else finite_outputs(out)  # once


def _predictor(model: Any, decode: Decode, device: torch.device, n_classes: int,
               columns: tuple[int, ...] | None = None) -> Predictor:  # fmt: skip
    """A reference model's logits function, its (rows, ``n_classes``) finite outputs checked
    once, naming ``model.train``: a module's read by the audited module's rule
    (:func:`~auditor.models.outputs.with_logits`: one logit, a sigmoid's or a softmax's
    probabilities), an estimator's ``predict_proba`` as log-probabilities; the audit's class
    i in its column ``columns[i]`` (None: column i)."""
    if not isinstance(model, nn.Module) and not hasattr(model, "predict_proba"):
        raise AuditorInputError(NOT_A_MODEL.format(found=type(model).__name__),
                                field="model.train")  # fmt: skip
    spec = _name(model)

    def outputs(x: np.ndarray) -> np.ndarray:
        if not isinstance(model, nn.Module):
            return proba_logits(model, decode, x, field_name="model.train", n_classes=n_classes,
                                columns=columns)  # fmt: skip
        check_trained_takes(model, x)  # a fixed width: named, not torch's mat1 and mat2
        module = read_as_logits(model, x, n_classes=n_classes, device=device, columns=columns,
                                one_output_columns=columns)  # fmt: skip
        out = module_logits(module, x, device=device, field_name="model.train")
        return column_outputs(out, rows=len(x), n_classes=n_classes, spec=spec)

    def predict(x: np.ndarray) -> np.ndarray:
        try:
            return outputs(x)
        except NotFinite as exc:  # its rows are the pool's, not a file's: no data row to name
            message = REFERENCE_NOT_FINITE.format(name=spec, n=exc.n, rows=exc.rows)
            raise AuditorInputError(message, field="model.train") from None

    return predict


def user_trainer(spec: str, decode: Decode, device: torch.device, *, n_classes: int,
                 columns: tuple[int, ...] | None = None) -> Trainer:  # fmt: skip
    """``function(x, y, seed=...)`` of ``model.train`` as a reference trainer: x the model's
    inputs (``decode``: a DataFrame or the (n, F) matrix), y int64 class indices (n,) into
    the audited model's outputs (the audit's class i is its column ``columns[i]``; None: i),
    the models it returns read in that order; they must give ``n_classes`` columns."""
    fn = import_function(spec, field_name="model.train", wanted=TRAIN_ARGS)
    index = np.arange(n_classes) if columns is None else np.asarray(columns, dtype=np.int64)

    def train(x: np.ndarray, y: np.ndarray, seed: int) -> Predictor:
        model = call_user(fn, spec=spec, field_name="model.train", x=decode(x), y=index[y],
                          seed=seed)  # fmt: skip
        return _predictor(model, decode, device, n_classes, columns)

    return train


def sklearn_trainer(estimator: Any, decode: Decode, labels: tuple[Any, ...]) -> Trainer:
    """``sklearn.base.clone(estimator).fit`` on (x, y) as a reference trainer; its
    ``random_state`` (where it has one) comes from the seed."""
    from sklearn.base import clone

    classes = np.asarray(labels, dtype=object)

    def train(x: np.ndarray, y: np.ndarray, seed: int) -> Predictor:
        model = clone(estimator)
        if "random_state" in model.get_params():
            model.set_params(random_state=seed)
        y_fit = np.asarray(classes[y].tolist())
        call_user(model.fit, decode(x), y_fit, spec=CLONE_FIT, field_name="model.train")
        return lambda xe: proba_logits(_aligned(model, labels), decode, xe,
                                       field_name="model.train")  # fmt: skip

    return train


@dataclass(frozen=True)
class _Aligned:
    """A fitted estimator whose predict_proba columns follow ``labels`` (a reference model
    trained on half the rows may miss a class: its column is 0)."""

    estimator: Any
    labels: tuple[Any, ...]

    def predict_proba(self, x: Any) -> np.ndarray:
        proba = np.asarray(self.estimator.predict_proba(x), dtype=np.float64)
        have = {str(c): j for j, c in enumerate(self.estimator.classes_)}
        out = np.zeros((len(proba), len(self.labels)))
        for i, label in enumerate(self.labels):
            if str(label) in have:
                out[:, i] = proba[:, have[str(label)]]
        return out


def _aligned(estimator: Any, labels: tuple[Any, ...]) -> _Aligned:
    return _Aligned(estimator, labels)
