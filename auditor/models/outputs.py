"""A supplied PyTorch module's outputs read as the logits the audit expects (softmax gives
the class probabilities): a binary model's one logit per row (trained with a sigmoid, e.g.
``BCEWithLogitsLoss``), a binary model that ends in a sigmoid (its one output is a
probability, e.g. ``BCELoss``), and a model that ends in a softmax (its outputs are
probabilities)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch
from torch import nn

from auditor.errors import AuditorInputError, data_row

NOT_FINITE = (
    "the model's outputs are not finite numbers (NaN or infinite) on {n} of {rows} rows "
    "(first: {row}); a model with NaN weights, or one fed inputs it cannot score"
)
NOT_COLUMNS = (
    "{spec!r} returned shape {shape} on {n} rows; it must return one column per class{want}{hint}"
)
NOT_PROBABILITIES = (
    "the model's outputs were read as probabilities (they were on the first {rows} evaluation "
    "rows) but {shown} on other rows is not one; if its outputs are logits, return two a row, "
    "[0, z] (torch.cat([torch.zeros_like(z), z], dim=1)), read as logits; if probabilities, "
    "end the model in a sigmoid or a softmax"
)
# A 1-D output: the positive class's column alone (predict_proba(x)[:, 1]).
ONE_COLUMN_HINT = " (predict_proba of a classifier, not one class's column alone)"


def eval_forward(
    module: nn.Module, x: torch.Tensor, *, run: Callable[[torch.Tensor], Any] | None = None
) -> Any:
    """``module``'s output on ``x`` (``run(x)``, default ``module(x)``), in eval mode
    without gradients (no dropout: no random number drawn); the module's own mode is back
    afterwards. Its exception propagates."""
    training = module.training
    module.eval()
    try:
        with torch.no_grad():
            return module(x) if run is None else run(x)
    finally:
        module.train(training)


class OneLogit(nn.Module):
    """A binary model with one logit ``z`` per row ((n, 1) or (n,): sigmoid(z) is the
    probability of the positive class, the audit's class 1) as two logits ``[0, z]``:
    softmax gives ``[1 - sigmoid(z), sigmoid(z)]`` exactly, and gradients flow."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.inner(x)
        z = z.reshape(len(z), 1) if isinstance(z, torch.Tensor) and z.ndim <= 2 else z
        return torch.cat([torch.zeros_like(z), z], dim=1)


def module_device(module: nn.Module) -> torch.device:
    """Where ``module`` runs: its first parameter's device, else its first buffer's (a fixed
    rule may hold buffers only), else the CPU (it holds neither)."""
    held = next(itertools.chain(module.parameters(), module.buffers()), None)
    return held.device if held is not None else torch.device("cpu")


def with_two_logits(
    module: nn.Module, *, input_shape: tuple[int, ...], n_classes: int
) -> nn.Module:
    """``module`` (given from Python, or trained by ``model.train``) as it is, or in
    :class:`OneLogit` when a binary model returns one logit per row on two rows of zeros
    (made on the module's device, :func:`module_device`: a module on a GPU, or one that
    holds buffers only there, is read as one on the CPU)."""
    if n_classes != 2 or isinstance(module, OneLogit):
        return module
    try:
        out = eval_forward(module, torch.zeros((2, *input_shape), device=module_device(module)))
    except Exception:  # noqa: BLE001 - its error comes back on the rows, named there
        return module
    one = isinstance(out, torch.Tensor) and tuple(out.shape) in ((2, 1), (2,))
    return OneLogit(module) if one else module


def named_logits(out: Any) -> torch.Tensor | None:
    """The tensor a forward's output holds under the name ``logits``: a dict's (any mapping:
    Hugging Face's ``return_dict``), an object's attribute (its ``ModelOutput``); else None."""
    found = out.get("logits") if isinstance(out, Mapping) else getattr(out, "logits", None)
    return found if isinstance(found, torch.Tensor) else None


class LogitsOf(nn.Module):
    """A module whose forward returns its logits by name (:func:`named_logits`; a Hugging
    Face model's output) as that tensor: gradients flow."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> Any:
        out = self.inner(x)
        found = named_logits(out)  # in float32, as InDtype gives a tensor back
        return out if found is None else found.float()  # else: refused, named


def with_named_logits(module: nn.Module, *, input_shape: tuple[int, ...]) -> nn.Module:
    """``module`` as it is, or in :class:`LogitsOf` when its output on two rows of zeros
    holds a tensor named ``logits`` (a dict, a ``ModelOutput``) rather than being one."""
    try:
        out = eval_forward(module, torch.zeros((2, *input_shape), device=module_device(module)))
    except Exception:  # noqa: BLE001 - its error comes back on the rows, named there
        return module
    named = not isinstance(out, torch.Tensor) and named_logits(out) is not None
    return LogitsOf(module) if named else module


class InDtype(nn.Module):
    """A module whose weights are not float32 (``model.double()``, a bf16 model) fed its own
    dtype: auditor's float32 inputs are cast in, its outputs cast back to float32."""

    def __init__(self, inner: nn.Module, dtype: torch.dtype) -> None:
        super().__init__()
        self.inner = inner
        self.dtype = dtype

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.inner(x.to(self.dtype))
        return out.float() if isinstance(out, torch.Tensor) else out  # else: refused, named


def in_own_dtype(module: nn.Module) -> nn.Module:
    """``module``, in :class:`InDtype` when its first floating-point weight is not float32."""
    dtype = next((p.dtype for p in module.parameters() if p.is_floating_point()), torch.float32)
    return module if dtype == torch.float32 else InDtype(module, dtype)


class Reordered(nn.Module):
    """A module's outputs in the audit's class order: column ``columns[i]`` of its output is
    the audit's class i (a module whose ``classes_`` name its outputs, positive not last)."""

    def __init__(self, inner: nn.Module, columns: tuple[int, ...]) -> None:
        super().__init__()
        self.inner = inner
        self.columns = list(columns)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.inner(x)
        return out[:, self.columns] if isinstance(out, torch.Tensor) else out  # else: refused


# How far a row of probabilities may sum from 1 (float32 softmax), and how many evaluation
# rows decide: outputs that are probabilities on every one are no logits.
SUM_SLACK = 1e-4
PROBE_ROWS = 512


class LogOf(nn.Module):
    """A module whose outputs are class probabilities (it ends in a softmax) as their log:
    softmax of the log gives the probabilities back, where softmax of the probabilities
    would flatten them (0.9 / 0.1 read as 0.69 / 0.31); gradients flow."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = self.inner(x)
        off = (p.sum(dim=1) - 1).abs() > SUM_SLACK
        _refuse_non_probabilities(p, off)
        return torch.log(p.clamp_min(1e-12))


class OneProbability(OneLogit):
    """A binary model whose one output per row is the probability ``p`` of the positive
    class (it ends in a sigmoid) as two logits ``[log(1 - p), log p]``: softmax gives
    ``[1 - p, p]`` back, where reading ``p`` as a logit gives sigmoid(p) >= 0.5 on every
    row (every row predicted positive); gradients flow."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = super().forward(x)[:, 1:]
        _refuse_non_probabilities(p, None)
        return torch.log(torch.cat([1 - p, p], dim=1).clamp_min(1e-12))


def _refuse_non_probabilities(p: torch.Tensor, off: torch.Tensor | None) -> None:
    """Outputs read as probabilities (they were on the probe rows) must be on every row:
    one outside [0, 1] (or a row off a sum of 1: ``off``) is a model of another kind, whose
    outputs clamped into probabilities would be a wrong audit."""
    outside = (p < 0) | (p > 1)
    if bool(outside.any()):
        shown = f"an output of {float(p[outside][0]):.4g}"
    elif off is not None and bool(off.any()):
        shown = f"a row summing to {float(p[off][0].sum()):.6g}"
    else:
        return
    raise AuditorInputError(NOT_PROBABILITIES.format(rows=PROBE_ROWS, shown=shown), field="model")


def _one_probability(module: nn.Module) -> tuple[int, nn.Module] | None:
    """For a :class:`OneLogit` (as it is, or under :class:`Reordered`): the column of its
    output that holds the one output, and the module with that output read as a probability
    (:class:`OneProbability`); None for any other module."""
    if isinstance(module, Reordered):
        inner = _one_probability(module.inner)
        if inner is None:
            return None
        return module.columns.index(inner[0]), Reordered(inner[1], tuple(module.columns))
    return (1, OneProbability(module.inner)) if type(module) is OneLogit else None


def is_probability(z: np.ndarray) -> bool:
    """Whether a binary model's one output per row (n,) is a probability: each in [0, 1]."""
    return len(z) > 0 and bool(((z >= 0) & (z <= 1)).all())


def with_logits(module: nn.Module, x: torch.Tensor, *, n_classes: int) -> nn.Module:
    """``module`` as it is, or in :class:`LogOf` when its (n, K >= 2) outputs on ``x`` (up
    to PROBE_ROWS evaluation rows) are probabilities: each in [0, 1], each row summing to 1;
    a binary model's one output (:class:`OneLogit`) in [0, 1] on those rows is read as the
    positive class's probability (:class:`OneProbability`), not as a logit. One forward pass
    of those rows decides. The audited module and reference modules from ``model.train``
    (the audited model's ``n_classes``) are read by this one rule."""
    rows = x[:PROBE_ROWS]
    if n_classes < 2 or not len(rows):
        return module
    try:
        out = eval_forward(module, rows)
    except Exception:  # noqa: BLE001 - its error comes back on the rows, named there
        return module
    if (not isinstance(out, torch.Tensor) or tuple(out.shape) != (len(rows), n_classes)
            or out.is_complex()):  # fmt: skip
        return module  # complex: refused on the rows (module_logits)
    out = out.double().cpu().numpy()
    one = _one_probability(module)
    if one is None:
        return LogOf(module) if are_probabilities(out) else module
    # outputs [0, z] are probabilities only where z is 1, so a OneLogit is never a LogOf
    return one[1] if is_probability(out[:, one[0]]) else module


def are_probabilities(out: np.ndarray) -> bool:
    """Whether (n, K >= 2) outputs are class probabilities: each in [0, 1], rows sum to 1."""
    return (
        out.ndim == 2 and out.shape[1] >= 2 and len(out) > 0
        and bool(((out >= 0) & (out <= 1)).all())
        and bool((np.abs(out.sum(axis=1) - 1) <= SUM_SLACK).all())
    )  # fmt: skip


def user_module(module: nn.Module) -> nn.Module:
    """The user's own module inside this module's readers (:class:`OneLogit`,
    :class:`InDtype`, :class:`Reordered`, :class:`LogOf`, :class:`LogitsOf`), for naming it."""
    while isinstance(module, OneLogit | InDtype | Reordered | LogOf | LogitsOf):
        module = module.inner
    return module


def read_as_logits(
    module: nn.Module, rows: np.ndarray, *, n_classes: int, device: torch.device,
    columns: tuple[int, ...] | None = None, one_output_columns: tuple[int, ...] | None = None,
) -> nn.Module:  # fmt: skip
    """A supplied module (the audited one, or a reference model ``model.train`` returned) on
    ``device``, read by one rule as the logits the audit expects: fed its own dtype
    (:func:`in_own_dtype`), a binary model's one logit per row read as two
    (:func:`with_two_logits`), its outputs in the audit's class order (``columns`` for a
    module with one output per class, ``one_output_columns`` for one logit read as two:
    :class:`Reordered`), and outputs that are probabilities on the first PROBE_ROWS of
    ``rows`` (evaluation rows, or the reference model's own) read as their log
    (:func:`with_logits`)."""
    module = in_own_dtype(module.to(device))
    module = with_named_logits(module, input_shape=rows.shape[1:])
    module = with_two_logits(module, input_shape=rows.shape[1:], n_classes=n_classes)
    if isinstance(module, OneLogit):
        columns = one_output_columns
    if columns is not None and tuple(columns) != tuple(range(n_classes)):
        module = Reordered(module, tuple(columns))
    probe = torch.tensor(rows[:PROBE_ROWS], dtype=torch.float32, device=device)  # a copy
    return with_logits(module, probe, n_classes=n_classes)


class NotFinite(AuditorInputError):
    """Outputs with NaN or infinite entries on ``n`` of ``rows`` rows, the first at 0-based
    ``first`` of the rows scored (a caller that knows whose rows they are names them)."""

    def __init__(self, *, n: int, rows: int, first: int, field_name: str) -> None:
        self.n, self.rows, self.first = n, rows, first
        super().__init__(NOT_FINITE.format(n=n, rows=rows, row=data_row(first)),
                         field=field_name)  # fmt: skip


def has_gradients(module: nn.Module, rows: np.ndarray) -> bool:
    """Whether gradients reach ``module``'s inputs (Integrated Gradients need them): its
    output on the first two of ``rows`` (float32, in eval mode) is a floating-point tensor that
    depends on them (``autograd.grad`` reaches them). A module returning class votes
    (integers), detaching its output (``.detach()``), or whose output needs gradients through
    its parameters only (numpy inside, a constant) has none; one that fails here fails on the
    rows, named."""
    x = torch.tensor(rows[:2], dtype=torch.float32, device=module_device(module),
                     requires_grad=True)  # fmt: skip
    training = module.training
    module.eval()
    try:
        with torch.enable_grad():
            out = module(x)
            if not (isinstance(out, torch.Tensor) and out.is_floating_point()
                    and out.requires_grad):  # fmt: skip
                return False
            return torch.autograd.grad(out.sum(), x, allow_unused=True)[0] is not None
    except Exception:  # noqa: BLE001 - its error comes back on the rows, named there
        return True
    finally:
        module.train(training)


def finite_outputs(out: np.ndarray, *, field_name: str = "model") -> np.ndarray:
    """``out`` (n, k) when every entry is a finite number; otherwise bad input naming
    ``field_name`` (:class:`NotFinite`): no metric, interval or verdict can be read from NaN
    or infinite scores."""
    bad = ~np.isfinite(out).all(axis=1)
    if bad.any():
        raise NotFinite(n=int(bad.sum()), rows=len(out), first=int(np.flatnonzero(bad)[0]),
                        field_name=field_name)  # fmt: skip
    return out


def column_outputs(
    out: np.ndarray, *, rows: int, n_classes: int | None, spec: str,
    field_name: str = "model.train", want: int | None = None,
) -> np.ndarray:  # fmt: skip
    """``out`` when it is (rows, n_classes) (None: any width) of finite numbers, else bad
    input naming ``field_name`` (``model.train``: a reference model's; the privacy attacks
    read one column per class). ``want``: the width the message asks for (default
    ``n_classes``)."""
    width = want if want is not None else n_classes
    width_ok = n_classes is None or (out.ndim == 2 and out.shape[1] == n_classes)
    if out.ndim != 2 or len(out) != rows or not width_ok:
        hint = ONE_COLUMN_HINT if out.ndim == 1 else ""
        shown = f", shape ({rows}, {width})" if width else ""
        message = NOT_COLUMNS.format(spec=spec, shape=out.shape, n=rows, want=shown, hint=hint)
        raise AuditorInputError(message, field=field_name)
    return finite_outputs(out, field_name=field_name)


def architecture(module: nn.Module) -> str:
    """The audited module as the card names it: the user's module's class, and how auditor
    reads its outputs (one logit, a sigmoid's probability, a softmax's)."""
    if isinstance(module, OneProbability):
        return f"{class_name(user_module(module.inner))} (one output, a probability: P(positive))"
    if isinstance(module, LogOf):
        return f"{architecture(module.inner)} (outputs probabilities: their log)"
    if isinstance(module, Reordered | InDtype | LogitsOf):
        return architecture(module.inner)
    if isinstance(module, OneLogit):
        return f"{class_name(user_module(module.inner))} (one logit: sigmoid)"
    return class_name(module)


def kind_of(module: nn.Module) -> str:
    """The module's class name; a TorchScript module's as it was written (``torch.jit.load``
    gives every one the class RecursiveScriptModule)."""
    return getattr(module, "original_name", None) or type(module).__name__


def class_name(module: nn.Module) -> str:
    """:func:`kind_of`, a TorchScript module's marked as such."""
    if isinstance(module, torch.jit.ScriptModule):
        return f"{kind_of(module)} (TorchScript)"
    return type(module).__name__


NOT_A_TENSOR = (
    "{spec!r} returned {found}, not a tensor: the audit reads one tensor of logits (rows, "
    "classes) per call; wrap the model in an nn.Module whose forward returns that tensor"
    "{example}"
)


class NotATensor(AuditorInputError):
    """A forward that returned no tensor: the module's, whatever rows it was given."""


def not_a_tensor(out: Any, *, spec: str) -> str:
    """What a forward that returned no tensor gave, and the way on."""
    found, example = type(out).__name__, ""
    if isinstance(out, dict):
        keys = ", ".join(repr(k) for k in list(out)[:8])
        found = f"a {found} (keys {keys})" if keys else f"an empty {found}"
        tensors = [k for k, v in out.items() if isinstance(v, torch.Tensor)]
        example = f" (e.g. its out[{tensors[0]!r}])" if tensors else ""
    elif isinstance(out, tuple | list):
        found = f"a {found} of {len(out)}"
        example = " (e.g. its out[0])" if out else ""
    return NOT_A_TENSOR.format(spec=spec, found=found, example=example)
