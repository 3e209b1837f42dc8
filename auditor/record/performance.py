"""The performance section of an audit read back: each split's numbers against one another.

auditor writes every number of a split from one set of predictions, so ``accuracy`` is
``n_correct / n``, each rate lies in [0, 1], each count in [0, n], the confusion matrix holds
the ``n`` rows with ``n_correct`` of them on its diagonal, and the calibration bins hold no more
than the ``n`` rows. A hand-edited number that breaks one of these (a ROC AUC of -0.5 or 1e300, a
confusion cell of -1, a class of 10^15 rows) was shown by the card and the diff as evidence:
none of these has an interval or a count the other checks hold it to.
"""

from __future__ import annotations

import math
from typing import Any

from auditor.audit_tree import count
from auditor.errors import AuditorInputError

# How far an audit read back may put an estimate from n_correct / n or outside its interval:
# rounding only (auditor writes both from one computation).
READ_BACK_TOLERANCE = 1e-9

NOT_A_COUNT_OF_N = "{k} is not a count between 0 and n ({n})"
NOT_THE_SHARE = "{value} is not n_correct / n ({k} / {n} = {share})"
OUT_OF_RANGE = "{value} is outside [{lo:g}, {hi:g}], where every {what} lies"
NOT_THE_ROWS = "the {what} holds {found:,} rows, not the split's n ({n:,})"
NOT_THE_CLASSES = "the classes hold {found:,} rows, not the split's n_rows ({n:,})"
MORE_THAN_THE_ROWS = "the {what} holds {found:,} rows, more than the split's n ({n:,})"
NOT_THE_DIAGONAL = (
    "the confusion matrix holds {found:,} rows on its diagonal, not n_correct ({k:,})"
)

# The bounds of a split's scores (a multiclass Brier score, a sum over classes, reaches 2).
RANGES = {
    **dict.fromkeys(("accuracy", "balanced_accuracy", "precision_macro", "recall_macro",
                     "f1_macro", "roc_auc", "ece"), (0.0, 1.0, "rate")),
    "brier": (0.0, 2.0, "Brier score"),
    "log_loss": (0.0, math.inf, "log loss"),
}  # fmt: skip
CLASS_RATES = ("precision", "recall", "f1")
CLASS_COUNTS = ("support", "n_predicted")
BIN_RATES = ("lower", "upper", "mean_confidence", "accuracy")


def check_counts_read_back(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first performance entry of an audit read
    back whose ``n_correct`` is not between 0 and its ``n`` (the schema cannot say so; the
    accuracy's Wilson interval, derived from the two, would be a complex number), or whose
    ``accuracy`` is not ``n_correct / n`` (the gate judged an accuracy of -3 by the interval
    of the counts, [0.84, 0.86], and passed it); then the rest of the split's numbers
    (:func:`_check_split`)."""
    _check_data_splits(data, source=source)
    stages = data.get("performance")
    for stage, splits in (stages.items() if isinstance(stages, dict) else ()):
        for split, entry in (splits.items() if isinstance(splits, dict) else ()):
            if not isinstance(entry, dict):
                continue
            k, n, acc = entry.get("n_correct"), entry.get("n"), entry.get("accuracy")
            if not (isinstance(k, int) and isinstance(n, int)):
                continue
            where = f"performance/{stage}/{split}"
            if not 0 <= k <= n:
                raise AuditorInputError(NOT_A_COUNT_OF_N.format(k=k, n=n), source=source,
                                        field=f"{where}/n_correct")  # fmt: skip
            if _number(acc) and n > 0 and abs(acc - k / n) > READ_BACK_TOLERANCE:
                why = NOT_THE_SHARE.format(value=acc, k=k, n=n, share=f"{k / n:.6g}")
                raise AuditorInputError(why, source=source, field=f"{where}/accuracy")
            _check_split(entry, n, k, where=where, source=source)


def _check_data_splits(data: dict[str, Any], *, source: str) -> None:
    """Each split's rows per class (``class_balance``, ``pretrain_class_balance``) are counts
    that add up to its ``n_rows`` (a class of -1 or 10^15 rows was shown by the card)."""
    section = data.get("data")
    splits = section.get("splits") if isinstance(section, dict) else None
    for split, entry in (splits.items() if isinstance(splits, dict) else ()):
        n = entry.get("n_rows") if isinstance(entry, dict) else None
        if count(n) is None:
            continue
        for key in ("class_balance", "pretrain_class_balance"):
            classes = entry.get(key)
            if not isinstance(classes, dict) or not classes:
                continue
            where = f"data/splits/{split}/{key}"
            for name, k in classes.items():
                _a_count(k, n, f"{where}/{name}", source)
            found = sum(k for k in classes.values() if count(k) is not None)
            if found != n:
                why = NOT_THE_CLASSES.format(found=found, n=n)
                raise AuditorInputError(why, source=source, field=where)


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _in_range(value: Any, lo: float, hi: float, what: str, field: str, source: str) -> None:
    slack = READ_BACK_TOLERANCE * max(1.0, abs(value)) if _number(value) else 0.0
    if _number(value) and not lo - slack <= value <= hi + slack:
        why = OUT_OF_RANGE.format(value=value, lo=lo, hi=hi, what=what)
        raise AuditorInputError(why, source=source, field=field)


def _a_count(value: Any, n: int, field: str, source: str) -> None:
    if count(value) is not None and not 0 <= value <= n:
        raise AuditorInputError(NOT_A_COUNT_OF_N.format(k=value, n=n), source=source,
                                field=field)  # fmt: skip


def _check_split(entry: dict[str, Any], n: int, k: int, *, where: str, source: str) -> None:
    """A split's scores within their bounds, its per-class counts within [0, n], its
    confusion matrix (counts of the ``n`` rows, ``k`` on the diagonal) and its calibration
    bins (at most the ``n`` rows) as the counts say."""
    for key, (lo, hi, what) in RANGES.items():
        _in_range(entry.get(key), lo, hi, what, f"{where}/{key}", source)
    for i, item in enumerate(_dicts(entry.get("per_class"))):
        for key in CLASS_RATES:
            _in_range(item.get(key), 0.0, 1.0, "rate", f"{where}/per_class/{i}/{key}", source)
        for key in CLASS_COUNTS:
            _a_count(item.get(key), n, f"{where}/per_class/{i}/{key}", source)
    matrix = entry.get("confusion_matrix")
    if isinstance(matrix, list) and matrix:
        rows = [row if isinstance(row, list) else [] for row in matrix]
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                _a_count(cell, n, f"{where}/confusion_matrix/{i}/{j}", source)
        total = sum(c for row in rows for c in row if count(c) is not None)
        if total != n:
            why = NOT_THE_ROWS.format(what="confusion matrix", found=total, n=n)
            raise AuditorInputError(why, source=source, field=f"{where}/confusion_matrix")
        diagonal = sum(row[i] for i, row in enumerate(rows)
                       if i < len(row) and count(row[i]) is not None)  # fmt: skip
        if diagonal != k:
            why = NOT_THE_DIAGONAL.format(found=diagonal, k=k)
            raise AuditorInputError(why, source=source, field=f"{where}/confusion_matrix")
    bins = _dicts(entry.get("reliability"))
    for i, item in enumerate(bins):
        for key in BIN_RATES:
            _in_range(item.get(key), 0.0, 1.0, "rate", f"{where}/reliability/{i}/{key}", source)
        _a_count(item.get("n"), n, f"{where}/reliability/{i}/n", source)
    held = sum(b["n"] for b in bins if count(b.get("n")) is not None)
    if held > n:  # fewer where a row has no score
        why = MORE_THAN_THE_ROWS.format(what="calibration bins", found=held, n=n)
        raise AuditorInputError(why, source=source, field=f"{where}/reliability")


def _dicts(items: Any) -> list[dict[str, Any]]:
    return [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []
