"""auditor's Integrated Gradients against Captum's (the reference), and no captum import."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from auditor.checks.explain import _integrated_gradients
from auditor.training.predict import rows_per_pass


@pytest.mark.parametrize("share", [0.01, 1.7])  # several steps a pass; rows split over passes
def test_integrated_gradients_equal_captums(digits_context, share):
    from captum.attr import IntegratedGradients

    model = digits_context.finetuned
    sample = digits_context.bundle["test"].x
    rows = max(3, int(share * rows_per_pass(model, sample)))
    x = np.resize(digits_context.bundle["test"].x, (rows, *digits_context.bundle.input_shape))
    x = np.ascontiguousarray(x, dtype=np.float32)
    target = np.arange(rows) % 2
    base = np.full(x.shape[1:], -0.5, dtype=np.float32)
    attr, delta = _integrated_gradients(model, x, target, base, n_steps=20, device="cpu")
    ref, ref_delta = IntegratedGradients(model).attribute(
        torch.as_tensor(x), baselines=torch.as_tensor(np.broadcast_to(base, x.shape).copy()),
        target=torch.as_tensor(target), n_steps=20, method="riemann_trapezoid",
        return_convergence_delta=True,
    )  # fmt: skip
    assert np.allclose(attr, ref.detach().numpy(), rtol=1e-4, atol=1e-6)
    assert np.allclose(delta, ref_delta.detach().numpy(), atol=1e-4)


def test_explanations_do_not_import_captum_or_matplotlib():
    code = (
        "import sys, numpy as np, torch\n"
        "from auditor.checks.explain import _integrated_gradients\n"
        "m = torch.nn.Linear(4, 2)\n"
        "_integrated_gradients(m, np.ones((3, 4), np.float32), np.zeros(3, int),\n"
        "                      np.zeros(4, np.float32), n_steps=5, device='cpu')\n"
        "print(sorted(n for n in ('captum', 'matplotlib') if n in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
