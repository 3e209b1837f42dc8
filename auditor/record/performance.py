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
from auditor.record.bounds import RATE, TOLERANCE, check_count, check_range, number

NOT_THE_SHARE = "{value} is not n_correct / n ({k} / {n} = {share})"
NOT_THE_ROWS = "the {what} holds {found:,} rows, not the split's n ({n:,})"
MORE_THAN_THE_ROWS = "the {what} holds {found:,} rows, more than the split's n ({n:,})"
NOT_THE_DIAGONAL = (
    "the confusion matrix holds {found:,} rows on its diagonal, not n_correct ({k:,})"
)

# The bounds of a split's scores (a multiclass Brier score, a sum over classes, reaches 2).
RANGES = {
    **dict.fromkeys(("accuracy", "balanced_accuracy", "precision_macro", "recall_macro",
                     "f1_macro", "roc_auc", "ece"), (0.0, 1.0, RATE)),
    "brier": (0.0, 2.0, "a Brier score"),
    "log_loss": (0.0, math.inf, "a log loss"),
}  # fmt: skip
CLASS_RATES = ("precision", "recall", "f1")
CLASS_COUNTS = ("support", "n_predicted")
BIN_RATES = ("lower", "upper", "mean_confidence", "accuracy")


def check_performance_counts(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first performance entry of an audit read
    back whose ``n_correct`` is not between 0 and its ``n`` (the schema cannot say so; the
    accuracy's Wilson interval, derived from the two, would be a complex number), or whose
    ``accuracy`` is not ``n_correct / n`` (the gate judged an accuracy of -3 by the interval
    of the counts, [0.84, 0.86], and passed it); then the rest of the split's numbers
    (:func:`_check_split`)."""
    stages = data.get("performance")
    for stage, splits in (stages.items() if isinstance(stages, dict) else ()):
        for split, entry in (splits.items() if isinstance(splits, dict) else ()):
            if not isinstance(entry, dict):
                continue
            k, n, acc = entry.get("n_correct"), entry.get("n"), entry.get("accuracy")
            if not (isinstance(k, int) and isinstance(n, int)):
                continue
            where = f"performance/{stage}/{split}"
            check_count(k, n, name="n", field=f"{where}/n_correct", source=source)
            if number(acc) and n > 0 and abs(acc - k / n) > TOLERANCE:
                why = NOT_THE_SHARE.format(value=acc, k=k, n=n, share=f"{k / n:.6g}")
                raise AuditorInputError(why, source=source, field=f"{where}/accuracy")
            _check_split(entry, n, k, where=where, source=source)


def _check_split(entry: dict[str, Any], n: int, k: int, *, where: str, source: str) -> None:
    """A split's scores within their bounds, its per-class counts within [0, n], its
    confusion matrix (counts of the ``n`` rows, ``k`` on the diagonal) and its calibration
    bins (at most the ``n`` rows) as the counts say."""
    for key, (lo, hi, what) in RANGES.items():
        check_range(entry.get(key), lo, hi, what=what, field=f"{where}/{key}", source=source)
    for i, item in enumerate(_dicts(entry.get("per_class"))):
        for key in CLASS_RATES:
            check_range(item.get(key), 0.0, 1.0, what=RATE,
                        field=f"{where}/per_class/{i}/{key}", source=source)
        for key in CLASS_COUNTS:
            check_count(item.get(key), n, name="n", field=f"{where}/per_class/{i}/{key}",
                        source=source)
    matrix = entry.get("confusion_matrix")
    if isinstance(matrix, list) and matrix:
        rows = [row if isinstance(row, list) else [] for row in matrix]
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                check_count(cell, n, name="n", field=f"{where}/confusion_matrix/{i}/{j}",
                            source=source)
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
            check_range(item.get(key), 0.0, 1.0, what=RATE,
                        field=f"{where}/reliability/{i}/{key}", source=source)
        check_count(item.get("n"), n, name="n", field=f"{where}/reliability/{i}/n",
                    source=source)
    held = sum(b["n"] for b in bins if count(b.get("n")) is not None)
    if held > n:  # fewer where a row has no score
        why = MORE_THAN_THE_ROWS.format(what="calibration bins", found=held, n=n)
        raise AuditorInputError(why, source=source, field=f"{where}/reliability")


def _dicts(items: Any) -> list[dict[str, Any]]:
    return [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []
