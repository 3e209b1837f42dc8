"""A predictions file as a source of rows: the columns each role reads (:class:`Columns`),
checked against the file's header before any row is read, and its rows in pyarrow batches
(CSV in the layout :func:`auditor.data.header.csv_layout` finds, or Parquet)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.data.header import (
    NOT_UTF8,
    SAVE_UTF8,
    CsvLayout,
    check_flat_columns,
    check_header,
    csv_header,
    file_kind,
    read_header,
)
from auditor.errors import AuditorInputError

NOT_UTF8_ROWS = f"{NOT_UTF8} in a row past the header; {SAVE_UTF8}"

__all__ = [
    "MISSING_LEVEL", "Columns", "checked_kind", "csv_layout_names", "header_names", "iter_batches",
    "unreadable",
]  # fmt: skip

RAGGED = re.compile(r"Expected (\d+) columns, got (\d+): (.*)", re.DOTALL)
RAGGED_ROW = (
    "a row has {got} fields where the header has {want} ({row!r}); quote a value that holds "
    "the delimiter, or write the row in full"
)
SHOW_COLUMNS = 30  # names listed when a column is not found

# The group of a row with no sensitive value, as the table loader names it (data.missing_group)
# without importing it: auditor.data's package loads pandas, which this path does without.
MISSING_LEVEL = "(missing)"


@dataclass(frozen=True)
class Columns:
    """The column of each role; ``missing_group``: the group a row with no sensitive value
    (null, empty, NaN) is audited as (None: such a row is refused)."""

    y_true: str = "y_true"
    y_pred: str = "y_pred"
    y_score: str | None = None
    sensitive: tuple[str, ...] = ()
    missing_group: str | None = None

    def names(self) -> list[str]:
        extra = [self.y_score] if self.y_score else []
        return [self.y_true, self.y_pred, *extra, *self.sensitive]

    def check_roles(self, *, source: str | None = None) -> None:
        """Refuse a column named for two roles (``--y-score sex --sensitive sex``) or twice:
        each role reads a column of its own."""
        score = [(self.y_score, "--y-score")] if self.y_score else []
        roles = [(self.y_true, "--y-true"), (self.y_pred, "--y-pred"), *score,
                 *((s, "--sensitive") for s in self.sensitive)]  # fmt: skip
        seen: dict[str, str] = {}
        for name, flag in roles:
            if name in seen:
                both = flag if seen[name] == flag else f"{seen[name]} and {flag}"
                msg = f"column {name!r} is named twice ({both}); each role needs its own column"
                raise AuditorInputError(msg, source=source, field=name)
            seen[name] = flag


def checked_kind(path: Path, cols: Columns) -> str:
    """The file's kind once its header holds every column the audit reads, each once, and
    (Parquet) none of them nested: the table loader's checks (``auditor.data.header``), so
    both take a byte-order mark, a ``.csv.gz`` and refuse the same files."""
    kind = file_kind(path)
    header = header_names(path)
    _check_columns(path, header, cols)
    check_header([name for name in header if name in cols.names()], source=str(path))
    if kind == "parquet":
        check_flat_columns(path, cols.names())
    return kind


def header_names(path: Path) -> list[str]:
    """The header's names as the audit reads them: a CSV's without the spaces around them
    (``y_true, y_pred, sex`` as written with ``", "``); a Parquet file's schema."""
    if file_kind(path) == "csv":
        return [name.strip() for name in csv_header(path)[1]]
    return read_header(path)


def csv_layout_names(path: Path) -> tuple[CsvLayout, list[str] | None]:
    """The CSV's layout and, where the names a reader finds in its header line are not the
    audit's (spaces around them, or a ``#`` header line), the audit's names; else None (read
    the header as it is)."""
    layout, header = csv_header(path)
    names = [name.strip() for name in header]
    return layout, (names if names != header or layout.hash_header else None)


def _check_columns(path: Path, have: Sequence[str], cols: Columns) -> None:
    flags = {cols.y_true: "--y-true", cols.y_pred: "--y-pred"}
    if cols.y_score:
        flags[cols.y_score] = "--y-score"
    for name in cols.names():
        if name not in have:
            alike = [h for h in have if h.casefold() == name.casefold()]
            hint = f"; did you mean {alike[0]!r}?" if alike else ""
            shown = ", ".join(map(str, have[:SHOW_COLUMNS]))
            more = f", ... ({len(have):,} columns)" if len(have) > SHOW_COLUMNS else ""
            raise AuditorInputError(
                f"no column {name!r} ({flags.get(name, '--sensitive')}); the file has "
                f"{shown}{more}{hint}",
                source=str(path),
                field=name,
            )


def iter_batches(path: Path, cols: Columns, *, batch_rows: int) -> Iterator:
    """pyarrow RecordBatches of the needed columns, at most ``batch_rows`` rows each."""
    import pyarrow as pa

    kind = checked_kind(path, cols)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            # pre_buffer off: pyarrow would otherwise buffer every row group it reads ahead
            pf = pq.ParquetFile(path, pre_buffer=False, read_dictionary=list(cols.sensitive))
            yield from pf.iter_batches(batch_size=batch_rows, columns=cols.names())
            return
        import pyarrow.csv as pacsv

        group = pa.dictionary(pa.int32(), pa.string())  # codes per block, no string per row
        layout, names = csv_layout_names(path)
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                block_size=1 << 24,
                use_threads=True,
                column_names=names,
                skip_rows=layout.skip_rows + (names is not None),  # the header, renamed
            ),
            parse_options=pacsv.ParseOptions(delimiter=layout.delimiter),
            convert_options=pacsv.ConvertOptions(
                include_columns=cols.names(),
                column_types={s: group for s in cols.sensitive},
                strings_can_be_null=True,
                decimal_point=layout.decimal_point,
            ),
        )
        for batch in reader:
            for start in range(0, batch.num_rows, batch_rows):
                yield batch.slice(start, batch_rows)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise unreadable(path, exc) from None


def unreadable(path: Path, exc: BaseException) -> AuditorInputError:
    """The one-line error for a file its reader gave up on (pyarrow, or pandas per Dask
    partition): text that is not UTF-8 (a legacy spreadsheet export) says how to fix it."""
    text = str(exc)
    if isinstance(exc, UnicodeDecodeError) or "invalid UTF8" in text:
        return AuditorInputError(NOT_UTF8_ROWS, source=str(path))
    ragged = RAGGED.search(text)
    if ragged:  # pyarrow's "Expected 3 columns, got 4: <the row>"
        want, got, row = ragged.groups()
        shown = " ".join(row.split())[:120]
        return AuditorInputError(RAGGED_ROW.format(got=got, want=want, row=shown), source=str(path))
    msg = " ".join(text.split())[:200] if text.strip() else type(exc).__name__
    return AuditorInputError(f"cannot read ({msg})", source=str(path))
