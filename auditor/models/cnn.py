"""The seed's CNN (PyTorch's MNIST example), made input-size aware and with its defects
fixed: it returns logits (no log_softmax before CrossEntropyLoss), and the dropout after
the first linear layer is ``nn.Dropout`` (``Dropout2d`` on a flat tensor drops whole rows)."""

from __future__ import annotations

import torch
from torch import nn


class SeedCNN(nn.Module):
    """conv(32, 3x3) -> conv(64, 3x3) -> maxpool 2 -> dropout -> linear 128 -> dropout -> head.

    input_shape: (C, H, W), e.g. (1, 8, 8) for scikit-learn digits or (1, 28, 28) for MNIST.
    """

    def __init__(self, input_shape: tuple[int, ...] = (1, 28, 28), n_classes: int = 10):
        super().__init__()
        channels, height, width = input_shape
        if min(height, width) < 6:
            raise ValueError(f"images must be at least 6x6, got {height}x{width}")
        conv = nn.Sequential(
            nn.Conv2d(channels, 32, 3, 1),
            nn.ReLU(),
            nn.Conv2d(32, 64, 3, 1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Dropout2d(0.25),  # on (n, 64, h, w): drops whole channels, as meant
            nn.Flatten(),
        )
        with torch.no_grad():
            flat = conv(torch.zeros(1, channels, height, width)).shape[1]
        self.backbone = nn.Sequential(*conv, nn.Linear(flat, 128), nn.ReLU(), nn.Dropout(0.5))
        self.head = nn.Linear(128, n_classes)
        self.input_shape = tuple(input_shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))
