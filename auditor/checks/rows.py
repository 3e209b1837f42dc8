"""The per-row predictions behind every number of a run: ``predictions.parquet``.

One row per example the fine-tuned model scored, for every split with rows (finetune_train:
the training members, holdout: the privacy non-members, val, test): ``split``, ``row_id``
(the row's position in the source data), ``label`` and ``prediction`` (class indices),
``label_name`` and ``prediction_name``, the score (binary: ``score`` = P(class 1);
multi-class: ``score_<class>`` per class), and one column per sensitive feature. A reviewer
recomputes any performance or fairness number from it; audit.json records its sha256.

A predictions-only audit records its input file the same way (:class:`PredictionRows` with
``copied = False``): the input already is the per-row record, and a 10M-row file is not
copied into the run folder again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from auditor.provenance import sha256_file

if TYPE_CHECKING:
    from auditor.context import AuditContext

PREDICTIONS_FILE = "predictions.parquet"
ROW_SPLITS = ("finetune_train", "holdout", "val", "test")
RESERVED = ("split", "row_id", "label", "prediction", "label_name", "prediction_name", "score")


@dataclass(frozen=True)
class PredictionRows:
    """Where the per-row predictions are: ``file`` relative to the run folder when
    ``copied``, else the input file's path; its sha256, rows and columns; ``group_columns``:
    sensitive feature -> its column."""

    file: str
    sha256: str
    n_rows: int
    columns: list[str]
    group_columns: dict[str, str]
    copied: bool
    status: Literal["ok"] = "ok"


def _group_column(feature: str) -> str:
    return f"group_{feature}" if feature in RESERVED or feature.startswith("score_") else feature


def write_prediction_rows(ctx: AuditContext, folder: Path) -> PredictionRows:
    """Write ``folder/predictions.parquet`` from the context's cached fine-tuned predictions."""
    import pyarrow as pa  # heavy: only when a run folder is written
    import pyarrow.parquet as pq

    features = list(ctx.bundle.sensitive_features)
    tables = []
    for split in ROW_SPLITS:
        part = ctx.bundle[split]
        if not len(part):
            continue
        pred = ctx.predictions("finetuned", split)
        names = np.asarray(pred.class_names, dtype=object)
        cols: dict[str, pa.Array] = {
            "split": pa.array([split] * len(pred), pa.string()),
            "row_id": pa.array(np.asarray(part.ids, dtype=np.int64)),
            "label": pa.array(pred.y_true.astype(np.int64)),
            "prediction": pa.array(pred.y_pred.astype(np.int64)),
            "label_name": pa.array(names[pred.y_true].tolist(), pa.string()),
            "prediction_name": pa.array(names[pred.y_pred].tolist(), pa.string()),
        }
        proba = pred.proba.astype(np.float64)
        if len(pred.class_names) == 2:
            cols["score"] = pa.array(proba[:, 1])
        else:
            for i, name in enumerate(pred.class_names):
                cols[f"score_{name}"] = pa.array(proba[:, i])
        for f in features:
            cols[_group_column(f)] = pa.array(part.sensitive[f].astype(str).tolist(), pa.string())
        tables.append(pa.table(cols))
    table = pa.concat_tables(tables)
    path = folder / PREDICTIONS_FILE
    # by its name's bytes: pyarrow encodes a str name as UTF-8, and a run folder's name that is
    # not (held with surrogates) was "internal error: UnicodeEncodeError" (R5 #5)
    with pa.OSFile(os.fsencode(path), "wb") as sink:
        pq.write_table(table, sink)
    return PredictionRows(
        file=PREDICTIONS_FILE, sha256=sha256_file(path), n_rows=table.num_rows,
        columns=list(table.column_names), group_columns={f: _group_column(f) for f in features},
        copied=True,
    )  # fmt: skip


def input_rows(path: Path, *, sha256: str, n_rows: int, columns: list[str],
               sensitive: list[str]) -> PredictionRows:  # fmt: skip
    """A predictions file audited in place: referenced by its path and sha256, not copied."""
    return PredictionRows(
        file=str(Path(path).resolve()), sha256=sha256, n_rows=n_rows, columns=columns,
        group_columns={s: s for s in sensitive}, copied=False,
    )  # fmt: skip
