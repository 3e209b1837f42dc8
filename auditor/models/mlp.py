"""A tabular MLP: backbone of Linear-ReLU-Dropout blocks, linear head."""

from __future__ import annotations

import torch
from torch import nn


class TabularMLP(nn.Module):
    def __init__(
        self,
        n_features: int,
        n_classes: int,
        hidden: tuple[int, ...] = (128, 64),
        dropout: float = 0.1,
    ):
        super().__init__()
        layers: list[nn.Module] = []
        width = n_features
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU(), nn.Dropout(dropout)]
            width = h
        self.backbone = nn.Sequential(*layers)
        self.head = nn.Linear(width, n_classes)
        self.input_shape = (n_features,)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))
