"""Audit a model auditor did not train, without retraining it.

- :func:`audit_model` (Python): any ``nn.Module`` (logits out), a scikit-learn estimator or
  any object with ``predict_proba``, on DataFrames or files of evaluation / member /
  non-member rows;
- :func:`run_supplied` (``auditor run`` with ``[model] kind = "checkpoint" | "sklearn"``):
  the model loaded safely from its file (``weights_only=True`` state dict + factory, or a
  skops file trusting scikit-learn's own types only; :mod:`auditor.api._supplied` loads it
  and its rows).

Performance, fairness, explanations (PyTorch models), privacy (LOSS from the rows alone;
RMIA and LiRA with reference models from ``model.train`` or ``clone(estimator).fit``) and the
checklist run through the same registered checks as a trained run; the card says the model
was supplied.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.api._config_arg import as_config, settings, switch, wait_seconds
from auditor.api._direction import check_one_output_direction
from auditor.api._errors import RERUN_FIELDS, RERUN_WORDS, config_named, named_as, python_named
from auditor.api._finite import check_finite_outputs, frame_source
from auditor.api._frame import check_model_frame, check_model_names, to_pandas
from auditor.api._rerun import read_baseline
from auditor.api._result import AuditResult
from auditor.api._supplied import load_supplied, model_info
from auditor.api._trained import (
    assemble_audit,
    command_line,
    default_out_dir,
    importable,
    judged_gates,
    run_all_checks,
    run_trained,
)
from auditor.config import AuditConfig, validate_config
from auditor.config.paths import BLANK_PATH
from auditor.errors import AuditorInputError
from auditor.gates import validate_rules
from auditor.io import read_path
from auditor.predictions.audit import no_training
from auditor.preflight import out_path
from auditor.record import audit_schema
from auditor.run_folder import LOCK_TIMEOUT_S, check_out_dir, staged_run, write_audit
from auditor.runtime import stage_log

if TYPE_CHECKING:
    import pandas as pd

NO_MODEL = "None is not a model (an nn.Module, or an object with predict_proba)"
A_CLASS = (
    "got the class {name} itself, not a model: pass a fitted estimator or a module, an "
    "instance ({name}(...), fitted or with its weights loaded)"
)
NOT_ROWS = (
    "rows are a pandas DataFrame (or a table with to_pandas(): pyarrow, polars) or a CSV / "
    "Parquet path, got {found}"
)


def audit_supplied(
    config: AuditConfig, *, model: Any = None, frames: dict | None = None,
    progress: bool = True, command: str | None = None, config_file: str | None = None,
    artifacts_dir: Path | None = None, baseline: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The whole ``audit.json`` dict (gates included, against ``baseline`` where given: the
    config's baseline read back once) of a supplied model; the checks write their files
    (``predictions.parquet``) into ``artifacts_dir`` (None: in memory)."""
    from auditor.context import AuditContext

    validate_rules(config.gates, source=config_file, schema=audit_schema)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    supplied, rows = load_supplied(config, model=model, frames=frames)
    timings["data_and_model"] = round(time.perf_counter() - started, 4)
    ctx = AuditContext(
        config=config, bundle=rows.bundle, device=supplied.device, pretrained=None,
        finetuned=supplied.module, pretrain_record=None, finetune_record=None,
        seed=config.seed, supplied=supplied, progress=progress, artifacts_dir=artifacts_dir,
    )  # fmt: skip
    check_finite_outputs(ctx)  # NaN: its rows named
    check_one_output_direction(ctx, config)  # a one-logit model read inverted: refused
    sections = run_all_checks(ctx, timings, progress=progress)
    no_stage = {"pretrain": no_training("pretrain"), "finetune": no_training("finetune")}
    audit = assemble_audit(ctx, sections, timings, scenario="supplied", mode="supplied",
                           model=model_info(supplied, config), training=no_stage)  # fmt: skip
    audit["run"].update(config_file=config_file, command=command_line(command))
    audit["gates"] = judged_gates(audit, config, config_file=config_file, baseline=baseline)
    timings["total"] = round(time.perf_counter() - started, 4)
    return audit


def run(
    config: AuditConfig | str | Path, *, out_dir: str | Path | None = None,
    config_file: str | None = None, progress: bool = True, command: str | None = None,
    lock_timeout: float = LOCK_TIMEOUT_S, flags: bool = False,
) -> AuditResult:  # fmt: skip
    """``auditor run``: train with the config's recipe and audit, or, for a supplied model
    (``[model] kind = "checkpoint" | "sklearn"``), audit it without training; write the run
    folder (default ``reports/<name>``) as one unit and return the result. ``config``: an
    AuditConfig, or a TOML file's path (read, and the config file; ``config_file`` is taken
    only beside an AuditConfig, as :func:`regate` takes it). Bad input found on the
    way that names no file names ``config_file``; the config's keys as they are, and
    ``out_dir`` (with ``flags``: ``--out``, as ``auditor run`` calls it)."""
    lock_timeout = wait_seconds(lock_timeout)  # NaN waited for ever once the folder was held
    with named_as(RERUN_WORDS, RERUN_FIELDS, flags=flags, given=(config, out_dir)):
        config, config_file = as_config(config, config_file)
        if out_dir is not None:  # its own fault, not the config file's (5, "~nobody/o")
            out_path(out_dir)
    with named_as(RERUN_WORDS, RERUN_FIELDS, flags=flags), config_named(config_file):
        named = Path(config_file) if config_file else None
        gates, old = read_baseline(config.gates, config_file=named)  # before any work: exit 2
        config = config.model_copy(update={"gates": gates})
        if not config.supplied:
            return run_trained(config, out_dir=out_dir, config_file=config_file,
                               progress=progress, command=command, lock_timeout=lock_timeout,
                               baseline=old)  # fmt: skip
        out = check_out_dir(out_dir if out_dir is not None else default_out_dir(config),
                            mode="supplied")  # fmt: skip
        return run_supplied(config, out=out, config_file=config_file, progress=progress,
                            command=command, lock_timeout=lock_timeout,
                            baseline=old)  # fmt: skip


def run_supplied(
    config: AuditConfig, *, out: Path, config_file: str | None = None, progress: bool = True,
    command: str | None = None, lock_timeout: float = LOCK_TIMEOUT_S,
    baseline: dict[str, Any] | None = None,
) -> AuditResult:  # fmt: skip
    """``auditor run`` for ``[model] kind = "checkpoint" | "sklearn"``: audit, write ``out``
    (the gates against ``baseline``, read back by :func:`run` before any work)."""
    importable(config_file)
    with stage_log() as log_lines, staged_run(out, lock_timeout=lock_timeout) as stage:
        audit = audit_supplied(config, progress=progress, command=command,
                               config_file=config_file, artifacts_dir=stage,
                               baseline=baseline)  # fmt: skip
        write_audit(audit, stage, source=str(out / "audit.json"), log=log_lines)
    return AuditResult(data=audit, run_dir=out)


def _frame_or_path(rows: Any, *, key: str) -> tuple[Path | None, Any]:
    if rows is None:
        return None, None
    if isinstance(rows, str | Path):  # "~/d.csv": the home folder's; "" is no working folder
        return read_path(rows, field=key, empty=BLANK_PATH), None
    import pandas as pd

    if callable(getattr(rows, "to_pandas", None)) and not isinstance(rows, pd.Series):
        rows = to_pandas(rows, field=key)  # a pyarrow Table, a polars DataFrame: one line
    if not isinstance(rows, pd.DataFrame):  # a list, an array: no column names for the target
        raise AuditorInputError(NOT_ROWS.format(found=type(rows).__name__), field=key)
    check_model_frame(rows, key=key)
    return Path(frame_source(key)), rows  # a DataFrame, read under this stand-in path


@python_named  # its readers name the config's keys: here, the arguments
def audit_model(
    model: Any, *, data: str | Path | pd.DataFrame, target: str, sensitive: list[str],
    members: str | Path | pd.DataFrame | None = None,
    non_members: str | Path | pd.DataFrame | None = None,
    features: list[str] | None = None, positive_label: Any = None, train: str | None = None,
    config: AuditConfig | None = None, seed: int = 0, name: str | None = None,
    out_dir: str | Path | None = None, progress: bool = True, data_license: str = "",
    data_citation: str = "", missing_group: bool = False, lock_timeout: float = LOCK_TIMEOUT_S,
) -> AuditResult:  # fmt: skip
    """Audit ``model`` (an ``nn.Module`` returning logits, a fitted scikit-learn estimator, or
    any object with ``predict_proba``) as it is: ``data`` are the evaluation rows,
    ``members`` its training rows and ``non_members`` rows it never saw (both optional; the
    privacy probes need them), each a DataFrame or a CSV / Parquet path with the ``target``,
    ``sensitive`` and input columns (``features``; default: the estimator's
    ``feature_names_in_``, else every other column). ``train``: "package.module:function"
    training a reference model like it, ``function(x, y, seed=...)`` (scikit-learn
    estimators default to ``clone(estimator).fit``). ``data_license``, ``data_citation``:
    the rows' terms and origin (the checklist's data-license item needs both).
    ``missing_group``: a missing sensitive value is the group "(missing)" (data.missing_group;
    else such rows are refused). ``config``:
    the other settings (privacy, fairness, gates, transparency). In memory unless
    ``out_dir`` (``lock_timeout``: as :func:`run`'s). Bad input is an AuditorInputError
    naming the argument (``sensitive``)."""
    lock_timeout = wait_seconds(lock_timeout)  # as every writer's: checked before any work
    if model is None:
        raise AuditorInputError(NO_MODEL, field="model")
    if isinstance(model, type):  # LogisticRegression, not LogisticRegression().fit(...)
        raise AuditorInputError(A_CLASS.format(name=model.__name__), field="model")
    check_model_names(target=target, sensitive=sensitive, features=features)
    base = settings(config) or AuditConfig()
    paths = {key: _frame_or_path(v, key=key) for key, v in
             (("data", data), ("members", members), ("non_members", non_members))}  # fmt: skip
    paths["path"] = paths.pop("data")
    table = {
        "source": "table", "path": paths["path"][0], "target": target,
        "sensitive": [sensitive] if isinstance(sensitive, str) else sensitive,
        "features": [features] if isinstance(features, str) else features,
        "positive_label": positive_label, "members": paths["members"][0],
        "non_members": paths["non_members"][0], "license": data_license,
        "citation": data_citation, "missing_group": switch(missing_group, field="missing_group"),
    }  # fmt: skip
    raw = {**base.model_dump(mode="python"), "name": name or base.name or "model",
           "seed": seed, "data": {k: v for k, v in table.items() if v is not None},
           "model": {"kind": "python", "train": train}}  # fmt: skip
    cfg = validate_config(raw, source="audit_model")  # a wrong type: one line naming the key
    frames = {k: read_rows(p, f, field=f"data.{k}", config=cfg.data)
              for k, (p, f) in paths.items() if p is not None}  # fmt: skip
    if out_dir is None:
        with _as_given(model):
            audit = audit_supplied(cfg, model=model, frames=frames, progress=progress)
        return AuditResult(data=audit)
    out = check_out_dir(out_dir, mode="supplied")
    # the folder holds predictions.parquet too
    with _as_given(model), staged_run(out, lock_timeout=lock_timeout) as stage:
        audit = audit_supplied(cfg, model=model, frames=frames, progress=progress,
                               artifacts_dir=stage)  # fmt: skip
        write_audit(audit, stage, source=str(out / "audit.json"))
    return AuditResult(data=audit, run_dir=out)


@contextmanager
def _as_given(model: Any) -> Iterator[None]:
    """Give a module back as it came: the audit runs it in eval mode on the config's device;
    the caller's module keeps its own mode (training) and device (a GPU) afterwards."""
    torch = sys.modules.get("torch")  # a module given means torch is imported already
    if torch is None or not isinstance(model, torch.nn.Module):
        yield
        return
    from auditor.models.outputs import module_device

    device, training = module_device(model), model.training
    try:
        yield
    finally:
        model.to(device)
        model.train(training)


def read_rows(path: Path, frame: Any, *, field: str, config: Any) -> Any:
    """A DataFrame as given, or the file read with the table reader (errors name ``field``;
    ``config``: the table settings, whose columns it reads)."""
    if frame is not None:
        return frame
    from auditor.data.table import ReadColumns, read_table

    return read_table(path, field=field, reads=ReadColumns(config))
