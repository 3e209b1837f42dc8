"""Reference (shadow) models: the target's fine-tuning recipe (``auditor.training.finetune``,
same pretrained checkpoint, same config, same validation rows) repeated on random halves of the
member + non-member pool, as independent joblib jobs.

Halves come in complementary pairs, so every row is IN for exactly half of the K references.
Each job sets its own torch thread count, so its numbers do not depend on the machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from auditor.errors import AuditorInputError
from auditor.runtime import free_cores
from auditor.training import extract_features, finetune, predict_logits
from auditor.training.loop import fixed_threads

if TYPE_CHECKING:
    from auditor.config import FinetuneConfig
    from auditor.config.privacy import DPConfig, PrivacyConfig
    from auditor.seeding import PrefixedRngs, Rngs

# How long to wait for a named Dask scheduler before giving up with an input error.
DASK_CONNECT_TIMEOUT = "10s"


def complementary_halves(n: int, k: int, *, rng: np.random.Generator) -> np.ndarray:
    """(k, n) boolean IN masks, k even: masks 2j and 2j+1 are complements of one random half
    (drawn from ``rng``, e.g. ``rngs.numpy("privacy/reference/halves")``)."""
    if k < 2 or k % 2:
        raise ValueError(f"the number of reference models must be even and >= 2, got {k}")
    masks = np.zeros((k, n), dtype=bool)
    for j in range(k // 2):
        half = rng.permutation(n)[: n // 2]
        masks[2 * j, half] = True
        masks[2 * j + 1] = ~masks[2 * j]
    return masks


@dataclass(frozen=True)
class TrainedLogits:
    """Logits of one trained model on the evaluation rows, and what its training did."""

    logits: np.ndarray  # (n_eval, n_classes) float32
    seconds: float
    epochs_run: int
    dp_epsilon: float | None = None


def train_and_predict(
    pretrained: nn.Module,
    *,
    x: np.ndarray,
    y: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    x_eval: np.ndarray,
    n_classes: int,
    finetune_config: FinetuneConfig,
    dp_config: DPConfig | None,
    rngs: Rngs | PrefixedRngs,
    device: str,
    threads: int,
    features: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> TrainedLogits:
    """One job: fine-tune ``pretrained`` on (x, y) with the target's recipe, return logits on
    ``x_eval``. Runs in a worker process or in this one.

    features: the frozen backbone's features of (x, x_val, x_eval), computed once for all
    jobs (only with the whole backbone frozen); the head then trains and predicts on them.
    ``rngs``: this model's streams (e.g. ``Rngs(seed).child("privacy/reference/3")``). Torch's
    thread count is set to ``threads`` for the job and restored after it."""
    with fixed_threads(threads):
        return _fine_tune_and_predict(
            pretrained, x, y, x_val, y_val, x_eval, n_classes=n_classes,
            finetune_config=finetune_config, dp_config=dp_config, rngs=rngs,
            device=torch.device(device), features=features,
        )  # fmt: skip


def _fine_tune_and_predict(
    pretrained: nn.Module, *arrays: np.ndarray, n_classes: int, finetune_config: FinetuneConfig,
    dp_config: DPConfig | None, rngs: Rngs | PrefixedRngs, device: torch.device,
    features: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> TrainedLogits:  # fmt: skip
    x, y, x_val, y_val, x_eval = arrays
    dev = device
    kwargs: dict[str, Any] = {"dp": dp_config}
    if features is not None:
        kwargs["features"] = tuple(torch.as_tensor(f, device=dev) for f in features[:2])
    start = time.perf_counter()
    model, record = finetune(
        pretrained, x=x, y=y, x_val=x_val, y_val=y_val, n_classes=n_classes,
        config=finetune_config, rngs=rngs, device=dev, progress=False, **kwargs,
    )  # fmt: skip
    if features is not None:
        with torch.no_grad():
            logits = model.head(torch.as_tensor(features[2], device=dev)).float().cpu().numpy()
    else:
        logits = predict_logits(model, x_eval, device=dev)
    dp_eps = (getattr(record, "dp", None) or {}).get("epsilon")
    return TrainedLogits(logits, time.perf_counter() - start, record.epochs_run, dp_eps)


def backbone_features(
    pretrained: nn.Module, x: np.ndarray, *, device: torch.device | str
) -> np.ndarray:
    """Features of the pretrained (frozen) backbone, float32 (n, feature_dim)."""
    return extract_features(pretrained, x, device=torch.device(device)).cpu().numpy()


def resolve_n_jobs(privacy_config: PrivacyConfig, *, k: int, frozen: bool) -> int:
    """Local processes for ``k`` reference fine-tunes: ``n_jobs`` when the config sets a
    number; "auto": 1 with the backbone frozen (each head trains on shared features in well
    under a worker's start-up time), else one per free core, at most ``k``. Each job runs on
    its own fixed thread count, so the logits do not depend on this choice."""
    if privacy_config.n_jobs != "auto":
        return int(privacy_config.n_jobs)
    return 1 if frozen else max(1, min(k, free_cores()))


def run_jobs(
    calls: list[dict[str, Any]],
    *,
    privacy_config: PrivacyConfig,
    n_jobs: int | None = None,
    progress: bool = False,
) -> list[TrainedLogits]:
    """Run ``train_and_predict(**call)`` for each call through joblib: locally
    (``backend`` with ``n_jobs`` processes; None: :func:`resolve_n_jobs` for a frozen
    backbone), on an existing Dask scheduler (``dask_scheduler``) or on Ray
    (``backend = "ray"``, ``ray_address``). Results come back in call order. ``progress``:
    a bar over the local jobs as they finish (a terminal only)."""
    from joblib import Parallel, delayed, parallel_config

    def parallel(n_jobs: int) -> list[TrainedLogits]:
        return Parallel(n_jobs=n_jobs)(delayed(train_and_predict)(**c) for c in calls)

    pc = privacy_config
    if pc.dask_scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise AuditorInputError(
                "dask_scheduler is set but dask.distributed is not installed "
                "(pip install 'auditor[dask]')",
                field="privacy.dask_scheduler",
            ) from None
        try:
            client = Client(pc.dask_scheduler, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
        except OSError as exc:
            raise AuditorInputError(
                f"cannot reach the Dask scheduler {pc.dask_scheduler!r} ({exc})",
                field="privacy.dask_scheduler",
            ) from None
        try:
            with client.as_current(), parallel_config(backend="dask"):
                return parallel(-1)
        finally:
            client.close()
    if pc.backend == "ray":
        try:
            import ray
            from ray.util.joblib import register_ray
        except ImportError:
            raise AuditorInputError(
                "backend = 'ray' but ray is not installed (pip install 'auditor[ray]')",
                field="privacy.backend",
            ) from None
        register_ray()
        if not ray.is_initialized():
            ray.init(address=pc.ray_address)
        with parallel_config(backend="ray"):
            return parallel(-1)
    n_jobs = resolve_n_jobs(pc, k=len(calls), frozen=True) if n_jobs is None else n_jobs
    from tqdm.auto import tqdm

    bar = {"total": len(calls), "desc": "reference models", "disable": not progress,
           "leave": False}  # fmt: skip
    if min(n_jobs, len(calls)) == 1 or pc.backend == "sequential":
        return [train_and_predict(**c) for c in tqdm(calls, **bar)]
    with parallel_config(backend=pc.backend):
        jobs = Parallel(n_jobs=n_jobs, return_as="generator")
        return list(tqdm(jobs(delayed(train_and_predict)(**c) for c in calls), **bar))
