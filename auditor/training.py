"""Pretraining, fine-tuning, prediction and safe checkpoints.

Batches are drawn from tensors held in memory (one permutation per epoch, no DataLoader and
no per-item transform); early stopping keeps the weights of the best validation epoch.
"""

from __future__ import annotations

import copy
import pickle
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from auditor.errors import AuditorInputError
from auditor.models import backbone_layers, replace_head


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def seed_everything(seed: int) -> None:
    """Fix Python, numpy and torch seeds (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise AuditorInputError(
            "CUDA was asked for but no CUDA device is present", field="--device"
        )
    return torch.device(name)


def _progress(total: int, desc: str, enabled: bool):
    # disable=None: shown on a terminal, silent in CI logs and under pytest.
    return tqdm(
        total=total, desc=desc, unit="epoch", leave=False, disable=None if enabled else True
    )


def fit(
    module: nn.Module,
    params: list[nn.Parameter],
    *,
    n_train: int,
    batch_loss: Callable[[torch.Tensor], torch.Tensor],
    val_metrics: Callable[[], dict[str, float]],
    epochs: int,
    batch_size: int,
    lr: float,
    patience: int,
    seed: int,
    device: torch.device,
    desc: str,
    progress: bool = True,
    optimizer_factory: Callable[[list[nn.Parameter]], torch.optim.Optimizer] | None = None,
) -> tuple[int, float, list[dict[str, float]], float]:
    """Minibatch training with early stopping on ``val_metrics()['loss']``.

    batch_loss(idx) gets a LongTensor of row indices and returns the mean loss of that batch.
    Returns (best_epoch, best_val_loss, history, seconds); the best weights are restored.
    """
    opt = optimizer_factory(params) if optimizer_factory else _adam(params, lr=lr, device=device)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    stopper = EarlyStopping(module, patience)
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    with _progress(epochs, desc, progress) as bar:
        for epoch in range(1, epochs + 1):
            module.train()
            order = torch.randperm(n_train, generator=gen).to(device)
            total, seen = 0.0, 0
            for i in range(0, n_train, batch_size):
                idx = order[i : i + batch_size]
                opt.zero_grad(set_to_none=True)
                loss = batch_loss(idx)
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(idx)
                seen += len(idx)
            module.eval()
            with torch.no_grad():
                val = val_metrics()
            history.append({"epoch": epoch, "train_loss": total / max(seen, 1), **val})
            bar.set_postfix(train=f"{total / max(seen, 1):.3f}", val=f"{val['loss']:.3f}")
            bar.update(1)
            if stopper.stop_after(epoch, val["loss"]):
                break
    stopper.restore_best()
    return stopper.best_epoch, stopper.best_loss, history, time.perf_counter() - start


class EarlyStopping:
    """Early stopping on the validation loss: remembers the best epoch's weights of
    ``module`` and stops after ``patience`` epochs without improvement."""

    def __init__(self, module: nn.Module, patience: int):
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


def _adam(params: list[nn.Parameter], *, lr: float, device: torch.device) -> torch.optim.Optimizer:
    """Adam, fused into one kernel where this torch build supports it (fewer ops per step)."""
    try:
        return torch.optim.Adam(params, lr=lr, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(params, lr=lr)


def _as_tensor(a: np.ndarray, device: torch.device, dtype=None) -> torch.Tensor:
    return torch.as_tensor(a, dtype=dtype, device=device)


@torch.no_grad()
def predict_logits(
    model: nn.Module, x: np.ndarray, *, device: torch.device, batch_size: int = 4096
) -> np.ndarray:
    """Logits (n, n_classes) float32, model in eval mode."""
    model.eval()
    out = []
    for i in range(0, len(x), batch_size):
        out.append(model(_as_tensor(x[i : i + batch_size], device)).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, model.head.out_features), np.float32)


@torch.no_grad()
def extract_features(
    model: nn.Module, x: np.ndarray, *, device: torch.device, batch_size: int = 4096
) -> torch.Tensor:
    """Backbone features (n, feature_dim) in eval mode (no dropout), on ``device``."""
    model.eval()
    parts = [
        model.backbone(_as_tensor(x[i : i + batch_size], device))
        for i in range(0, len(x), batch_size)
    ]
    return torch.cat(parts) if parts else torch.zeros((0, model.head.in_features), device=device)


def _classifier_val(model_fn, xv: torch.Tensor, yv: torch.Tensor) -> Callable[[], dict[str, float]]:
    def metrics() -> dict[str, float]:
        logits = model_fn(xv)
        loss = nn.functional.cross_entropy(logits, yv).item()
        acc = (logits.argmax(1) == yv).float().mean().item()
        return {"loss": loss, "accuracy": acc}

    return metrics


def pretrain(
    model: nn.Module,
    *,
    x: np.ndarray,
    y: np.ndarray | None,
    x_val: np.ndarray,
    y_val: np.ndarray | None,
    config,
    seed: int,
    device: torch.device,
    progress: bool = True,
) -> tuple[nn.Module, TrainRecord, nn.Module | None]:
    """Pretrain ``model`` in place. Returns (model, record, decoder).

    objective "supervised": cross-entropy on ``y`` (the seed's recipe).
    objective "masked_reconstruction": ``y`` is never read; a linear decoder reconstructs the
    input from the backbone's features of a randomly masked copy (MSE on masked entries).
    objective "none": no training (random initialisation), record with 0 epochs.
    """
    seed_everything(seed)
    model.to(device)
    xt, xv = _as_tensor(x, device), _as_tensor(x_val, device)
    common = dict(
        epochs=config.epochs, batch_size=config.batch_size, lr=config.lr,
        patience=config.patience, seed=seed, device=device, progress=progress,
    )  # fmt: skip
    decoder = None
    if config.objective == "none":
        return (
            model.eval(),
            _record(
                "pretrain",
                "none",
                (0, float("nan"), [], 0.0),
                n_train=len(x),
                n_val=len(x_val),
                config=config,
                model=model,
                frozen="none",
            ),
            None,
        )
    if config.objective == "supervised":
        if y is None:
            raise AuditorInputError(
                "supervised pretraining needs labels", field="pretrain.objective"
            )
        yt, yv = _as_tensor(y, device, torch.long), _as_tensor(y_val, device, torch.long)
        fitted = fit(
            model, list(model.parameters()), n_train=len(x),
            batch_loss=lambda idx: nn.functional.cross_entropy(model(xt[idx]), yt[idx]),
            val_metrics=_classifier_val(model, xv, yv), desc="pretrain", **common,
        )  # fmt: skip
    else:
        n_inputs = int(np.prod(x.shape[1:]))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed + 1)
            decoder = nn.Linear(model.head.in_features, n_inputs).to(device)
        ratio = config.mask_ratio
        gen = torch.Generator(device="cpu").manual_seed(seed + 2)
        val_mask = (torch.rand(xv.shape, generator=gen) < ratio).to(device)

        def recon_loss(inp: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            recon = decoder(model.backbone(inp * (~mask))).view_as(inp)
            err = (recon - inp) ** 2
            return (err * mask).sum() / mask.sum().clamp(min=1)

        def batch_loss(idx: torch.Tensor) -> torch.Tensor:
            inp = xt[idx]
            mask = torch.rand(inp.shape, generator=gen).to(device) < ratio
            return recon_loss(inp, mask)

        both = nn.ModuleDict({"model": model, "decoder": decoder})
        fitted = fit(
            both, list(model.backbone.parameters()) + list(decoder.parameters()), n_train=len(x),
            batch_loss=batch_loss, val_metrics=lambda: {"loss": recon_loss(xv, val_mask).item()},
            desc="pretrain (masked reconstruction)", **common,
        )  # fmt: skip
        decoder.eval()
    record = _record("pretrain", config.objective, fitted,
                     n_train=len(x), n_val=len(x_val), config=config, model=model,
                     frozen="none")  # fmt: skip
    return model.eval(), record, decoder


def _record(
    stage: str,
    objective: str,
    fitted: tuple[int, float, list[dict[str, float]], float],
    *,
    n_train: int,
    n_val: int,
    config,
    model: nn.Module,
    frozen: str,
) -> TrainRecord:
    """A :class:`TrainRecord` from what :func:`fit` returned (best epoch, loss, history, s)."""
    best_epoch, best_loss, hist, secs = fitted
    epochs_run = len(hist)
    return TrainRecord(
        stage=stage, objective=objective, n_train=n_train, n_val=n_val, epochs_run=epochs_run,
        best_epoch=best_epoch, best_val_loss=float(best_loss), seconds=float(secs),
        samples_per_second=float(n_train * epochs_run / secs) if secs > 0 else 0.0,
        optimizer="Adam", lr=config.lr, batch_size=config.batch_size,
        trainable_parameters=int(sum(p.numel() for p in model.parameters() if p.requires_grad)),
        frozen=frozen, history=hist,
    )  # fmt: skip


def finetune(
    pretrained: nn.Module,
    *,
    x: np.ndarray,
    y: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    n_classes: int,
    config,
    seed: int,
    device: torch.device,
    progress: bool = True,
    dp=None,
    features: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> tuple[nn.Module, TrainRecord]:
    """Copy ``pretrained``, put a new head for ``n_classes`` on it, freeze the backbone (all of
    it, or all but its last ``config.unfreeze_last`` parameterised layers) and train.

    With the whole backbone frozen, its features are computed once (eval mode) and only the
    head trains on them: the same optimum, a fraction of the cost. ``features``: those
    backbone features of (x, x_val), precomputed (reference models share them); used only
    when the whole backbone is frozen. ``dp``: DP-SGD through Opacus (config.privacy.dp).
    """
    seed_everything(seed)
    model = replace_head(copy.deepcopy(pretrained).to(device), n_classes, seed=seed)
    for p in model.backbone.parameters():
        p.requires_grad_(False)
    layers = backbone_layers(model)
    unfrozen = layers[len(layers) - config.unfreeze_last :] if config.unfreeze_last else []
    for layer in unfrozen:
        for p in layer.parameters():
            p.requires_grad_(True)
    yt, yv = _as_tensor(y, device, torch.long), _as_tensor(y_val, device, torch.long)
    common = dict(
        epochs=config.epochs, batch_size=config.batch_size, lr=config.lr,
        patience=config.patience, seed=seed, device=device, progress=progress,
    )  # fmt: skip
    if dp is not None:  # DP-SGD through Opacus (``dp``: config.privacy.dp)
        from dataclasses import replace as _replace

        from auditor.privacy.dp import fit_dp

        module = model if unfrozen else model.head
        feats = (
            (lambda a: _as_tensor(a, device))
            if unfrozen
            else (lambda a: extract_features(model, a, device=device))
        )
        tx, tv = features if features is not None and not unfrozen else (feats(x), feats(x_val))
        *fitted, dp_info = fit_dp(
            module, x=tx, y=yt, val_metrics=_classifier_val(module, tv, yv),
            epochs=config.epochs, batch_size=config.batch_size, lr=config.lr,
            patience=config.patience, seed=seed, dp=dp,
        )  # fmt: skip
        frozen = f"backbone except its last {len(unfrozen)} layer(s)" if unfrozen else "backbone"
        record = _record("finetune", "supervised", tuple(fitted),
                         n_train=len(x), n_val=len(x_val), config=config, model=model,
                         frozen=frozen)  # fmt: skip
        return model.eval(), _replace(record, dp=dp_info)
    if not unfrozen:
        ft, fv = (
            features
            if features is not None
            else (
                extract_features(model, x, device=device),
                extract_features(model, x_val, device=device),
            )
        )
        head = model.head
        fitted = fit(
            head, list(head.parameters()), n_train=len(x),
            batch_loss=lambda idx: nn.functional.cross_entropy(head(ft[idx]), yt[idx]),
            val_metrics=_classifier_val(head, fv, yv), desc="fine-tune (head)", **common,
        )  # fmt: skip
        frozen = "backbone"
    else:
        xt, xv = _as_tensor(x, device), _as_tensor(x_val, device)
        params = [p for p in model.parameters() if p.requires_grad]
        fitted = fit(
            model, params, n_train=len(x),
            batch_loss=lambda idx: nn.functional.cross_entropy(model(xt[idx]), yt[idx]),
            val_metrics=_classifier_val(model, xv, yv), desc="fine-tune", **common,
        )  # fmt: skip
        frozen = f"backbone except its last {len(unfrozen)} layer(s)"
    record = _record("finetune", "supervised", fitted,
                     n_train=len(x), n_val=len(x_val), config=config, model=model,
                     frozen=frozen)  # fmt: skip
    return model.eval(), record


# --- checkpoints -------------------------------------------------------------------------


def save_checkpoint(path: Path, model: nn.Module, *, meta: dict[str, Any]) -> None:
    """State dict plus plain metadata (str/int/float/list/dict), written atomically."""
    import io as _io

    from auditor.io import atomic_write_bytes

    buf = _io.BytesIO()
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save({"state_dict": state, "meta": meta}, buf)
    atomic_write_bytes(Path(path), buf.getvalue())


def load_checkpoint(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Load with ``weights_only=True``: tensors and plain containers only. A checkpoint that
    holds any other pickled object is refused (:class:`AuditorInputError`), never executed."""
    path = Path(path)
    if not path.is_file():
        raise AuditorInputError("no such checkpoint", source=str(path))
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AuditorInputError(
            f"refused: the checkpoint holds pickled objects other than tensors ({first})",
            source=str(path),
        ) from None
    except Exception as exc:  # noqa: BLE001 - corrupt or foreign file
        raise AuditorInputError(
            f"not a readable checkpoint ({type(exc).__name__})", source=str(path)
        ) from None
    if not isinstance(blob, dict) or "state_dict" not in blob:
        raise AuditorInputError("not an auditor checkpoint (no 'state_dict')", source=str(path))
    return blob["state_dict"], blob.get("meta", {})
