"""Which output column of a module whose classes it does not name holds each class: the
classes' sorted order (numbers by value), and whether the classes are numbers at all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import nn

from auditor.config.labels import is_number
from auditor.models.outputs import LogOf, Reordered


def read_order(module: nn.Module, n_classes: int) -> tuple[int, ...]:
    """The output column of each class, in the audit's order, that ``module`` (as
    :func:`read_as_logits` returned it) is read by: its :class:`Reordered`'s, else 0..K-1."""
    module = module.inner if isinstance(module, LogOf) else module
    return tuple(module.columns) if isinstance(module, Reordered) else tuple(range(n_classes))


def sorted_columns(labels: tuple[Any, ...]) -> tuple[int, ...]:
    """The output column of each of ``labels`` (the audit's order, the positive class last)
    for a module whose classes were not named: one column per class in the classes' sorted
    order, numbers by value (``CrossEntropyLoss`` on the indices 0..K-1: class 10 after 9,
    not after 1), text as text (``LabelEncoder``'s order), whatever the positive class."""
    values = class_numbers(labels)
    keys = values if values is not None else [str(label) for label in labels]
    order = sorted(range(len(labels)), key=keys.__getitem__)
    return tuple(order.index(i) for i in range(len(labels)))


def class_numbers(labels: Sequence[Any]) -> list[float] | None:
    """Each of ``labels`` as the number it is, booleans as 0 and 1 (False, True, in any
    case), or None when one of them is not a number: the one rule for whether a model's
    classes are numbers (their sorted order, and whether they are its outputs' indices)."""
    values = []
    for label in labels:
        text = str(label)
        if text.lower() in ("true", "false"):
            values.append(float(text.lower() == "true"))
        elif is_number(text):
            values.append(float(text))
        else:
            return None
    return values
