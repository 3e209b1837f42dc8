"""How a label given in a config, an option or an argument names a class: one rule for the
table's ``positive_label``, a supplied model's classes, ``[fairness] favourable_label`` and
``auditor audit --positive-label``.

A wanted label names a class when both are written the same (``"yes"`` names ``yes``), and
otherwise when both are the same value:

- a number and a number, however written: ``"1"`` names ``1``, ``1.0`` and ``"01"``;
- true / false, written as a boolean or as the text ``true`` / ``false`` in any case:
  ``"true"`` names ``True`` and the text ``TRUE``;
- a boolean and the number it equals (as in Python, ``True == 1``): ``"1"`` names ``True``
  and the text ``True`` (a boolean column's class name), ``True`` names ``1``; but the text
  ``"true"`` does not name the number ``1`` (a file's 0/1 column holds numbers, not truth
  values).

:func:`label_index` applies it to a list of classes: the one class written the same, else the
one class of the same value; two such classes (``1`` and ``1.0`` in one column) name none.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from pydantic import BeforeValidator

from auditor.errors import rows_text

TRUTH_TEXT = {"true": True, "false": False}


def _is_bool(value: Any) -> bool:
    return type(value).__name__ in ("bool", "bool_")  # Python's, or numpy's (1.x and 2.x)


def _truth(value: Any) -> bool | None:
    """True / False for a boolean or the text true / false (any case), else None."""
    if _is_bool(value):
        return bool(value)
    if isinstance(value, str):
        return TRUTH_TEXT.get(value.strip().lower())
    return None


def _number(value: Any) -> float | None:
    """The number ``value`` is or writes (a boolean is 0 or 1), else None."""
    if isinstance(value, str) and value.strip().lower() in TRUTH_TEXT:
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def same_label(wanted: Any, value: Any) -> bool:
    """Whether the label ``wanted`` (an option, a config value) names the class ``value``
    (the class itself or its name): the same text, or the same value (module docstring)."""
    if str(wanted) == str(value):
        return True
    number_w, truth_v = _number(wanted), _truth(value)
    if truth_v is not None:  # a class True / "True" is named by true (any case) or 1
        truth_w = _truth(wanted)
        return truth_v == truth_w if truth_w is not None else number_w == float(truth_v)
    return number_w is not None and number_w == _number(value)


def label_key(value: Any) -> Any:
    """One key per value of :func:`same_label`'s rule: two labels have the same key when one
    names the other, either way round (true / false as 1.0 / 0.0, a number or its text as a
    float, other text as written)."""
    truth = _truth(value)
    if truth is not None:
        return float(truth)
    number = _number(value)
    return number if number is not None else ("text", str(value))


def loose_label(label: str) -> str:
    """``label`` without the case (``lower()``: 'Maße' is not 'Masse'), surrounding spaces
    and one trailing period ('...' is not '.') a class's spellings differ in (adult.test's
    '>50K.' is adult.data's '>50K'): text classes with one loose label are alike."""
    text = label.strip()
    return (text[:-1] if text.endswith(".") else text).lower()


def _loose(value: Any) -> Any:
    return loose_label(value) if isinstance(value, str) else value


def alike_sets(labels: Sequence[Any], key: Callable[[Any], Any] = _loose) -> list[list[Any]]:
    """The labels (each once) that one ``key`` gathers (text by :func:`loose_label`: 'K' and
    'k'), each set of more than one in first-seen order."""
    return [found for found in _by_key(labels, key) if len(found) > 1]


def _by_key(labels: Sequence[Any], key: Callable[[Any], Any]) -> list[list[Any]]:
    sets: dict[Any, list[Any]] = {}
    for value in labels:
        sets.setdefault(key(value), []).append(value)
    return list(sets.values())


def spelling_splits_two(labels: Sequence[Any], key: Callable[[Any], Any] = _loose) -> bool:
    """Whether the way a column is written turns what is really a two-class target into more
    classes: ``labels`` (each once) are exactly two by ``key`` while more than two as
    written, and either one of the two is written one way only ('Yes' beside 'yes' and 'No')
    or a trailing period sets spellings apart (adult's '>50K', '>50K.', '<=50K', '<=50K.').
    Refused on both paths. Classes apart only in case otherwise (chess pieces 'K', 'k', 'B',
    'b', each class written in both cases; genotypes 'AA', 'Aa', 'aa') are classes, audited
    as written with a note."""
    sets = _by_key(labels, key)
    if len(labels) <= 2 or len(sets) != 2:
        return False
    period = [len({str(v).strip().endswith(".") for v in found}) > 1 for found in sets]
    return any(period) or any(len(found) == 1 for found in sets)


def label_index(labels: Sequence[Any], wanted: Any) -> int | None:
    """Index of the one label of ``labels`` that ``wanted`` names: written the same, else the
    same value (:func:`same_label`); None when none does, or more than one."""
    written = [i for i, v in enumerate(labels) if str(v) == str(wanted)]
    if written:
        return written[0] if len(written) == 1 else None
    equal = [i for i, v in enumerate(labels) if same_label(wanted, v)]
    return equal[0] if len(equal) == 1 else None


# One message for both paths (the predictions file's, the table's) where the spellings of
# one class turn a two-class target into more (:func:`spelling_splits_two`).
CASE_OR_PERIOD = "alike but for case or a trailing period, as adult.test's labels end in '.'"
ALIKE_CLASSES = (
    "{column} holds {first} and {second} (" + CASE_OR_PERIOD + "): one class written two ways "
    "turns 2 classes into {k}; write it one way"
)
POSITIVE_NEEDS_TWO = (
    "positive label {label!r} needs a binary target, and {whose} {k} classes ({classes}): "
    "{way}"
)


SHOWN_CLASSES = 6  # classes named in a message or note, then "N more"


def first_classes(names: Sequence[str], *, sep: str = ", ", shown: int = SHOWN_CLASSES) -> str:
    """The first ``shown`` of ``names`` joined, then how many more there are."""
    more = len(names) - shown
    return sep.join([*names[:shown], *([f"{more:,} more"] if more > 0 else [])])


def alike_notes(column: str, rows: dict[str, int]) -> list[str]:
    """A note naming a column's classes alike but for case or a trailing period, each with
    its ``rows`` (classes with none left out), where they are audited as classes (chess
    pieces 'K' and 'k'; the spellings that turn two classes into more are refused:
    :func:`spelling_splits_two`); else none."""
    held = [name for name, n in rows.items() if n]
    alike = alike_sets(held) if not spelling_splits_two(held) else []
    if not alike:
        return []
    shown = [", ".join(f"{name!r} ({rows[name]:,} row{'s' * (rows[name] != 1)})"
                       for name in names) for names in alike]  # fmt: skip
    return [f"{column}: {first_classes(shown, sep='; ')} differ only in case or a trailing "
            "period and are audited as separate classes."]


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a number (``float()``: '1', '1e0', 'nan', 'inf')."""
    try:
        float(text)
    except ValueError:
        return False
    return True


# What a spreadsheet, a database, R or pandas writes for no value (compared in lower case):
# among number labels a placeholder, not a class; a group so named is noted. 'NA' and '<NA>'
# (R's and pandas' text for a missing value) are values in a Parquet text column.
NO_VALUE_MARKS = frozenset({"-", "--", ".", "?", "\\n", "n/a", "#n/a", "null", "none", "nan",
                            "na", "<na>"})  # fmt: skip


def is_no_value_mark(text: str) -> bool:
    """Whether ``text`` is one of :data:`NO_VALUE_MARKS` ('-', MySQL's '\\N', 'n/a')."""
    return text.strip().lower() in NO_VALUE_MARKS


NOT_A_LABEL_VALUE = "a class of the target is text, a number or true / false, not {value}"


def _a_label(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(NOT_A_LABEL_VALUE.format(value=value))
    return value


# A label in a config (positive_label): text, a number or a boolean, never nan or inf.
ConfigLabel = Annotated[str | int | float | bool, BeforeValidator(_a_label)]


# The most characters of a label (a group, a feature, a key) a name or message shows; the
# label stays whole in audit.json (the gate's metric path and group, the fairness section).
LABEL_MAX = 80


def shorten(text: str, limit: int = LABEL_MAX, *, head: int | None = None) -> str:
    """``text`` as shown: at most ``limit`` characters, its middle cut to an ellipsis (the
    start and the end stay, where labels that share a prefix differ); ``head``: characters
    kept at the start (default three quarters). One cut for gates, outputs and the fairness
    notes (the fairness layer cannot import :mod:`auditor.gates.names`)."""
    if len(text) <= limit:
        return text
    head = (limit - 1) * 3 // 4 if head is None else head
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]


# A class column's missing values (empty, NA, ?), in one wording for a run's target and a
# predictions file's y_true / y_pred: the rows looked at (a predictions file is read in
# batches, so the count is of the rows read), how many, the first, and the way on.
MISSING_CLASS = (
    "{kind} column {col!r} has missing values: {rows} without a class in data rows "
    "{start:,}-{end:,} (first at data row {first:,}); {fix} (a row without its class cannot "
    "be audited)"
)


def missing_class(col: str, *, n: int, first: int, start: int, end: int,
                  kind: str = "target") -> str:  # fmt: skip
    """:data:`MISSING_CLASS` of ``n`` rows without a class among data rows ``start``-``end``
    (1-based, as :func:`auditor.errors.data_row` counts), the first at ``first``; ``kind``:
    "target" (a run's, y_true) or "prediction" (y_pred)."""
    fix = "fill it, or remove that row" if n == 1 else "fill them, or remove those rows"
    return MISSING_CLASS.format(kind=kind, col=col, rows=rows_text(n), start=start, end=end,
                                first=first, fix=fix)  # fmt: skip
