"""One label however it was typed, on every path that makes groups and classes (a table, a
supplied model's rows, a predictions file): ``"Male "``, ``"Male"``, ``"Male"`` with a
non-breaking space, and ``"Café"`` composed (NFC) or decomposed (NFD) look the same on a card
and in a spreadsheet, so they are one group (one class) (:func:`canonical`); where a column
held more than one such spelling, the audit says which it merged (:func:`merged_notes`).

A literal group named like the rows with no value (``(missing)``) beside the setting that
names them so would take those rows silently: each path refuses it, in :data:`MISSING_CLASH`'s
words."""

from __future__ import annotations

import math
import unicodedata
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # the predictions path imports canonical without pandas
    import pandas as pd

__all__ = ["EXTRA_MISSING", "MISSING_CLASH", "MISSING_TEXT", "SPACES", "canonical",
           "canonical_values", "merged_notes", "missing_codes", "missing_labels", "no_label"]

# Missing besides the readers' own markers (empty, NA, NaN, null, ...): "?", as UCI files write.
EXTRA_MISSING = ("?",)
# A label's text that is no value, once read in one spelling (:func:`canonical`): a table's
# and a predictions file's, CSV and Parquet alike.
MISSING_TEXT = ("", *EXTRA_MISSING)

# Unicode's space separators past ASCII (category Zs: no-break, ogham, the 11 of U+2000-U+200A,
# narrow no-break, medium mathematical, ideographic), each read as a space; the invisible
# zero-width space, word joiner and byte-order mark (a file's, joined into a value) as
# nothing. Written out, not found at import (3.6 ms of the predictions path's start-up);
# test_spelling holds it equal to unicodedata's Zs.
ZS_SPACES = (0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)
SPACES: dict[int, str | None] = {**dict.fromkeys(ZS_SPACES, " "),
                                 **dict.fromkeys((0x200B, 0x2060, 0xFEFF))}  # fmt: skip
MISSING_CLASH = (
    "{whose} holds a group named {label!r}, the name {flag} gives rows with no value: the "
    "two would be one group; rename that group, or {way}"
)
FILL = "fill the rows with no value"
WITHOUT = "audit without {flag} (no row here lacks a value)"
MAX_MERGED = 3  # labels merged alike named per column; the rest counted
NAMED_IN = "fairness.source.merged_labels in audit.json names them"


def canonical(text: str) -> str:
    """``text`` as one label: Unicode NFC, every Unicode space a plain space, no zero-width
    space, word joiner or byte-order mark, without the spaces around it."""
    return unicodedata.normalize("NFC", text).translate(SPACES).strip()


def no_label(value: Any) -> bool:
    """``value`` holds no label: None, NaN, or text that is no value once read in one
    spelling (:data:`MISSING_TEXT`: '', '?', alone or among spaces or invisible ones)."""
    if isinstance(value, str):
        return canonical(value) in MISSING_TEXT
    return value is None or (isinstance(value, float) and math.isnan(value))


def missing_codes(codes: np.ndarray, uniques: Any) -> np.ndarray:
    """Which rows of ``codes`` (indices into ``uniques``; -1: null) hold no label
    (:func:`no_label`, once per distinct value)."""
    bad = [i for i, value in enumerate(uniques) if no_label(value)]
    return (codes < 0) | np.isin(codes, bad) if bad else codes < 0


def missing_labels(values: pd.Series) -> np.ndarray:
    """Which of ``values`` hold no label (:func:`no_label`: null, NaN, '', '?', spaces): the
    one rule of a table's target, groups and unnamed columns, and a predictions file's."""
    import pandas as pd  # tables and the preview only: a predictions file is read without it

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return missing_codes(codes, uniques)


def canonical_values(
    values: pd.Series, column: str, merged: dict[str, dict[str, list[str]]] | None = None
) -> pd.Series:
    """``values`` with each text as :func:`canonical` reads it (other values, a missing one
    too, as they are), and in ``merged[column]`` each label more than one spelling was read
    as, with its spellings sorted. One call of :func:`canonical` per distinct value; a column
    with nothing to change (numbers, booleans, labels in one spelling) is returned as it is,
    a categorical one otherwise as text."""
    import pandas as pd  # tables only: a predictions file is read without it

    kind = values.dtype
    if isinstance(kind, pd.CategoricalDtype):  # a DataFrame's categories: read as their text
        source = values.astype(object)
    elif pd.api.types.is_string_dtype(kind):  # object, "string", a pyarrow string
        source = values
    else:  # numbers, booleans, times: no text to read
        return values
    codes, uniques = pd.factorize(source, use_na_sentinel=True)
    spelled = uniques.tolist()
    names = [canonical(v) if isinstance(v, str) else v for v in spelled]
    if names == spelled:
        return values
    by_label: dict[str, set[str]] = {}
    for text, name in zip(spelled, names, strict=True):
        if isinstance(text, str):
            by_label.setdefault(name, set()).add(text)
    found = {label: sorted(texts) for label, texts in sorted(by_label.items()) if len(texts) > 1}
    if found and merged is not None:
        mine = merged.setdefault(column, {})
        for label, texts in found.items():
            mine[label] = sorted({*mine.get(label, ()), *texts})
    table = np.empty(len(names) + 1, dtype=object)
    table[:-1], table[-1] = names, None  # code -1: a missing value, kept missing
    out = pd.Series(table[codes], index=values.index, name=values.name, dtype=object)
    return out.where(codes >= 0, source)


def merged_notes(merged: dict[str, dict[str, list[str]]] | None, *,
                 named_in: str | None = NAMED_IN,
                 sizes: dict[str, dict[str, int]] | None = None) -> list[str]:  # fmt: skip
    """Labels read from more than one spelling (spaces around them, a non-breaking space,
    Unicode's composed and decomposed forms), per column: which spellings became which label
    (with the label's rows where ``sizes`` holds them: per column, each label's rows),
    :data:`MAX_MERGED` a column, then how many more (``named_in``: where all are named)."""
    notes = []
    for column, labels in (merged or {}).items():
        for label, spelled in list(labels.items())[:MAX_MERGED]:
            shown = ", ".join(ascii(s) for s in spelled)
            n = (sizes or {}).get(column, {}).get(label)
            rows = f"{n:,} row{'s' * (n != 1)}; " if n is not None else ""
            notes.append(f"{column}: {shown} are read as one label {label!r} ({rows}they "
                         "differ only in spaces, invisible characters or Unicode form).")
        if len(labels) > MAX_MERGED:
            where = f" ({named_in})" if named_in else ""
            notes.append(f"{column}: {len(labels) - MAX_MERGED} more labels were merged "
                         f"alike{where}.")
    return notes


def clash_way(flag: str, *, no_value: bool) -> str:
    """What a user can do about a literal missing-group label (:data:`MISSING_CLASH`'s
    ``{way}``): fill the rows with no value, or (none here) audit without ``flag``."""
    return FILL if no_value else WITHOUT.format(flag=flag)
