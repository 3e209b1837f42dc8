"""What a checkpoint's size mismatch is about: the module's inputs (``input_shape``, from the
data's columns) or its outputs (``n_classes``), read from the sizes that disagree, so the
error names where the wrong number came from rather than always the classes."""

from __future__ import annotations

import math
from collections.abc import Mapping
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


def mismatched_sizes(state: Mapping[str, Any], own: Mapping[str, Any]) -> set[int]:
    """The module's sizes where a tensor of ``state`` and the module's (``own``) disagree."""
    sizes: set[int] = set()
    for key in state.keys() & own.keys():
        theirs, mine = tuple(getattr(state[key], "shape", ())), tuple(own[key].shape)
        if theirs == mine:
            continue
        if len(theirs) != len(mine):
            sizes.update(mine)
        else:
            sizes.update(m for t, m in zip(theirs, mine, strict=True) if t != m)
    return sizes


def mismatch_why(
    sizes: set[int], *, input_shape: tuple[int, ...], n_classes: int, classes_given: bool
) -> str:
    """'; input_shape = (9,): ...' and/or '; n_classes = 2: ...' for the sizes that disagree
    (:func:`mismatched_sizes`); '' when neither (a hidden layer's width)."""
    parts = []
    if sizes & set(input_shape) or math.prod(input_shape) in sizes:
        parts.append(INPUTS_FROM.format(shape=input_shape, n=math.prod(input_shape)))
    if n_classes in sizes:
        parts.append(N_CLASSES_FROM[classes_given].format(k=n_classes))
    return "".join(f"; {part}" for part in parts)
