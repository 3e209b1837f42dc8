"""A predictions file's labels: which class the positive (or favourable) label names, and the
refusals of label columns that cannot make one audit (a predicted class y_true never holds in a
binary audit, one column text and the other numbers, a single class).

A label given as text on the command line names a class by its text or, for numbers and
booleans, by value: ``--positive-label 1`` is the class 1.0, ``true`` is True."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from auditor.config.labels import (
    ALIKE_CLASSES,
    CASE_OR_PERIOD,
    POSITIVE_NEEDS_TWO,
    alike_sets,
    first_classes,
    is_no_value_mark,
    is_number,
    label_index,
    loose_label,
    spelling_splits_two,
)
from auditor.errors import AuditorInputError, data_row, rows_text
from auditor.fairness.counts import CountsTable, arrow_numpy
from auditor.predictions.source import Columns
from auditor.predictions.totals import check_totals_row
from auditor.results.score_intervals import auc_interval
from auditor.results.scores import ScoreMetrics

__all__ = [
    "TEXT_LABELS",
    "check_label_spellings",
    "check_predicted_classes",
    "check_score_class",
    "whole_label_fault",
    "class_name_of",
    "first_classes",
    "positive_index",
]

TEXT_LABELS = (
    "the labels are text ({labels}); name the positive class (the one y_score is the "
    "probability of) with --positive-label"
)
TEXT_LABELS_NO_SCORE = (
    "the labels are text ({labels}); name the positive class (the one whose rates, the "
    "selection rate and TPR, are audited) with --positive-label"
)

POSITIVE_WAY = (
    "map {y_true} and the predictions to two classes, or audit without it (each class against "
    "the rest)"
)


PREDICTED_NOT_TRUE = (
    "label {label!r} ({rows}) never occurs in {y_true}: a binary audit would turn "
    "multi-class; map it to one of the true classes"
)
MIXED_TYPES = (
    "{y_true} holds {true} and {y_pred} {pred} as labels; a number and its text are different "
    "labels: write both columns the same way"
)
TEXT_AMONG_NUMBERS = (
    "{column} holds {odd} beside number labels ({numbers}){why}: a placeholder for no "
    "label? drop those rows or write their labels"
)
READS_AS_TEXT = ", so it reads as text while {other} holds numbers"


FRACTIONAL_LABEL = (
    "label {value:g} at {row} has decimals: labels are classes (0/1, yes/no); a probability "
    "or score belongs in --y-score"
)


INFINITE_LABEL = (
    "label {value:g} at {row} is not a class: labels are classes (0/1, yes/no); drop the row "
    "or write its label"
)


Fault = tuple[int, AuditorInputError]  # a batch's refusal at its row (from 0), not raised


def whole_label_fault(values: Any, *, column: str, source: str,
                      row_offset: int) -> Fault | None:  # fmt: skip
    """The refusal of a label column of numbers with decimals (a probability or score named
    as --y-true or --y-pred) or an infinity ('inf', read as a number), at its first such row,
    before it is counted as one class per distinct value, and that row among ``values`` (from
    0); None where every label is a whole number (or the column is not floats)."""
    values = _floats(values)
    if values is None:
        return None
    fractional = np.isinf(values) | (np.isfinite(values) & (values != np.floor(values)))
    if not fractional.any():
        return None
    first = int(np.flatnonzero(fractional)[0])
    said = INFINITE_LABEL if np.isinf(values[first]) else FRACTIONAL_LABEL
    message = said.format(value=float(values[first]), row=data_row(row_offset + first))
    return first, AuditorInputError(message, source=source, field=column)


def _floats(values: Any) -> np.ndarray | None:
    """A float label column as numpy (missing values as NaN), None for any other type; a
    pyarrow column is viewed, never converted through pandas."""
    if hasattr(values, "type") and hasattr(values, "null_count"):  # pyarrow
        import pyarrow as pa

        if not pa.types.is_floating(values.type):
            return None
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        return arrow_numpy(values.fill_null(float("nan")) if values.null_count else values)
    values = np.asarray(values)
    return values if values.dtype.kind == "f" else None


def _kind(label: Any) -> str:
    return "text" if isinstance(label, str) else "numbers"


def _rows_and_kinds(table: CountsTable) -> tuple[tuple[np.ndarray, np.ndarray], list[set[str]]]:
    """Each class's rows in y_true and in y_pred, and the kinds (text, numbers) each holds."""
    counts = table.confusion()  # (true, predicted)
    ns = (counts.sum(axis=1), counts.sum(axis=0))
    return ns, [{_kind(c) for c, n in zip(table.classes, k, strict=True) if n} for k in ns]


def check_predicted_classes(table: CountsTable, cols: Columns, source: str) -> None:
    """Refuse a y_pred label that y_true never holds when y_true is binary: it would silently
    turn a binary audit into a multi-class one (a typo, another encoding, a third class)."""
    (true_n, pred_n), kinds = _rows_and_kinds(table)
    _check_text_among_numbers(table.classes, (true_n, pred_n), kinds, cols, source)
    if kinds[0] != kinds[1]:  # 1 and '1' are not equal: say so rather than count them apart
        shown = [" and ".join(sorted(k)) for k in kinds]
        raise AuditorInputError(
            MIXED_TYPES.format(y_true=cols.y_true, y_pred=cols.y_pred, true=shown[0],
                               pred=shown[1]), source=source, field=cols.y_pred,
        )  # fmt: skip
    check_totals_row(table, (true_n, pred_n), (cols.y_true, cols.y_pred), source)
    extra = [i for i in range(len(table.classes)) if true_n[i] == 0 and pred_n[i] > 0]
    if extra and int((true_n > 0).sum()) == 2:
        i = extra[0]
        true = [name for name, n in zip(table.class_names, true_n, strict=True) if n]
        message = PREDICTED_NOT_TRUE.format(label=table.class_names[i],
                                            rows=rows_text(int(pred_n[i])),
                                            y_true=cols.y_true)  # fmt: skip
        why = (_spelled_apart(table.class_names[i], true, cols)
               or _encoded_apart(table, i, true_n, cols))  # fmt: skip
        raise AuditorInputError(message + why, source=source, field=cols.y_pred)
    _check_alike_classes(table.classes, (true_n, pred_n), cols, source)


def _value(label: Any) -> float | None:
    """A number label's value (a bool, or text that is no number: None)."""
    if isinstance(label, bool | np.bool_) or (isinstance(label, str) and not is_number(label)):
        return None
    return float(label)


# A batch's rows (a y_score's file is refused at its first batch of more than two classes)
# cannot show that a later row writes the other class both ways too ('B' beside 'b': chess
# pieces, classes audited as written without a score).
ALIKE_SO_FAR = (
    "; if they are two classes (the rest of the file writing the others both ways too), "
    "audit the labels without --y-score (each class against the rest)"
)


def check_label_spellings(table: CountsTable, cols: Columns, source: str, *,
                          first_row: int) -> None:  # fmt: skip
    """A batch's counts (its first row ``first_row`` rows into the file) refused for what
    :func:`check_predicted_classes` refuses in a whole file: a placeholder among number
    labels, a class written two ways, their rows counted in the batch. Called before a
    binary-only refusal (a y_score with a third class), which would otherwise name that class
    as a class."""
    ns, kinds = _rows_and_kinds(table)
    scope = f" in data rows {first_row + 1:,} to {first_row + table.n:,}"
    _check_text_among_numbers(table.classes, ns, kinds, cols, source, scope=scope)
    _check_alike_classes(table.classes, ns, cols, source, scope=scope)


def _check_alike_classes(classes: Sequence[Any], ns: Sequence[np.ndarray], cols: Columns,
                         source: str, *, scope: str = "") -> None:  # fmt: skip
    """Refuse a label column whose spellings turn a two-class target into more classes
    (:func:`~auditor.config.labels.spelling_splits_two`: 'Yes' in 2 rows beside 'yes' and
    'no', adult.data's '>50K' beside adult.test's '>50K.' in files joined). Classes that
    differ only in case otherwise ('K' and 'k') are audited as written, with a note."""
    for column, counts in zip((cols.y_true, cols.y_pred), ns, strict=True):
        rows = {label: int(n) for label, n in zip(classes, counts, strict=True) if n}
        if not spelling_splits_two(list(rows)):
            continue
        first, second = alike_sets(list(rows))[0][:2]
        said = [f"{label!r} ({rows_text(rows[label])}{scope})" for label in (first, second)]
        message = ALIKE_CLASSES.format(column=column, first=said[0], second=said[1],
                                       k=len(rows))  # fmt: skip
        raise AuditorInputError(message + (ALIKE_SO_FAR if scope else ""), source=source,
                                field=column)  # fmt: skip


def _check_text_among_numbers(classes: Sequence[Any], ns: Sequence[np.ndarray],
                              kinds: Sequence[set[str]], cols: Columns, source: str, *,
                              scope: str = "") -> None:  # fmt: skip
    """Refuse, naming it and its rows, a placeholder among number labels ('0', '1'): any text
    ('-', 'unknown') where the other column holds numbers (it made the column text, which
    :data:`MIXED_TYPES` would blame on the way both columns are written), a mark for no value
    (:func:`~auditor.config.labels.is_no_value_mark`: '-', '\\N') whatever the other holds
    (both columns text: it would be audited as a class)."""
    names = (cols.y_true, cols.y_pred)
    for side in (0, 1):
        if "text" not in kinds[side]:
            continue
        texts = [(c, int(n)) for c, n in zip(classes, ns[side], strict=True)
                 if n and isinstance(c, str)]  # fmt: skip
        numbers = [c for c, _ in texts if is_number(c)]
        mixed = "text" not in kinds[1 - side]
        odd = [f"{c!r} ({rows_text(n)}{scope})" for c, n in texts
               if not is_number(c) and (mixed or is_no_value_mark(c))]  # fmt: skip
        if numbers and odd:
            why = READS_AS_TEXT.format(other=names[1 - side]) if mixed else ""
            message = TEXT_AMONG_NUMBERS.format(column=names[side], odd=first_classes(odd),
                                                numbers=first_classes(numbers),
                                                why=why)  # fmt: skip
            raise AuditorInputError(message, source=source, field=names[side])


def _spelled_apart(label: str, true: Sequence[str], cols: Columns) -> str:
    """Where ``label`` is one of the ``true`` classes but for case or a trailing period
    (adult.test's labels end in '.', a model trained on adult.data predicts them without):
    which, and the way on; else nothing."""
    alike = [name for name in true if loose_label(name) == loose_label(label)]
    if not alike:
        return ""
    return (f"; {cols.y_true} writes it {alike[0]!r} ({CASE_OR_PERIOD}): write {cols.y_true} "
            f"and {cols.y_pred} alike")


def _encoded_apart(table: CountsTable, extra: int, true_n: np.ndarray, cols: Columns) -> str:
    """Where y_true is -1/+1 and the predicted class ``extra`` 0, or y_true 0/1 and it -1 (an
    SVM's labels beside a thresholded score's): the two encodings; else nothing."""
    values = [_value(c) for c in table.classes]
    true = [i for i, n in enumerate(true_n) if n]
    if {values[i] for i in (*true, extra)} != {-1.0, 0.0, 1.0} or values[extra] == 1.0:
        return ""
    negative = next(table.class_names[i] for i in true if values[i] != 1.0)
    return (f"; {cols.y_true} writes the negative class {negative} where {cols.y_pred} writes "
            f"{table.class_names[extra]} (0/1 beside -1/+1): write both columns with one "
            "encoding")


def class_name_of(label: Any, table: CountsTable) -> Any:
    """The name of the class ``label`` stands for (:func:`auditor.config.labels.label_index`:
    the one written the same, else the one of the same value), else ``label`` itself (None
    stays None; an unknown label is refused by its reader)."""
    if label is None:
        return None
    index = label_index(table.classes, str(label))
    return table.class_names[index] if index is not None else label


def positive_index(
    table: CountsTable, positive_label: Any, source: str, cols: Columns
) -> int | None:
    if len(table.classes) < 2:
        raise AuditorInputError(
            f"{cols.y_true} and {cols.y_pred} hold a single class ({table.class_names[0]}); "
            "error rates per group are undefined",
            source=source,
            field=cols.y_true,
        )
    names = [str(c) for c in table.classes]
    if positive_label is None:
        if len(names) == 2 and any(isinstance(c, str) for c in table.classes):
            said = TEXT_LABELS if cols.y_score else TEXT_LABELS_NO_SCORE
            raise AuditorInputError(
                said.format(labels=", ".join(map(repr, names))),
                source=source,
                field="--positive-label",
            )
        return len(names) - 1 if len(names) == 2 else None
    if len(names) > 2:
        raise AuditorInputError(
            POSITIVE_NEEDS_TWO.format(label=str(positive_label), whose="the labels hold",
                                      k=len(names), classes=first_classes(names),
                                      way=POSITIVE_WAY.format(y_true=cols.y_true)),
            source=source, field="--positive-label",
        )  # fmt: skip
    positive_label = class_name_of(positive_label, table)
    if str(positive_label) not in names:
        alike = [n for n in names if loose_label(n) == loose_label(str(positive_label))]
        hint = f"; did you mean {alike[0]!r}?" if len(alike) == 1 else ""
        raise AuditorInputError(
            f"positive label {positive_label!r} is not a class ({', '.join(names)}){hint}",
            source=source,
            field="--positive-label",
        )
    return names.index(str(positive_label))


BACKWARDS_LEVEL = 0.999  # both intervals at this level away from 0.5: no chance finding
SCORE_BACKWARDS = (
    "y_score ranks the classes backwards: ROC AUC {auc:.3f} (its {level:.1%} interval below "
    "0.5) while y_pred's balanced accuracy is {ba:.3f} (above 0.5), over {n:,} rows; y_score "
    "looks like the probability of {other!r}, not of the positive class {positive!r}: give "
    "P({positive}) (1 - y_score), or name the class y_score is for with --positive-label"
)


def check_score_class(table: CountsTable, positive: int, scores: ScoreMetrics, cols: Columns,
                      source: str) -> None:  # fmt: skip
    """Refuse a binary file whose y_score is the other class's probability (its ROC AUC well
    below 0.5) while y_pred is better than chance (balanced accuracy well above 0.5): the
    model's labels and scores disagree, so the score is not P(positive) as the audit reads
    it. Both intervals are Hanley-McNeil's at :data:`BACKWARDS_LEVEL` (a 0/1 prediction's
    ROC AUC is its balanced accuracy)."""
    cm = table.confusion()  # (true, predicted)
    negative = 1 - positive
    n_pos, n_neg = int(cm[positive].sum()), int(cm[negative].sum())
    if n_pos == 0 or n_neg == 0 or not scores.roc_auc < 0.5:
        return
    ba = (cm[positive, positive] / n_pos + cm[negative, negative] / n_neg) / 2
    auc_high = auc_interval(scores.roc_auc, n_pos, n_neg, level=BACKWARDS_LEVEL)[1]
    ba_low = auc_interval(float(ba), n_pos, n_neg, level=BACKWARDS_LEVEL)[0]
    if auc_high < 0.5 < ba_low:
        names = table.class_names
        message = SCORE_BACKWARDS.format(auc=scores.roc_auc, level=BACKWARDS_LEVEL, ba=ba,
                                         n=n_pos + n_neg, other=names[negative],
                                         positive=names[positive])  # fmt: skip
        raise AuditorInputError(message, source=source, field=cols.y_score)
