"""A module that does not take the data's inputs, named as such: its shapes and the layer
that wanted another width, not PyTorch's "mat1 and mat2 shapes cannot be multiplied" from
the middle of its forward, read as a crash of the user's code.

A factory that builds its input layer for a fixed width (ignoring ``input_shape``), or a
module given from Python trained on other columns, fails on its first forward pass; that
pass runs here on two rows, and torch's numbers there showing a layer given the inputs
themselves refusing their width is bad input naming the shapes and that layer (the one of
the width torch names: not always the module's first, as registered or as run). Any other
error (a hidden layer's sizes, a batch too small) is the module's own, named by the caller's
call."""

from __future__ import annotations

import re
from typing import Any

import torch
from torch import nn

from auditor.config.functions import call_user
from auditor.errors import AuditorInputError, cut_middle
from auditor.models.mismatch import inputs_from
from auditor.models.outputs import eval_forward, in_own_dtype, kind_of, module_device

# torch's numbers for a layer refusing its inputs' width: Linear's "(2x16 and 5x8)" (it got
# 16 columns of 2 rows and takes 5), a convolution's "expected input[2, 1, 8, 8] to have 3
# channels, but got 1 channels"
LINEAR_REFUSED = re.compile(
    r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x\d+\)"
)
CONV_REFUSED = re.compile(
    r"expected input\[([\d, ]+)\] to have (\d+) channels?, but got (\d+) channels? instead"
)
DOES_NOT_TAKE = (
    "{who} does not take inputs of shape {inputs} ({why}){layer}; {fix} (torch: {error})"
)
INPUT_LAYER = ": the layer given them, {layer}, takes {width}"
FACTORY_FIX = "build the module from its input_shape argument"
ROWS_FIX = (
    "give it the columns it was trained on, in their order, in features= (it receives float32 "
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


def input_layer(module: nn.Module, *, width: int, channels: bool = False) -> str:
    """': the layer given them, Linear(5 -> 8), takes 5' for the module's layer of the input
    ``width`` torch named (a Linear's or an embedding's; with ``channels``: a convolution's),
    the first such in registration order; '' when it has none."""
    for layer in module.modules():
        got = getattr(layer, "in_features", None) or getattr(layer, "in_channels", None)
        if not isinstance(got, int) or got != width or hasattr(layer, "in_features") == channels:
            continue
        out = getattr(layer, "out_features", None) or getattr(layer, "out_channels", "?")
        unit = "" if hasattr(layer, "in_features") else " channel" + "s" * (got != 1)
        return INPUT_LAYER.format(layer=f"{kind_of(layer)}({got} -> {out})", width=f"{got}{unit}")
    return ""


def refused_inputs(module: nn.Module, x: torch.Tensor, text: str) -> tuple[str, str] | None:
    """Where torch's ``text`` shows a layer given ``x`` itself refusing its width (the rows'
    columns, an image's channels): torch's line saying so and the layer taking the width
    torch names ('' where no layer of the module has it); else None (a hidden layer's
    sizes, a batch too small: the module's own error)."""
    linear, conv = LINEAR_REFUSED.search(text), CONV_REFUSED.search(text)
    if linear:
        rows, got, wanted = (int(g) for g in linear.groups())
        if (rows, got) != (x[..., 0].numel(), x.shape[-1]) or wanted == got:
            return None
        layer = input_layer(module, width=wanted)
    elif conv:
        shape = tuple(int(d) for d in conv.group(1).split(","))
        wanted, got = int(conv.group(2)), int(conv.group(3))
        if shape not in (tuple(x.shape), (1, *x.shape)) or wanted == got:
            return None
        layer = input_layer(module, width=wanted, channels=True)
    else:
        return None
    line = next(line for line in text.splitlines() if (linear or conv).group(0) in line)
    return cut_middle(" ".join(line.split()), 200, 0), layer


def refuse_shape_error(
    module: nn.Module, x: torch.Tensor, *, who: str, why: str, fix: str, field_name: str,
    source: str | None = None,
) -> Any:  # fmt: skip
    """``module``'s output on ``x`` (eval mode, no gradients), or None where it raised any
    error other than its inputs' width refused (the caller's own call names that one:
    :func:`refused_inputs`). That one is bad input naming ``who``, the inputs' shape,
    ``why`` it is that shape, the layer taking the width torch names and ``fix``."""
    try:
        return eval_forward(module, x)
    except RuntimeError as exc:
        refused = refused_inputs(module, x, str(exc))
        if refused is None:
            return None
        inputs = "(rows, " + ", ".join(str(d) for d in x.shape[1:]) + ")"
        message = DOES_NOT_TAKE.format(who=who, inputs=inputs, why=why, layer=refused[1],
                                       fix=fix, error=refused[0])  # fmt: skip
        raise AuditorInputError(message, source=source, field=field_name) from None
    except Exception:  # noqa: BLE001 - not a shape error: the caller's call names it
        return None


def check_takes_rows(module: nn.Module, rows: Any, columns: tuple[str, ...], *,
                     field_name: str = "model") -> None:  # fmt: skip
    """A module given from Python, fed two of the rows' (n, F) float32 inputs on its own
    device, in its own dtype: a shape error names the rows' input columns and what the layer
    given them takes (a module trained on other columns)."""
    if len(rows) == 0:
        return
    shown = ", ".join(columns[:SHOWN]) + (", ..." if len(columns) > SHOWN else "")
    x = torch.tensor(rows[:2], dtype=torch.float32, device=module_device(module))
    why = ROWS_WHY.format(n=len(columns), columns=shown)
    refuse_shape_error(in_own_dtype(module), x, who=kind_of(module), why=why,
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
    a shape error names them and the layer given them (a trainer building a fixed width)."""
    if len(x) == 0:
        return
    rows = torch.tensor(x[:2], dtype=torch.float32, device=module_device(module))
    who = TRAINED_WHO.format(name=kind_of(module))
    refuse_shape_error(in_own_dtype(module), rows, who=who, why=TRAINED_WHY, fix=TRAINED_FIX,
                       field_name="model.train")  # fmt: skip
