"""A PyTorch module with no parameters (a fixed rule, or weights kept as buffers) is audited
like any other: sizing a forward pass read the device from its first parameter, and
``StopIteration`` escaped from the explanations check."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import accuracy_score

import auditor
from tests.builders import two_feature_frame


class FixedRule(torch.nn.Module):
    """Two logits from a fixed linear rule kept as a buffer (no trainable parameter)."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("w", torch.tensor([[-2.0, 2.0], [1.0, -1.0]]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.w


class Stateless(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([-x[:, :1], x[:, :1]], dim=1)


def test_a_module_without_parameters_is_audited():
    rows = two_feature_frame(0, n=400)
    for module in (FixedRule(), Stateless()):
        result = auditor.audit_model(module, data=rows, target="label", sensitive=["group"],
                                     features=["x1", "x2"], progress=False)  # fmt: skip
        with torch.no_grad():
            logits = module(torch.tensor(rows[["x1", "x2"]].to_numpy(np.float32))).numpy()
        expected = accuracy_score(rows.label, logits.argmax(1))
        assert result.data["performance"]["finetuned"]["test"]["accuracy"] == expected
        assert result.data["explanations"]["status"] == "ok"
