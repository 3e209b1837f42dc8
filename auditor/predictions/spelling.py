"""Labels as the audit reads them: one text per label however it was typed. ``"Male "``,
``"Male"``, ``"Male"`` with a non-breaking space, and ``"Café"`` composed (NFC) or decomposed
(NFD) look the same on a card and in a spreadsheet, so they are one group (one class); where a
column held more than one such spelling, the audit says which it merged
(:class:`Spellings`: the card's and the terminal's notes, ``fairness.source.merged_labels``).

A literal group named like ``--missing-group``'s ``(missing)`` would take the rows with no
value silently, and be counted as such rows in the card's note: refused
(:meth:`Spellings.check`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from auditor.data.spelling import MISSING_CLASH as DATA_CLASH
from auditor.data.spelling import (
    MISSING_TEXT,  # a group's text that is no value
    canonical,
    clash_way,
)
from auditor.errors import AuditorInputError, rows_text
from auditor.fairness.counts import CountsTable

__all__ = ["MISSING_CLASH", "Spellings", "canonical", "canonical_column", "check_number_groups",
           "number_notes"]

MISSING_CLASH = DATA_CLASH.replace("{whose}", "the column")
NUMBER_TWO_WAYS = (
    "groups {first} and {second} are one number written two ways (files joined, written by "
    "different tools? pandas writes integers with a missing value as floats): write the "
    "column one way"
)
NUMBER_CODES = (
    "{feature}: groups {groups} are equal as numbers, apart in trailing zeros: audited as "
    "written, as codes (section numbers, ICD codes); if they are one number written two "
    "ways, write the column one way."
)
# a number as a writer prints one: no leading zero ('007' is a code, kept as written)
_NUMBER = re.compile(r"[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?")


def check_number_groups(table: CountsTable, source: str) -> None:
    """Refuse a sensitive column holding one number written as an integer and as a float
    ('1' and '1.0': files joined, one written by pandas with a missing value), which would be
    audited as two groups each holding part of its rows. Labels apart only in trailing
    decimal zeros ('1.1', '1.10': section numbers, ICD codes) are codes, audited as written
    (and noted: :func:`number_notes`), unless every number of the column is whole ('1.0' and
    '1.00', '2.0' and '2.00': two tools' floats, refused); so are codes apart in leading zeros
    ('007', '7')."""
    for i, feature in enumerate(table.features):
        labels = table.group_labels[i]
        numbers = [label for label in labels if _NUMBER.fullmatch(label)]
        whole = all(Decimal(label) == Decimal(label).to_integral_value() for label in numbers)
        seen: dict[Decimal, str] = {}  # exact: long codes apart in a last digit stay apart
        for label in numbers:
            first = seen.setdefault(Decimal(label), label)
            # equal, one an integer (the other whole), or every number whole
            if first != label and (whole or ("." in first) != ("." in label)):
                _, counts = table.marginal([feature])
                rows = dict(zip(labels, counts.sum(axis=(1, 2)), strict=True))
                said = (f"{g!r} ({rows_text(int(rows[g]))})" for g in (first, label))
                raise AuditorInputError(NUMBER_TWO_WAYS.format(first=next(said),
                                                               second=next(said)),
                                        source=source, field=feature)  # fmt: skip


def number_notes(sizes: dict[str, dict[str, int]]) -> list[str]:
    """Per sensitive feature (``sizes``: its groups' rows), the groups equal as numbers but
    apart in trailing decimal zeros ('1.1', '1.10'), audited as written: two codes, or one
    number written two ways."""
    notes = []
    for feature, groups in sizes.items():
        equal: dict[Decimal, list[str]] = {}
        for label in groups:
            if _NUMBER.fullmatch(label):
                equal.setdefault(Decimal(label), []).append(label)
        for labels in (labels for labels in equal.values() if len(labels) > 1):
            shown = " and ".join(f"{g!r} ({rows_text(groups[g])})" for g in labels)
            notes.append(NUMBER_CODES.format(feature=feature, groups=shown))
    return notes


@dataclass
class Spellings:
    """Per column, each label's spellings the rows used (``spelled``; a label read in more
    than one is ``merged``), and the columns holding a literal ``--missing-group`` label
    (``literal``) or rows with no value (``no_value``): one batch's, or added up over a file
    (a label spelled one way in one batch and another way in the next is merged too)."""

    spelled: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    literal: set[str] = field(default_factory=set)
    no_value: set[str] = field(default_factory=set)

    @property
    def merged(self) -> dict[str, dict[str, set[str]]]:
        out = {column: {label: texts for label, texts in labels.items() if len(texts) > 1}
               for column, labels in self.spelled.items()}  # fmt: skip
        return {column: labels for column, labels in out.items() if labels}

    def add(self, other: Spellings) -> None:
        for column, labels in other.spelled.items():
            mine = self.spelled.setdefault(column, {})
            for label, spelled in labels.items():
                mine.setdefault(label, set()).update(spelled)
        self.literal |= other.literal
        self.no_value |= other.no_value

    def check(self, missing_group: str | None, *, source: str) -> None:
        """Refuse a column holding the group ``missing_group`` (the name rows with no value
        are given), which its rows with no value would join and, without them, the card's
        note would count as rows with no value."""
        if missing_group is None or not self.literal:
            return
        column = sorted(self.literal)[0]
        flag = "--missing-group"
        way = clash_way(flag, no_value=column in self.no_value)
        message = MISSING_CLASH.format(label=missing_group, flag=flag, way=way)
        raise AuditorInputError(message, source=source, field=column)

    def recorded(self) -> dict[str, dict[str, list[str]]]:
        """``merged`` as audit.json keeps it: spellings sorted, columns and labels in order."""
        return {column: {label: sorted(spelled) for label, spelled in sorted(labels.items())}
                for column, labels in sorted(self.merged.items())}  # fmt: skip


def is_text_type(kind: Any) -> bool:
    """A pyarrow text type (string, large string, string view)."""
    import pyarrow as pa

    views = getattr(pa.types, "is_string_view", lambda _: False)  # pyarrow >= 16
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or views(kind)


def canonical_column(column: Any, name: str, found: Spellings,
                     missing_group: str | None = None) -> Any:  # fmt: skip
    """A pyarrow text column (plain or dictionary) as a dictionary column of canonical labels
    (:func:`canonical`), what it merged and (``missing_group`` given) whether it holds that
    label and rows with no value recorded in ``found``; any other column as it is. The
    dictionary's codes are the ones the counts use (a plain column is encoded once, here
    rather than there), so this costs a pass over the batch only where spellings merge."""
    import pyarrow as pa

    kind = column.type
    dictionary = pa.types.is_dictionary(kind)
    if not is_text_type(kind.value_type if dictionary else kind):
        return column
    enc = column if dictionary else column.dictionary_encode()
    spelled = enc.dictionary.to_pylist()
    names = [None if s is None else canonical(s) for s in spelled]
    unique = list(dict.fromkeys(names))
    if missing_group is not None:
        _missing_rows(enc, names, name, found, missing_group)
    # the spellings the rows use, kept over the file, so that 'x' in one batch and 'x ' in
    # the next are named as merged too. A plain column's dictionary holds only those; a
    # dictionary column's entries are counted only where one is spelled unlike its label (a
    # pass over the batch: 25% of a 10M-row Parquet read where done for every batch)
    exact = dictionary and names != spelled
    used = np.flatnonzero(_used(enc.indices, len(names))) if exact else range(len(names))
    by_label: dict[str, set[str]] = {}
    for i in used:
        if names[i] is not None:
            by_label.setdefault(names[i], set()).add(spelled[i])
    found.add(Spellings(spelled={name: by_label}))
    if len(unique) == len(names):
        if names == spelled:
            return enc
        return pa.DictionaryArray.from_arrays(enc.indices, pa.array(names, pa.string()))
    at = {label: i for i, label in enumerate(unique)}
    remap = pa.array([at[label] for label in names], pa.int32())
    import pyarrow.compute as pc  # a tenth of a second to import: only where labels merge

    indices = pc.take(remap, enc.indices)
    return pa.DictionaryArray.from_arrays(indices, pa.array(unique, pa.string()))


def _used(indices: Any, size: int) -> np.ndarray:
    """Which of ``size`` dictionary entries the (possibly null) ``indices`` use."""
    codes = indices.drop_null().to_numpy(zero_copy_only=False)
    return np.bincount(codes, minlength=size) > 0


def _missing_rows(enc: Any, names: list[str | None], column: str, found: Spellings,
                  label: str) -> None:  # fmt: skip
    """Record in ``found`` whether the batch's rows use the group ``label`` and whether any
    has no value (null, empty, ``?``): free where the dictionary holds neither."""
    blank = {label, None, *MISSING_TEXT}
    if enc.null_count:
        found.no_value.add(column)
    if not blank & set(names):
        return
    holds = {names[i] for i in np.flatnonzero(_used(enc.indices, len(names)))}
    if label in holds:
        found.literal.add(column)
    if holds & {None, *MISSING_TEXT}:
        found.no_value.add(column)
