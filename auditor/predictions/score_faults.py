"""A batch's scores read as numbers, and what is wrong with those that are not probabilities
(:class:`ScoreFaults`), said once the whole file is read: the faults of its batches add up
to the file's (its first text value, its first missing score, its least score below 0, its
first above 1, its share above 1), so the line is the same at any ``--batch-rows``, and the
file's labels (a totals row, a third class) are said before any of them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from auditor.config.labels import is_no_value_mark
from auditor.errors import AuditorInputError, data_row
from auditor.fairness.counts import arrow_numpy
from auditor.predictions.spelling import is_text_type

__all__ = ["Decimals", "ScoreFaults", "read_scores"]

SCORE_NOT_NUMERIC = "scores must be numbers (probabilities in [0, 1]); the column holds text"
SCORE_WANTED = "give P(positive) as a probability in [0, 1]"
NO_SCORE_MARK = (
    ": a mark for no score? give every row its P(positive), or drop the rows without one"
)
PERCENT_SHARE = 0.1
# 0,93 or a whole number, either with an exponent (4,822E-01: a spreadsheet's scientific format)
COMMA_NUMBER = re.compile(r"[-+]?\d*,?\d+([eE][-+]?\d+)?")
ASCII_COMMA_NUMBER = r"^[-+]?[0-9]*,?[0-9]+([eE][-+]?[0-9]+)?$"  # ASCII digits (pyarrow's regex)

Where = tuple[str, int]  # a source (a file, or a folder's part) and a row of it, from 0


@dataclass(frozen=True)
class ScoreFaults:
    """Scores that are not probabilities, in a batch or several in file order: the first text
    value (where, text), the first missing or infinite score, the least score below 0 (value,
    where, as written), the first above 1 (where, as written), the greatest finite score and
    the count above 1. :meth:`added` adds a later batch's."""

    text: tuple[Where, str] | None = None
    missing: Where | None = None
    low: tuple[float, Where, str] | None = None
    above: tuple[Where, str] | None = None
    high: float = -math.inf
    n_above: int = 0

    def added(self, later: ScoreFaults | None) -> ScoreFaults:
        """These faults and those of a ``later`` batch: the first of each kind, the least."""
        if later is None:
            return self
        low = self.low
        if later.low is not None and (low is None or later.low[0] < low[0]):
            low = later.low
        return ScoreFaults(self.text or later.text, self.missing or later.missing, low,
                           self.above or later.above, max(self.high, later.high),
                           self.n_above + later.n_above)  # fmt: skip

    def sources(self) -> set[str]:
        """The sources (files, parts) its faults name."""
        found = (self.text and self.text[0], self.missing, self.low and self.low[1],
                 self.above and self.above[0])  # fmt: skip
        return {where[0] for where in found if where}

    def error(self, rows: int, field: str | None) -> AuditorInputError:
        """The file's line (``rows``: its rows, each with a score): text first, then a
        missing score, one below 0 (logits?), one above 1 (percentages, where more than
        :data:`PERCENT_SHARE` of the scores are above 1 and none above 100)."""
        if self.text is not None:
            (source, row), text = self.text
            hint = NO_SCORE_MARK if is_no_value_mark(text) else _percent_hint(text)
            message = f"{SCORE_NOT_NUMERIC} ({text!r} at {data_row(row)}){hint}"
        elif self.missing is not None:
            source, row = self.missing
            message = f"missing or infinite score at {data_row(row)}; {SCORE_WANTED}"
        elif self.low is not None:
            _, (source, row), shown = self.low
            message = (f"score {shown} at {data_row(row)} is below 0: logits or decision "
                       f"values? {SCORE_WANTED} (a logit's sigmoid)")  # fmt: skip
        else:
            assert self.above is not None
            (source, row), shown = self.above
            message = f"score {shown} at {data_row(row)} is above 1"
            if self.high <= 100 and self.n_above / rows > PERCENT_SHARE:
                message += f": percentages? {SCORE_WANTED} (divide by 100)"
            else:
                message += f"; {SCORE_WANTED}"
        return AuditorInputError(message, source=source, field=field)


@dataclass(frozen=True)
class Decimals:
    """How a batch's text scores read, for the file's one decision: ``comma``, its first score
    written with a decimal comma (where, as written), where each reads so (``0,93`` or a whole
    number); ``point``, where some do not (a decimal point, other text). A file whose scores
    hold both is refused at its first comma, the first value that is not a number, as one
    batch of it is: the same line at any --batch-rows (a batch decided alone: a lone "0,4"
    among 300 dot scores was read as 0.4 in batches of 1 and refused in batches of 7)."""

    comma: tuple[Where, str] | None = None
    point: bool = False

    def then(self, later: Decimals,
             faults: ScoreFaults | None) -> tuple[Decimals, ScoreFaults | None]:  # fmt: skip
        """The file's decimals with a ``later`` batch's, and its ``faults`` with the comma that
        no longer reads as a number (a later batch's, or the file's first)."""
        if later.comma and self.point:
            faults = (faults or ScoreFaults()).added(ScoreFaults(text=later.comma))
        elif later.point and self.comma and not self.point:
            faults = ScoreFaults(text=self.comma).added(faults)
        return Decimals(self.comma or later.comma, self.point or later.point), faults


def _written_with_point(column: Any, score: np.ndarray, values: Any) -> bool:
    """Whether a batch's scores, read as numbers, show they were written with a decimal
    point: text that reads without a comma, or floats with a fraction among the first 4,096
    (a part of whole numbers, 0 and 1, shows no mark, and is not taken to mix with a part
    of decimal commas: R15 #1)."""
    if is_text_type(column.type):
        return _comma_decimals(values) is None
    if not _is_float(column.type):
        return False
    head = score[:4096]
    return bool(np.any(np.isfinite(head) & (head != np.round(head))))


def read_scores(column: Any, *, source: str, row_offset: int
                ) -> tuple[np.ndarray | None, ScoreFaults | None, Decimals]:  # fmt: skip
    """A batch's score ``column`` (pyarrow) as float64 probabilities, or None and its
    :class:`ScoreFaults` (rows numbered from ``row_offset``, the batch's first); and how its
    text read (:class:`Decimals`)."""
    score = _arrow_comma_decimals(column)
    written: Any = np.float64  # the type the scores were written in, to show one as written
    decimals = Decimals()
    if score is not None:
        decimals = _first_comma(column, source, row_offset)
    else:
        values = arrow_numpy(column)
        written = getattr(values, "dtype", written)
        try:
            score = np.asarray(values, dtype=np.float64)
            if _written_with_point(column, score, values):
                decimals = Decimals(point=True)  # read as a decimal point's
        except (TypeError, ValueError):  # a text column: numbers with a decimal comma, or say
            score = _comma_decimals(values)
            row, text = _first_text(values)
            if score is None:
                faults = ScoreFaults(text=((source, row_offset + row), text))
                return None, faults, Decimals(point=True)
            decimals = Decimals(comma=((source, row_offset + row), text))
    bad = ~np.isfinite(score) | (score < 0) | (score > 1)
    if not bad.any():
        return score, None, decimals
    return None, _faults(score, source, row_offset, written), decimals


def _is_float(kind: Any) -> bool:
    """A pyarrow float type: a CSV's scores written with a decimal point (a folder's part read
    alone, its scores all so: '0.879' in one part, '0,63' in another, was read, R12 #3)."""
    import pyarrow as pa

    return bool(pa.types.is_floating(kind))


def _first_comma(column: Any, source: str, row_offset: int) -> Decimals:
    """The :class:`Decimals` of a text ``column`` read with decimal commas: its first comma."""
    import pyarrow.compute as pc

    rows = pc.indices_nonzero(pc.match_substring(column, ","))
    if not len(rows):
        return Decimals()  # whole numbers: either reading
    row = int(rows[0].as_py())
    return Decimals(comma=((source, row_offset + row), str(column[row].as_py())[:40]))


def _faults(score: np.ndarray, source: str, row_offset: int, written: Any) -> ScoreFaults:
    """The faults of a batch's ``score`` (one at least is not a probability)."""
    finite = np.isfinite(score)
    missing = None if finite.all() else (source, row_offset + int(np.flatnonzero(~finite)[0]))
    if not finite.any():
        return ScoreFaults(missing=missing)
    kept = np.where(finite, score, np.nan)
    at = int(np.nanargmin(kept))
    low = None
    if score[at] < 0:
        low = (float(score[at]), (source, row_offset + at), _shown(score[at], written))
    over = np.flatnonzero(finite & (score > 1))
    above = None
    if len(over):
        above = ((source, row_offset + int(over[0])), _shown(score[int(over[0])], written))
    return ScoreFaults(missing=missing, low=low, above=above, high=float(np.nanmax(kept)),
                       n_above=len(over))  # fmt: skip


def _arrow_comma_decimals(column: Any) -> np.ndarray | None:
    """:func:`_comma_decimals` of a pyarrow text column, in pyarrow's kernels (not a Python
    loop and a regex per value: a second per million scores, in every batch): the same numbers
    where every value is an ASCII-digit ``0,93`` or whole number (a missing one NaN); None
    where any other value is (text, or digits Python's regex reads too: the slow path decides)
    or the column is not text."""
    if not is_text_type(column.type):
        return None  # numbers: pyarrow.compute (30 ms to load) is not needed
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.ascii_trim_whitespace(column)  # other spaces (Python strips them): the slow path
    if column.null_count == len(column) or not pc.all(
        pc.match_substring_regex(text, ASCII_COMMA_NUMBER)).as_py():  # fmt: skip
        return None
    try:
        numbers = pc.cast(pc.replace_substring(text, ",", ".", max_replacements=1), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return numbers.to_numpy(zero_copy_only=False)


def _comma_decimals(values: Any) -> np.ndarray | None:
    """Scores each written with a decimal comma in a ``,`` file, so quoted (``"0,93"``, as a
    spreadsheet in a decimal-comma locale exports them), as numbers (missing ones NaN); None
    where any value is other text."""
    if not all(v is None or (isinstance(v, str) and COMMA_NUMBER.fullmatch(v.strip()))
               for v in values):  # fmt: skip
        return None
    return np.array([np.nan if v is None else float(v.strip().replace(",", ".")) for v in values])


def _first_text(values: Any) -> tuple[int, str]:
    """The index and value of the first entry of ``values`` that is not a number."""
    for i, value in enumerate(values):
        if value is None:  # missing: said once the column reads as numbers
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            return i, str(value)[:40]
    return 0, ""


def _percent_hint(text: str) -> str:
    """What to write for a score written as a percentage ('93%', as a spreadsheet formats it):
    its probability ('0.93'); nothing for other text."""
    number = text.strip().removesuffix("%").replace(",", ".")
    if number == text.strip().replace(",", "."):
        return ""
    try:
        value = float(number)
    except ValueError:
        return ""
    return (f": percentages? write {value / 100:g} for {text.strip()} (format the column as a "
            "number)")  # fmt: skip


def _shown(value: float, written: Any = np.float64) -> str:
    """``value`` as short as it is exact: ``:g`` where that reads back the same, else the
    shortest text of the type it was ``written`` in (a float32 column's 1.0000001, not its
    float64 expansion 1.0000001192092896; 1.0000001 was shown "score 1 ... is above 1")."""
    short = f"{value:g}"
    if float(short) == value:
        return short
    kind = np.dtype(written)
    return str(kind.type(value)) if kind.kind == "f" else repr(float(value))
