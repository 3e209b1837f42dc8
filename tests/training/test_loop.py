"""The epoch loop's optimizer: torch's Adam update, bit for bit, without importing dynamo."""

from __future__ import annotations

import subprocess
import sys

import torch
from torch import nn

from auditor.training.loop import adam


def _trained(make_optimizer) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))
    x, y = torch.randn(32, 5, generator=gen), torch.randint(0, 3, (32,), generator=gen)
    opt = make_optimizer(list(model.parameters()))
    for _ in range(5):
        opt.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    opt.load_state_dict(opt.state_dict())
    return [p.detach().clone() for p in model.parameters()]


def test_adam_is_torchs_update_bit_for_bit():
    ours = _trained(lambda ps: adam(ps, lr=1e-2))
    torchs = _trained(lambda ps: torch.optim.Adam(ps, lr=1e-2, fused=True))
    assert all(torch.equal(a, b) for a, b in zip(ours, torchs, strict=True))
    assert torch.is_grad_enabled()  # step turned gradients off only while it ran


def test_adam_steps_without_importing_dynamo_or_sympy():
    code = (
        "import sys, torch\n"
        "from auditor.training.loop import adam\n"
        "m = torch.nn.Linear(3, 2)\n"
        "opt = adam(list(m.parameters()), lr=1e-3)\n"
        "opt.zero_grad(); m(torch.randn(4, 3)).sum().backward(); opt.step()\n"
        "opt.load_state_dict(opt.state_dict())\n"
        "print(sorted(n for n in ('torch._dynamo', 'sympy') if n in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
