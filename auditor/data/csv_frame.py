"""A CSV file's rows as a frame, by the layout read from its first lines (delimiter, decimal
mark, R's row names, a delimiter ending each row, Excel's trailing ',,'); the unnamed columns
the layout adds are left out only where they hold no value."""

from __future__ import annotations

import warnings
from collections.abc import Container
from pathlib import Path
from typing import Any

import pandas as pd

from auditor.data.header import LONGER_ROW, PAST_HEADER, check_counted, csv_header
from auditor.data.spelling import EXTRA_MISSING, missing_labels
from auditor.errors import AuditorInputError, data_row, rows_text

# PAST_HEADER's ``where`` for the table loader, which reads every row before it refuses:
# how many hold a value past the header (the predictions reader counts the first lines')
HELD_OF = "{rows} of {total:,} {hold} one"


class ReadColumns:
    """The columns a table's settings read (``in``): the target, the sensitive columns and
    ``features``, else every column not in ``drop`` (each an input); the rest, an ID column
    the user dropped, tells rows counting over a delimiter ending each from R's row names
    (:func:`~auditor.data.header.check_counted`)."""

    def __init__(self, config: Any) -> None:  # a TableData
        self.roles = {config.target, *config.sensitive}
        self.read = {*self.roles, *(config.features or ())}
        self.drop = None if config.features is not None else set(config.drop)

    def fix(self, first: str, last: str) -> str:
        """What reads an ID column ``first`` so: dropped, where the inputs are every column
        not dropped (the last, ``last``, one of them) and it is neither target nor sensitive."""
        if self.drop is None or first in self.roles or last in self.drop:
            return ""
        return f"add {first!r} to data.drop"

    def __contains__(self, name: object) -> bool:
        return name in self.read or (self.drop is not None and name not in self.drop)


def read_csv_frame(path: Path, reads: Container[str] = ()) -> pd.DataFrame:
    """The rows of the CSV at ``path`` under its header's names (pandas' ``Unnamed: i`` for an
    empty one); refuses a row longer than the header, and a value in the field after the
    header's last name; ``reads``: the columns the caller reads (:class:`ReadColumns`; none
    given: rows counting over a delimiter ending each are refused)."""
    layout, header = csv_header(path)  # '# y_true' read as y_true; R's row names: ''
    check_counted(layout, header, path, reads, getattr(reads, "fix", None))  # ID, or R names?
    if layout.longer:  # pandas drops a last field of 'NA' unwarned
        raise AuditorInputError(LONGER_ROW.format(n=len(header)), source=str(path))
    names = [name.strip() or f"Unnamed: {i}" for i, name in enumerate(header)]  # pandas'
    end = len(names) - (layout.unnamed == "last")  # the header's own empty names after
    empty = names[end - trailing_unnamed(header[:end]) : end]  # its last (Excel's ',,')
    # The fields no name was written for: read as text, shown as written if refused ('7,5',
    # not 7.5)
    kinds = {name: str for name in [*empty, *names[end:]]} or None
    try:
        with warnings.catch_warnings():  # a row longer than the header: pandas drops a field
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path,
                sep=layout.delimiter,
                skiprows=layout.skip_rows + 1,
                header=None,
                names=names,
                index_col=False,
                dtype=kinds,
                decimal=layout.decimal_point,
                encoding=layout.encoding,
                # Adult's ", ": the space is no part of a value; with a space as the delimiter
                # a second one is an empty value where the first lines hold one (R's na = ""),
                # not more of the delimiter, else padding (numpy's savetxt)
                skipinitialspace=not layout.space_empties,
                na_values=list(EXTRA_MISSING),
            )
    except pd.errors.ParserWarning:
        raise AuditorInputError(LONGER_ROW.format(n=len(names)), source=str(path)) from None
    if layout.unnamed == "first":  # R's row names
        frame = frame.drop(columns=names[0])
    elif layout.unnamed == "last":  # a delimiter ending each row of the first lines
        named = header[:-1]  # the header as written; its own empty names ending it are none
        _refuse_past(frame[[names[-1]]], n=len(named) - trailing_unnamed(named), src=str(path))
        frame = frame.drop(columns=names[-1])
    if empty:
        _refuse_past(frame[empty], n=end - len(empty), src=str(path))
    return frame.drop(columns=empty)


def _refuse_past(values: pd.DataFrame, *, n: int, src: str) -> None:
    """Refuse a value in the fields past the header's ``n`` names: the field the layout calls
    a delimiter ending each row, or the columns the header ends without naming (Excel's
    ',,'): the first row holding one named, with how many do (:data:`PAST_HEADER`)."""
    held = ~values.apply(missing_labels)  # a quoted " ", which the reader keeps, is none
    rows = held.any(axis=1).to_numpy()
    if rows.any():
        first = int(rows.argmax())
        column = int(held.iloc[first].to_numpy().argmax())
        k = int(rows.sum())
        where = HELD_OF.format(rows=rows_text(k), total=len(values),
                               hold="holds" if k == 1 else "hold")  # fmt: skip
        value = str(values.iloc[first, column])[:40]
        message = PAST_HEADER.format(row=data_row(first), n=n, value=value, where=where)
        raise AuditorInputError(message, source=src)


def trailing_unnamed(header: list[str]) -> int:
    """How many names end the header empty (a delimiter, or Excel's ',,', ending its line)."""
    n = 0
    while n < len(header) and not header[-1 - n].strip():
        n += 1
    return n
