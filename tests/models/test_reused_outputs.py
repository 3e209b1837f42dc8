"""A module that returns a view of an output buffer it reuses (preallocated outputs, as a
CUDA graph's static outputs are) was read batch by batch as numpy views of that buffer: each
batch overwrote the ones before, and an evaluation set past one batch (4,096 rows) was
audited on the last batch's outputs, with no error (accuracy 0.742 for 0.820 on 9,000 Adult
rows). Each batch's outputs are now copied as they are read."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from auditor.models.supplied import SuppliedModel, module_logits


class Buffered(nn.Module):
    """Linear logits written into one buffer, a view of it returned."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = nn.Linear(3, 2)
        self.register_buffer("out", torch.zeros(0, 2), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if len(x) > len(self.out):
            self.out = torch.zeros(len(x), 2)
        self.out[: len(x)] = self.linear(x)
        return self.out[: len(x)]


def test_outputs_in_a_reused_buffer_are_read_batch_by_batch_as_they_were():
    x = np.random.default_rng(0).normal(size=(9000, 3)).astype(np.float32)
    model = Buffered().eval()
    with torch.no_grad():
        want = model.linear(torch.from_numpy(x)).numpy()
    got = module_logits(model, x, device=torch.device("cpu"))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    supplied = SuppliedModel(kind="torch", module=model, n_classes=2, architecture="Buffered",
                             differentiable=True, n_parameters=8)  # fmt: skip
    np.testing.assert_allclose(supplied.logits(x), want, rtol=1e-6, atol=1e-6)
