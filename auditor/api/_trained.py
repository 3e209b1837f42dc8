"""``run(config)``: train (auditor's recipe), run every check and the gates, and write the
run folder as one unit through :func:`auditor.run_folder.staged_run`."""

from __future__ import annotations

import shlex
import sys
import time
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor import __version__
from auditor.api._errors import check_converged
from auditor.api._result import AuditResult
from auditor.checks import registered_checks
from auditor.config import AuditConfig
from auditor.gates import evaluate_gates, validate_rules
from auditor.io import CHECKPOINTS
from auditor.provenance import library_versions, sha256_file
from auditor.record import SCHEMA_VERSION, audit_schema
from auditor.report.escape import SHOWN_AS_ESCAPE
from auditor.results import dump
from auditor.run_folder import (
    LOCK_TIMEOUT_S,
    check_out_dir,
    staged_run,
    write_audit,
)
from auditor.runtime import stage_log, timed, torch_threads

if TYPE_CHECKING:
    from auditor.context import AuditContext



def judged_gates(
    audit: dict[str, Any], config: AuditConfig, *, config_file: str | None,
    baseline: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    """The ``gates`` section: ``config``'s rules over ``audit``, compared with ``baseline``
    (the config's baseline as read back once before any work); the gates read the config's
    baseline themselves where none is given (``audit_model``)."""
    named = str(config.gates.baseline) if baseline is not None else None
    return evaluate_gates(audit, config.gates, config_file=config_file, baseline=baseline,
                          baseline_file=named)  # fmt: skip


def command_line(command: str | None) -> str:
    """The command as given, or this process's arguments quoted for a shell (the card's
    Reproduce line pastes as it reads, with spaces, '|' or line breaks in a name): each as
    :func:`shell_quoted` quotes it."""
    return command or " ".join(shell_quoted(arg) for arg in ["auditor", *sys.argv[1:]])


def shell_quoted(arg: str) -> str:
    """``arg`` quoted for bash as :func:`shlex.quote` does, but an argument holding a
    character the cards show as an escape is quoted ``$'s\\tx'``, each such character as the
    escape bash reads back to it in any locale (a byte that is not UTF-8, ``\\xff``, that
    byte; a character past ASCII, its UTF-8 bytes: ``\\xc2\\x85``, R15 #3): shown, a
    real tab and a typed ``\\x09`` were alike (``'s\\x09x'``), and the copied command audited
    the typed column twice (R9 #3)."""
    if not SHOWN_AS_ESCAPE.search(arg):
        return shlex.quote(arg)
    return "$'" + "".join(_dollar_char(c) for c in arg) + "'"


def _dollar_char(char: str) -> str:
    """One character inside bash's ``$'...'``."""
    code = ord(char)
    if char in "\\'":
        return "\\" + char
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogate escape of byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    if not SHOWN_AS_ESCAPE.fullmatch(char):
        return char
    try:  # its UTF-8 bytes: bash reads $'\\u0085' as that character in a UTF-8 locale only
        return "".join(f"\\x{byte:02x}" for byte in char.encode())
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte: as Python shows it
        return f"\\u{code:04x}"


def default_out_dir(config: AuditConfig) -> Path:
    return Path("reports") / config.run_name


def run_trained(
    config: AuditConfig,
    *,
    out_dir: str | Path | None = None,
    config_file: str | None = None,
    progress: bool = True,
    command: str | None = None,
    lock_timeout: float = LOCK_TIMEOUT_S,
    baseline: dict[str, Any] | None = None,
) -> AuditResult:
    """Train (the config's recipe), run every check and the gates (against ``baseline``, the
    config's baseline read back before any work); write the run folder as one unit.

    Raises :class:`~auditor.errors.AuditorInputError` on bad input; ``--out`` is checked
    before any work, and nothing is written unless the whole run succeeds."""
    out = check_out_dir(out_dir if out_dir is not None else default_out_dir(config), mode="run")
    validate_rules(config.gates, source=config_file, schema=audit_schema)
    importable(config_file)
    from auditor.training.recipes import effective_config  # the training package loads torch

    config = effective_config(config)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with stage_log() as log_lines:
        ctx = trained_context(config, progress=progress, timings=timings)
        factory = config.model.factory if config.model.kind == "factory" else None
        check_converged({"pretrain": ctx.pretrain_record, "finetune": ctx.finetune_record},
                        factory=factory)  # fmt: skip
        ctx.progress = progress
        with staged_run(out, lock_timeout=lock_timeout) as stage:
            ctx.artifacts_dir = stage
            checkpoints = _save_checkpoints(ctx, stage)
            sections = run_all_checks(ctx, timings, progress=progress)
            audit = _assemble(ctx, sections, checkpoints, timings)
            audit["run"].update(config_file=config_file, command=command_line(command))
            with timed(timings, "gates"):
                audit["gates"] = judged_gates(audit, config, config_file=config_file,
                                              baseline=baseline)  # fmt: skip
            timings["total"] = round(time.perf_counter() - started, 4)
            write_audit(audit, stage, source=str(out / "audit.json"), log=log_lines)
    return AuditResult(data=audit, run_dir=out)


def trained_context(
    config: AuditConfig, *, progress: bool = True, timings: dict[str, float] | None = None
) -> AuditContext:
    """Load the data, pretrain and fine-tune; the context the checks run on."""
    # Loads torch: only this path trains; the other entry points read files and stay light.
    from auditor.context import AuditContext
    from auditor.training.stages import train_stages

    stages = train_stages(config, progress=progress, timings=timings, threads=config.threads)
    return AuditContext(**{f.name: getattr(stages, f.name) for f in fields(stages)})


def _save_checkpoints(ctx: AuditContext, stage: Path) -> dict[str, dict[str, str]]:
    from auditor.training import save_checkpoint  # loads torch

    checkpoints = {}
    for name, model in (("pretrained", ctx.pretrained), ("finetuned", ctx.finetuned)):
        rel = f"{CHECKPOINTS}/{name}.pt"  # io.CHECKPOINT_FILES: what a rerun may replace
        meta = {"stage": name, "seed": ctx.config.seed, "auditor": __version__}
        save_checkpoint(stage / rel, model, meta=meta)
        checkpoints[name] = {"path": rel, "sha256": sha256_file(stage / rel)}
    return checkpoints


def run_all_checks(
    ctx: AuditContext, timings: dict[str, float], *, progress: bool = True
) -> dict[str, Any]:
    """Every registered check in order (a later check may read an earlier one's section):
    one progress bar over them on a terminal (``progress``), one log line per stage with its
    seconds (logger ``auditor``)."""
    from tqdm.auto import tqdm

    sections: dict[str, Any] = {}
    checks = registered_checks()
    with tqdm(total=len(checks), desc="checks", disable=None if progress else True,
              leave=False) as bar:
        for name, check in checks.items():
            bar.set_postfix_str(name)
            with timed(timings, f"check.{name}"):  # logs the stage's start and end
                sections[name] = check(ctx, sections)
            bar.update()
    return sections


def importable(config_file: str | Path | None) -> None:
    """Put the config file's folder first on ``sys.path``: factories and train functions
    beside the config import as they would from there."""
    if config_file is None:
        return
    folder = str(Path(config_file).resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)


def _task(task: Any) -> dict[str, Any] | None:
    if task is None:
        return None
    return {"name": task.name, "class_names": list(task.class_names),
            "description": task.description}  # fmt: skip


def data_info(ctx: AuditContext) -> dict[str, Any]:
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
    training = {
        "pretrain": ctx.pretrain_record.to_dict(),
        "finetune": ctx.finetune_record.to_dict(),
    }
    return assemble_audit(ctx, sections, timings, scenario=ctx.config.data.source,
                          model=_model_info(ctx, checkpoints), training=training)  # fmt: skip


def assemble_audit(
    ctx: AuditContext,
    sections: dict[str, Any],
    timings: dict[str, float],
    *,
    scenario: str,
    model: dict[str, Any],
    training: dict[str, Any],
    mode: str | None = None,
) -> dict[str, Any]:
    """The ``audit.json`` dict of a model audited in this process (without its gates
    section): the run header, config, data, ``model`` and ``training`` tables, and each
    check's section dumped. ``mode``: the run's mode where it is not the default "run"."""
    config = ctx.config
    run: dict[str, Any] = {"name": config.run_name, "scenario": scenario}
    if mode is not None:
        run["mode"] = mode
    run.update({
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": config.seed,
        "device": str(ctx.device),
        "threads": torch_threads(),
        "timings_s": timings,
        "library_versions": library_versions(),
        "command": None,
        "config_file": None,
    })  # fmt: skip
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "auditor", "version": __version__},
        "run": run,
        "config": config.model_dump(mode="json"),
        "data": data_info(ctx),
        "model": model,
        "training": training,
        **{name: dump(section) for name, section in sections.items()},
    }
