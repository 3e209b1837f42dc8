"""Running a trained model: the device, logits, backbone features and the masked-reconstruction
error (the one implementation the pretraining loss, the performance check and the privacy
probes share)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from auditor.errors import AuditorInputError
from auditor.models.outputs import module_device

NO_CUDA = (
    "CUDA was asked for (--device, or device in the config) but no CUDA device is present: "
    "ask for cpu, or auto (CUDA where present)"
)


def resolve_device(name: str) -> torch.device:
    """ "auto" -> CUDA when present, else CPU; "cuda" without a device is an input error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        # no key named: --device, device or [run] device (the config keeps no trace of which)
        raise AuditorInputError(NO_CUDA)
    return torch.device(name)


def as_tensor(
    a: np.ndarray, device: torch.device, dtype: torch.dtype | None = None
) -> torch.Tensor:
    return torch.as_tensor(a, dtype=dtype, device=device)


# Rows of one inference pass: as many as keep the pass's activations (every leaf module's
# output) within a cache-sized budget. The 28x28 CNN's are about 0.6 MB a row, so 56 rows;
# 4,096 rows in one pass held 2 GB and ran at a third to a half of the speed (16-112 rows
# measured alike). Small inputs (8x8 digits: 760 rows, tables) get up to 4,096.
ACTIVATION_BUDGET_BYTES = 32 * 2**20
MIN_ROWS_PER_PASS, MAX_ROWS_PER_PASS = 16, 4096


@torch.no_grad()
def rows_per_pass(module: nn.Module, x: np.ndarray | torch.Tensor) -> int:
    """How many rows of ``x`` (n, ...) one forward pass of ``module`` takes: the activations
    of every leaf module for one row, counted on a one-row pass, within
    ``ACTIVATION_BUDGET_BYTES`` (between ``MIN_ROWS_PER_PASS`` and ``MAX_ROWS_PER_PASS``)."""
    if len(x) == 0:
        return MAX_ROWS_PER_PASS
    floats = 0

    def count(_module: nn.Module, _inputs: tuple, out: object) -> None:
        nonlocal floats
        floats += out.numel() if isinstance(out, torch.Tensor) else 0

    if any(isinstance(m, torch.jit.ScriptModule) for m in module.modules()):
        return MIN_ROWS_PER_PASS  # TorchScript takes no hooks: its activations go uncounted
    leaves = [m for m in module.modules() if next(m.children(), None) is None]
    hooks = [m.register_forward_hook(count) for m in leaves]
    training = module.training
    try:
        rows = torch.as_tensor(x[:1], device=module_device(module))
        module.eval()(rows)  # eval: dropout draws nothing
    except Exception:  # a module that takes no single row ("batch size must be at least 4"),
        return MIN_ROWS_PER_PASS  # or any other error: the real passes raise it again
    finally:
        module.train(training)
        for h in hooks:
            h.remove()
    rows = ACTIVATION_BUDGET_BYTES // max(4 * floats, 1)
    return int(min(MAX_ROWS_PER_PASS, max(MIN_ROWS_PER_PASS, rows)))


@torch.no_grad()
def predict_logits(
    model: nn.Module, x: np.ndarray, *, device: torch.device, batch_size: int | None = None
) -> np.ndarray:
    """Logits (n, n_classes) float32, model in eval mode; ``batch_size`` rows a pass (None:
    :func:`rows_per_pass`)."""
    model.eval()
    step = batch_size or rows_per_pass(model, x)
    out = []
    for i in range(0, len(x), step):
        out.append(model(as_tensor(x[i : i + step], device)).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, model.head.out_features), np.float32)


@torch.no_grad()
def extract_features(
    model: nn.Module, x: np.ndarray, *, device: torch.device, batch_size: int | None = None
) -> torch.Tensor:
    """Backbone features (n, feature_dim) in eval mode (no dropout), on ``device``;
    ``batch_size`` rows a pass (None: :func:`rows_per_pass`)."""
    model.eval()
    step = batch_size or rows_per_pass(model.backbone, x)
    parts = [model.backbone(as_tensor(x[i : i + step], device)) for i in range(0, len(x), step)]
    return torch.cat(parts) if parts else torch.zeros((0, model.head.in_features), device=device)


def random_mask(
    shape: torch.Size, *, ratio: float, generator: torch.Generator, device: torch.device
) -> torch.Tensor:
    """Boolean mask of ``shape``, each entry True with probability ``ratio`` (drawn on CPU
    from ``generator``, so the mask does not depend on the device)."""
    return (torch.rand(shape, generator=generator) < ratio).to(device)


def masked_squared_error(
    model: nn.Module, decoder: nn.Module, x: torch.Tensor, mask: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Reconstruct ``x`` from the backbone's features of the masked copy ``x * ~mask``.

    x, mask: (n, ...). Returns per row (n,): the summed squared error over the masked
    entries, and the number of masked entries. Differentiable (used as the training loss).
    """
    recon = decoder(model.backbone(x * (~mask))).view_as(x)
    err = ((recon - x) ** 2) * mask
    return err.flatten(1).sum(1), mask.flatten(1).sum(1)


@dataclass(frozen=True)
class MaskedReconstruction:
    """Per row (n,): summed squared error over the masked entries and their count."""

    squared_error: np.ndarray
    masked: np.ndarray

    @property
    def per_row(self) -> np.ndarray:
        """(n,) float64 mean squared error over each row's masked entries."""
        return self.squared_error / np.maximum(self.masked, 1)

    @property
    def pooled(self) -> float:
        """Mean squared error over every masked entry of every row."""
        return float(self.squared_error.sum() / max(float(self.masked.sum()), 1.0))


@torch.no_grad()
def masked_reconstruction(
    model: nn.Module,
    decoder: nn.Module,
    x: np.ndarray,
    *,
    mask_ratio: float,
    generator: torch.Generator,
    device: torch.device,
) -> MaskedReconstruction:
    """The masked-reconstruction error of (model's backbone, decoder) on ``x`` (n, ...), in
    eval mode, with a mask drawn from ``generator`` (name its stream after the split, e.g.
    ``rngs.torch("eval/reconstruction_mask/test")``, so every reader measures the same)."""
    model.eval(), decoder.eval()
    xt = as_tensor(x, device)
    mask = random_mask(xt.shape, ratio=mask_ratio, generator=generator, device=device)
    err, count = masked_squared_error(model, decoder, xt, mask)
    return MaskedReconstruction(
        squared_error=err.cpu().numpy().astype(np.float64),
        masked=count.cpu().numpy().astype(np.float64),
    )
