"""A table's groups and target, encoded once for the audit: one text column per sensitive
feature (a missing value refused, or the group '(missing)'; many numbers audited as they are,
and noted with the way to bands: :func:`number_notes`), and the target's classes as
0..k-1 in sorted order, ``positive_label`` last. A label is read in one spelling however it
was typed (:func:`~auditor.data.spelling.canonical`: ``"Male "`` is ``"Male"``), as a
predictions file's is; what was merged is recorded for the card."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from auditor.config import TableData
from auditor.config.labels import MISSING_CLASS, label_index, missing_class, same_label
from auditor.data import TaskInfo
from auditor.data._labels import binary_positive, check_one_way
from auditor.data._tables import MISSING_LEVEL
from auditor.data.advice import MAX_CATEGORIES, MISSING_FLAG, RAISE_MAX_CATEGORIES
from auditor.data.number_groups import number_note
from auditor.data.spelling import (
    MISSING_CLASH,
    canonical,
    canonical_values,
    clash_way,
    missing_labels,
)
from auditor.errors import AuditorInputError, data_row

MISSING_SENSITIVE = (
    "column {col!r} has {labels} (first at {row}); fill them, or set " + MISSING_FLAG + " to "
    "audit them as the group '(missing)'"
)
# data.max_categories, as its messages name it: one wording (audit_model has no such argument,
# so from Python they are left out and the limit stands as a number)
TOO_MANY_CLASSES = (
    "target column {col!r} has {n} distinct values, more than " + MAX_CATEGORIES + "{k}: "
    "auditor audits classifiers (a continuous target?); name a class column"
    + RAISE_MAX_CATEGORIES
)
TARGET_MISSING = MISSING_CLASS  # one wording with a predictions file's missing label
SINGLE_CLASS = "target column {col!r} has a single class ({label!r})"
NOT_A_LABEL = (
    "positive_label {label!r} is not a value of {col!r} (it holds: {have}); name one of them"
)
# per column, each label read from more than one spelling, and its spellings
Merged = dict[str, dict[str, list[str]]]


def sensitive_groups(
    frame: pd.DataFrame, config: TableData, *, src: str, merged: Merged | None = None
) -> tuple[pd.DataFrame, dict[str, int]]:
    """One string column per sensitive feature, each label in one spelling (what more than one
    spelling was read as: in ``merged``), and per feature the count of missing values put in
    the group '(missing)' (refused unless ``missing_group``; a group of that name beside it
    refused)."""
    out: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for col in config.sensitive:
        values = canonical_values(frame[col], col, merged)
        labels = values.astype(str).to_numpy(dtype=object)
        bad = missing_labels(values)
        if bad.any() and not config.missing_group:
            n, row = int(bad.sum()), data_row(int(np.flatnonzero(bad)[0]))
            labels = f"{n} missing or empty group label{'s' if n != 1 else ''}"
            raise AuditorInputError(MISSING_SENSITIVE.format(col=col, labels=labels, row=row),
                                    source=src, field="data.sensitive")  # fmt: skip
        if config.missing_group and (labels[~bad] == MISSING_LEVEL).any():
            message = MISSING_CLASH.format(whose=f"column {col!r}", label=MISSING_LEVEL,
                                           flag=MISSING_FLAG,
                                           way=clash_way(MISSING_FLAG, no_value=bad.any()))
            raise AuditorInputError(message, source=src, field="data.sensitive")
        labels[bad] = MISSING_LEVEL
        out[col] = labels
        counts[col] = int(bad.sum())
    return pd.DataFrame(out, index=frame.index).astype(str), counts


def number_notes(groups: pd.DataFrame) -> list[str]:
    """The card's note on each column of ``groups`` (:func:`sensitive_groups`' text columns)
    of more than 50 distinct numbers, each audited as a group
    (:func:`~auditor.data.number_groups.number_note`: age in years, with the way to bands)."""
    notes = (number_note(str(col), groups[col].value_counts(sort=False).to_dict(),
                         missing=MISSING_LEVEL) for col in groups.columns)  # fmt: skip
    return [note for note in notes if note is not None]


def encode_target(
    frame: pd.DataFrame, config: TableData, *, src: str, merged: Merged | None = None
) -> tuple[np.ndarray, TaskInfo]:
    """Labels 0..k-1 in sorted order, ``positive_label`` (when given) last; a text class in
    one spelling (what more than one spelling was read as: in ``merged``)."""
    target = canonical_values(frame[config.target], config.target, merged)
    refuse_missing_target(target, config.target, src=src)
    labels = target_classes(target, config, src=src, single=SINGLE_CLASS)
    lookup = {v: i for i, v in enumerate(labels)}
    y = target.map(lookup).to_numpy().astype(np.int64)
    return y, TaskInfo(config.target, tuple(str(v) for v in labels))


def refuse_missing_target(target: pd.Series, col: str, *, src: str) -> None:
    """Refused: a missing class in ``target`` (:func:`missing_labels`), naming how many rows
    and the first."""
    bad = missing_labels(target)
    if bad.any():
        message = missing_class(col, n=int(bad.sum()), first=int(np.flatnonzero(bad)[0]) + 1,
                                start=1, end=len(bad))  # fmt: skip
        raise AuditorInputError(message, source=src, field="data.target")


def target_classes(target: pd.Series, config: TableData, *, src: str, single: str) -> list:
    """The classes of ``target`` (its values, the rows of one file or of several) in the
    audit's order: sorted as text, ``positive_label`` (when given) last (text classes in one
    spelling: the caller's :func:`~auditor.data.spelling.canonical_values`). Refused: one
    written two ways ('1' and '1.0'), fewer than two (``single``: the message,
    with ``{col}`` and ``{label}``), more than ``data.max_categories``, a ``positive_label``
    that names none of them, or one among more than two."""
    labels = sorted(target.unique().tolist(), key=str)  # a missing target: refused by callers
    check_classes(labels, config, src=src, single=single.format(col=config.target,
                                                                label=labels[0]),
                  rows=lambda label: int((target == label).sum()))  # fmt: skip
    order = positive_last(labels, config.positive_label, whose=f"target column {config.target!r}",
                          src=src, unknown=NOT_A_LABEL.format(label=config.positive_label,
                                                              col=config.target,
                                                              have=held(labels)))  # fmt: skip
    return [labels[i] for i in order]


def held(labels: list, *, most: int = 12) -> str:
    """``labels`` for a message, quoted, the first ``most`` of them and how many more."""
    shown = ", ".join(repr(str(label)) for label in labels[:most])
    return shown if len(labels) <= most else f"{shown} and {len(labels) - most} more"


def positive_last(
    labels: list, positive_label: object, *, whose: str, src: str | None, unknown: str
) -> list[int]:
    """The audit's order of ``labels`` (indices into them): as they are, the one
    ``positive_label`` names (:func:`~auditor.config.labels.label_index`'s rule) moved
    last, both read in one spelling (a model's class ``"yes "`` is named by ``yes``).
    Refused: a ``positive_label`` that names none of them (``unknown``: what to say), or one
    among more than two (``whose``: the labels' owner, in the message)."""
    order = list(range(len(labels)))
    if positive_label is None:
        return order
    pos = spelled_index(labels, positive_label)
    if pos is None:
        raise AuditorInputError(unknown, source=src, field="data.positive_label")
    binary_positive(labels, labels[pos], whose=whose, src=src)
    return [i for i in order if i != pos] + [pos]


def check_classes(labels: list, config: TableData, *, src: str, single: str,
                  rows: Callable[[Any], int] | None = None) -> None:  # fmt: skip
    """Refuse a target of fewer than two classes (``single``: what to say), more than
    ``data.max_categories``, or one class written two ways."""
    if len(labels) < 2:
        raise AuditorInputError(single, source=src, field="data.target")
    if len(labels) > config.max_categories:
        raise AuditorInputError(
            TOO_MANY_CLASSES.format(col=config.target, n=len(labels), k=config.max_categories),
            source=src, field="data.target",
        )  # fmt: skip
    check_one_way(labels, col=config.target, what="classes", src=src, field="data.target",
                  rows=rows)  # fmt: skip


def one_spelling(label: object) -> object:
    """A text label as :func:`~auditor.data.spelling.canonical` reads it; another as it is."""
    return canonical(label) if isinstance(label, str) else label


def spelled_index(labels: Sequence[Any], wanted: Any) -> int | None:
    """:func:`~auditor.config.labels.label_index` of ``wanted`` among ``labels``, each read in
    one spelling (a model's class ``"yes "`` is named by ``yes``)."""
    return spelled_indices(labels, [wanted])[0]


def spelled_indices(labels: Sequence[Any], wanted: Iterable[Any]) -> list[int | None]:
    """:func:`spelled_index` of each of ``wanted``, ``labels`` read in one spelling once (not
    once per value: 500 classes, 0.2 s)."""
    names = [one_spelling(v) for v in labels]
    return [label_index(names, one_spelling(w)) for w in wanted]


def first_unnamed(labels: Sequence[Any], values: Iterable[Any]) -> int | None:
    """The index of the first of ``labels`` that none of ``values`` names
    (:func:`~auditor.config.labels.same_label`, each read in one spelling, once); None where
    each is named."""
    spelled = [one_spelling(v) for v in values]
    for i, label in enumerate(labels):
        wanted = one_spelling(label)
        if not any(same_label(wanted, v) for v in spelled):
            return i
    return None
