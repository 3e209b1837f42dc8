"""The one epoch loop: :func:`fit` over a batch source and an optimizer, with early stopping.

Plain training draws batches from tensors held in memory (:class:`IndexBatches`: one
permutation per epoch from a named generator, no DataLoader, no per-item transform); DP-SGD
(:mod:`auditor.training.dp`) passes Opacus' private module, optimizer and Poisson loader into
the same :func:`fit`. Early stopping keeps the weights of the best validation epoch.
"""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from auditor.training.precision import step_autocast
from auditor.training.predict import rows_per_pass

Batch = tuple[torch.Tensor, ...]

# Torch threads while training: CPU kernels split their sums by thread, so the last bits of
# the weights depend on the thread count; a fixed count makes them a function of the seed only.
TRAIN_THREADS = 1


@dataclass(frozen=True)
class TrainRecord:
    """What one training stage did. ``history`` has one entry per epoch."""

    stage: str
    objective: str
    n_train: int
    n_val: int
    epochs_run: int
    best_epoch: int
    best_val_loss: float
    seconds: float
    samples_per_second: float
    optimizer: str
    lr: float
    batch_size: int
    trainable_parameters: int
    frozen: str
    history: list[dict[str, float]] = field(default_factory=list)
    # DP-SGD fine-tuning only: the accountant's epsilon, delta, noise multiplier, steps.
    dp: dict[str, Any] | None = None
    # what each step's forward and loss ran in (auditor.training.precision)
    precision: str = "fp32"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Fitted:
    """What :func:`fit` did: the best epoch and its validation loss, one history entry per
    epoch, wall-clock seconds and the number of optimizer steps."""

    best_epoch: int
    best_val_loss: float
    history: list[dict[str, float]]
    seconds: float
    steps: int


class EarlyStopping:
    """Early stopping on the validation loss: remembers the best epoch's weights of
    ``module`` and stops after ``patience`` epochs without improvement."""

    def __init__(self, module: nn.Module, patience: int) -> None:
        self.module, self.patience = module, patience
        self.best_loss, self.best_epoch = float("inf"), 0
        self._best_state: dict[str, torch.Tensor] | None = None
        self._waited = 0

    def stop_after(self, epoch: int, val_loss: float) -> bool:
        """Record an epoch's validation loss; True when training should stop."""
        if val_loss < self.best_loss - 1e-6:
            self.best_loss, self.best_epoch, self._waited = val_loss, epoch, 0
            self._best_state = copy.deepcopy(self.module.state_dict())
            return False
        self._waited += 1
        return self._waited >= self.patience

    def restore_best(self) -> None:
        """Load the best epoch's weights (if any epoch ran) and put the module in eval mode."""
        if self._best_state is not None:
            self.module.load_state_dict(self._best_state)
        self.module.eval()


@dataclass(frozen=True)
class IndexBatches:
    """Minibatches of row indices (LongTensor (b,), on ``device``), one permutation of
    ``range(n)`` per epoch drawn from ``generator`` (a CPU ``torch.Generator``)."""

    n: int
    batch_size: int
    generator: torch.Generator
    device: torch.device

    def __iter__(self) -> Iterator[Batch]:
        order = torch.randperm(self.n, generator=self.generator).to(self.device)
        for i in range(0, self.n, self.batch_size):
            yield (order[i : i + self.batch_size],)


def _undecorated(method: Callable[..., Any]) -> Callable[..., Any]:
    return getattr(method, "__wrapped__", method)


class _Adam(torch.optim.Adam):
    """torch's Adam without the wrappers that import ``torch._dynamo`` (and sympy) at their
    first call: about 2 s of a run that compiles nothing.

    ``torch._disable_dynamo`` (on four bookkeeping methods) and the ``graph_break`` around
    ``step`` only matter under ``torch.compile``, which auditor never uses, so its optimizers
    call the undecorated methods; ``step`` runs, as torch's does, with gradients off. Where
    a torch version has no such wrapper, its method is used as it is."""

    add_param_group = _undecorated(torch.optim.Optimizer.add_param_group)
    zero_grad = _undecorated(torch.optim.Optimizer.zero_grad)
    state_dict = _undecorated(torch.optim.Optimizer.state_dict)
    load_state_dict = _undecorated(torch.optim.Optimizer.load_state_dict)
    step = torch.no_grad()(_undecorated(torch.optim.Adam.step))


def adam(params: list[nn.Parameter], *, lr: float) -> torch.optim.Optimizer:
    """Adam, fused into one kernel where this torch build supports it (fewer ops per step),
    without importing torch._dynamo (see :class:`_Adam`)."""
    try:
        return _Adam(params, lr=lr, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return _Adam(params, lr=lr)


@contextlib.contextmanager
def fixed_threads(n: int) -> Iterator[None]:
    """Run a block with ``n`` torch threads, then restore the previous count."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _progress(total: int, desc: str, enabled: bool) -> tqdm:
    # disable=None: shown on a terminal, silent in CI logs and under pytest.
    return tqdm(
        total=total, desc=desc, unit="epoch", leave=False, disable=None if enabled else True
    )


def _train_epoch(
    optimizer: torch.optim.Optimizer,
    batches: Iterable[Batch],
    batch_loss: Callable[..., torch.Tensor],
    precision: tuple[str, str] = ("fp32", "cpu"),
) -> tuple[float, int, int]:
    """One pass over ``batches``; returns (summed loss, rows seen, optimizer steps).
    ``precision``: (``"fp32"`` or ``"bf16"``, the device type) of each step's forward."""
    total, seen, steps = 0.0, 0, 0
    for batch in batches:
        rows = len(batch[0])
        if rows == 0:  # Poisson sampling can draw an empty batch
            continue
        optimizer.zero_grad(set_to_none=True)
        with step_autocast(*precision):
            loss = batch_loss(*batch)
        loss.backward()
        optimizer.step()
        steps += 1
        total += float(loss.detach()) * rows
        seen += rows
    return total, seen, steps


def fit(
    module: nn.Module,
    *,
    optimizer: torch.optim.Optimizer,
    batches: Iterable[Batch],
    batch_loss: Callable[..., torch.Tensor],
    val_metrics: Callable[[], dict[str, float]],
    epochs: int,
    patience: int,
    desc: str = "train",
    progress: bool = True,
    threads: int = TRAIN_THREADS,
    precision: str = "fp32",
) -> Fitted:
    """Minibatch training with early stopping on ``val_metrics()['loss']``.

    ``batches`` is iterated once per epoch and yields tuples of tensors;
    ``batch_loss(*batch)`` returns the mean loss of that batch. ``module`` is put in train
    mode for each epoch and in eval mode for validation. Returns :class:`Fitted`; the best
    epoch's weights of ``module`` are restored. Runs on ``threads`` torch threads (the
    weights then do not depend on the machine's core count). ``precision``: ``"bf16"`` runs
    each step's ``batch_loss`` under bfloat16 autocast (validation stays float32).
    """
    where = next((p.device.type for p in module.parameters()), "cpu")
    stopper = EarlyStopping(module, patience)
    history: list[dict[str, float]] = []
    steps = 0
    start = time.perf_counter()
    with fixed_threads(threads), _progress(epochs, desc, progress) as bar:
        for epoch in range(1, epochs + 1):
            module.train()
            total, seen, n_steps = _train_epoch(optimizer, batches, batch_loss, (precision, where))
            steps += n_steps
            module.eval()
            with torch.no_grad():
                val = val_metrics()
            train_loss = total / max(seen, 1)
            history.append({"epoch": epoch, "train_loss": train_loss, **val})
            bar.set_postfix(train=f"{train_loss:.3f}", val=f"{val['loss']:.3f}")
            bar.update(1)
            if stopper.stop_after(epoch, val["loss"]):
                break
    stopper.restore_best()
    return Fitted(
        best_epoch=stopper.best_epoch,
        best_val_loss=stopper.best_loss,
        history=history,
        seconds=time.perf_counter() - start,
        steps=steps,
    )


def classifier_val(
    model: Callable[[torch.Tensor], torch.Tensor], x_val: torch.Tensor, y_val: torch.Tensor
) -> Callable[[], dict[str, float]]:
    """Validation metrics of a classifier on fixed tensors: cross-entropy and accuracy (the
    logits computed :func:`rows_per_pass` rows at a time)."""
    step = rows_per_pass(model, x_val) if isinstance(model, nn.Module) else len(x_val)

    def metrics() -> dict[str, float]:
        parts = [model(x_val[i : i + step]) for i in range(0, len(x_val), step)]
        logits = torch.cat(parts) if parts else model(x_val)
        loss = nn.functional.cross_entropy(logits, y_val).item()
        acc = (logits.argmax(1) == y_val).float().mean().item()
        return {"loss": loss, "accuracy": acc}

    return metrics


def train_record(
    fitted: Fitted,
    *,
    stage: str,
    objective: str,
    n_train: int,
    n_val: int,
    lr: float,
    batch_size: int,
    model: nn.Module,
    frozen: str,
    dp: dict[str, Any] | None = None,
    precision: str = "fp32",
) -> TrainRecord:
    """A :class:`TrainRecord` from what :func:`fit` returned."""
    epochs_run, secs = len(fitted.history), fitted.seconds
    return TrainRecord(
        stage=stage, objective=objective, n_train=n_train, n_val=n_val, epochs_run=epochs_run,
        best_epoch=fitted.best_epoch, best_val_loss=float(fitted.best_val_loss),
        seconds=float(secs),
        samples_per_second=float(n_train * epochs_run / secs) if secs > 0 else 0.0,
        optimizer="Adam", lr=lr, batch_size=batch_size,
        trainable_parameters=int(sum(p.numel() for p in model.parameters() if p.requires_grad)),
        frozen=frozen, history=fitted.history, dp=dp, precision=precision,
    )  # fmt: skip
