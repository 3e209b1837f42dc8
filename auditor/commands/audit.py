"""``auditor audit --predictions FILE --sensitive COL ...``: the model-agnostic audit.

Fairness and performance of any model from a CSV or Parquet of its predictions (y_true,
y_pred, optional y_score for the positive class, sensitive columns). The file is reduced to
per-group counts in batches (or per Dask partition), so its size is not bounded by memory.
Writes the same run folder as ``auditor run``; sections that need the model are not_run.
"""

from __future__ import annotations

import hashlib
import math
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from auditor.commands import cli_errors

NOT_FROM_PREDICTIONS = "needs the model itself; a predictions file holds only its outputs"


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _library_versions() -> dict[str, str | None]:
    """As ``auditor run`` records them, without importing torch (this command never uses it)."""
    import platform
    from importlib import metadata

    names = (
        "torch",
        "numpy",
        "pandas",
        "scikit-learn",
        "fairlearn",
        "pyarrow",
        "dask",
        "jinja2",
        "typer",
        "pydantic",
    )
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def performance_from_counts(pc) -> dict[str, Any]:
    """The performance section's classification entry from the total confusion matrix and,
    with a score column, the streamed score metrics."""
    from auditor.checks.performance import ClassificationPerformance, ClassMetrics, ReliabilityBin

    table = pc.table
    cm = table.counts.reshape(-1, *table.counts.shape[-2:]).sum(axis=0)
    n = int(cm.sum())
    diag = np.diag(cm)
    support, predicted = cm.sum(axis=1), cm.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        prec = np.where(predicted > 0, diag / np.maximum(predicted, 1), np.nan)
        rec = np.where(support > 0, diag / np.maximum(support, 1), np.nan)
        f1 = np.where(
            2 * diag + (predicted - diag) + (support - diag) > 0,
            2 * diag / np.maximum(predicted + support, 1),
            np.nan,
        )
    names = list(table.class_names)
    undefined = {}
    for i, name in enumerate(names):
        if np.isnan(prec[i]):
            undefined[f"precision[{name}]"] = "no sample predicted as this class"
        if np.isnan(rec[i]):
            undefined[f"recall[{name}]"] = "no sample of this class"

    def mean(a):
        return float(np.nanmean(a)) if not np.all(np.isnan(a)) else math.nan

    if pc.scores is not None:
        s = pc.scores
        roc_auc, log_loss, brier, ece = s.roc_auc, s.log_loss, s.brier, s.ece
        bins = [ReliabilityBin(**b) for b in s.reliability]
        if math.isnan(roc_auc):
            undefined["roc_auc"] = "only one class in y_true"
    else:
        roc_auc = log_loss = brier = ece = math.nan
        bins = []
        for key in ("roc_auc", "log_loss", "brier", "ece"):
            undefined[key] = "no score column (--y-score) in the predictions file"
    perf = ClassificationPerformance(
        stage="external",
        split="predictions",
        task="y_true",
        n=n,
        n_correct=int(diag.sum()),
        accuracy=float(diag.sum() / n),
        balanced_accuracy=mean(rec),
        precision_macro=mean(prec),
        recall_macro=mean(rec),
        f1_macro=mean(f1),
        roc_auc=roc_auc,
        log_loss=log_loss,
        brier=brier,
        ece=ece,
        per_class=[
            ClassMetrics(
                names[i],
                int(support[i]),
                int(predicted[i]),
                float(prec[i]),
                float(rec[i]),
                float(f1[i]),
            )
            for i in range(len(names))
        ],
        reliability=bins,
        confusion_matrix=cm.tolist(),
        class_names=names,
        undefined=undefined,
    )
    out = perf.to_dict()
    if pc.scores is not None:
        from auditor.fairness.io import AUC_METHOD

        out["roc_auc_method"] = AUC_METHOD
    return out


def build_audit(pc, *, path: Path, cols, config, seed: int, timings: dict, command: str) -> dict:
    """The audit.json dict of a predictions-only audit."""
    from auditor import __version__
    from auditor.checks import not_run
    from auditor.fairness.engine import CI_METHOD, audit_counts, resolve_specs
    from auditor.result import SCHEMA_VERSION

    cfg = config.fairness
    table = pc.table
    started = time.perf_counter()
    result = audit_counts(
        table,
        specs=resolve_specs(list(cols.sensitive), cfg.intersections),
        positive=pc.positive,
        min_group_size=cfg.min_group_size,
        n_boot=cfg.n_boot,
        ci_level=cfg.ci_level,
        seed=seed,
    )
    timings["fairness"] = round(time.perf_counter() - started, 4)
    fairness = {
        "status": "ok",
        "stage": "external",
        "split": "predictions",
        "ci_method": CI_METHOD,
        **result.to_dict(),
        "sensitive_kinds": {s: "demographic" for s in cols.sensitive},
        "reference_check": not_run(
            "the file is read in batches; the counts engine is tested against fairlearn's "
            "MetricFrame in auditor's test suite"
        ),
        "mitigation": not_run(
            "needs a validation split to fit thresholds on; a predictions file has none"
        ),
        "source": {
            "file": str(path),
            "columns": {
                "y_true": cols.y_true,
                "y_pred": cols.y_pred,
                "y_score": cols.y_score,
                "sensitive": list(cols.sensitive),
            },
            "batches": pc.n_batches,
            "engine": pc.engine,
        },
    }
    cm = table.counts.reshape(-1, *table.counts.shape[-2:]).sum(axis=0)
    balance = {table.class_names[i]: int(cm[i].sum()) for i in range(len(table.class_names))}
    empty = hashlib.sha256(b"").hexdigest()
    splits = {
        s: {"n_rows": 0, "sha256": empty, "class_balance": {}}
        for s in ("pretrain", "finetune_train", "holdout", "val")
    }
    file_sha = _sha256_file(path)
    splits["test"] = {"n_rows": table.n, "sha256": file_sha, "class_balance": balance}

    def no_training(stage: str) -> dict[str, Any]:
        # The fields of auditor.training.TrainRecord (not imported: it loads torch).
        na = "not applicable (no training in this run)"
        return {
            "stage": stage, "objective": "none", "n_train": 0, "n_val": 0, "epochs_run": 0,
            "best_epoch": 0, "best_val_loss": None, "seconds": 0.0, "samples_per_second": 0.0,
            "optimizer": na, "lr": 0.0, "batch_size": 0, "trainable_parameters": 0,
            "frozen": na, "history": [], "dp": None,
        }  # fmt: skip

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "auditor", "version": __version__},
        "run": {
            "name": config.name or path.stem,
            "scenario": "predictions",
            "mode": "predictions",
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seed": seed,
            "device": "cpu",
            "timings_s": timings,
            "library_versions": _library_versions(),
            "command": command,
            "config_file": None,
        },
        "config": config.model_dump(mode="json"),
        "data": {
            "name": path.name,
            "modality": "table",
            "description": f"Predictions of an external model read from {path.name} "
            f"({table.n:,} rows); auditor did not train or run the model.",
            "citation": "",
            "license": "",
            "source_files": {path.name: file_sha},
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
        },
        "model": {
            "architecture": "external model (audited from its predictions only)",
            "parameters": 0,
            "trainable_parameters_finetune": 0,
            "feature_dim": 0,
            "summary": "not available: predictions-only audit",
            "checkpoints": {},
        },
        "training": {"pretrain": no_training("pretrain"), "finetune": no_training("finetune")},
        "performance": {
            "status": "ok",
            "headline_split": "test",
            "finetuned": {"test": performance_from_counts(pc)},
            "pretrained": {},
        },
        "fairness": fairness,
        "privacy": not_run(f"membership inference {NOT_FROM_PREDICTIONS} and its training data"),
        "explanations": not_run(f"attributions {NOT_FROM_PREDICTIONS}"),
        "transparency": not_run("not evaluated in a predictions-only audit"),
    }


def audit_predictions(
    path,
    cols,
    *,
    config,
    out_dir,
    seed: int = 0,
    batch_rows: int = 1_000_000,
    positive_label=None,
    dask_scheduler: str | None = None,
    command: str | None = None,
):
    """Run the predictions-only audit and write the run folder; returns the AuditResult."""
    from auditor.fairness.io import reduce_predictions
    from auditor.gates import evaluate_gates
    from auditor.io import atomic_write_json, staged_dir
    from auditor.report import render_all
    from auditor.result import AuditResult, validate_audit

    path, out = Path(path), Path(out_dir)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    pc = reduce_predictions(
        path,
        cols,
        batch_rows=batch_rows,
        positive_label=positive_label,
        dask_scheduler=dask_scheduler,
    )
    timings["read_counts"] = round(time.perf_counter() - started, 4)
    audit = build_audit(
        pc,
        path=path,
        cols=cols,
        config=config,
        seed=seed,
        timings=timings,
        command=command or " ".join(["auditor", *sys.argv[1:]]),
    )
    audit["gates"] = evaluate_gates(audit, config.gates)
    timings["total"] = round(time.perf_counter() - started, 4)
    with staged_dir(out) as stage:
        validate_audit(audit, source=str(out / "audit.json"))
        atomic_write_json(stage / "audit.json", audit)
        render_all(audit, stage)
    return AuditResult(data=audit, run_dir=out)


def audit(
    predictions: Annotated[
        Path, typer.Option("--predictions", "-p", help="CSV or Parquet of predictions.")
    ],
    sensitive: Annotated[
        list[str], typer.Option("--sensitive", help="A sensitive column (repeat).")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run folder (default reports/<file stem>).")
    ] = None,
    y_true: Annotated[str, typer.Option("--y-true", help="Column of true labels.")] = "y_true",
    y_pred: Annotated[str, typer.Option("--y-pred", help="Column of predicted labels.")] = "y_pred",
    y_score: Annotated[
        str | None, typer.Option("--y-score", help="Column of P(positive), optional.")
    ] = None,
    positive_label: Annotated[
        str | None,
        typer.Option("--positive-label", help="Positive class (default: the larger label)."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="An audit TOML file; its fairness and gates tables apply."),
    ] = None,
    intersections: Annotated[
        str | None, typer.Option("--intersections", help="pairs (default) or none.")
    ] = None,
    min_group_size: Annotated[int | None, typer.Option("--min-group-size", min=1)] = None,
    n_boot: Annotated[
        int | None, typer.Option("--n-boot", min=0, help="Bootstrap replicates (default 1000).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    batch_rows: Annotated[
        int, typer.Option("--batch-rows", min=1, help="Rows per batch read.")
    ] = 1_000_000,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            "--dask-scheduler",
            help="Reduce per Dask partition with this scheduler: threads, processes, "
            "synchronous or a distributed address (tcp://host:8786).",
        ),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Report failed gates but exit 0.")
    ] = False,
) -> None:
    """Audit fairness and performance from a predictions file of any model."""
    from auditor.config import AuditConfig, load_config
    from auditor.errors import AuditorInputError
    from auditor.fairness.io import Columns

    with cli_errors():
        cfg = load_config(config) if config is not None else AuditConfig(name=predictions.stem)
        changes = {}
        if intersections is not None:
            if intersections not in ("pairs", "none"):
                raise AuditorInputError("choose pairs or none", field="--intersections")
            changes["intersections"] = intersections
        if min_group_size is not None:
            changes["min_group_size"] = min_group_size
        if n_boot is not None:
            changes["n_boot"] = n_boot
        if changes:
            cfg = cfg.model_copy(update={"fairness": cfg.fairness.model_copy(update=changes)})
        if len(set(sensitive)) != len(sensitive):
            raise AuditorInputError("a sensitive column is named twice", field="--sensitive")
        if isinstance(cfg.fairness.intersections, list):
            unknown = {f for c in cfg.fairness.intersections for f in c} - set(sensitive)
            if unknown:
                raise AuditorInputError(
                    f"intersection names {sorted(unknown)} not given as --sensitive",
                    field="fairness.intersections",
                )
        cols = Columns(y_true=y_true, y_pred=y_pred, y_score=y_score, sensitive=tuple(sensitive))
        target = out or Path("reports") / (cfg.name or predictions.stem)
        result = audit_predictions(
            predictions,
            cols,
            config=cfg,
            out_dir=target,
            seed=seed,
            batch_rows=batch_rows,
            positive_label=positive_label,
            dask_scheduler=dask_scheduler,
        )
    typer.echo(f"Model card: {target / 'model_card.html'}")
    typer.echo(f"Audit:      {target / 'audit.json'}")
    fair = result.data["fairness"]
    typer.echo(
        f"Rows: {fair['n']:,}; read in {result.data['run']['timings_s']['read_counts']:.2f} s"
    )
    for name, f in fair["features"].items():
        d = f["disparities"].get("demographic_parity_difference") or next(
            iter(f["disparities"].values())
        )
        b = d["between_groups"]
        if b["status"] == "ok":
            typer.echo(
                f"  {name}: DP difference {b['value']:.3f} "
                f"[{b['ci_low']:.3f}, {b['ci_high']:.3f}], "
                f"worst-off {b['worst_group']}; {f['n_insufficient']} of {f['n_groups']} groups "
                "insufficient"
            )
        else:
            typer.echo(f"  {name}: {b['status']} ({b['reason']})")
    from auditor.commands.gate import report_gates

    # the same gate lines, GitHub outputs and exit code as `auditor run` and `auditor gate`
    report_gates(result.data, config_file=str(config) if config else None, exit_zero=exit_zero)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
