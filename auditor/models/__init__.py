"""Models. Every model is an ``nn.Module`` with two parts:

- ``backbone``: input -> features (n, feature_dim);
- ``head``: an ``nn.Linear`` features -> logits (n, n_classes), replaced for fine-tuning.

``forward(x)`` returns logits (never log-probabilities: the loss applies log-softmax).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from auditor.config.functions import FACTORY_ARGS, call_user, import_function
from auditor.errors import AuditorInputError
from auditor.models.cnn import SeedCNN
from auditor.models.mlp import TabularMLP
from auditor.models.supplied import check_forward

if TYPE_CHECKING:
    from auditor.config import ModelConfig
    from auditor.seeding import PrefixedRngs, Rngs

__all__ = ["SeedCNN", "TabularMLP", "build_model", "replace_head", "count_parameters"]


def build_model(
    model_config: ModelConfig, *, modality: str, input_shape: tuple[int, ...], n_classes: int
) -> nn.Module:
    kind = model_config.kind
    if kind == "auto":
        kind = "cnn" if modality == "image" else "mlp"
    if kind == "cnn":
        if len(input_shape) != 3:
            raise AuditorInputError(
                f"the CNN needs image inputs (C, H, W), got shape {input_shape}", field="model.kind"
            )
        return SeedCNN(input_shape=input_shape, n_classes=n_classes)
    if kind == "mlp":
        return TabularMLP(
            n_features=int(torch.Size(input_shape).numel()),
            n_classes=n_classes,
            hidden=tuple(model_config.hidden),
            dropout=model_config.dropout,
        )
    return _from_factory(model_config.factory, input_shape=input_shape, n_classes=n_classes)


def _from_factory(spec: str, *, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    # the signature is checked before the call: fn(input_shape=(...), n_classes=K)
    fn = import_function(spec, field_name="model.factory", wanted=FACTORY_ARGS)
    model = call_user(fn, spec=spec, field_name="model.factory", input_shape=input_shape,
                      n_classes=n_classes)  # fmt: skip
    if not isinstance(model, nn.Module) or not isinstance(getattr(model, "head", None), nn.Linear):
        raise AuditorInputError(
            f"{spec!r} must return an nn.Module with an nn.Linear attribute 'head'",
            field="model.factory",
        )
    if not isinstance(getattr(model, "backbone", None), nn.Module):
        raise AuditorInputError(
            f"{spec!r} must return an nn.Module with an nn.Module attribute 'backbone'",
            field="model.factory",
        )
    check_forward(model, spec=spec, input_shape=input_shape, n_classes=n_classes)
    return model


def replace_head(model: nn.Module, n_classes: int, *, rngs: Rngs | PrefixedRngs) -> nn.Module:
    """Put a freshly initialised ``nn.Linear`` head for ``n_classes`` on ``model`` (in place),
    its parameters drawn from the stream ``model/init/head`` of ``rngs``."""
    old = model.head
    with rngs.torch_scope("model/init/head"):
        model.head = nn.Linear(old.in_features, n_classes).to(old.weight.device)
    return model


def feature_dim(model: nn.Module) -> int:
    return int(model.head.in_features)


def count_parameters(model: nn.Module, *, trainable_only: bool = False) -> int:
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only))


def backbone_layers(model: nn.Module) -> list[nn.Module]:
    """Backbone modules that hold parameters, input to output (for ``unfreeze_last``)."""
    return [m for m in model.backbone.modules() if any(True for _ in m.parameters(recurse=False))]
