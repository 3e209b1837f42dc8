"""Builders shared by the tests: small configs, tiny prediction tables and files, small real
audits (no training), trained contexts. Import from here instead of copying a fixture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditor.config import AuditConfig, DigitsData, FinetuneConfig, PretrainConfig

# The columns of :func:`predictions_frame` as `auditor audit` options.
PREDICTION_ARGS = [
    "--sensitive", "sex", "--sensitive", "region", "--y-true", "label", "--y-pred", "pred",
    "--y-score", "score", "--positive-label", "approved",
]  # fmt: skip


def small_digits_config(**changes: Any) -> AuditConfig:
    """Digits with short training: seconds, still a real model on real data."""
    base = AuditConfig(
        name="digits-small",
        data=DigitsData(),
        pretrain=PretrainConfig(epochs=20, patience=4),
        finetune=FinetuneConfig(epochs=60, patience=8),
    )
    return base.model_copy(update=changes) if changes else base


def predictions_frame(n: int = 6000, seed: int = 0) -> pd.DataFrame:
    """A binary classifier's predictions: label/pred ("approved"/"denied"), score = P(approved),
    sensitive columns sex (F/M) and region (with a tiny group of ~0.5 %)."""
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    y = (rng.random(n) < p).astype(int)
    return pd.DataFrame(
        {
            "label": np.where(y == 1, "approved", "denied"),
            "pred": np.where(p > 0.45, "approved", "denied"),
            "score": p,
            "sex": rng.choice(["F", "M"], n),
            "region": rng.choice(
                ["north", "south", "east", "tiny"], n, p=[0.4, 0.35, 0.245, 0.005]
            ),
        }
    )


def predictions_csv(folder: Path, *, n: int = 2000, seed: int = 0, name: str = "preds") -> Path:
    """Write :func:`predictions_frame` as ``folder/<name>.csv``; its path."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / f"{name}.csv"
    predictions_frame(n, seed).to_csv(path, index=False)
    return path


def predictions_columns() -> Any:
    from auditor.predictions.read import Columns

    return Columns(y_true="label", y_pred="pred", y_score="score", sensitive=("sex", "region"))


def predictions_audit(folder: Path, *, n: int = 2000, seed: int = 0, config: Any = None) -> Any:
    """A small real audit (a predictions file, no training) written to ``folder/run``; its
    :class:`auditor.api.AuditResult`."""
    from auditor import api
    from auditor.config import FairnessConfig

    config = config or AuditConfig(name="preds", fairness=FairnessConfig())
    csv = predictions_csv(folder, n=n, seed=seed)
    return api.audit_predictions(
        csv, predictions_columns(), config=config, out_dir=Path(folder) / "run",
        positive_label="approved", command="test",
    )  # fmt: skip


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes), to assert a folder unchanged."""
    folder = Path(folder)
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def refusal_line(result) -> str:
    """A CLI result's output where it is a refusal: exit 2, one line, no traceback."""
    text = result.output.strip()
    assert result.exit_code == 2, result.output
    assert "\n" not in text and "Traceback" not in text
    return text


def leftovers(parent: Path) -> list[str]:
    """Staging and trash folders a writer left in ``parent`` (there must be none)."""
    return [p.name for p in Path(parent).iterdir() if p.name.endswith((".staging", ".trash"))]


# A command-line child whose report writer stops half-way (one file staged, "READY" printed)
# until the test signals it: for SIGINT / SIGTERM tests.
# ``auditor ARGS`` through its entry point (auditor.__main__.main: the signal handlers, then
# cli.main, which leaves by os._exit on Ctrl-C or SIGTERM as the installed command does), its
# renderings slowed so that a signal lands while the run folder is being written.
SLOW_WRITER = """
import signal, sys, time
from auditor import run_folder
from auditor.__main__ import main

# Ctrl-C as an interactive shell leaves it: a job started with '&' (a CI script's background
# run) ignores SIGINT, and Python then installs no KeyboardInterrupt for it
signal.signal(signal.SIGINT, signal.default_int_handler)

def slow(audit, folder):
    (folder / "half.txt").write_text("x")
    print("READY", flush=True)
    time.sleep(120)

run_folder.render_all = slow
sys.argv = ["auditor", *sys.argv[1:]]
main()
"""


def two_feature_frame(seed: int, *, cut: float = 0.0, n: int = 900) -> pd.DataFrame:
    """Rows (x1, x2, group a/b, label = x1 + noise > cut) for a model given from Python."""
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                         "group": rng.choice(["a", "b"], n)})  # fmt: skip
    data["label"] = (data.x1 + rng.normal(scale=0.6, size=n) > cut).astype(int)
    return data


def audit_split(model: Any, data: pd.DataFrame, **kw: Any) -> dict[str, Any]:
    """``audit_model`` of ``model`` on a :func:`two_feature_frame`: rows 600.. evaluated,
    :300 members, 300:600 non-members; the audit's data (audit.json as a dict)."""
    import auditor

    return auditor.audit_model(model, data=data[600:], members=data[:300],
                               non_members=data[300:600], target="label", sensitive=["group"],
                               progress=False, **kw).data  # fmt: skip


def link_loop(folder: Path, name: str) -> Path:
    """``folder/name``, a link to a link back to it (``Path.is_file`` answers False there)."""
    path, other = Path(folder) / name, Path(folder) / f"{name}.loop"
    path.symlink_to(other.name)
    other.symlink_to(path.name)
    return path


def needs_batch_module(width: int = 3) -> Any:
    """A torch module that raises on fewer than 4 rows ('batch size must be at least 4'), as
    some do (batch statistics): a Linear(width -> 2) otherwise."""
    from torch import nn

    class NeedsBatch(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(width, 2)

        def forward(self, x: Any) -> Any:
            if x.shape[0] < 4:
                raise RuntimeError("batch size must be at least 4")
            return self.lin(x)

    return NeedsBatch()
