"""One audit run: config -> data -> pretrain -> fine-tune -> checks -> gates -> reports.

Every artifact is written into a staging folder first and moved into the run folder only
when the whole run succeeded, so a crash or Ctrl-C leaves the previous report whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import platform
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.checks import registered_checks
from auditor.config import AuditConfig
from auditor.context import AuditContext
from auditor.data import load_bundle
from auditor.gates import evaluate_gates
from auditor.io import atomic_write_json, staged_dir
from auditor.models import build_model, count_parameters
from auditor.report import render_all
from auditor.result import SCHEMA_VERSION, AuditResult, validate_audit
from auditor.training import finetune, pretrain, resolve_device, save_checkpoint, seed_everything

LIBRARIES = (
    "torch", "torchvision", "numpy", "pandas", "scikit-learn", "fairlearn", "jinja2", "typer",
    "pydantic", "captum", "opacus", "joblib",
)  # fmt: skip


@contextlib.contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round(time.perf_counter() - start, 4)


def library_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def default_out_dir(config: AuditConfig) -> Path:
    return Path("reports") / config.run_name


def train_stages(
    config: AuditConfig, *, progress: bool = True, timings: dict[str, float] | None = None
) -> AuditContext:
    """Load the data, pretrain and fine-tune; return the context the checks run on."""
    timings = {} if timings is None else timings
    device = resolve_device(config.device)
    seed_everything(config.seed)
    with _timed(timings, "data"):
        bundle = load_bundle(config.data, seed=config.seed)
    supervised = config.pretrain.objective == "supervised" and bundle.pretrain_task is not None
    pre_classes = bundle.pretrain_task.n_classes if supervised else bundle.finetune_task.n_classes
    model = build_model(
        config.model,
        modality=bundle.modality,
        input_shape=bundle.input_shape,
        n_classes=pre_classes,
    )
    pre, val, ft = bundle["pretrain"], bundle["val"], bundle["finetune_train"]
    with _timed(timings, "pretrain"):
        model, pre_record, decoder = pretrain(
            model, x=pre.x, y=pre.y_pretrain, x_val=val.x, y_val=val.y_pretrain,
            config=config.pretrain, seed=config.seed, device=device, progress=progress,
        )  # fmt: skip
    with _timed(timings, "finetune"):
        tuned, ft_record = finetune(
            model, x=ft.x, y=ft.y, x_val=val.x, y_val=val.y,
            n_classes=bundle.finetune_task.n_classes, config=config.finetune,
            seed=config.seed, device=device, progress=progress, dp=config.privacy.dp,
        )  # fmt: skip
    return AuditContext(
        config=config, bundle=bundle, device=device, pretrained=model, finetuned=tuned,
        pretrain_record=pre_record, finetune_record=ft_record, pretrain_decoder=decoder,
        seed=config.seed,
    )  # fmt: skip


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(
    config: AuditConfig,
    *,
    out_dir: str | Path | None = None,
    config_file: str | None = None,
    progress: bool = True,
    command: str | None = None,
) -> AuditResult:
    """Run the whole audit and write the run folder. Returns the :class:`AuditResult`.

    Raises :class:`~auditor.errors.AuditorInputError` on bad input before anything is written.
    """
    out = Path(out_dir) if out_dir is not None else default_out_dir(config)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    ctx = train_stages(config, progress=progress, timings=timings)
    with staged_dir(out) as stage:
        ctx.artifacts_dir = stage
        checkpoints = {}
        for name, model in (("pretrained", ctx.pretrained), ("finetuned", ctx.finetuned)):
            rel = f"checkpoints/{name}.pt"
            save_checkpoint(
                stage / rel,
                model,
                meta={"stage": name, "seed": config.seed, "auditor": __version__},
            )
            checkpoints[name] = {"path": rel, "sha256": _sha256_file(stage / rel)}
        sections: dict[str, dict] = {}
        for name, check in registered_checks().items():
            with _timed(timings, f"check.{name}"):
                sections[name] = check(ctx, sections)
        audit = _assemble(ctx, sections, checkpoints, timings, config_file, command)
        with _timed(timings, "gates"):
            audit["gates"] = evaluate_gates(audit, config.gates, config_file=config_file)
        timings["total"] = round(time.perf_counter() - started, 4)
        validate_audit(audit, source=str(out / "audit.json"))
        atomic_write_json(stage / "audit.json", audit)
        render_all(audit, stage)
    return AuditResult(data=audit, run_dir=out)


def _assemble(
    ctx: AuditContext, sections, checkpoints, timings, config_file, command
) -> dict[str, Any]:
    bundle, config = ctx.bundle, ctx.config

    def task(t):
        if t is None:
            return None
        return {"name": t.name, "class_names": list(t.class_names), "description": t.description}

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
            "command": command or " ".join(["auditor", *sys.argv[1:]]),
            "config_file": config_file,
        },
        "config": config.model_dump(mode="json"),
        "data": {
            "name": bundle.name,
            "modality": bundle.modality,
            "description": bundle.description,
            "citation": bundle.citation,
            "license": bundle.license,
            "source_files": bundle.source_files,
            "finetune_task": task(bundle.finetune_task),
            "pretrain_task": task(bundle.pretrain_task) if ctx.pretrain_supervised else None,
            "sensitive_features": list(bundle.sensitive_features),
            "sensitive_kinds": dict(bundle.sensitive_kinds),
            "input_shape": list(bundle.input_shape),
            "feature_names": list(bundle.feature_names) if bundle.feature_names else None,
            "splits": bundle.provenance(),
        },
        "model": {
            "architecture": type(ctx.finetuned).__name__,
            "parameters": count_parameters(ctx.finetuned),
            "trainable_parameters_finetune": ctx.finetune_record.trainable_parameters,
            "feature_dim": int(ctx.finetuned.head.in_features),
            "summary": str(ctx.finetuned),
            "checkpoints": checkpoints,
        },
        "training": {
            "pretrain": ctx.pretrain_record.to_dict(),
            "finetune": ctx.finetune_record.to_dict(),
        },
        **sections,
    }
