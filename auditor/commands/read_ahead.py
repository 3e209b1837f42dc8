"""``auditor audit``'s file read from the start of the command where no config can change what
is read: the options alone name the columns and groups, so the read need not wait for the
config, preflight and report modules to load (0.3-0.5 s before the read began otherwise).

Nothing here imports more than the standard library on the caller's thread: the read's own
modules (numpy, pyarrow) load on the reading thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.runtime import Background

if TYPE_CHECKING:
    from auditor.predictions.read import Columns, PredictionCounts


def start(
    path: Path, *, configured: bool, dask: str | None, batch_rows: int,
    positive_label: str | None, **options: Any,
) -> tuple[Background[PredictionCounts], dict[str, Any]] | None:  # fmt: skip
    """The read of ``path`` by :func:`_columns` of ``options`` started now, with those
    options; None where a config (``configured``) or a Dask scheduler has a say."""
    if configured or dask:
        return None
    reading = Background(_read, path, options, batch_rows=batch_rows,
                         positive_label=positive_label)  # fmt: skip
    return reading, options


def reading_for(
    early: tuple[Background[PredictionCounts], dict[str, Any]] | None, path: Path,
    cols: Columns, specs: list[tuple[str, ...]], *, batch_rows: int,
    positive_label: str | None, dask: str | None,
) -> Background[PredictionCounts] | None:  # fmt: skip
    """``early``'s read where it reads ``cols`` and ``specs`` (what the checked config gives),
    else the read of them started now (None with a Dask scheduler: the API reads)."""
    if early is not None and _columns(**early[1]) == (cols, specs):
        return early[0]
    if dask:
        return None
    from auditor.predictions.read import reduce_predictions

    return Background(reduce_predictions, path, cols, batch_rows=batch_rows,
                      positive_label=positive_label, specs=specs)  # fmt: skip


def _columns(
    *, y_true: str, y_pred: str, y_score: str | None, sensitive: tuple[str, ...],
    missing_group: bool | None, intersections: str | None,
) -> tuple[Columns, list[tuple[str, ...]]]:  # fmt: skip
    """The columns and groups the options alone give (no config: missing rows refused unless
    the flag says, intersections "pairs" unless the option says)."""
    from auditor.fairness.engine import resolve_specs
    from auditor.predictions.source import MISSING_LEVEL, Columns

    cols = Columns(y_true=y_true, y_pred=y_pred, y_score=y_score, sensitive=sensitive,
                   missing_group=MISSING_LEVEL if missing_group else None)  # fmt: skip
    return cols, resolve_specs(list(sensitive), intersections or "pairs")  # the config's default


def _read(
    path: Path, options: dict[str, Any], *, batch_rows: int, positive_label: str | None
) -> PredictionCounts:
    from auditor.predictions.read import reduce_predictions

    cols, specs = _columns(**options)
    return reduce_predictions(path, cols, batch_rows=batch_rows, positive_label=positive_label,
                              specs=specs)  # fmt: skip
