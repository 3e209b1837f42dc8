"""The predictions-only audit: performance and fairness of any model from its predictions file.

Builds the ``audit.json`` dict from the counts of :func:`auditor.predictions.read.
reduce_predictions`; the sections that need the model itself (privacy, explanations,
transparency) are ``not_run`` with their reason, and no training took place.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

import numpy as np

from auditor import __version__
from auditor.checks import not_run
from auditor.checks.performance import performance_from_confusion
from auditor.checks.rows import input_rows
from auditor.config import AuditConfig, FairnessConfig
from auditor.config.fairness import IntervalMethod
from auditor.data.spelling import canonical_values, missing_labels
from auditor.errors import AuditorInputError
from auditor.fairness.engine import audit_counts, resolve_specs
from auditor.fairness.metrics import favourable_index
from auditor.fairness.scores import scores_by_group
from auditor.fairness.threshold import file_threshold, threshold_sweep
from auditor.predictions.folder import folder_of, folder_sha256, table_batches
from auditor.predictions.notes import file_notes, group_sizes
from auditor.predictions.read import (
    AUC_METHOD,
    MISSING_LEVEL,
    Columns,
    PredictionCounts,
    class_name_of,
)
from auditor.provenance import library_versions, sha256_bytes, sha256_file
from auditor.results import dump, plain
from auditor.results.classification import NO_SCORE
from auditor.seeding import Rngs

NOT_FROM_PREDICTIONS = "needs the model itself; a predictions file holds only its outputs"
ONE_CLASS = "only one class in y_true"
NO_TRAINING = "not applicable (no training in this run)"
INTERSECTIONS = "choose pairs or none"
SENSITIVE_TWICE = "a sensitive column is named twice"
EMPTY_SPLITS = ("pretrain", "finetune_train", "holdout", "val")
INTERVALS = get_args(IntervalMethod)
UNKNOWN_INTERVAL = "choose one of {choices}"
NO_PREVIEW = "mitigation_preview = false in [fairness]"
PREVIEW_OFF = (
    "off by default for a predictions file (fairlearn and scikit-learn take longer to load "
    "than the audit itself); run it with --mitigation-preview, or mitigation_preview = true "
    "in [fairness]"
)
# fairlearn's fit walks every distinct score: about 17 s for 1M rows of 4-digit scores.
PREVIEW_MAX_ROWS = 200_000
PREVIEW_TOO_MANY = (
    "{n:,} rows is more than {max_rows:,}: the preview fits fairlearn's ThresholdOptimizer "
    "on every row's score and group in memory; the threshold sweep covers all rows"
)


def performance_from_counts(pc: PredictionCounts) -> dict[str, Any]:
    """The performance section's classification entry from the total confusion matrix and,
    with a score column, the streamed score metrics (the check's own definitions)."""
    where = {"stage": "external", "split": "predictions", "task": "y_true"}
    names = list(pc.table.class_names)
    cm = pc.table.confusion()
    s = pc.scores
    if s is None:
        no_score = {key: NO_SCORE for key in ("roc_auc", "log_loss", "brier", "ece")}
        return dump(performance_from_confusion(cm, class_names=names, **where,
                                               undefined=no_score))  # fmt: skip
    undefined = {"roc_auc": ONE_CLASS} if math.isnan(s.roc_auc) else {}
    perf = performance_from_confusion(
        cm, class_names=names, **where, roc_auc=s.roc_auc, log_loss=s.log_loss, brier=s.brier,
        ece=s.ece, reliability=s.reliability, undefined=undefined, roc_auc_method=AUC_METHOD,
    )  # fmt: skip
    return dump(perf)


def _scores(pc: PredictionCounts, cols: Columns, specs: list, cfg: FairnessConfig) -> Any:
    if pc.scores is None or pc.positive is None:
        return not_run(NO_SCORE)
    return scores_by_group(
        pc.cells, features=list(cols.sensitive), specs=specs,
        positive=pc.table.classes[pc.positive], positive_name=pc.table.class_names[pc.positive],
        min_group_size=cfg.min_group_size, level=cfg.ci_level, score_axis=pc.score_axis,
    )  # fmt: skip


def _sweep(pc: PredictionCounts, cols: Columns, cfg: FairnessConfig) -> Any:
    if pc.scores is None or pc.positive is None:
        return not_run(NO_SCORE)
    return threshold_sweep(
        pc.cells, features=list(cols.sensitive), positive=pc.table.classes[pc.positive],
        positive_name=pc.table.class_names[pc.positive], min_group_size=cfg.min_group_size,
    )  # fmt: skip


def _mitigation(
    pc: PredictionCounts, *, path: Path, cols: Columns, cfg: FairnessConfig, seed: int,
    favourable: int | None,
) -> Any:  # fmt: skip
    """The ThresholdOptimizer preview on the file's rows, read again (needed columns only)."""
    if cfg.mitigation_preview is not True:  # "auto" is off on this path
        return not_run(NO_PREVIEW if cfg.mitigation_preview is False else PREVIEW_OFF)
    if pc.scores is None or pc.positive is None or cols.y_score is None:
        return not_run(NO_SCORE)
    if pc.table.n > PREVIEW_MAX_ROWS:
        return not_run(PREVIEW_TOO_MANY.format(n=pc.table.n, max_rows=PREVIEW_MAX_ROWS))
    import pyarrow as pa

    from auditor.fairness.mitigation import halves_preview  # sklearn, fairlearn: heavy

    rows = pa.Table.from_batches(list(table_batches(path, cols, batch_rows=PREVIEW_MAX_ROWS)))
    positive = pc.table.classes[pc.positive]
    y_true, y_pred = (_stripped(rows.column(c).to_numpy(zero_copy_only=False))
                      for c in cols.names()[:2])  # fmt: skip
    return halves_preview(
        features=list(cols.sensitive),
        score=rows.column(cols.y_score).to_numpy().astype(np.float64),
        y=(y_true == positive).astype(np.int64), pred=(y_pred == positive).astype(np.int64),
        sensitive=_groups_frame(rows, cols), rngs=Rngs(seed),
        rate_method=cfg.interval, favourable=favourable, ci_level=cfg.ci_level,
        min_group_size=cfg.min_group_size,
    )  # fmt: skip


def _groups_frame(rows: Any, cols: Columns) -> Any:
    """The sensitive columns of a pyarrow table as text, as the counts read them: one spelling
    each first (a value of only invisible characters is then empty), then a missing value as
    ``cols.missing_group`` (a zero-width space was the group '' here, '(missing)' there)."""
    frame = rows.select(list(cols.sensitive)).to_pandas()
    for name in cols.sensitive:
        values = canonical_values(frame[name].astype(object), name)  # once per distinct value
        missing = missing_labels(values)
        if cols.missing_group is not None:
            values = values.where(~missing, cols.missing_group)
        frame[name] = values.astype(str)
    return frame


def _stripped(values: np.ndarray) -> np.ndarray:
    """Text labels in one spelling each (:func:`~auditor.data.spelling.canonical_values`, once
    per distinct label), as the counts read them."""
    if values.dtype != object:
        return values
    import pandas as pd  # the preview's: it loads pandas anyway

    return canonical_values(pd.Series(values, dtype=object), "labels").to_numpy(dtype=object)


def audited_specs(cols: Columns, config: AuditConfig) -> list[tuple[str, ...]]:
    """The groups the fairness section audits (each feature, then its intersections): what a
    spilled read must count the exact ROC AUC of."""
    return resolve_specs(list(cols.sensitive), config.fairness.intersections)


def fairness_section(
    pc: PredictionCounts, *, path: Path, cols: Columns, config: AuditConfig, seed: int,
    file_sha256: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The fairness section from the per-group counts of the file (its sha256 recorded: the
    file is the audit's per-row record, referenced rather than copied)."""
    cfg = config.fairness
    specs = audited_specs(cols, config)
    try:
        favourable = favourable_index(pc.table.class_names,
                                      class_name_of(cfg.favourable_label, pc.table),
                                      field="--favourable-label")  # fmt: skip
    except AuditorInputError as err:  # a class of this file: name it
        raise AuditorInputError(err.message, source=str(path), field=err.field) from None
    result = audit_counts(
        pc.table, specs=specs, positive=pc.positive, min_group_size=cfg.min_group_size,
        ci_level=cfg.ci_level, seed=seed, rate_method=cfg.interval, favourable=favourable,
    )  # fmt: skip
    return {
        "status": "ok", "stage": "external", "split": "predictions",
        **plain(result),  # asdict without its deep copy of every number
        "scores": dump(_scores(pc, cols, specs, cfg)),
        "sensitive_kinds": {s: "demographic" for s in cols.sensitive},
        "reference_check": not_run(
            "the file is read in batches; the counts engine is tested against fairlearn's "
            "MetricFrame in auditor's test suite"
        ),
        "threshold": dump(file_threshold(
            None if pc.positive is None else pc.table.class_names[pc.positive]
        )),
        "threshold_sweep": dump(_sweep(pc, cols, cfg)),
        "mitigation": dump(_mitigation(pc, path=path, cols=cols, cfg=cfg, seed=seed,
                                       favourable=favourable)),  # fmt: skip
        "source": {
            "file": str(path),
            "columns": {"y_true": cols.y_true, "y_pred": cols.y_pred, "y_score": cols.y_score,
                        "sensitive": list(cols.sensitive)},
            "batches": pc.n_batches,
            "engine": pc.engine,
            "sha256": file_sha256 or _provenance(path)[0],
            "n_rows": pc.table.n,
            **({"merged_labels": pc.merged} if pc.merged else {}),
            **({"score_flipped": pc.score_flipped} if pc.score_flipped else {}),
        },
    }  # fmt: skip


def audit_columns(config: AuditConfig, *, y_true: str, y_pred: str, y_score: str | None,
                  sensitive: Sequence[str], missing_group: bool | None) -> Columns:  # fmt: skip
    """The columns of ``auditor audit``'s options; ``missing_group`` None: the config's
    ``data.missing_group`` where its data is a table, else off."""
    if missing_group is None:
        missing_group = bool(getattr(config.data, "missing_group", False))
    return Columns(y_true=y_true, y_pred=y_pred, y_score=y_score, sensitive=tuple(sensitive),
                   missing_group=MISSING_LEVEL if missing_group else None)  # fmt: skip


def _provenance(path: Path) -> tuple[str, dict[str, str]]:
    """The sha256 of the file (of a folder's parts: :func:`~auditor.predictions.folder.
    folder_sha256`) and each file's, by its name (a part's under the folder's name)."""
    folder = folder_of(path)
    if folder is None:
        digest = sha256_file(path)
        return digest, {path.name: digest}
    digest, each = folder_sha256(folder)
    return digest, {f"{path.name}/{part}": part_sha for part, part_sha in each.items()}


def data_section(
    pc: PredictionCounts, *, path: Path, cols: Columns, file_sha256: tuple[str, dict[str, str]]
) -> dict[str, Any]:
    """The data section: the file is the test split; the other splits hold no rows.
    ``file_sha256``: :func:`_provenance` of ``path`` (the caller's, made once)."""
    table = pc.table
    cm = pc.table.confusion()
    balance = {table.class_names[i]: int(cm[i].sum()) for i in range(len(table.class_names))}
    empty = sha256_bytes(b"")
    splits = {s: {"n_rows": 0, "sha256": empty, "class_balance": {}} for s in EMPTY_SPLITS}
    file_sha, files = file_sha256
    positive = None if pc.positive is None else table.class_names[pc.positive]
    auc = pc.scores.roc_auc if pc.scores is not None else None
    bins = [(b.n, b.mean_confidence) for b in pc.scores.reliability] if pc.scores else []
    predicted = dict(zip(table.class_names, cm.sum(axis=0).tolist(), strict=True))
    notes = file_notes(balance, cols.y_true, roc_auc=auc, positive=positive,
                       sizes=group_sizes(pc), missing_group=cols.missing_group,
                       merged=pc.merged, bins=bins, predicted=(cols.y_pred, predicted),
                       flipped=pc.score_flipped)  # fmt: skip
    read_from = (f"Predictions of an external model read from {path.name} ({table.n:,} rows); "
                 "auditor did not train or run the model.")  # fmt: skip
    splits["test"] = {"n_rows": table.n, "sha256": file_sha, "class_balance": balance}
    return {
        "name": path.name,
        "modality": "table",
        "description": " ".join([read_from, *notes]),
        "citation": "",
        "license": "",
        "source_files": files,
        "finetune_task": {
            "name": cols.y_true,
            "class_names": list(table.class_names),
            "description": "the target column of the predictions file",
        },
        "pretrain_task": None,
        "sensitive_features": list(cols.sensitive),
        "sensitive_kinds": {s: "demographic" for s in cols.sensitive},
        "input_shape": [],
        "feature_names": None,
        "splits": splits,
    }


def no_training(stage: str) -> dict[str, Any]:
    """A training record for a stage that did not happen (the fields of a TrainRecord)."""
    return {
        "stage": stage, "objective": "none", "n_train": 0, "n_val": 0, "epochs_run": 0,
        "best_epoch": 0, "best_val_loss": None, "seconds": 0.0, "samples_per_second": 0.0,
        "optimizer": NO_TRAINING, "lr": 0.0, "batch_size": 0, "trainable_parameters": 0,
        "frozen": NO_TRAINING, "history": [], "dp": None, "precision": "fp32",
    }  # fmt: skip


EXTERNAL_MODEL = {
    "architecture": "external model (audited from its predictions only)",
    "parameters": 0,
    "trainable_parameters_finetune": 0,
    "feature_dim": 0,
    "summary": "not available: predictions-only audit",
    "checkpoints": {},
}


def build_audit(
    pc: PredictionCounts,
    *,
    path: Path,
    cols: Columns,
    config: AuditConfig,
    seed: int,
    timings: dict[str, float],
    command: str,
) -> dict[str, Any]:
    """The ``audit.json`` dict of a predictions-only audit, without ``schema_version`` (the
    record's, stamped by the caller) and the gates section."""
    file_sha = _provenance(path)  # once: a large file is read again for it
    started = time.perf_counter()
    fairness = fairness_section(pc, path=path, cols=cols, config=config, seed=seed,
                                file_sha256=file_sha[0])  # fmt: skip
    timings["fairness"] = round(time.perf_counter() - started, 4)
    rows = input_rows(path, sha256=file_sha[0], n_rows=pc.table.n, columns=cols.names(),
                      sensitive=list(cols.sensitive))  # fmt: skip
    return dump(
        {
            "tool": {"name": "auditor", "version": __version__},
            "run": {
                "name": config.name or path.stem,
                "scenario": "predictions",
                "mode": "predictions",
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "seed": seed,
                "device": "cpu",
                "timings_s": timings,
                "library_versions": library_versions(),
                "command": command,
                "config_file": None,
            },  # fmt: skip
            "config": config.model_dump(mode="json"),
            "data": data_section(pc, path=path, cols=cols, file_sha256=file_sha),
            "model": dict(EXTERNAL_MODEL),
            "training": {"pretrain": no_training("pretrain"), "finetune": no_training("finetune")},
            "performance": {
                "status": "ok",
                "headline_split": "test",
                "finetuned": {"test": performance_from_counts(pc)},
                "pretrained": {},
                "rows": rows,
            },
            "fairness": fairness,
            "privacy": not_run(
                f"membership inference {NOT_FROM_PREDICTIONS} and its training data"
            ),
            "explanations": not_run(f"attributions {NOT_FROM_PREDICTIONS}"),
            "transparency": not_run("not evaluated in a predictions-only audit"),
        }
    )


def predictions_config(
    config: AuditConfig,
    *,
    sensitive: list[str],
    intersections: str | None = None,
    min_group_size: int | None = None,
    interval: str | None = None,
    favourable_label: str | None = None,
    mitigation_preview: bool | None = None,
) -> AuditConfig:
    """``config`` with the command line's fairness options applied and checked against the
    sensitive columns named."""
    changes: dict[str, Any] = {}
    if mitigation_preview is not None:
        changes["mitigation_preview"] = mitigation_preview
    if intersections is not None:
        if intersections not in ("pairs", "none"):
            raise AuditorInputError(INTERSECTIONS, field="--intersections")
        changes["intersections"] = intersections
    if min_group_size is not None:
        changes["min_group_size"] = min_group_size
    if interval is not None:
        if interval not in INTERVALS:
            raise AuditorInputError(UNKNOWN_INTERVAL.format(choices=", ".join(INTERVALS)),
                                    field="--interval")  # fmt: skip
        changes["interval"] = interval
    if favourable_label is not None:
        changes["favourable_label"] = favourable_label
    if changes:
        fairness = config.fairness.model_copy(update=changes)
        config = config.model_copy(update={"fairness": fairness})
    twice = [name for i, name in enumerate(sensitive) if name in sensitive[:i]]
    if twice:
        raise AuditorInputError(f"{SENSITIVE_TWICE} ({twice[0]!r}); name each once",
                                field="--sensitive")  # fmt: skip
    if isinstance(config.fairness.intersections, list):
        unknown = {f for c in config.fairness.intersections for f in c} - set(sensitive)
        if unknown:
            raise AuditorInputError(
                f"intersection names {sorted(unknown)} not given as --sensitive",
                field="fairness.intersections",
            )
    return config
