"""A module that does not take the data's inputs, named as such: its shapes and the layer
that wanted another width, not PyTorch's "mat1 and mat2 shapes cannot be multiplied" from
the middle of its forward, read as a crash of the user's code.

A factory that builds its first layer for a fixed width (ignoring ``input_shape``), or a
module given from Python trained on other columns, fails on its first forward pass; that
pass runs here on two rows, and a shape error there is bad input naming the shapes."""

from __future__ import annotations

import re
from typing import Any

import torch
from torch import nn

from auditor.config.functions import call_user
from auditor.errors import AuditorInputError
from auditor.models.mismatch import inputs_from
from auditor.models.outputs import eval_forward, in_own_dtype, module_device

# torch's words for inputs of the wrong shape (Linear, Conv, BatchNorm, view / reshape)
SHAPE_ERROR = re.compile(r"shape|size|dimension|channel|must match", re.IGNORECASE)
DOES_NOT_TAKE = (
    "{who} does not take inputs of shape {inputs} ({why}){layer}; {fix} (torch: {error})"
)
FIRST_LAYER = ": its first layer, {layer}, takes {width}"
FACTORY_FIX = "build the module from its input_shape argument"
ROWS_FIX = (
    "give it the columns it was trained on, in its order, in features (it receives float32 "
    "(rows, columns): wrap a module that takes another shape)"
)
ROWS_WHY = "the rows' {n} input columns: {columns}"
TRAINED_WHO = "the module fit returned ({name})"
TRAINED_WHY = "x as fit(x=...) received it"
TRAINED_FIX = "build it from x.shape[1:]"
SHOWN = 8
BAD_OUTPUT = (
    "{spec!r} builds a module that returns {shape} for inputs of shape {inputs}; it must "
    "return logits of shape (rows, {k}): take input_shape and n_classes from the arguments"
)


def first_layer(module: nn.Module) -> str:
    """': its first layer, Linear(5 -> 8), takes 5' for the first layer with a fixed input
    width (Linear, a convolution, an embedding); '' when it has none."""
    for layer in module.modules():
        width = getattr(layer, "in_features", None) or getattr(layer, "in_channels", None)
        if isinstance(width, int):
            out = getattr(layer, "out_features", None) or getattr(layer, "out_channels", "?")
            unit = "" if hasattr(layer, "in_features") else " channel" + "s" * (width != 1)
            name = f"{type(layer).__name__}({width} -> {out})"
            return FIRST_LAYER.format(layer=name, width=f"{width}{unit}")
    return ""


def refuse_shape_error(
    module: nn.Module, x: torch.Tensor, *, who: str, why: str, fix: str, field_name: str,
    source: str | None = None,
) -> Any:  # fmt: skip
    """``module``'s output on ``x`` (eval mode, no gradients), or None where it raised any
    error other than a shape error (the caller's own call names that one). A shape error
    (a RuntimeError in torch's words for shapes) is bad input naming ``who``, the inputs'
    shape, ``why`` it is that shape, the module's first layer and ``fix``."""
    try:
        return eval_forward(module, x)
    except RuntimeError as exc:
        text = " ".join(str(exc).split())
        if not SHAPE_ERROR.search(text):
            return None
        inputs = "(rows, " + ", ".join(str(d) for d in x.shape[1:]) + ")"
        message = DOES_NOT_TAKE.format(who=who, inputs=inputs, why=why,
                                       layer=first_layer(module), fix=fix,
                                       error=text[:200])  # fmt: skip
        raise AuditorInputError(message, source=source, field=field_name) from None
    except Exception:  # noqa: BLE001 - not a shape error: the caller's call names it
        return None


def check_takes_rows(module: nn.Module, rows: Any, columns: tuple[str, ...], *,
                     field_name: str = "model") -> None:  # fmt: skip
    """A module given from Python, fed two of the rows' (n, F) float32 inputs on its own
    device, in its own dtype: a shape error names the rows' input columns and what its first
    layer takes (a module trained on other columns)."""
    if len(rows) == 0:
        return
    shown = ", ".join(columns[:SHOWN]) + (", ..." if len(columns) > SHOWN else "")
    x = torch.tensor(rows[:2], dtype=torch.float32, device=module_device(module))
    why = ROWS_WHY.format(n=len(columns), columns=shown)
    refuse_shape_error(in_own_dtype(module), x, who=type(module).__name__, why=why,
                       fix=ROWS_FIX, field_name=field_name)  # fmt: skip


def check_forward(
    module: nn.Module, *, spec: str, input_shape: tuple[int, ...], n_classes: int,
    one_logit: bool = False,
) -> bool:  # fmt: skip
    """One forward pass of ``module`` on two rows of zeros, in eval mode without gradients
    (no random number drawn): it runs, and returns (2, n_classes) logits, or with
    ``one_logit`` a binary model's one logit per row ((2, 1) or (2,): True is returned). A
    module that ignores ``input_shape`` or ``n_classes`` is bad input here, not an internal
    error in the middle of training ("mat1 and mat2 shapes cannot be multiplied")."""
    x = torch.zeros((2, *input_shape))
    why = inputs_from(input_shape)
    out = refuse_shape_error(module, x, who=f"{spec!r} builds a module that", why=why,
                             fix=FACTORY_FIX, field_name="model.factory")  # fmt: skip
    if out is None:  # it raised: the user's error, named with its line
        out = eval_forward(module, x, run=lambda x: call_user(
            module, x, spec=f"{spec} (forward)", field_name="model.factory"))  # fmt: skip
    shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
    if one_logit and n_classes == 2 and shape in ((2, 1), (2,)):
        return True
    if shape != (2, n_classes):
        raise AuditorInputError(BAD_OUTPUT.format(spec=spec, shape=shape, k=n_classes,
                                                  inputs=(2, *input_shape)),
                                field="model.factory")  # fmt: skip
    return False


def check_trained_takes(module: nn.Module, x: Any) -> None:
    """A reference module ``model.train`` returned, fed two rows of the x it was trained on:
    a shape error names them and its first layer (a trainer building a fixed width)."""
    if len(x) == 0:
        return
    rows = torch.tensor(x[:2], dtype=torch.float32, device=module_device(module))
    who = TRAINED_WHO.format(name=type(module).__name__)
    refuse_shape_error(in_own_dtype(module), rows, who=who, why=TRAINED_WHY, fix=TRAINED_FIX,
                       field_name="model.train")  # fmt: skip
