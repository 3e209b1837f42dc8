"""Where a fine-tuned model splits into a frozen part, computed once, and a part that trains.

With the whole backbone frozen the head trains on the backbone's features. With its last N
parameterised layers unfrozen (``finetune.unfreeze_last``), the backbone modules before them
are a fixed function too: their outputs (the *prefix outputs*) are computed once, in eval mode,
and only the *tail* (the unfrozen layers and the head) trains on them. The target, every
reference model and the canary model split the same way, so they share one recipe, and the
reference models share the prefix outputs of the pool.

The recipe is the one the whole model trained with, with one decision written down: the
frozen part runs in eval mode, as the whole frozen backbone always did (a frozen layer is a
fixed function; dropout *between* two frozen layers is off). Dropout feeding the first
trained layer (directly or through Flatten and the like) stays in the tail and keeps acting
on that layer's input, as before, so the built-in models (the tabular MLP, the seed's CNN)
train as they did. A model that cannot split (see :func:`split_for`) trains whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from auditor.models import backbone_layers
from auditor.training.predict import as_tensor, extract_features, rows_per_pass

DROPOUTS = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout,
            nn.FeatureAlphaDropout)  # fmt: skip
# The most memory the prefix outputs of one set of rows may take; above it the whole model
# trains, as it did before the split existed.
PREFIX_CACHE_BYTES = 2 * 2**30


class Tail(nn.Module):
    """The part of a model that trains on prefix outputs: ``layers`` (the backbone's modules
    from the split on; shared with the model, not copied) and the model's ``head``."""

    def __init__(self, layers: list[nn.Module], head: nn.Module) -> None:
        super().__init__()
        self.layers = nn.Sequential(*layers)
        self.head = head

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.head(self.layers(z))


@dataclass(frozen=True)
class Split:
    """``at``: how many of the backbone's modules form the frozen prefix; None: the whole
    backbone (nothing in it trains; the tail is the head)."""

    at: int | None

    def prefix(self, model: nn.Module) -> nn.Module:
        return model.backbone if self.at is None else model.backbone[: self.at]

    def tail(self, model: nn.Module) -> nn.Module:
        """The module from prefix outputs to logits (shares its parameters with ``model``)."""
        return model.head if self.at is None else Tail(list(model.backbone)[self.at :], model.head)

    @torch.no_grad()
    def outputs(self, model: nn.Module, x: np.ndarray, *, device: torch.device) -> torch.Tensor:
        """Prefix outputs of ``x`` (n, ...) in eval mode, :func:`rows_per_pass` rows a pass."""
        if self.at is None:
            return extract_features(model, x, device=device)
        prefix = self.prefix(model).eval()
        step = rows_per_pass(prefix, x)
        parts = [prefix(as_tensor(x[i : i + step], device)) for i in range(0, len(x), step)]
        return torch.cat(parts) if parts else prefix(as_tensor(x[:0], device))

    @torch.no_grad()
    def floats_per_row(self, model: nn.Module, x: np.ndarray, *, device: torch.device) -> int:
        """Floats of one row's prefix output."""
        return int(self.outputs(model, x[:1], device=device)[0].numel())

    def fits(self, model: nn.Module, x: np.ndarray, *, device: torch.device) -> bool:
        """The prefix outputs of ``x`` fit in ``PREFIX_CACHE_BYTES`` (the whole backbone's
        features always do: they are what the head trains on)."""
        if self.at is None or len(x) == 0:
            return True
        return 4 * len(x) * self.floats_per_row(model, x, device=device) <= PREFIX_CACHE_BYTES


def split_for(model: nn.Module, unfreeze_last: int) -> Split | None:
    """Where ``model`` splits when its last ``unfreeze_last`` backbone layers train (the rule of
    ``finetune``'s freezing, read from the structure alone). ``Split(None)`` when nothing in
    the backbone trains; None where it cannot split: a backbone that is not an
    ``nn.Sequential``, nothing frozen before the first trained module, or a frozen module with
    buffers (batch norm's statistics change in train mode)."""
    layers = backbone_layers(model)
    unfrozen = layers[len(layers) - unfreeze_last :] if unfreeze_last else []
    if not unfrozen:
        return Split(None)
    backbone = model.backbone
    if not isinstance(backbone, nn.Sequential):
        return None
    trained = {id(m) for m in unfrozen}
    children = list(backbone)
    at = first = next(
        i for i, c in enumerate(children) if any(id(m) in trained for m in c.modules())
    )
    # dropout feeding the first trained module (through parameter-free modules such as
    # Flatten) stays in training with it: the tail starts at the earliest such dropout
    free = first
    while free > 0 and not any(True for _ in children[free - 1].parameters()):
        free -= 1
        if isinstance(children[free], DROPOUTS):
            at = free
    if at == 0 or any(True for c in children[:at] for _ in c.buffers()):
        return None
    return Split(at)


@torch.no_grad()
def multiply_adds(module: nn.Module, row: torch.Tensor) -> int:
    """Multiply-adds of one forward pass of ``module`` on one row (1, ...): its Linear and
    convolution layers (what the cost of training it grows with)."""
    total = 0

    def count(m: nn.Module, _inputs: tuple, out: object) -> None:
        nonlocal total
        if not isinstance(out, torch.Tensor):
            return
        if isinstance(m, nn.Linear):
            total += out.numel() * m.in_features
        elif isinstance(m, nn.modules.conv._ConvNd):
            total += out.numel() * (m.in_channels // m.groups) * math.prod(m.kernel_size)

    hooks = [m.register_forward_hook(count) for m in module.modules()]
    training = module.training
    try:
        module.eval()(row)
    finally:
        module.train(training)
        for h in hooks:
            h.remove()
    return int(total)
