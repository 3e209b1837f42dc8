"""What a checkpoint's size mismatch is about: the module's inputs (``input_shape``, from the
data's columns) or its outputs (``n_classes``), read from the sizes that disagree, so the
error names where the wrong number came from rather than always the classes.

A weight's first dimension is its layer's outputs and the others its inputs (``nn.Linear``
``[out, in]``, a convolution's ``[out, in, kh, kw]``); a 1-D tensor (a bias, a norm's scale)
could be either. So a last layer saved for 3 classes, where the data has 2 input columns and
2 classes, is about n_classes and not input_shape."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Where the factory's n_classes came from (True: model.classes named them).
N_CLASSES_FROM = {
    True: "n_classes = {k}: the labels in model.classes",
    False: "n_classes = {k}: the target's classes (model.classes names the outputs otherwise)",
}
INPUTS_FROM = (
    "input_shape = {shape}: the data's {n} input columns (data.features, else every column "
    "but the target, data.drop and the sensitive ones)"
)
IMAGES_FROM = "input_shape = {shape}: the images' channels, height and width"


def inputs_from(shape: tuple[int, ...]) -> str:
    """Where ``input_shape`` came from: a table's input columns, or an image's (C, H, W)."""
    if len(shape) == 3:
        return IMAGES_FROM.format(shape=shape)
    return INPUTS_FROM.format(shape=shape, n=math.prod(shape))
# The tensors whose shapes differ, named before torch's own (long) text would be cut.
SHAPES = "size mismatch: {first}{more}"
SHAPE = "{key} is {theirs} in the file, {mine} in the module"
SHAPES_SHOWN = 2


@dataclass
class Sizes:
    """The module's sizes where a saved tensor's shape differs from its own: at an output
    dimension (a weight's first), an input dimension (a weight's others), or a 1-D
    tensor's (either)."""

    outputs: set[int] = field(default_factory=set)
    inputs: set[int] = field(default_factory=set)
    either: set[int] = field(default_factory=set)

    def all(self) -> set[int]:
        return self.outputs | self.inputs | self.either


def _shape(value: Any) -> tuple[int, ...]:
    return tuple(getattr(value, "shape", ()))


def mismatched_sizes(state: Mapping[str, Any], own: Mapping[str, Any]) -> Sizes:
    """The module's sizes where a tensor of ``state`` and the module's (``own``) disagree."""
    sizes = Sizes()
    for key in state.keys() & own.keys():
        theirs, mine = _shape(state[key]), _shape(own[key])
        if theirs == mine:
            continue
        if len(theirs) != len(mine):  # no dimension to pair: any of them
            sizes.either.update(mine)
        elif len(mine) == 1:
            sizes.either.update(mine)
        else:
            for dim, (t, m) in enumerate(zip(theirs, mine, strict=True)):
                if t != m:
                    (sizes.inputs if dim else sizes.outputs).add(m)
    return sizes


def mismatch_why(
    sizes: Sizes, *, input_shape: tuple[int, ...], n_classes: int, classes_given: bool
) -> str:
    """'; input_shape = (9,): ...' and/or '; n_classes = 2: ...' for the sizes that disagree
    (:func:`mismatched_sizes`); '' when neither (a hidden layer's width). A 1-D tensor's size
    names the inputs or the classes only where no weight says it is the other."""
    width, parts = math.prod(input_shape), []
    ins = set(input_shape) | {width}
    if ins & sizes.inputs or (ins & sizes.either) - sizes.outputs:
        parts.append(inputs_from(input_shape))
    if n_classes in sizes.outputs or (n_classes in sizes.either and n_classes not in sizes.inputs):
        parts.append(N_CLASSES_FROM[classes_given].format(k=n_classes))
    return "".join(f"; {part}" for part in parts)


def shapes_detail(state: Mapping[str, Any], own: Mapping[str, Any]) -> str | None:
    """'size mismatch: 2.weight is [3, 8] in the file, [2, 8] in the module; ...' for the
    first tensors whose shapes differ, in the module's order; None when every shape fits."""
    keys = [k for k in own if k in state and _shape(state[k]) != _shape(own[k])]
    if not keys:
        return None
    shown = [SHAPE.format(key=k, theirs=list(_shape(state[k])), mine=list(_shape(own[k])))
             for k in keys[:SHAPES_SHOWN]]  # fmt: skip
    more = f" (and {len(keys) - SHAPES_SHOWN} more)" if len(keys) > SHAPES_SHOWN else ""
    return SHAPES.format(first="; ".join(shown), more=more)
