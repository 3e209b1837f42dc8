"""A PyTorch module through which no gradient reaches the inputs (one returning class votes
as integers, or detaching its output) is explained as an estimator is, by permutation
importance: Integrated Gradients raised 'element 0 of tensors does not require grad' from
the explanations check, a traceback for a model the audit otherwise reads. So is one whose
output needs gradients through its parameters only (numpy inside, a constant)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from auditor.models.outputs import has_gradients
from tests.api.test_model_outputs import linear
from tests.builders import audit_split, two_feature_frame

RIGHT = ([[-1.0, -0.25], [1.0, 0.25]], [0.0, 0.0])


class Votes(nn.Module):
    """Its logits rounded to integers (int64)."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = linear(*RIGHT)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.linear(x) * 4).round().long()


class Detached(Votes):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).detach()


class NumpyInside(Votes):
    """numpy inside: its parameters are in the graph, its inputs are not."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(torch.from_numpy(x.detach().cpu().numpy()))


class Constant(Votes):
    """A constant (its bias) plus 0 times its detached inputs."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear.bias.expand(len(x), 2) + 0 * x.detach().sum(dim=1, keepdim=True)


@pytest.mark.parametrize("model", [Votes, Detached, NumpyInside])
def test_a_module_without_gradients_is_explained_by_permutation(model):
    audit = audit_split(model(), two_feature_frame(5))
    assert audit["performance"]["finetuned"]["test"]["roc_auc"] > 0.85
    explained = audit["explanations"]
    assert explained["status"] == "ok" and "ermutation" in explained["method"]


def test_has_gradients():
    rows = np.zeros((5, 2), np.float32)
    assert has_gradients(linear(*RIGHT), rows)
    assert not has_gradients(Votes(), rows) and not has_gradients(Detached(), rows)
    # out.requires_grad through the parameters, yet no gradient reaches the inputs: IG raised
    # 'The differentiated Tensor at index 0 appears to not have been used in the graph'
    assert not has_gradients(NumpyInside(), rows) and not has_gradients(Constant(), rows)
