"""A binary PyTorch model with one logit per row (trained with a sigmoid, e.g.
``BCEWithLogitsLoss``) seen as the two-logit classifier the audit reads."""

from __future__ import annotations

import torch
from torch import nn


class OneLogit(nn.Module):
    """A binary model with one logit ``z`` per row ((n, 1) or (n,): sigmoid(z) is the
    probability of the positive class, the audit's class 1) as two logits ``[0, z]``:
    softmax gives ``[1 - sigmoid(z), sigmoid(z)]`` exactly, and gradients flow."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.inner(x)
        z = z.reshape(len(z), 1) if isinstance(z, torch.Tensor) and z.ndim <= 2 else z
        return torch.cat([torch.zeros_like(z), z], dim=1)


def with_two_logits(
    module: nn.Module, *, input_shape: tuple[int, ...], n_classes: int
) -> nn.Module:
    """``module`` (given from Python, or trained by ``model.train``) as it is, or in
    :class:`OneLogit` when a binary model returns one logit per row on two rows of zeros."""
    if n_classes != 2 or isinstance(module, OneLogit):
        return module
    training = module.training
    module.eval()
    try:
        with torch.no_grad():
            out = module(torch.zeros((2, *input_shape)))
    except Exception:  # noqa: BLE001 - its error comes back on the rows, named there
        return module
    finally:
        module.train(training)
    one = isinstance(out, torch.Tensor) and tuple(out.shape) in ((2, 1), (2,))
    return OneLogit(module) if one else module
