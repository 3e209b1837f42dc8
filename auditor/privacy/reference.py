"""Reference (shadow) models: the target's fine-tuning recipe (``auditor.training.finetune``,
same pretrained checkpoint, same config, same validation rows) repeated on random halves of the
member + non-member pool (:func:`train_references`).

Halves come in complementary pairs, so every row is IN for exactly half of the K references.
The frozen prefix's outputs are computed once for all K (:mod:`auditor.training.split`). Small
tails train stacked into one model (:mod:`auditor.training.stacked`), larger ones as
independent joblib jobs (local processes, Dask, Ray); see :func:`_strategy`. Every model
trains on fixed torch threads, so its numbers do not depend on the machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import torch
from torch import nn

from auditor.errors import AuditorInputError
from auditor.runtime import free_cores
from auditor.training import finetune, predict_logits
from auditor.training.loop import TRAIN_THREADS, fixed_threads
from auditor.training.predict import rows_per_pass
from auditor.training.split import Split, multiply_adds, split_for
from auditor.training.stacked import fit_stacked, stackable
from auditor.training.stages import fresh_model

if TYPE_CHECKING:
    from auditor.config import FinetuneConfig
    from auditor.config.privacy import DPConfig, PrivacyConfig
    from auditor.seeding import PrefixedRngs, Rngs

# How long to wait for a named Dask scheduler before giving up with an input error.
DASK_CONNECT_TIMEOUT = "10s"
# How the K reference models train: "stacked" (one model with a model axis, one process),
# "processes" (local joblib workers, one model a job), "sequential" (one after another in
# this process), or on a cluster ("dask", "ray").
Strategy = Literal["stacked", "processes", "sequential", "dask", "ray"]
# A tail heavier than this (multiply-adds a row) is bound by its arithmetic, not by per-step
# overhead: stacking gains nothing there, worker processes on free cores do.
STACK_MAX_MULTIPLY_ADDS = 2**18
# Models in one stack at most (the stack's activations grow with it); there are always at
# least two stacks, to run at once where two cores are free.
STACK_GROUP = 64
# Work of the K fine-tunes (multiply-adds, at most every epoch) below which starting worker
# processes (each imports torch: seconds) costs more than it saves.
PROCESSES_MIN_MULTIPLY_ADDS = 2e11


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

    features: the frozen prefix outputs of (x, x_val, x_eval) (:mod:`auditor.training.split`:
    the whole backbone's features, or its modules before the first unfrozen one), computed
    once for all jobs; the tail then trains and predicts on them.
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
    split = split_for(model, finetune_config.unfreeze_last) if features is not None else None
    if split is not None:
        logits = _tail_logits(split.tail(model), torch.as_tensor(features[2], device=dev))
    else:
        logits = predict_logits(model, x_eval, device=dev)
    dp_eps = (getattr(record, "dp", None) or {}).get("epsilon")
    return TrainedLogits(logits, time.perf_counter() - start, record.epochs_run, dp_eps)


@torch.no_grad()
def _tail_logits(tail: nn.Module, z: torch.Tensor) -> np.ndarray:
    """(n, n_classes) float32 logits of ``tail`` (eval mode) on prefix outputs ``z``."""
    tail.eval()
    step = rows_per_pass(tail, z)
    parts = [tail(z[i : i + step]).float().cpu().numpy() for i in range(0, len(z), step)]
    return np.concatenate(parts)


def resolve_n_jobs(privacy_config: PrivacyConfig, *, k: int, pays: bool) -> int:
    """Local processes for ``k`` reference fine-tunes: ``n_jobs`` when the config sets a
    number; "auto": one per free core (at most ``k``) where the work ``pays`` for the workers'
    start-up, else 1. Each job runs on its own fixed thread count, so the logits do not
    depend on this choice."""
    if privacy_config.n_jobs != "auto":
        return int(privacy_config.n_jobs)
    return max(1, min(k, free_cores())) if pays else 1


def run_jobs(
    calls: list[dict[str, Any]],
    *,
    privacy_config: PrivacyConfig,
    n_jobs: int | None = None,
    progress: bool = False,
    desc: str = "reference models",
) -> list[TrainedLogits]:
    """Run ``train_and_predict(**call)`` for each call through joblib: locally
    (``backend`` with ``n_jobs`` processes; None: one), on an existing Dask scheduler
    (``dask_scheduler``) or on Ray
    (``backend = "ray"``, ``ray_address``). Results come back in call order. ``progress``:
    a bar (``desc``) over the local jobs as they finish (on a terminal only)."""
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
    n_jobs = resolve_n_jobs(pc, k=len(calls), pays=False) if n_jobs is None else n_jobs
    from tqdm.auto import tqdm

    bar = model_bar(len(calls), desc, progress)
    if min(n_jobs, len(calls)) == 1 or pc.backend == "sequential":
        return [train_and_predict(**c) for c in tqdm(calls, **bar)]
    with parallel_config(backend=pc.backend):
        jobs = Parallel(n_jobs=n_jobs, return_as="generator")
        return list(tqdm(jobs(delayed(train_and_predict)(**c) for c in calls), **bar))


def model_bar(total: int, desc: str, progress: bool) -> dict[str, Any]:
    """tqdm's arguments for a bar over ``total`` models: on a terminal with ``progress``
    (``disable=None``: silent in CI logs, as the training's bars)."""
    return {"total": total, "desc": desc, "unit": "model",
            "disable": None if progress else True, "leave": False}  # fmt: skip


@dataclass(frozen=True)
class ReferenceRun:
    """The K reference models' results (in model order) and how they trained."""

    results: list[TrainedLogits]
    strategy: Strategy
    n_jobs: int
    threads_per_job: int


def _strategy(
    pc: PrivacyConfig, tail: nn.Module, row: torch.Tensor, *, k: int, rows: int, epochs: int
) -> tuple[Strategy, int]:
    """(strategy, local processes; with "stacked": the most stacks trained at once, in
    threads of this process). Stacked for a small stackable tail without DP, unless the user
    asked for worker processes (``n_jobs`` > 1, or ``backend = "multiprocessing"``; loky is
    the default, so it asks for nothing); one process asked for (``n_jobs = 1``, ``backend =
    "sequential"``) stacks one stack at a time. The choice between stacked and one job per
    model depends on the model and the config, never on the machine's load, so the same seed
    gives the same logits. One job per model: processes where the work pays for them and
    cores are free (the same logits as sequential)."""
    if pc.dask_scheduler:
        return "dask", -1
    if pc.backend == "ray":
        return "ray", -1
    macs = multiply_adds(tail, row)
    processes = pc.n_jobs not in ("auto", 1) or pc.backend == "multiprocessing"
    one_process = pc.n_jobs == 1 or pc.backend == "sequential"
    small = macs <= STACK_MAX_MULTIPLY_ADDS and stackable(tail, row)
    if pc.dp is None and not processes and small:
        return "stacked", 1 if one_process else k
    work = 3 * macs * rows * epochs * k  # forward and backward, every epoch at most
    n_jobs = resolve_n_jobs(pc, k=k, pays=work >= PROCESSES_MIN_MULTIPLY_ADDS)
    return ("sequential" if n_jobs == 1 or pc.backend == "sequential" else "processes"), n_jobs


def _stacked(
    job: dict[str, Any], split: Split, z: tuple[torch.Tensor, ...], y: np.ndarray,
    ref_in: np.ndarray, rngs: list[Rngs | PrefixedRngs], most: int, bar: dict[str, Any],
) -> tuple[list[TrainedLogits], int]:  # fmt: skip
    """The K tails trained as stacks on the shared prefix outputs z = (pool, validation,
    evaluation rows): always at least two stacks of at most ``STACK_GROUP`` models, the same
    ones on any machine, run at once in Python threads on the free cores (torch releases the
    GIL; each op runs on one torch thread, so the logits are the same either way), ``most``
    at a time. Returns (results, stacks run at once)."""
    ft, device, k = job["finetune_config"], torch.device(job["device"]), len(ref_in)
    yt, yv = torch.as_tensor(y, device=device), torch.as_tensor(job["y_val"], device=device)
    size = max(1, min(STACK_GROUP, -(-k // 2)))
    groups = [range(first, min(first + size, k)) for first in range(0, k, size)]

    # initialised here, one after another: initialisation forks torch's global generator
    tails = [split.tail(fresh_model(job["pretrained"], n_classes=job["n_classes"],
                                    unfreeze_last=ft.unfreeze_last, rngs=rngs[j],
                                    device=device)[0]) for j in range(k)]  # fmt: skip

    def train(group: range) -> list[TrainedLogits]:
        torch.set_num_threads(TRAIN_THREADS)  # this thread's OpenMP count (the same value)
        fitted = fit_stacked(
            [tails[j] for j in group], z=z[0], y=yt,
            members=[np.flatnonzero(ref_in[j]) for j in group], z_val=z[1], y_val=yv,
            z_eval=z[2], config=ft, rngs=[rngs[j] for j in group], threads=None,
        )  # fmt: skip
        share = fitted.seconds / len(group)
        return [TrainedLogits(fitted.logits[i], share, fitted.epochs_run[i])
                for i in range(len(group))]  # fmt: skip

    at_once = max(1, min(len(groups), free_cores(), most))
    from concurrent.futures import ThreadPoolExecutor

    from tqdm.auto import tqdm

    done: list[TrainedLogits] = []
    with fixed_threads(TRAIN_THREADS), tqdm(**bar) as shown, ThreadPoolExecutor(at_once) as pool:
        # one at a time here, else on threads; threads start only when the pool is used
        for part in map(train, groups) if at_once == 1 else pool.map(train, groups):
            done += part  # in model order, each stack as it finishes
            shown.update(len(part))
    return done, at_once


def train_references(
    job: dict[str, Any],
    *,
    x: np.ndarray,
    y: np.ndarray,
    ref_in: np.ndarray,
    x_population: np.ndarray,
    rngs: list[Rngs | PrefixedRngs],
    privacy_config: PrivacyConfig,
    progress: bool = False,
    desc: str = "reference models",
) -> ReferenceRun:
    """Train reference model j on the pool rows ``ref_in[j]`` of (x, y) with ``rngs[j]``; each
    predicts the pool and then ``x_population``. ``job``: what every retraining shares
    (``train_and_predict``'s other arguments). The frozen prefix's outputs are computed once
    for all (eval mode, ``TRAIN_THREADS``); the strategy is chosen by :func:`_strategy`.
    ``progress``: a bar named ``desc`` over the models (a terminal only)."""
    pc, pretrained, ft = privacy_config, job["pretrained"], job["finetune_config"]
    device, x_eval = torch.device(job["device"]), np.concatenate([x, x_population])
    split = split_for(pretrained, ft.unfreeze_last)
    if split is not None and not split.fits(pretrained, x_eval, device=device):
        split = None
    z = None
    if split is not None:
        with fixed_threads(TRAIN_THREADS):
            z_pool, z_val, z_pop = (split.outputs(pretrained, a, device=device)
                                    for a in (x, job["x_val"], x_population))  # fmt: skip
        z = (z_pool, z_val, torch.cat([z_pool, z_pop]))
    probe, _ = fresh_model(pretrained, n_classes=job["n_classes"], unfreeze_last=ft.unfreeze_last,
                           rngs=rngs[0], device=device)  # fmt: skip
    tail, row = (probe, torch.as_tensor(x[:1], device=device))
    if split is not None and z is not None:
        tail, row = split.tail(probe), z[0][:1]
    strategy, n_jobs = _strategy(pc, tail, row, k=len(ref_in), rows=int(ref_in[0].sum()),
                                 epochs=ft.epochs)  # fmt: skip
    if strategy == "stacked" and split is not None and z is not None:
        results, at_once = _stacked(job, split, z, y, ref_in, rngs, most=n_jobs,
                                    bar=model_bar(len(ref_in), desc, progress))  # fmt: skip
        return ReferenceRun(results, strategy, at_once, TRAIN_THREADS)
    feats = None if z is None else tuple(t.cpu().numpy() for t in z)
    calls = [
        {**job, "x": x[m], "y": y[m], "x_eval": x_eval, "rngs": rngs[j],
         "features": None if feats is None else (feats[0][m], feats[1], feats[2])}
        for j, m in enumerate(ref_in)
    ]  # fmt: skip
    results = run_jobs(calls, privacy_config=pc, n_jobs=n_jobs, progress=progress, desc=desc)
    return ReferenceRun(results, strategy, n_jobs, pc.threads_per_job)
