"""The columns a predictions file's audit reads, one per role (:class:`Columns`), checked
against the file's header before any row is read (:func:`checked_kind`), and the name a
misspelt one was probably meant to be (:func:`near_name`)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.config.keys import CLOSE
from auditor.data.header import (
    CsvLayout,
    check_counted,
    check_flat_columns,
    check_header,
    csv_header,
    file_kind,
    parquet_schema,
    read_header,
)
from auditor.errors import AuditorInputError

__all__ = ["Columns", "checked_kind", "header_names", "near_name"]

SCORE_PER_CLASS = (
    "--y-score takes one, P(positive) of a binary target; a score per class is not audited "
    "(audit the labels without --y-score)"
)
SHOW_COLUMNS = 30  # names listed when a column is not found


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

    def score_fix(self, first: str, last: str) -> str:
        """What reads an ID column ``first`` so, where it is not read: its last column
        ``last`` read as the score (--y-score), where none is; "" otherwise."""
        if self.y_score or first in self.names():
            return ""
        return f"--y-score {shlex.quote(last)}, where it is the score"

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


def checked_kind(path: Path, cols: Columns, kind: str | None = None, *, schema: Any = None,
                 csv: tuple[CsvLayout, list[str]] | None = None) -> str:  # fmt: skip
    """The file's kind (``kind``: known, where its name does not say it: a Hive part) once
    its header holds every column the audit reads, each once, and (Parquet) none of them
    nested: the table loader's checks (``auditor.data.header``), so both take a byte-order
    mark, a ``.csv.gz`` and refuse the same files. ``schema``: a Parquet file's, already
    read (its footer is then not read again); ``csv``: a CSV's :func:`csv_header`, already
    read."""
    kind = kind or file_kind(path)
    if kind == "parquet" and schema is None:
        schema = parquet_schema(path)
    if kind == "csv":
        csv = csv_header(path) if csv is None else csv
        check_counted(*csv, path, cols.names(), cols.score_fix)  # an ID, or names one left?
        header = [name.strip() for name in csv[1]]
    else:
        header = header_names(path, kind, schema=schema)
    _check_columns(path, header, cols)
    check_header([name for name in header if name in cols.names()], source=str(path))
    if kind == "parquet":
        check_flat_columns(path, cols.names(), schema=schema)
    return kind


def header_names(path: Path, kind: str | None = None, *, schema: Any = None) -> list[str]:
    """The header's names as the audit reads them: a CSV's without the spaces around them
    (``y_true, y_pred, sex`` as written with ``", "``); a Parquet file's schema (``kind``:
    known, where the name does not say it; ``schema``: already read)."""
    kind = kind or file_kind(path)
    if kind == "csv":
        return [name.strip() for name in csv_header(path)[1]]
    return read_header(path, "parquet", schema=schema)


def _check_columns(path: Path, have: Sequence[str], cols: Columns) -> None:
    flags = {cols.y_true: "--y-true", cols.y_pred: "--y-pred"}
    if cols.y_score:
        flags[cols.y_score] = "--y-score"
    for name in cols.names():
        if name not in have:
            alike = [h for h in have if h.casefold() == name.casefold()] or near_name(name, have)
            hint = f"; did you mean {alike[0]!r}?" if alike else ""
            parts = [part.strip() for part in name.split(",")]
            if len(parts) > 1 and all(part in have for part in parts):  # --sensitive sex,race
                flag = flags.get(name, "--sensitive")
                hint = f"; {name!r} names {len(parts)} columns: " + (
                    SCORE_PER_CLASS if flag == "--y-score" else f"give each its own {flag}")
            shown = ", ".join(str(h) if str(h).strip() else "'' (unnamed)"
                              for h in have[:SHOW_COLUMNS])  # fmt: skip
            more = f", ... ({len(have):,} columns)" if len(have) > SHOW_COLUMNS else ""
            raise AuditorInputError(
                f"no column {name!r} ({flags.get(name, '--sensitive')}); the file has "
                f"{shown}{more}{hint}",
                source=str(path),
                field=name,
            )


def near_name(name: str, have: Sequence[str]) -> list[str]:
    """The column a misspelt name was probably meant to be (``lable``: ``label``), as close as
    a config's misspelt key must be to be suggested (:data:`~auditor.config.keys.CLOSE`),
    case aside; none where none is close. The file's and the frame's "did you mean"."""
    import difflib

    folded = {str(h).casefold(): h for h in have}
    near = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=CLOSE)
    return [folded[n] for n in near]
