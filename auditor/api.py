"""The Python API: everything the ``auditor`` command does, callable from a notebook.

- :func:`run`: train, fine-tune, audit and write the run folder;
- :func:`audit_predictions`: the audit of a predictions file of any model;
- :func:`regate`: gates re-evaluated from a run's ``audit.json`` into a NEW folder;
- :func:`rerender`: every report format rebuilt from ``audit.json`` into a NEW folder.

A run's folder is evidence: nothing here rewrites an existing ``audit.json`` in place. Every
writer goes through :func:`auditor.run_folder.staged_run` (one atomic unit under a lock).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor import __version__
from auditor.checks import registered_checks
from auditor.config import AuditConfig, GatesConfig, load_config
from auditor.errors import AuditorInputError
from auditor.gates import evaluate_gates, validate_rules
from auditor.predictions.audit import build_audit, predictions_config
from auditor.predictions.read import Columns, reduce_predictions
from auditor.provenance import library_versions, sha256_file
from auditor.record import SCHEMA_VERSION
from auditor.results import dump
from auditor.run_folder import (
    LOCK_TIMEOUT_S,
    audit_file,
    check_out_dir,
    load_audit,
    staged_run,
    write_audit,
    write_run,
)

if TYPE_CHECKING:
    from auditor.context import AuditContext

SAME_FOLDER = "is the run or inside it; a run is never rewritten (choose another --out)"


@dataclass(frozen=True)
class AuditResult:
    """data: the ``audit.json`` dict; run_dir: where the run's files are (None in memory)."""

    data: dict[str, Any]
    run_dir: Path | None = None

    @property
    def schema_version(self) -> str:
        return self.data["schema_version"]

    def section(self, name: str) -> dict[str, Any]:
        return self.data[name]

    @property
    def verdict(self) -> str:
        """ "pass" | "fail" | "warn" | "not_run", from the gates section."""
        gates = self.data.get("gates") or {}
        return gates.get("verdict", "not_run")

    def headline(self) -> dict[str, float | int | None]:
        """The few numbers printed at the end of a run (fine-tuned model, test split)."""
        perf = self.data["performance"]
        test = perf.get("finetuned", {}).get("test", {})
        keys = ("n", "accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "ece")
        out = {k: test.get(k) for k in keys}
        pre = perf.get("pretrained", {}).get("test", {})
        if "accuracy" in pre:
            out["pretrained_accuracy"] = pre["accuracy"]
        elif "reconstruction_mse" in pre:
            out["pretrained_reconstruction_mse"] = pre["reconstruction_mse"]
        return out

    @classmethod
    def load(cls, path: str | Path) -> AuditResult:
        """Read ``RUN_DIR`` or ``RUN_DIR/audit.json``, validated against the schema."""
        data = load_audit(path)
        return cls(data=data, run_dir=audit_file(path).parent)


@contextlib.contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round(time.perf_counter() - start, 4)


def _command_line(command: str | None) -> str:
    return command or " ".join(["auditor", *sys.argv[1:]])


def default_out_dir(config: AuditConfig) -> Path:
    return Path("reports") / config.run_name


def run(
    config: AuditConfig,
    *,
    out_dir: str | Path | None = None,
    config_file: str | None = None,
    progress: bool = True,
    command: str | None = None,
    lock_timeout: float = LOCK_TIMEOUT_S,
) -> AuditResult:
    """Train, fine-tune, run every check and the gates; write the run folder as one unit.

    Raises :class:`~auditor.errors.AuditorInputError` on bad input; ``--out`` is checked
    before any work, and nothing is written unless the whole run succeeds."""
    out = check_out_dir(out_dir if out_dir is not None else default_out_dir(config))
    validate_rules(config.gates, source=config_file)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    ctx = trained_context(config, progress=progress, timings=timings)
    with staged_run(out, lock_timeout=lock_timeout) as stage:
        ctx.artifacts_dir = stage
        checkpoints = _save_checkpoints(ctx, stage)
        sections = _run_checks(ctx, timings)
        audit = _assemble(ctx, sections, checkpoints, timings)
        audit["run"].update(config_file=config_file, command=_command_line(command))
        with _timed(timings, "gates"):
            audit["gates"] = evaluate_gates(audit, config.gates, config_file=config_file)
        timings["total"] = round(time.perf_counter() - started, 4)
        write_audit(audit, stage, source=str(out / "audit.json"))
    return AuditResult(data=audit, run_dir=out)


def trained_context(
    config: AuditConfig, *, progress: bool = True, timings: dict[str, float] | None = None
) -> AuditContext:
    """Load the data, pretrain and fine-tune; the context the checks run on."""
    # Loads torch: only this path trains; the other entry points read files and stay light.
    from auditor.context import AuditContext
    from auditor.training.stages import train_stages

    stages = train_stages(config, progress=progress, timings=timings)
    return AuditContext(**{f.name: getattr(stages, f.name) for f in fields(stages)})


def _save_checkpoints(ctx: AuditContext, stage: Path) -> dict[str, dict[str, str]]:
    from auditor.training import save_checkpoint  # loads torch

    checkpoints = {}
    for name, model in (("pretrained", ctx.pretrained), ("finetuned", ctx.finetuned)):
        rel = f"checkpoints/{name}.pt"
        meta = {"stage": name, "seed": ctx.config.seed, "auditor": __version__}
        save_checkpoint(stage / rel, model, meta=meta)
        checkpoints[name] = {"path": rel, "sha256": sha256_file(stage / rel)}
    return checkpoints


def _run_checks(ctx: AuditContext, timings: dict[str, float]) -> dict[str, dict[str, Any]]:
    """Every registered check in order; a later check may read an earlier one's section."""
    sections: dict[str, dict[str, Any]] = {}
    for name, check in registered_checks().items():
        with _timed(timings, f"check.{name}"):
            sections[name] = check(ctx, sections)
    return sections


def _task(task: Any) -> dict[str, Any] | None:
    if task is None:
        return None
    return {"name": task.name, "class_names": list(task.class_names),
            "description": task.description}  # fmt: skip


def _data_info(ctx: AuditContext) -> dict[str, Any]:
    bundle = ctx.bundle
    return {
        "name": bundle.name, "modality": bundle.modality, "description": bundle.description,
        "citation": bundle.citation, "license": bundle.license,
        "source_files": bundle.source_files, "finetune_task": _task(bundle.finetune_task),
        "pretrain_task": _task(bundle.pretrain_task) if ctx.pretrain_supervised else None,
        "sensitive_features": list(bundle.sensitive_features),
        "sensitive_kinds": dict(bundle.sensitive_kinds),
        "input_shape": list(bundle.input_shape),
        "feature_names": list(bundle.feature_names) if bundle.feature_names else None,
        "preprocessing": dump(bundle.preprocessing),
        "splits": bundle.provenance(),
    }  # fmt: skip


def _model_info(ctx: AuditContext, checkpoints: dict[str, dict[str, str]]) -> dict[str, Any]:
    from auditor.models import count_parameters  # loads torch

    return {
        "architecture": type(ctx.finetuned).__name__,
        "parameters": count_parameters(ctx.finetuned),
        "trainable_parameters_finetune": ctx.finetune_record.trainable_parameters,
        "feature_dim": int(ctx.finetuned.head.in_features),
        "summary": str(ctx.finetuned),
        "checkpoints": checkpoints,
    }


def _assemble(
    ctx: AuditContext,
    sections: dict[str, dict[str, Any]],
    checkpoints: dict[str, dict[str, str]],
    timings: dict[str, float],
) -> dict[str, Any]:
    """The ``audit.json`` dict of a trained run (without its gates section)."""
    config = ctx.config
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "auditor", "version": __version__},
        "run": {
            "name": config.run_name,
            "scenario": config.data.source,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seed": config.seed,
            "device": str(ctx.device),
            "timings_s": timings,
            "library_versions": library_versions(),
            "command": None,
            "config_file": None,
        },  # fmt: skip
        "config": config.model_dump(mode="json"),
        "data": _data_info(ctx),
        "model": _model_info(ctx, checkpoints),
        "training": {
            "pretrain": ctx.pretrain_record.to_dict(),
            "finetune": ctx.finetune_record.to_dict(),
        },
        **{name: dump(section) for name, section in sections.items()},
    }


def audit_predictions(
    path: str | Path,
    cols: Columns,
    *,
    config: AuditConfig,
    out_dir: str | Path | None = None,
    seed: int = 0,
    batch_rows: int = 1_000_000,
    positive_label: str | None = None,
    dask_scheduler: str | None = None,
    command: str | None = None,
    lock_timeout: float = LOCK_TIMEOUT_S,
) -> AuditResult:
    """Audit fairness and performance from a predictions file; write the run folder."""
    path = Path(path)
    out = check_out_dir(out_dir or Path("reports") / (config.name or path.stem))
    validate_rules(config.gates)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with _timed(timings, "read_counts"):
        pc = reduce_predictions(path, cols, batch_rows=batch_rows, positive_label=positive_label,
                                dask_scheduler=dask_scheduler)  # fmt: skip
    body = build_audit(pc, path=path, cols=cols, config=config, seed=seed, timings=timings,
                       command=_command_line(command))  # fmt: skip
    audit = {"schema_version": SCHEMA_VERSION, **body}
    audit["gates"] = evaluate_gates(audit, config.gates)
    timings["total"] = round(time.perf_counter() - started, 4)
    write_run(audit, out, lock_timeout=lock_timeout)
    return AuditResult(data=audit, run_dir=out)


def gates_overrides(
    gates: GatesConfig,
    *,
    fail_on: str | None = None,
    baseline: Path | None = None,
    config_file: Path | None = None,
) -> GatesConfig:
    """The gates config with ``fail_on`` / ``baseline`` applied. The baseline (given, or the
    config's, relative to the config file) is read and validated now: exit 2 before work."""
    update: dict[str, Any] = {}
    if fail_on is not None:
        update["fail_on"] = fail_on
    if baseline is not None:
        load_audit(baseline)
        update["baseline"] = baseline.resolve()
    elif gates.baseline is not None:
        path = gates.baseline
        if not path.is_absolute() and config_file is not None:
            if (config_file.parent / path).exists():
                path = config_file.parent / path
        load_audit(path)
        update["baseline"] = path.resolve()
    return gates.model_copy(update=update) if update else gates


def _beside(run_dir: Path, kind: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return run_dir.absolute().parent / f"{run_dir.absolute().name}.{kind}-{stamp}"


def _target(source: AuditResult, out_dir: str | Path | None, kind: str) -> Path:
    """Where re-gating or re-rendering writes: never the run folder, nor inside it."""
    run_dir = (source.run_dir or Path()).resolve()
    out = Path(out_dir) if out_dir is not None else _beside(run_dir, kind)
    if out.resolve() == run_dir or run_dir in out.resolve().parents:
        raise AuditorInputError(SAME_FOLDER, source=str(out), field="--out")
    return check_out_dir(out)


def _run_gates_config(source: AuditResult) -> tuple[GatesConfig, str | None]:
    audit = source.data
    try:
        gates_cfg = GatesConfig.model_validate(audit["config"].get("gates", {}))
    except ValueError as exc:
        raise AuditorInputError(
            f"invalid gates config ({exc.errors()[0]['msg']})",
            source=str(Path(source.run_dir or ".") / "audit.json"),
            field="config.gates",
        ) from None
    config_file = (audit.get("gates") or {}).get("config_file") or audit["run"].get("config_file")
    return gates_cfg, config_file


def regate(
    run_dir: str | Path,
    *,
    config: Path | None = None,
    fail_on: str | None = None,
    baseline: Path | None = None,
    out_dir: str | Path | None = None,
    lock_timeout: float = LOCK_TIMEOUT_S,
) -> AuditResult:
    """Re-evaluate the gates of a run (its own gates config, or ``config``'s) without
    retraining. The run is left byte-identical: the re-gated audit.json, junit.xml,
    summary.md and card go to ``out_dir`` (default: ``<run>.gate-<UTC time>`` beside it)."""
    source = AuditResult.load(run_dir)
    out = _target(source, out_dir, "gate")
    if config is not None:
        gates_cfg, config_file = load_config(config).gates, str(config)
    else:
        gates_cfg, config_file = _run_gates_config(source)
    gates_cfg = gates_overrides(gates_cfg, fail_on=fail_on, baseline=baseline, config_file=config)
    validate_rules(gates_cfg, source=config_file)
    audit = dict(source.data)
    audit["gates"] = evaluate_gates(audit, gates_cfg, config_file=config_file)
    audit["config"] = {**audit["config"], "gates": gates_cfg.model_dump(mode="json")}
    write_run(audit, out, lock_timeout=lock_timeout)
    return AuditResult(data=audit, run_dir=out)


def rerender(
    run_dir: str | Path, *, out_dir: str | Path | None = None, lock_timeout: float = LOCK_TIMEOUT_S
) -> AuditResult:
    """Rebuild every report format from a run's ``audit.json`` alone, into ``out_dir``
    (default: ``<run>.card-<UTC time>`` beside it); the run itself is not touched."""
    source = AuditResult.load(run_dir)
    out = _target(source, out_dir, "card")
    write_run(source.data, out, lock_timeout=lock_timeout)
    return AuditResult(data=source.data, run_dir=out)


__all__ = [
    "AuditResult", "audit_predictions", "default_out_dir", "gates_overrides",
    "predictions_config", "regate", "rerender", "run", "trained_context",
]  # fmt: skip
