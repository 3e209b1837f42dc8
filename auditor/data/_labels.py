"""A table's class labels as written: one class written two ways ('1' and '1.0'), a positive
label among more than two classes. (Two values the same but for spaces are one label:
:mod:`auditor.data.spelling`.)"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from auditor.config.labels import label_key, loose_label, spelling_splits_two
from auditor.errors import AuditorInputError

TWO_WAYS = (
    "column {col!r} holds {a!r} and {b!r}, one value written two ways{how}: they would be two "
    "{what}; write each one way"
)
BY_CASE = " (case or a trailing period apart, as adult.test's labels end in '.')"
POSITIVE_NEEDS_BINARY = (
    "positive_label {label!r} needs two classes; {whose} has {k} ({classes}), each audited "
    "against the rest (recall@{label} ...): leave positive_label unset"
)


def check_one_way(labels: Sequence[Any], *, col: str, what: str, src: str, field: str) -> None:
    """Refuse two distinct values of a column (``labels``, each once) that are one value by
    :func:`auditor.config.labels.same_label` ('1', '1.0' and 'True'; one pass: a number,
    true / false (1 / 0) and other text each have one key), or text alike but for case or a
    trailing period (:func:`~auditor.config.labels.loose_label`: 'yes' and 'Yes', '>50K' and
    '>50K.') where that turns a two-class target into more
    (:func:`~auditor.config.labels.spelling_splits_two`, as the predictions path refuses
    them): a class split in two by the way a file was written. Classes apart only in case
    otherwise ('K' and 'k') are classes."""
    pair = first_alike(labels, label_key)
    how = ""
    if pair is None and spelling_splits_two(labels, _one_way_key):
        pair, how = first_alike(labels, _one_way_key), BY_CASE
    if pair is not None:
        message = TWO_WAYS.format(col=col, a=pair[0], b=pair[1], how=how, what=what)
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


def binary_positive(labels: list, positive: object, *, whose: str, src: str) -> None:
    """Refuse a positive label among more than two classes: binary metrics would not be
    read from it (every class is audited one-vs-rest), so naming one says nothing."""
    if len(labels) > 2:
        raise AuditorInputError(
            POSITIVE_NEEDS_BINARY.format(label=str(positive), whose=whose, k=len(labels),
                                         classes=", ".join(map(str, labels))),
            source=src, field="data.positive_label",
        )  # fmt: skip
