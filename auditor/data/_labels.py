"""A table's class labels as written: one class written two ways ('1' and '1.0'), a positive
label among more than two classes. (Two values the same but for spaces are one label:
:mod:`auditor.data.spelling`.)"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from auditor.config.labels import (
    ALIKE_CLASSES,
    POSITIVE_NEEDS_TWO,
    label_key,
    loose_label,
    spelling_splits_two,
)
from auditor.errors import AuditorInputError, rows_text

TWO_WAYS = (
    "column {col!r} holds {a!r} and {b!r}, one value written two ways: they would be two "
    "{what}; write each one way"
)
POSITIVE_WAY = (
    "each class is audited against the rest (recall@{label} ...): leave positive_label unset"
)


def check_one_way(labels: Sequence[Any], *, col: str, what: str, src: str, field: str,
                  rows: Callable[[Any], int] | None = None) -> None:  # fmt: skip
    """Refuse two distinct values of a column (``labels``, each once) that are one value by
    :func:`auditor.config.labels.same_label` ('1', '1.0' and 'True'; one pass: a number,
    true / false (1 / 0) and other text each have one key), or text alike but for case or a
    trailing period (:func:`~auditor.config.labels.loose_label`: 'yes' and 'Yes', '>50K' and
    '>50K.') where that turns a two-class target into more
    (:func:`~auditor.config.labels.spelling_splits_two`), in the predictions path's words,
    with each one's ``rows`` where given. Classes apart only in case otherwise ('K' and 'k')
    are classes."""
    pair = first_alike(labels, label_key)
    if pair is not None:
        message = TWO_WAYS.format(col=col, a=pair[0], b=pair[1], what=what)
        raise AuditorInputError(message, source=src, field=field)
    if spelling_splits_two(labels, _one_way_key):
        pair = first_alike(labels, _one_way_key)
        said = [repr(v) + (f" ({rows_text(rows(v))})" if rows else "") for v in pair]
        message = ALIKE_CLASSES.format(column=f"column {col!r}", first=said[0], second=said[1],
                                       k=len(labels))  # fmt: skip
        raise AuditorInputError(message, source=src, field=field)


def _one_way_key(value: Any) -> Any:
    key = label_key(value)
    return ("text", loose_label(key[1])) if isinstance(key, tuple) else key


def first_alike(labels: Sequence[Any], key: Callable[[Any], Any]) -> tuple[Any, Any] | None:
    """The first two of ``labels`` (each once) with the same ``key``, in their order; None
    where every key differs. One pass."""
    seen: dict[Any, Any] = {}
    for value in labels:
        found = key(value)
        if found in seen:
            return seen[found], value
        seen[found] = value
    return None


def binary_positive(labels: list, positive: object, *, whose: str, src: str | None) -> None:
    """Refuse a positive label among more than two classes: binary metrics would not be
    read from it (every class is audited one-vs-rest), so naming one says nothing."""
    if len(labels) > 2:
        raise AuditorInputError(
            POSITIVE_NEEDS_TWO.format(label=str(positive), whose=f"{whose} has", k=len(labels),
                                      classes=", ".join(map(str, labels)),
                                      way=POSITIVE_WAY.format(label=positive)),
            source=src, field="data.positive_label",
        )  # fmt: skip
