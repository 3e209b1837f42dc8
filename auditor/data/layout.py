"""A CSV file's layout (:class:`CsvLayout`): its delimiter, decimal mark, comment lines and
unnamed columns, from one look at its first lines (no pandas, no torch).

A CSV's delimiter is the one of ``,`` ``;`` tab ``|`` that splits its header line into the most
columns and the rows under it into as many (where none does, a space where it does: numpy's
``savetxt`` and R's ``write.table`` defaults; else the header alone decides; a comma on a tie; a
tab for ``.tsv``), as European spreadsheets write ``;`` and many
pipelines tab; lines starting with ``#`` before the header are comments, skipped, except a last
one that names the columns of data rows (``# y_true,y_pred`` as numpy's ``savetxt`` writes a
header). With another delimiter than ``,``, numbers written ``0,93`` in the first rows, at least
as many as those written ``0.93``, make ``,`` the decimal mark (such spreadsheets write both)
(:func:`csv_layout`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from auditor.data.spelling import EXTRA_MISSING
from auditor.data.text import UTF8, first_lines, row_numbers, text_encoding, text_head, wide_fields

DELIMITERS = (",", ";", "\t", "|")  # in order of preference on a tie
SPACE = " "  # numpy's savetxt and R's write.table default: only where the rows confirm it
COMMENT = "#"
DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+([eE][-+]?\d+)?")
DECIMAL_POINT = re.compile(r"[-+]?\d*\.\d+([eE][-+]?\d+)?")
SAMPLE_LINES = 100  # lines under the header that decide the decimal mark (a sep= line, the
# header and these are read: data.text.first_lines)
SEP_DIRECTIVE = re.compile(r"sep=(.)")
NUMBERED_SHOWN = 3  # row numbers a refusal shows (CsvLayout.numbered)
HEADER_LINES = 3  # the most lines a quoted header name may span (two line breaks)
# Rows (of the first lines) whose first fields, all distinct, are row names in no order: fewer
# may be a label's values (1, 0), many a count's only by chance (CsvLayout.counting)
DISTINCT_ROWS = 10
# R's write.table header (quote = TRUE, its default): every name quoted, one space apart.
R_SPACED_HEADER = re.compile(r'"(?:[^"]|"")*"(?: "(?:[^"]|"")*")*')
# A field both readers read as no value, as written: pandas' read_csv's words (the table
# loader's) and the table loader's EXTRA_MISSING, the predictions reader's CSV_NULLS
NO_VALUE_WORDS = frozenset({"#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                            "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None",
                            "n/a", "nan", "null", *EXTRA_MISSING})  # fmt: skip


@dataclass(frozen=True)
class CsvLayout:
    """How to parse a CSV file: its ``delimiter``, the ``skip_rows`` comment lines (``#``)
    above its header and its ``decimal_point``."""

    delimiter: str = ","
    skip_rows: int = 0
    decimal_point: str = "."
    # The header is a '#' line (its first name starts with '#', which is not part of it).
    hash_header: bool = False
    # Every row has one field more than the header: "first", R's row names (write.table's
    # default), or "last", a delimiter ending every row: an unnamed column there; "header":
    # the header alone ends in a delimiter (an empty last name no row fills), dropped.
    unnamed: Literal["first", "last", "header"] | None = None
    # The first line is one field over rows of more: a title above the header (refused).
    title: bool = False
    # Every row is one field over the header and starts with a whole number, each larger than
    # the last (1, 2, 3, ...; pandas' 0, 1, 2), no field starting with a space: R's row names
    # written unquoted (write.table, quote = FALSE), pandas' index_label=False, or a header
    # missing the first column's name; refused as ragged all the same, saying how to write the
    # file readably; with unnamed "last" (each row ending empty too: an ID column and a
    # delimiter ending each row, or R's row names over an empty last column) refused where the
    # columns read cannot tell them apart (data.header.check_counted). The first
    # rows, split (up to NUMBERED_SHOWN + 1: the refusal shows the first numbers and '...'
    # where there are more); () where the rows are not so.
    numbered: tuple[tuple[str, ...], ...] = ()
    # The numbered rows count (each number larger than the last); False: with unnamed "last"
    # only, distinct whole numbers in no order (R's row names of shuffled rows, 335, 12, 97)
    counting: bool = True
    # Every row one field over the header, no unnamed column read and not numbered (R's row
    # names, shuffled or words, over its na = "NA"): the table loader refuses it, where pandas
    # dropped the last field, 'NA', and read every name one column left.
    longer: bool = False
    # A space delimiter with an empty field inside a sampled line (two spaces: R's na = ""):
    # a second space is an empty value; else spaces before a value are padding (numpy's
    # savetxt '%5.2f' writes ' 5.00' in some row past the sample), no part of it.
    space_empties: bool = False
    encoding: str = UTF8  # UTF-16 or UTF-32 where a byte-order mark says so (data.text)
    # The lines the header spans: more than one where a quoted name holds a line break
    # ('"sex<LF>group"'), each reader skipping them all (pandas reads it as one row)
    header_lines: int = 1



def _is_number(value: str) -> bool:
    try:
        float(value.strip().replace(",", "."))
    except ValueError:
        return False
    return True


def _names_data(comment: str, row: list[str], delimiter: str) -> bool:
    """True when ``comment`` (a ``#`` line) is the header of data whose first row is ``row``:
    as many fields, none a number where the row has one."""
    names = _fields(comment.lstrip(COMMENT).strip(), delimiter)
    return (
        len(names) == len(row) > 1
        and any(map(_is_number, row))
        and not any(map(_is_number, names))
    )


def _decimal_comma(rows: list[str], delimiter: str) -> bool:
    """Numbers written ``0,93`` among ``rows``, at least as many as those written ``0.93``
    (never with ``,`` as the delimiter)."""
    if delimiter == ",":
        return False
    values = [v.strip() for row in rows for v in _fields(row, delimiter)]
    commas = sum(1 for v in values if DECIMAL_COMMA.fullmatch(v))
    return commas > 0 and commas >= sum(1 for v in values if DECIMAL_POINT.fullmatch(v))


def _fields(line: str, delimiter: str) -> list[str]:
    """The first row of ``line`` (a header spanning lines, joined, is one: :func:`_header_span`;
    split by another delimiter, its first line)."""
    lines = io.StringIO(line, newline="")  # split at '\n' and '\r' alone, as files are read
    return next(csv.reader(lines, delimiter=delimiter), [])


class _Split:
    """The first lines (the header, ``lines[0]``, and the rows under it) split by a delimiter,
    each delimiter's once: the header's fields, the rows' (:func:`_rows`) and their width,
    which the delimiter, the unnamed column and the title line are each decided from."""

    def __init__(self, lines: list[str], *, cut: bool) -> None:
        self.lines, self.cut = lines, cut  # cut: the sample may end inside a quoted value
        self._header: dict[str, list[str]] = {}
        self._rows: dict[str, list[list[str]]] = {}

    def header(self, delimiter: str) -> list[str]:
        if delimiter not in self._header:
            self._header[delimiter] = _fields(self.lines[0], delimiter)
        return self._header[delimiter]

    def width(self, delimiter: str) -> int:
        return len(self.header(delimiter))

    def rows(self, delimiter: str) -> list[list[str]]:
        if delimiter not in self._rows:
            self._rows[delimiter] = _rows(self.lines, delimiter, cut=self.cut)
        return self._rows[delimiter]

    def rows_width(self, delimiter: str) -> int | None:
        """The number of fields of every row under the header; None without rows, -1 where
        they differ."""
        widths = {len(row) for row in self.rows(delimiter)}
        return None if not widths else widths.pop() if len(widths) == 1 else -1


def _delimiter(split: _Split, order: Sequence[str]) -> str:
    """Of ``order``, the delimiter that splits the header (``lines[0]``) into the most columns
    among those that split every row under it into as many (or each into one more: R's row
    names) (a ``;`` file whose names hold commas, ``P(yes | age, sex);y_true``); where none
    does, a space where it does (numpy's and R's defaults), else the one of ``order`` that
    splits the header most (ragged rows, one column). On a tie, the first."""

    def agrees(d: str) -> bool:
        rows, width = split.rows_width(d), split.width(d)
        short = rows == width - 1 and not split.header(d)[-1].strip()  # 'a,b,c,'
        return width > 1 and (rows in (width, width + 1) or rows is None or short)

    agreeing = [d for d in order if agrees(d)]
    if not agreeing and agrees(SPACE) and split.rows_width(SPACE) is not None:
        # An empty field inside a line is a run of spaces: aligned columns; but an empty value
        # under R's quoted header, as at a line's end (R's write.table with na = ""), or under
        # names one space apart (quote = FALSE) where every row splits into exactly as many
        # fields and some holds two values (one value a row is one column: 'risk score' over
        # numpy's ' 0.100'), or (row names) some row has none: no padding there.
        rows = split.rows(SPACE)
        r_header = R_SPACED_HEADER.fullmatch(split.lines[0].rstrip("\r\n"))
        named = all(split.header(SPACE))
        exact = split.rows_width(SPACE) == split.width(SPACE) and any(
            sum(map(bool, row)) > 1 for row in rows)
        unpadded = named and (exact or any("" not in row[:-1] for row in rows))
        if r_header or unpadded or not any("" in row[:-1] for row in rows):
            return SPACE
    return max(agreeing or order, key=split.width)


def blank_line(text: str) -> bool:
    """A line of only spaces or tabs (or a DOS end-of-file mark, Ctrl-Z, on its own line): no
    row, wherever a reader meets one (the layout's sample, predictions.source.blank_row for
    pyarrow, found_rows' own count), as pandas' reader skips it."""
    return not text.strip().strip("\x1a")


def _sample(lines: list[str], delimiter: str) -> list[tuple[str, list[str]]]:
    """Each row under the header (``lines[1:]``): the line it starts on, as written, and its
    fields; no empty line, no line of only spaces (:func:`blank_line`: read as a row of one field,
    it made every row's width differ, and a delimiter ending each row a ragged row 1)."""
    reader = csv.reader(lines[1:], delimiter=delimiter)
    sample, at = [], 0
    for row in reader:
        if row and not blank_line("".join(lines[1 + at : 1 + reader.line_num])):
            sample.append((lines[1 + at], row))
        at = reader.line_num
    return sample


def _rows(lines: list[str], delimiter: str, *, cut: bool) -> list[list[str]]:
    """The rows under the header (``lines[1:]``) split into fields (:func:`_sample`); the
    last left out where the sample is ``cut`` (it may end in a quoted value)."""
    rows = [row for _, row in _sample(lines, delimiter)]
    return rows[:-1] if cut else rows


def _row_starts(lines: list[str], delimiter: str) -> list[str]:
    """The line each row under the header (``lines[1:]``) starts on, as written."""
    return [start for start, _ in _sample(lines, delimiter)]


def _spaced(lines: list[str], delimiter: str) -> bool:
    """A field under the header starts with a space after the delimiter, unquoted: the sign
    of text written with ``", "`` in it (``called back, no answer``), never R's."""
    if delimiter == SPACE:
        return False
    body = [line for line in lines[1:SAMPLE_LINES + 1] if not blank_line(line)]
    plain = list(csv.reader(body, delimiter=delimiter))
    return plain != list(csv.reader(body, delimiter=delimiter, skipinitialspace=True))


def _r_row_names(lines: list[str], delimiter: str, rows: list[list[str]]) -> bool:
    """Each row's first field is R's row name (``write.table``, row.names = TRUE): evident
    only where the header starts quoted and every row with its name quoted (quote = TRUE, R's
    default; R quotes row and column names whenever it quotes), each its own, and no field
    starts with a space after the delimiter. An unquoted comma in text under an ID column
    gives every row one field more too: refused as ragged, not read with every name shifted
    onto the next column; so is a title line holding the delimiter over a quoted file."""
    first = [row[0].strip() for row in rows]
    starts = [lines[0], *_row_starts(lines, delimiter)]
    quoted = all(line.lstrip(" ").startswith('"') for line in starts)
    return (quoted and all(first) and len(set(first)) == len(first)
            and not _spaced(lines, delimiter))  # fmt: skip


def _unnamed(split: _Split, delimiter: str) -> Literal["first", "last", "header"] | None:
    """Where every row has one field more than the header: "first" where each starts with
    R's row name (:func:`_r_row_names`), even where each ends in an empty field too (R's
    ``na = ""`` in a last column empty in the first rows: read as a delimiter ending the line,
    every name fell one column left); else "last" where each ends in an empty field (a
    delimiter ending the line; a word for no value there, 'NA', is none, as past the first
    lines, where some row ends blank: R's unquoted row names over its na = "NA" end every row
    in the word); else None (a name missing from the header, or a delimiter in
    unquoted text: the rows are refused as ragged). "header" where every row has one field
    fewer and the header's last name is empty (only the header line ends in the delimiter)."""
    header, width = split.header(delimiter), split.rows_width(delimiter)
    if width == len(header) - 1 and not header[-1].strip():
        return "header"
    if width != len(header) + 1:
        return None
    rows = split.rows(delimiter)
    if _r_row_names(split.lines, delimiter, rows):
        return "first"
    # A delimiter ending each row leaves some row's last field blank; R's na = "NA" (under its
    # row names unquoted, numbered, shuffled or words) writes the word in every row
    blank = any(not row[-1].strip() for row in rows)
    return "last" if blank and all(_no_value(row[-1]) for row in rows) else None


def _no_value(field: str) -> bool:
    """A field blank or, as written, a word both readers take for no value (R's 'NA')."""
    return not field.strip() or field in NO_VALUE_WORDS


def _numbered(split: _Split, delimiter: str, unnamed: str | None, path: Path,
              read: tuple[str, int]) -> tuple[tuple[tuple[str, ...], ...], bool]:
    """The first rows (:attr:`CsvLayout.numbered`) where every row under the header has one
    field more than it and the first fields are whole numbers, each larger than the last (R's
    row names: 1, 2, 3, ..., or a subset's 2, 5, 9; pandas' index from 0, index_label=False);
    where each row ends empty too (``unnamed`` "last"), only where they run 1, 2, 3 or 0, 1, 2,
    or (at least :data:`DISTINCT_ROWS` rows) the first fields of the whole file are different
    whole numbers, none above its rows (:func:`~auditor.data.text.row_numbers`, read with
    ``read``'s encoding and lines above the header: R's row names of shuffled rows, or of a
    subset; a sorted or repeating income column is none); and no field starts with a space
    after the delimiter (an unquoted comma in text, 'Austin, TX', under an ID column:
    :func:`_spaced`); else (); and whether they count (:attr:`CsvLayout.counting`)."""
    rows = split.rows(delimiter)
    if len(rows) < 2 or split.rows_width(delimiter) != split.width(delimiter) + 1:
        return (), True
    first = [row[0].strip() for row in rows]
    if not all(name.isascii() and name.isdigit() for name in first):
        return (), True
    numbers = [int(name) for name in first]
    counting = all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
    plain = numbers[0] in (0, 1) and numbers == list(range(numbers[0], numbers[0] + len(rows)))
    if unnamed == "last" and not plain:
        names = (len(numbers) >= DISTINCT_ROWS and len(set(numbers)) == len(numbers)
                 and row_numbers(path, *read, delimiter))  # fmt: skip
    else:
        names = counting
    if not names or _spaced(split.lines, delimiter):
        return (), True
    return tuple(tuple(row) for row in rows[:NUMBERED_SHOWN + 1]), counting


def _title(split: _Split, delimiter: str, order: Sequence[str], unnamed: str | None) -> bool:
    """The first line is a title above the header: one field (under every delimiter) over rows
    of more, or fewer fields than every row under it (split by ``delimiter``, the file's) where
    the first of those reads as the header (``Model predictions, exported 2024-01-01`` over
    ``id,y_true,...``): no number, no empty name, none of its names a value in its column
    below (a header missing a name is over data: refused as ragged). Never where the rows
    confirm the header (``unnamed``)."""
    if unnamed is not None:  # the rows confirm the first line as the header
        return False
    if all(split.width(d) == 1 for d in order):
        return any((split.rows_width(d) or 0) > 1 for d in order)
    rows, width = split.rows(delimiter), split.rows_width(delimiter)
    if width is None or width <= split.width(delimiter) or len(rows) < 2:
        return False
    names, below = rows[0], rows[1:]
    return not any(map(_is_number, names)) and all(
        name.strip() and all(row[i] != name for row in below) for i, name in enumerate(names)
    )


def _header_span(lines: list[str]) -> int:
    """The lines the header (``lines[0]`` on) takes: more than one where a quoted name holds
    a line break, its quotes balanced only at a later line's end (up to :data:`HEADER_LINES`);
    else one (a quote never closed there: :func:`auditor.data.header.csv_header` refuses
    it)."""
    quotes = 0
    for k, line in enumerate(lines[:HEADER_LINES], 1):
        quotes += line.count('"')
        if quotes % 2 == 0:
            return k
    return 1


def _lines_read(lines: list[str], delimiter: str) -> int:
    """The lines Python's reader takes for the first row of ``lines`` (a quote inside a
    name, 'g"x', is no quote to it)."""
    reader = csv.reader(lines, delimiter=delimiter)
    next(reader, None)
    return reader.line_num


def csv_layout(path: Path) -> CsvLayout:
    """The delimiter and decimal mark (see the module's doc) and comment lines of the CSV at
    ``path``. A first line ``sep=;`` (Excel's) names the delimiter. A last ``#`` line that
    names the fields of the row under it (as many, none a number where the row has one) is
    the header (``# y_true,y_pred,...`` from numpy's ``savetxt``), not a comment."""
    with wide_fields():
        return _layout(path)


def _layout(path: Path) -> CsvLayout:
    encoding = text_encoding(text_head(path))
    comments, last_comment, lines = first_lines(path, encoding, SAMPLE_LINES + 2, COMMENT)
    first = lines[0].rstrip("\r\n") if lines and not comments else ""
    directive = SEP_DIRECTIVE.fullmatch(first)
    if directive:
        lines = lines[1:]
    if not lines:
        return CsvLayout(skip_rows=comments + bool(directive), encoding=encoding)
    preferred = ("\t",) if ".tsv" in path.name.lower() else ()
    order = [*preferred, *(d for d in DELIMITERS if d not in preferred)]
    cut, span = len(lines) == SAMPLE_LINES + 2, _header_span(lines)
    split = _Split(["".join(lines[:span]), *lines[span:]], cut=cut)  # the header one line
    delimiter = directive.group(1) if directive else _delimiter(split, order)
    if span > 1 and _lines_read(lines, delimiter) != span:  # quotes not the reader's
        span, split = 1, _Split(lines, cut=cut)
        delimiter = directive.group(1) if directive else _delimiter(split, order)
    lines = split.lines
    skip, rows = comments + bool(directive), lines[1:SAMPLE_LINES + 1]
    hashed = bool(comments) and _names_data(last_comment, split.header(delimiter), delimiter)
    if hashed:
        skip, rows = skip - 1, lines[:SAMPLE_LINES]
    unnamed = None if hashed else _unnamed(split, delimiter)
    title = not hashed and _title(split, delimiter, order, unnamed)
    # rows counting over a delimiter ending each: R's row names, or an ID column? (header)
    counted = unnamed in (None, "last") and not (hashed or title)
    numbered, counting = (_numbered(split, delimiter, unnamed, path, (encoding, skip)) if counted
                          else ((), True))
    longer = not (hashed or title or unnamed or numbered) and (
        split.rows_width(delimiter) == split.width(delimiter) + 1)
    space_empties = delimiter == SPACE and any("" in row[:-1] for row in split.rows(SPACE))
    return CsvLayout(delimiter=delimiter, skip_rows=skip, hash_header=hashed, unnamed=unnamed,
                     title=title, numbered=numbered, counting=counting, longer=longer,
                     encoding=encoding, header_lines=1 if hashed else span,
                     space_empties=space_empties,
                     decimal_point="," if _decimal_comma(rows, delimiter) else ".")  # fmt: skip
