"""``audit_predictions``: performance and fairness of any model from its predictions, given
as a file (CSV or Parquet, or a folder of their parts) or a pandas DataFrame."""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.api._config_arg import (
    config_path,
    file_text,
    settings,
    shown,
    switch,
    wait_seconds,
)
from auditor.api._errors import fields_except, named_as
from auditor.api._frame import (
    FRAME_NAME,
    as_frame,
    column_label,
    named_columns,
    sensitive_labels,
    text_name,
)
from auditor.api._rerun import read_baseline
from auditor.api._result import AuditResult
from auditor.api._trained import command_line, judged_gates
from auditor.config import MAX_SEED, AuditConfig, name_from_file
from auditor.errors import AuditorInputError
from auditor.gates import validate_rules
from auditor.io import read_path
from auditor.predictions.audit import audited_specs, build_audit, predictions_config
from auditor.predictions.read import MISSING_LEVEL, Columns, PredictionCounts, reduce_predictions
from auditor.provenance import forgotten_on_error, hash_ahead, library_versions
from auditor.record import SCHEMA_VERSION, audit_schema
from auditor.run_folder import LOCK_TIMEOUT_S, check_out_dir, prepare_writing
from auditor.runtime import LOG, Background

if TYPE_CHECKING:
    import pandas as pd

BAD_SEED = "an integer from 0 to 2**63 - 1; got {found}"
BAD_BATCH_ROWS = "a whole number of rows, at least 1; got {found}"
NO_COLUMNS = "name the columns: y_true= and y_pred= (and sensitive=[...]), or give cols"
FRAME_SOURCE = "DataFrame (in memory)"
# cols, the second positional argument: auditor audit's Columns ("label" given there, as
# audit_predictions(df, "label"), was an AttributeError: no attribute 'y_true')
NOT_COLUMNS = (
    "name the columns by keyword: audit_predictions(source, y_true=..., y_pred=..., "
    "sensitive=[...]); got {found}"
)
# as auditor audit -p "" says it ("" was the working folder: "part base.py is neither ...")
NO_SOURCE = "an empty path: name a predictions file or folder"
COLUMNS_TWICE = "give cols or y_true= / y_pred= / y_score= / sensitive=, not both"
NOT_A_SCHEDULER = (
    "a Dask scheduler: 'threads', 'processes', 'synchronous' or an address "
    "('tcp://host:8786'); got {found}"
)
# The reader's errors name ``auditor audit``'s flags; a Python caller reads its arguments.
PYTHON_WORDS = {
    "--missing-group (missing_group=True in Python)": "missing_group=True",
    "--missing-group": "missing_group=True",
    "--positive-label": "positive_label=",
    "--favourable-label": "config.fairness.favourable_label",
    "--y-true": "y_true=",
    "--y-pred": "y_pred=",
    "--y-score": "y_score=",
    "--sensitive": "sensitive=",
    "--dask-scheduler": "dask_scheduler=",
    "--out": "out_dir=",
}
PYTHON_FIELDS = {
    "--positive-label": "positive_label",
    "--favourable-label": "fairness.favourable_label",
    "--sensitive": "sensitive",
    "--dask-scheduler": "dask_scheduler",
    "--out": "out_dir",
    "--predictions": "source",
}
DATA_ROW = re.compile(r"\bdata row (\d+)\b")


def _columns(
    cols: Columns | None,
    y_true: Any,
    y_pred: Any,
    y_score: Any,
    sensitive: Any,
    missing_group: bool,
) -> tuple[Columns, list[tuple[Hashable, str]]]:
    """The columns of each role, by their text names, and (label, role) of each as given."""
    if cols is not None and not isinstance(cols, Columns):
        found = shown(cols) if isinstance(cols, str) else type(cols).__name__
        raise AuditorInputError(NOT_COLUMNS.format(found=found), field="cols")
    if cols is not None and any(v is not None for v in (y_true, y_pred, y_score, sensitive)):
        raise AuditorInputError(COLUMNS_TWICE, field="cols")
    if cols is not None:
        labels = [(cols.y_true, "y_true"), (cols.y_pred, "y_pred")]
        labels += [(cols.y_score, "y_score")] if cols.y_score else []
        return cols, labels + [(s, "sensitive") for s in cols.sensitive]
    if y_true is None or y_pred is None:
        raise AuditorInputError(NO_COLUMNS, field="y_true")
    labels = [(column_label(y_true, role="y_true"), "y_true"),
              (column_label(y_pred, role="y_pred"), "y_pred")]  # fmt: skip
    if y_score is not None:
        labels.append((column_label(y_score, role="y_score"), "y_score"))
    labels += [(s, "sensitive") for s in sensitive_labels(sensitive)]
    score = text_name(y_score) if y_score is not None else None
    groups = tuple(text_name(s) for s, role in labels if role == "sensitive")
    named = Columns(y_true=text_name(labels[0][0]), y_pred=text_name(labels[1][0]),
                    y_score=score, sensitive=groups,
                    missing_group=MISSING_LEVEL if missing_group else None)  # fmt: skip
    return named, labels


def _checked_counts(*, seed: Any, batch_rows: Any) -> tuple[int, int]:
    """``seed`` and ``batch_rows`` as Python integers in range (a seed of -1 or "a" was taken
    and recorded as given; ``batch_rows=0`` was an internal error, -5 "no data rows")."""
    checked = []
    for field, value, low, message in (("seed", seed, 0, BAD_SEED),
                                       ("batch_rows", batch_rows, 1, BAD_BATCH_ROWS)):  # fmt: skip
        whole = hasattr(value, "__index__") and not isinstance(value, bool)
        if not whole or not low <= value.__index__() <= MAX_SEED:
            raise AuditorInputError(message.format(found=shown(value)), field=field)
        checked.append(value.__index__())
    return checked[0], checked[1]


def _frame_file(frame: pd.DataFrame, labels: list[tuple[Hashable, str]], folder: Path) -> Path:
    """The named columns of ``frame`` as a Parquet file (the reader's input; types kept),
    written through a file object: pyarrow encodes a name as UTF-8, and a temporary folder's
    name that is not (TMPDIR holding such a byte) failed to encode."""
    path = folder / f"{FRAME_NAME}.parquet"
    with path.open("wb") as fh:
        named_columns(frame, labels).to_parquet(fh, index=False)
    return path


def audit_predictions(
    source: str | Path | pd.DataFrame | Any,
    cols: Columns | None = None,
    *,
    y_true: Hashable | None = None,
    y_pred: Hashable | None = None,
    y_score: Hashable | None = None,
    sensitive: Hashable | list | tuple | None = None,
    missing_group: bool = False,
    config: AuditConfig | None = None,
    out_dir: str | Path | None = None,
    seed: int = 0,
    batch_rows: int = 1_000_000,
    positive_label: str | None = None,
    dask_scheduler: str | None = None,
    command: str | None = None,
    lock_timeout: float = LOCK_TIMEOUT_S,
    reading: Background[PredictionCounts] | None = None,
    flags: bool = False,
    config_file: str | None = None,
) -> AuditResult:
    """Audit performance and fairness from predictions: ``source`` is a CSV / Parquet file (or a
    folder of their parts, as Spark, Hive and Dask write them), a pandas DataFrame (column
    labels strings, integers or MultiIndex tuples: audited under their text), a 2-D numpy
    array or an object with ``to_pandas()``; columns by ``cols`` or by ``y_true=``,
    ``y_pred=``, ``y_score=``, ``sensitive=[...]`` (``missing_group=True``: rows with no
    sensitive value are the group '(missing)', else refused). The result is in memory; with
    ``out_dir`` the run folder is written there too (else call ``.write(folder)``).

    ``reading``: the file already being reduced, ``Background(reduce_predictions, source,
    cols, batch_rows=..., positive_label=...)`` (``auditor audit`` starts it before it loads
    the rest); its arguments then stand for ``batch_rows`` and ``positive_label``. An error
    names this function's arguments (``positive_label=``), or with ``flags`` the command
    line's (``--positive-label``, as ``auditor audit`` calls it). ``config_file``: the TOML
    file ``config`` was read from (gate errors name it; a relative baseline is found beside it;
    audit.json records it)."""
    given = (source, cols, y_true, y_pred, y_score, sensitive, positive_label, out_dir)
    fields = fields_except(PYTHON_FIELDS, (cols, y_true, y_pred, y_score, sensitive))
    with named_as(PYTHON_WORDS, fields, flags=flags, given=given):
        return _audited(source, cols, y_true=y_true, y_pred=y_pred, y_score=y_score,
                        sensitive=sensitive, missing_group=missing_group, config=config,
                        out_dir=out_dir, seed=seed, batch_rows=batch_rows,
                        positive_label=positive_label, dask_scheduler=dask_scheduler,
                        command=command, lock_timeout=lock_timeout, reading=reading,
                        config_file=config_file)  # fmt: skip


def _audited(
    source: Any, cols: Columns | None, *, y_true: Any, y_pred: Any, y_score: Any, sensitive: Any,
    missing_group: bool, config: AuditConfig | None, out_dir: str | Path | None, seed: int,
    batch_rows: int, positive_label: str | None, dask_scheduler: str | None,
    command: str | None, lock_timeout: float, reading: Background[PredictionCounts] | None,
    config_file: str | None,
) -> AuditResult:  # fmt: skip
    """:func:`audit_predictions`, its errors in the command line's words."""
    seed, batch_rows = _checked_counts(seed=seed, batch_rows=batch_rows)
    lock_timeout = wait_seconds(lock_timeout)
    if dask_scheduler is not None and not isinstance(dask_scheduler, str):
        found = type(dask_scheduler).__name__  # an int was a TypeError from inside distributed
        raise AuditorInputError(NOT_A_SCHEDULER.format(found=found), field="dask_scheduler")
    missing_group = switch(missing_group, field="missing_group")
    config = settings(config)
    config_path(config, config_file, optional=True)  # run's and regate's one check
    config_file = file_text(config_file)
    source = _local_file(source) if isinstance(source, str | Path) else source
    cols, labels = _columns(cols, y_true, y_pred, y_score, sensitive, missing_group)
    name = name_from_file(source) if isinstance(source, str | Path) else FRAME_NAME
    config = config or AuditConfig(name=name)
    config = predictions_config(config, sensitive=list(cols.sensitive))
    out = check_out_dir(out_dir, mode="predictions") if out_dir is not None else None
    validate_rules(config.gates, source=config_file, schema=audit_schema)
    # the baseline read back as gate and card read audits, before any work; once: judged on it
    named = Path(config_file) if config_file else None
    gates, baseline = read_baseline(config.gates, config_file=named)
    config = config.model_copy(update={"gates": gates})
    with tempfile.TemporaryDirectory(prefix="auditor-frame-") as tmp:
        frame = None if isinstance(source, Path) else as_frame(source)
        path = source if frame is None else _frame_file(frame, labels, Path(tmp))
        if reading is None:
            reading = _start_reading(path, cols, batch_rows=batch_rows, dask=dask_scheduler,
                                     positive_label=positive_label,
                                     specs=audited_specs(cols, config))  # fmt: skip
        try:
            with forgotten_on_error(path):  # a refused run keeps no hash of what it read
                audit = _audit_file(path, cols, reading, config=config, seed=seed,
                                    command=command, config_file=config_file,
                                    baseline=baseline)  # fmt: skip
        except AuditorInputError as err:
            raise err if frame is None else _resourced(err, str(path), frame.index) from None
        if frame is not None:  # the temporary file is gone after this: name the DataFrame instead
            audit = _renamed(audit, str(path), FRAME_SOURCE)
            audit = _renamed(audit, path.name, FRAME_SOURCE, within=True)
    result = AuditResult(data=audit)
    return result if out is None else result._write(out, lock_timeout=lock_timeout)


def _local_file(source: str | Path) -> Path:
    """The file ``source`` names, ``~`` expanded (as pandas' readers expand it; a URL is
    refused where the file is opened: ``header.file_kind``); a ``~name`` of no user is one
    line, as in a config (it was an internal error)."""
    return read_path(source, field="--predictions", empty=NO_SOURCE)  # "": the working folder


def _start_reading(
    path: Path, cols: Columns, *, batch_rows: int, positive_label: str | None, dask: str | None,
    specs: list[tuple[str, ...]],
) -> Background[PredictionCounts]:  # fmt: skip
    """The file's counts, reduced on a thread of its own (pyarrow releases the GIL while it
    reads) while the caller gets the rest ready; with Dask, here and now (its client stays in
    the caller's thread)."""
    LOG.info("stage read_counts: started")
    start = Background.inline if dask else Background
    return start(reduce_predictions, path, cols, batch_rows=batch_rows,
                 positive_label=positive_label, dask_scheduler=dask, specs=specs)  # fmt: skip


def _audit_file(
    path: Path,
    cols: Columns,
    reading: Background[PredictionCounts],
    *,
    config: AuditConfig,
    seed: int,
    command: str | None,
    config_file: str | None,
    baseline: dict | None,
) -> dict:
    hash_ahead(path)  # hashed beside the read, not after it
    library_versions()  # these three are loaded while the file is read
    prepare_writing()
    pc = reading.result()
    timings: dict[str, float] = {"read_counts": reading.seconds}
    LOG.info("stage read_counts: done in %.1f s", reading.seconds)
    body = build_audit(pc, path=path, cols=cols, config=config, seed=seed, timings=timings,
                       command=command_line(command))  # fmt: skip
    audit = {"schema_version": SCHEMA_VERSION, **body}
    audit["gates"] = judged_gates(audit, config, config_file=config_file, baseline=baseline)
    timings["total"] = round(time.perf_counter() - reading.started, 4)
    return audit


def _renamed(node: Any, old: str, new: str, *, within: bool = False) -> Any:
    """``node`` with every string equal to ``old`` (``within``: every ``old`` in a string)
    replaced by ``new`` (nested dicts/lists)."""
    if isinstance(node, dict):
        return {k: _renamed(v, old, new, within=within) for k, v in node.items()}
    if isinstance(node, list):
        return [_renamed(v, old, new, within=within) for v in node]
    if within and isinstance(node, str):
        return node.replace(old, new)
    return new if node == old else node


def _resourced(err: AuditorInputError, temporary: str, index: pd.Index) -> AuditorInputError:
    """``err`` about the DataFrame's temporary file, naming the DataFrame instead, and its row
    (``data row 5``: the 5th, whatever its index) by its ``index`` label too, as ``df.loc``
    finds it (a filtered or shuffled frame's 5th row is rarely its label 4)."""
    message = DATA_ROW.sub(lambda m: _with_label(m, index), err.message)
    source = err.source.replace(temporary, FRAME_NAME) if err.source else FRAME_NAME
    return AuditorInputError(message, source=source, field=err.field)


def _with_label(found: re.Match[str], index: pd.Index) -> str:
    """``data row N`` as ``data row N, index L``, L the label of the frame's Nth row."""
    n = int(found.group(1))
    if not 1 <= n <= len(index):
        return found.group(0)
    label = index[n - 1]
    plain = tuple(map(_scalar, label)) if isinstance(label, tuple) else _scalar(label)
    return f"{found.group(0)}, index {plain!r}"


def _scalar(value: Any) -> Any:
    """A numpy scalar as Python's (``np.int64(4)`` shown as 4); any other value as it is."""
    return value.item() if type(value).__module__ == "numpy" else value
