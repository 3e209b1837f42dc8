"""The sizes a run's splits and classes need, from the class counts alone (no rows drawn):
every short split and class said at once, so one edit of the config answers them all."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from auditor.errors import AuditorInputError, cut_middle, rows_text

# The fewest rows a split may hold: the test split's accuracy interval, early stopping on val,
# the privacy probes' members and non-members all need more than a handful.
MIN_SPLIT_ROWS = 10

# The fewest rows of each class the test split may hold.
MIN_CLASS_TEST_ROWS = 5
CLASS_SHORT = "class {label!r} would have {n} in the test split ({count} in the table)"
CLASS_TOO_SMALL = (
    "{said}; the audit needs at least {need} of each class there (more rows of it, or a larger "
    "data.splits.test)"
)
SHOWN = 6  # short classes named after the first (fewer where the line would be cut)
SPLIT_TOO_SMALL = (
    "split {split!r} would hold {n} of the {rows:,}-row data; the audit needs at least "
    "{need} ({more}a larger data.splits.{split})"
)
SPLITS_TOO_SMALL = (
    "the {rows:,}-row data is too small for {k} splits: {said}; the audit needs at least {need} "
    "in each ({more}larger data.splits fractions)"
)
# Both, none named: where a long path leaves no room for the names (MAX_LINE).
TOO_SMALL = "the {rows:,}-row data is too small: {said} ({more}larger data.splits fractions)"
# How a user gets more rows: a table's own (the rows its splits need are named, where found),
# a subsample's data.max_rows; a built-in of fixed size has none (None: its fractions alone).
MORE_ROWS = "more rows"
LEAST_ROWS = "about {least:,} rows in these classes' proportions"
# The rows of each stratum a built-in's splits are drawn by (split_indices): scikit-learn's
# digits by digit, Adult by income class; MNIST's shipped sample (by digit) is read.
DIGITS_PER_DIGIT = (178, 182, 177, 183, 181, 182, 181, 179, 174, 180)
ADULT_PER_CLASS = (37155, 11687)
MNIST_SAMPLE_ROWS = 5000  # the shipped sample's images
# Rows of the built-in sources (mnist: the shipped sample unless max_rows or a root says).
SOURCE_ROWS = {"digits": sum(DIGITS_PER_DIGIT), "adult": sum(ADULT_PER_CLASS),
               "mnist": MNIST_SAMPLE_ROWS}  # fmt: skip
MAX_ROWS = "a larger data.max_rows"
# The largest table the search for the rows these fractions need looks at.
MOST_ROWS = 10**9


def check_split_sizes(
    fractions: dict[str, float], class_counts: Sequence[int], *, source: str,
    more: str | None = MORE_ROWS,
) -> None:  # fmt: skip
    """Each split drawn stratified by class holds ``sum(floor(fraction * class rows))`` rows
    (as :func:`auditor.data.split_indices` draws them); refuse those below MIN_SPLIT_ROWS."""
    problem = splits_problem(fractions, class_counts, more=more)
    if problem:
        raise AuditorInputError(problem[1], source=source, field=problem[0])


def splits_problem(
    fractions: dict[str, float], class_counts: Sequence[int], *, more: str | None = MORE_ROWS
) -> tuple[str, str] | None:
    """(the field, the message) of the splits below MIN_SPLIT_ROWS, all of them; else None.
    ``class_counts``: the rows of each stratum the splits are drawn by (a table's classes);
    ``more``: how to get more rows (:data:`MORE_ROWS`: a table's, whose rows needed are named)."""
    rows, short = sum(class_counts), _short_splits(fractions, class_counts)
    if not short:
        return None
    least = _least_rows(fractions, class_counts) if more == MORE_ROWS else None
    way = f"{more}, or " if more else ""  # a table's: the rows that pass, where found
    way = f"{LEAST_ROWS.format(least=least)}, or " if least is not None else way
    if len(short) == 1:
        split, n = short[0]
        return f"data.splits.{split}", SPLIT_TOO_SMALL.format(
            split=split, n=rows_text(n), rows=rows, need=MIN_SPLIT_ROWS, more=way)  # fmt: skip
    said = ", ".join(f"{split!r} would hold {rows_text(n)}" if i == 0 else f"{split!r} {n}"
                     for i, (split, n) in enumerate(short))  # fmt: skip
    return "data.splits", SPLITS_TOO_SMALL.format(rows=rows, k=len(short), said=said,
                                                  need=MIN_SPLIT_ROWS, more=way)  # fmt: skip


def _short_splits(
    fractions: dict[str, float], class_counts: Sequence[int]
) -> list[tuple[str, int]]:
    """Each split (not switched off) below MIN_SPLIT_ROWS, and the rows it would hold."""
    held = [(split, sum(math.floor(fraction * c) for c in class_counts))
            for split, fraction in fractions.items() if fraction > 0]  # 0: switched off
    return [(split, n) for split, n in held if n < MIN_SPLIT_ROWS]


def _short_classes(
    test_fraction: float, class_counts: dict[str, int]
) -> list[tuple[str, int, int]]:
    """Each class below MIN_CLASS_TEST_ROWS in the stratified test split: its label, the rows
    it would hold there and its rows in all."""
    held = [(label, math.floor(test_fraction * count), count)
            for label, count in class_counts.items()]  # fmt: skip
    return [(label, n, count) for label, n, count in held if n < MIN_CLASS_TEST_ROWS]


def builtin_strata(data: Any, *, seed: int) -> tuple[list[int], str | None] | None:
    """A built-in source's rows per stratum as its splits are drawn, and how to get more rows
    (:func:`splits_problem`'s ``more``); None where there are thousands (MNIST still to be
    downloaded, unless data.max_rows subsamples it; a root's files are counted)."""
    if data.source in ("digits", "adult"):  # a fixed size: its fractions are the way on
        return list(DIGITS_PER_DIGIT if data.source == "digits" else ADULT_PER_CLASS), None
    from auditor.data.mnist import root_digit_counts, sample_digit_counts  # numpy

    if data.root is not None or data.download:
        found = root_digit_counts(data, seed=seed)  # the subsample a run draws (its pairs checked)
        if found is not None:
            return found[0], MAX_ROWS if found[1] else None
        if data.max_rows is None:  # to be downloaded: thousands of rows per split
            return None
        share, left = divmod(data.max_rows, 10)  # its digits about equal
        return [share + (digit < left) for digit in range(10)], MAX_ROWS

    counts = sample_digit_counts(data.max_rows, seed=seed)  # the subsample a run draws
    return counts, MAX_ROWS if sum(counts) < MNIST_SAMPLE_ROWS else None  # a part of it


def _least_rows(fractions: dict[str, float], class_counts: Sequence[int]) -> int | None:
    """About the fewest rows, in the classes' proportions, that pass :func:`splits_problem`
    and :func:`classes_problem` both (each class its share's floor of them); None past
    MOST_ROWS. Counted one row at a time up to 200, then in steps of 0.5%."""
    import numpy as np

    counts = np.asarray(class_counts, dtype=np.int64)
    rows, test = int(counts.sum()), fractions.get("test", 0.0)
    used = np.array([fraction for fraction in fractions.values() if fraction > 0])
    n = max(rows, math.ceil(MIN_SPLIT_ROWS / used.min() - 1e-9))
    while n <= MOST_ROWS:
        scaled = counts * n // rows  # at least a table of n rows in these proportions holds
        splits = np.floor(np.outer(used, scaled)).sum(axis=1)  # as split_indices draws them
        if splits.min() >= MIN_SPLIT_ROWS and np.floor(test * scaled).min() >= MIN_CLASS_TEST_ROWS:
            return n
        n += max(1, n // 200)
    return None


def check_class_sizes(test_fraction: float, class_counts: dict[str, int], *, source: str) -> None:
    """Refuse a class with fewer than MIN_CLASS_TEST_ROWS rows in the stratified test split:
    its recall, the balanced accuracy and every per-class rate would be read off one or two
    rows (a 0.997 accuracy that never predicts the class passed the gates)."""
    problem = classes_problem(test_fraction, class_counts)
    if problem:
        raise AuditorInputError(problem[1], source=source, field=problem[0])


def classes_problem(
    test_fraction: float, class_counts: dict[str, int], *, shown: int = SHOWN
) -> tuple[str, str] | None:
    """(the field, the message) of the classes short in the test split, all of them (by name
    the first and ``shown`` more); else None."""
    short = _short_classes(test_fraction, class_counts)
    if not short:
        return None
    (label, n, count), rest = short[0], short[1:]
    said = [CLASS_SHORT.format(label=label, n=rows_text(n), count=count)]
    said += [f"{label!r} {n} ({count})" for label, n, count in rest[:shown]]
    said += [f"and {len(rest) - shown} more"] if len(rest) > shown else []
    return "data.target", CLASS_TOO_SMALL.format(said=", ".join(said), need=MIN_CLASS_TEST_ROWS)


def table_problem(
    fractions: dict[str, float], class_counts: dict[str, int], *, source: str
) -> tuple[str, str] | None:
    """(the field, the message) of every short split and class of a table at once, not one per
    edit of the config: the first of these whose line (``source: field: message``) shows the
    message whole (MAX_LINE cuts out a longer line's middle: a long path's, where the end of
    the line holds the message): fewer classes named, then none by name (:data:`TOO_SMALL`)."""
    counts = list(class_counts.values())
    splits = splits_problem(fractions, counts)
    messages = []
    for shown in range(SHOWN, -1, -1):
        problems = [p for p in (splits, classes_problem(fractions["test"], class_counts,
                                                          shown=shown)) if p]  # fmt: skip
        if not problems:
            return None
        field = problems[0][0]
        messages.append("; and ".join(message for _, message in problems))
    messages.append(_too_small(fractions, class_counts))
    for message in messages:
        if message in cut_middle(str(AuditorInputError(message, source=source, field=field))):
            break
    return field, message


def _too_small(fractions: dict[str, float], class_counts: dict[str, int]) -> str:
    """:data:`TOO_SMALL`: how many splits and classes are short, none by name."""
    counts = list(class_counts.values())
    splits = len(_short_splits(fractions, counts))
    classes = len(_short_classes(fractions["test"], class_counts))
    said = [f"{splits} split{'s' * (splits != 1)} under {MIN_SPLIT_ROWS} rows"] if splits else []
    if classes:
        said.append(f"{classes} class{'es' * (classes != 1)} under {MIN_CLASS_TEST_ROWS} rows "
                    "in the test split")  # fmt: skip
    least = _least_rows(fractions, counts)
    way = LEAST_ROWS.format(least=least) if least is not None else MORE_ROWS
    return TOO_SMALL.format(rows=sum(counts), said=", ".join(said), more=f"{way}, or ")
