"""Running a trained model: the device, logits, backbone features and the masked-reconstruction
error (the one implementation the pretraining loss, the performance check and the privacy
probes share)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from auditor.errors import AuditorInputError

NO_CUDA = "CUDA was asked for but no CUDA device is present"


def resolve_device(name: str) -> torch.device:
    """ "auto" -> CUDA when present, else CPU; "cuda" without a device is an input error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise AuditorInputError(NO_CUDA, field="--device")
    return torch.device(name)


def as_tensor(
    a: np.ndarray, device: torch.device, dtype: torch.dtype | None = None
) -> torch.Tensor:
    return torch.as_tensor(a, dtype=dtype, device=device)


@torch.no_grad()
def predict_logits(
    model: nn.Module, x: np.ndarray, *, device: torch.device, batch_size: int = 4096
) -> np.ndarray:
    """Logits (n, n_classes) float32, model in eval mode."""
    model.eval()
    out = []
    for i in range(0, len(x), batch_size):
        out.append(model(as_tensor(x[i : i + batch_size], device)).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, model.head.out_features), np.float32)


@torch.no_grad()
def extract_features(
    model: nn.Module, x: np.ndarray, *, device: torch.device, batch_size: int = 4096
) -> torch.Tensor:
    """Backbone features (n, feature_dim) in eval mode (no dropout), on ``device``."""
    model.eval()
    parts = [
        model.backbone(as_tensor(x[i : i + batch_size], device))
        for i in range(0, len(x), batch_size)
    ]
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


def reconstruction_error(
    model: nn.Module,
    decoder: nn.Module,
    x: np.ndarray,
    *,
    mask_ratio: float,
    generator: torch.Generator,
    device: torch.device,
) -> np.ndarray:
    """(n,) float64 per-row masked-reconstruction error (see :func:`masked_reconstruction`)."""
    return masked_reconstruction(
        model, decoder, x, mask_ratio=mask_ratio, generator=generator, device=device
    ).per_row
