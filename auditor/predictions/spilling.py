"""Whether a predictions file's scores go to disk, decided before it is read.

A file with a score column keeps every distinct score of each joint cell and class in memory
for its exact ROC AUCs: about 30 bytes per distinct score at the peak beyond what the counts
take (10M rows: 0.53 GiB for the whole audit). Past :data:`SPILL_ROWS` rows (Parquet: the row
count of its metadata; CSV: its size over the bytes per line at its start) the scores go to a
:class:`~auditor.fairness.spill.ScoreSpill` instead, whose memory is a fixed budget whatever
the row count, and the AUCs are counted in one pass over it: the same numbers (10M rows read
in memory and spilled, 2026-11-30: 2.6 and 4.1 s CPU, 504 and 295 MiB at the peak; 50M rows:
0.33 GiB), and 16 bytes a row written to the system's temp folder (``TMPDIR``; where that is
RAM-backed, tmpfs, point it at a disk), removed before the read returns. Smaller files keep
the in-memory path.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from auditor.errors import AuditorInputError
from auditor.fairness.scores import CellSums, ScoreAxis
from auditor.fairness.spill import BUDGET, PARTITIONS, ScoreSpill
from auditor.fairness.spill_cells import SpilledAxis, SpilledCells
from auditor.predictions.folder import Folder, folder_of

SPILL_ROWS = 12_000_000  # in memory: 10M distinct scores peak at ~0.53 GiB (the whole audit)
SPILL_BUDGET = BUDGET  # records the spill holds at once
SPILL_BATCH_ROWS = 1 << 18  # a batch's temporaries (~100 bytes a row) on each thread
ROWS_PER_PARTITION = 250_000  # a partition's records fit a core's cache while counted
SPILLED = "; scores spilled to disk by score range (every ROC AUC exact, in bounded memory)"


def expected_rows(path: Path, *, parquet: bool | None = None, folder: Folder | None = None,
                  metadata: Any = None) -> int:  # fmt: skip
    """The file's rows: a Parquet file's from its footer (``metadata``, already read; not
    given: 0, no fourth parse of it), a CSV file's estimated from the
    lines in its first MiB (8 MiB gunzipped for a ``.gz``, over the compressed bytes they
    took); a folder of parts' (:mod:`.folder`; ``folder``: the one read, else looked up)
    added up, Parquet parts' from the footers the read keeps (:meth:`.Folder.rows`); 0 where
    it cannot be told (the reader then says why). ``parquet``: the kind where the name does
    not tell it (a Hive part)."""
    name = path.name.lower()
    if folder is None and path.is_dir():
        folder = folder_of(path)
    if folder is not None:
        return _folder_rows(folder)
    if metadata is not None:
        return int(metadata.num_rows)
    if parquet or (parquet is None and name.endswith((".parquet", ".pq"))):
        return 0  # its footer not given: not parsed here (the read parses it once, and gives it)
    try:
        with path.open("rb") as raw:
            if name.endswith(".gz"):
                with gzip.GzipFile(fileobj=raw) as fh:
                    head = fh.read(8 << 20)
                took = raw.tell()  # the compressed bytes read for it (give or take a buffer)
            else:
                head = raw.read(1 << 20)
                took = len(head)
        lines = head.count(b"\n")
        return int(path.stat().st_size * lines / took) if lines else 0
    except Exception:  # noqa: BLE001 - any unreadable file: the reader's error says why
        return 0


def _folder_rows(folder: Folder) -> int:
    """A folder's rows: its Parquet parts' footers' (read once for the whole read), its CSV
    parts' estimated."""
    if folder.kind != "parquet":
        return sum(expected_rows(folder.path / part, parquet=False) for part in folder.parts)
    try:
        return folder.rows()
    except AuditorInputError:  # a part that is no Parquet file: the read refuses it
        return 0


def spill_for(
    path: Path, spill_rows: int | None, batch_rows: int, y_score: str | None, dask: str | None,
    *, folder: Folder | None = None, metadata: Any = None,
) -> tuple[SpilledCells | None, int]:  # fmt: skip
    """Where the file (``folder``: the folder of parts at ``path``, as read; ``metadata``: a
    Parquet file's footer, as read) has a
    ``y_score`` column, is read in batches (no ``dask`` scheduler) and has more than
    ``spill_rows`` rows (default :data:`SPILL_ROWS`): the spilled cells
    (a partition per :data:`ROWS_PER_PARTITION` rows) and the batch size, at most
    :data:`SPILL_BATCH_ROWS` (the float sums of such batches may differ from a read in
    larger batches in their last digit); else None and ``batch_rows``."""
    rows = expected_rows(path, folder=folder, metadata=metadata) if y_score and not dask else 0
    if not rows or rows <= (SPILL_ROWS if spill_rows is None else spill_rows):
        return None, batch_rows
    partitions = max(PARTITIONS, rows // ROWS_PER_PARTITION)
    spill = ScoreSpill(1, budget=SPILL_BUDGET, partitions=partitions)
    return SpilledCells(spill), min(batch_rows, SPILL_BATCH_ROWS)


def all_specs(features: Sequence[str]) -> list[tuple[str, ...]]:
    """Every combination of the sensitive features (singles, pairs, ...): whatever groups
    the fairness section asks for later, their AUCs come from the one pass."""
    return [c for k in range(1, len(features) + 1) for c in combinations(features, k)]


def score_axis(
    cells: CellSums,
    *,
    features: Sequence[str],
    positive: Any,
    spilled: SpilledCells | None,
    specs: Sequence[Sequence[str]] | None,
) -> ScoreAxis | SpilledAxis:
    """The cells' distinct scores on one axis; or, where the scores were spilled, the AUCs of
    every row and of each group of ``specs`` (default :func:`all_specs`) counted over them."""
    if spilled is None:
        return ScoreAxis(cells)
    specs = all_specs(features) if specs is None else specs
    return spilled.axis(cells, features=list(features), specs=specs, positive=positive)
