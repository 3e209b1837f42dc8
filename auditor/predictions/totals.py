"""A spreadsheet's totals row below the labels ('Total;293;307' under 0/1: each column's SUM;
a COUNTIF of 'Yes' under Yes/No), which would be audited as a class of its own. The counts
alone cannot tell it from a rare real class (classes 0, 1 and 2, class 1 in two rows and
class 2 in one: 2 is the sum of the labels too), so a file is refused only where the row
itself looks like totals (:func:`check_totals_row`); any other such label is audited as a
class and noted (:func:`totals_notes`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from auditor.config.labels import is_number
from auditor.errors import AuditorInputError
from auditor.fairness.counts import CountsTable

__all__ = ["TOTALS_FEWEST", "TOTALS_WORDS", "check_totals_row", "may_be_totals", "totals_label",
           "totals_notes"]

TOTALS_ROW = "label {label} (1 row) {what}: a spreadsheet's totals row below the data? delete it"
TOTALS_NOTE = (
    "{column}: label {label} (1 row) {what}: a spreadsheet's totals row below the data? if "
    "so, delete it; it is audited as a class of its own."
)
# A row's group cell that names it a totals row (casefolded, a trailing ':' aside)
TOTALS_WORDS = frozenset({"total", "totals", "grand total", "sum", "summe", "gesamt",
                          "insgesamt", "totaal", "totale", "totalt", "somme", "suma"})  # fmt: skip
# The least total refused without such a word, where y_true's and y_pred's labels in the
# row are both their column's totals: a smaller one may be a rare class the model got right
TOTALS_FEWEST = 30

Row = tuple[float | None, int, str]  # a label's value (None: text), its rows, its name


def totals_label(rows: Sequence[Row]) -> tuple[str, float, str] | None:
    """Of a column's labels (``rows``: each held by a row at least), the one that reads as a
    totals row: a number label of one row that is the sum of the column's other labels, all
    numbers, and above each, or the one number among text labels, the rows of one of them;
    (its name, its value, what it is), or None."""
    rows = [row for row in rows if row[1]]
    numbers = [row for row in rows if row[0] is not None]
    if len(rows) < 3 or len(numbers) not in (1, len(rows)):
        return None
    for value, n, name in numbers:
        if n != 1 or value is None or value < 2:
            continue
        others = [(v, k, label) for v, k, label in rows if label != name]
        if len(numbers) == 1:  # among text labels: the count of one of them
            counted = [label for _, k, label in others if k == value]
            if counted:
                return name, value, f"is the count of the rows labelled {counted[0]!r}"
        elif value > max(v for v, _, _ in others if v is not None) and value == sum(
                v * k for v, k, _ in others if v is not None):  # fmt: skip
            n = sum(k for _, k, _ in others)
            return name, value, f"is the sum of the other {n:,} rows' labels"
    return None


def may_be_totals(labels: Sequence[Any], rows: Sequence[int]) -> bool:
    """Whether a label of one row among ``labels`` (a part of the file: one batch's, each
    held by ``rows`` of it) could be the whole file's totals label (:func:`totals_label`): a
    number of 2 or more, the part's other labels all text, or all numbers below it that sum
    (each times its rows) to no more than it, or hold one below 0 (later rows could lower the
    sum). Where none could, the part's class of one row is a real class."""
    held = [(_value(label), int(n)) for label, n in zip(labels, rows, strict=True) if n]
    for at, (value, n) in enumerate(held):
        if n != 1 or value is None or not value >= 2:
            continue
        others = held[:at] + held[at + 1:]
        numbers = [v for v, _ in others if v is not None]
        if not numbers:
            return True
        if len(numbers) == len(others) and max(numbers) < value and (
                min(numbers) < 0 or sum(v * k for v, k in others) <= value):  # fmt: skip
            return True
    return False


def check_totals_row(table: CountsTable, ns: Sequence[np.ndarray], columns: Sequence[str],
                     source: str) -> None:  # fmt: skip
    """Refuse a totals row (:func:`totals_label`) where the row itself says so: a group cell
    of it reads 'Total' (:data:`TOTALS_WORDS`) and that group holds that row alone, or its
    labels in both columns (``columns``: y_true's and y_pred's names, ``ns`` their labels'
    rows) are their column's totals, each :data:`TOTALS_FEWEST` or more. Any other is
    audited (and noted)."""
    found = [totals_label([(_value(c), int(n), name) for c, n, name
                           in zip(table.classes, counts, table.class_names, strict=True)])
             for counts in ns]  # fmt: skip
    index = {name: i for i, name in enumerate(table.class_names)}
    for side, hit in enumerate(found):
        if hit is None:
            continue
        i = index[hit[0]]
        cells = table.counts[..., i, :] if side == 0 else table.counts[..., :, i]
        where = np.argwhere(cells > 0)[0]  # the one row: its groups, its other label
        groups = [table.group_labels[f][g] for f, g in enumerate(where[:-1])]
        other = found[1 - side]
        # the word counts where its group is that one row (a region named 'Total' is no row)
        worded = any(_word(g) and int(table.counts.take(at, axis=f).sum()) == 1
                     for f, (g, at) in enumerate(zip(groups, where[:-1], strict=True)))
        both = other is not None and index[other[0]] == where[-1] and \
            min(hit[1], other[1]) >= TOTALS_FEWEST  # fmt: skip
        if worded or both:
            raise AuditorInputError(TOTALS_ROW.format(label=hit[0], what=hit[2]),
                                    source=source, field=columns[side])  # fmt: skip


def totals_notes(columns: Sequence[tuple[str, dict[str, int]]]) -> list[str]:
    """A note per column (its name, each label's rows, as the card's class balance gives them)
    whose label reads as a totals row (:func:`totals_label`) and was audited as a class."""
    notes = []
    for column, rows in columns:
        hit = totals_label([(float(name) if _number(name) else None, int(n), name)
                            for name, n in rows.items()])  # fmt: skip
        if hit is not None:
            notes.append(TOTALS_NOTE.format(column=column, label=hit[0], what=hit[2]))
    return notes


def _word(group: str) -> bool:
    """A group cell reading 'Total' (:data:`TOTALS_WORDS`, casefolded, a trailing ':' aside)."""
    return group.strip().rstrip(":").strip().casefold() in TOTALS_WORDS


def _number(name: str) -> bool:
    return is_number(name) and name.strip().casefold() not in {"nan", "inf", "-inf", "+inf"}


def _value(label: Any) -> float | None:
    """A number label's value (a bool, or text that is no number: None)."""
    if isinstance(label, bool | np.bool_) or (isinstance(label, str) and not is_number(label)):
        return None
    return float(label)
