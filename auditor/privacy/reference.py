"""Reference (shadow) models: the target's fine-tuning recipe (``auditor.training.finetune``,
same pretrained checkpoint, same config, same validation rows) repeated on random halves of the
member + non-member pool, as independent joblib jobs.

Halves come in complementary pairs, so every row is IN for exactly half of the K references.
Each job sets its own torch thread count, so its numbers do not depend on the machine.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from auditor.errors import AuditorInputError

# How long to wait for a named Dask scheduler before giving up with an input error.
DASK_CONNECT_TIMEOUT = "10s"


@contextlib.contextmanager
def preserved_global_state() -> Iterator[None]:
    """Restore Python, numpy and torch RNG states and torch's thread count on exit (the
    training code seeds the global generators)."""
    py, np_state, threads = random.getstate(), np.random.get_state(), torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):
        try:
            yield
        finally:
            random.setstate(py)
            np.random.set_state(np_state)
            torch.set_num_threads(threads)


def complementary_halves(n: int, k: int, *, seed: int) -> np.ndarray:
    """(k, n) boolean IN masks, k even: masks 2j and 2j+1 are complements of one random half."""
    if k < 2 or k % 2:
        raise ValueError(f"the number of reference models must be even and >= 2, got {k}")
    rng = np.random.default_rng([seed, 0x5EED])
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
    pretrained,
    *,
    x: np.ndarray,
    y: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    x_eval: np.ndarray,
    n_classes: int,
    finetune_config,
    dp_config,
    seed: int,
    device: str,
    threads: int,
    features: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> TrainedLogits:
    """One job: fine-tune ``pretrained`` on (x, y) with the target's recipe, return logits on
    ``x_eval``. Runs in a worker process or in this one.

    features: the frozen backbone's features of (x, x_val, x_eval), computed once for all
    jobs (only with the whole backbone frozen); the head then trains and predicts on them."""
    from auditor.training import finetune, predict_logits

    torch.set_num_threads(threads)
    dev = torch.device(device)
    kwargs: dict[str, Any] = {"dp": dp_config} if dp_config is not None else {}
    if features is not None:
        kwargs["features"] = tuple(torch.as_tensor(f, device=dev) for f in features[:2])
    start = time.perf_counter()
    model, record = finetune(
        pretrained, x=x, y=y, x_val=x_val, y_val=y_val, n_classes=n_classes,
        config=finetune_config, seed=seed, device=dev, progress=False, **kwargs,
    )  # fmt: skip
    if features is not None:
        with torch.no_grad():
            logits = model.head(torch.as_tensor(features[2], device=dev)).float().cpu().numpy()
    else:
        logits = predict_logits(model, x_eval, device=dev)
    dp_eps = (getattr(record, "dp", None) or {}).get("epsilon")
    return TrainedLogits(logits, time.perf_counter() - start, record.epochs_run, dp_eps)


def backbone_features(pretrained, x: np.ndarray, *, device) -> np.ndarray:
    """Features of the pretrained (frozen) backbone, float32 (n, feature_dim)."""
    from auditor.training import extract_features

    return extract_features(pretrained, x, device=torch.device(device)).cpu().numpy()


def run_jobs(calls: list[dict[str, Any]], *, privacy_config) -> list[TrainedLogits]:
    """Run ``train_and_predict(**call)`` for each call through joblib: locally
    (``backend``/``n_jobs``), on an existing Dask scheduler (``dask_scheduler``) or on Ray
    (``backend = "ray"``, ``ray_address``). Results come back in call order."""
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
    if pc.n_jobs == 1 or pc.backend == "sequential":
        return [train_and_predict(**c) for c in calls]
    with parallel_config(backend=pc.backend):
        return parallel(pc.n_jobs)
