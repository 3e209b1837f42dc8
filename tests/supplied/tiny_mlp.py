"""A tiny PyTorch MLP trained outside auditor: its factory (``build``) and its training
function (``fit``, for the reference models). The tests copy this file beside their config,
whose folder auditor makes importable."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

# Input scaling inside the module: it receives the table's numeric columns as they are.
MEAN = [38.6, 10.1, 1079.0, 87.5, 40.4]
STD = [13.7, 2.6, 7452.0, 403.0, 12.4]


class TinyMLP(nn.Module):
    def __init__(self, n_features: int, n_classes: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(MEAN[:n_features]))
        self.register_buffer("std", torch.tensor(STD[:n_features]))
        self.net = nn.Sequential(nn.Linear(n_features, 16), nn.ReLU(), nn.Linear(16, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((torch.nan_to_num(x) - self.mean) / self.std)


def build(input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    return TinyMLP(input_shape[0], n_classes)


def fit(x: np.ndarray, y: np.ndarray, *, seed: int, epochs: int = 20) -> nn.Module:
    """Adam on cross-entropy; every draw from generators seeded by ``seed``."""
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = TinyMLP(x.shape[1], 2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    xt, yt = torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y, dtype=torch.long)
    for _ in range(epochs):
        for idx in torch.randperm(len(xt), generator=gen).split(128):
            opt.zero_grad()
            nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
            opt.step()
    return model.eval()


def build_positional_only(shape, /):  # noqa: ANN001, ANN201 - a factory with the wrong signature
    return TinyMLP(shape[0], 2)
