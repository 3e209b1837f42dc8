"""Training precision (``[training] precision``): each training step in float32, or its
forward pass and loss under bfloat16 autocast.

Under ``"bf16"`` the weights, the optimizer's state and update, validation and every
prediction the audit makes stay float32; only the step's matrix products and convolutions run
in bfloat16 (``torch.autocast``), which a CPU with AVX-512 BF16 or AMX does at about twice
its float32 rate and a CPU without them emulates, several times slower. ``"auto"`` takes
bf16 only where the device does it in hardware. The weights then differ from a float32 run's
in their last bits, so a run records the precision each stage trained in.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import torch

# /proc/cpuinfo's flags of the x86 instructions that compute in bfloat16.
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


@functools.cache
def _cpu_flags() -> frozenset[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:  # not Linux: no flags to read, so no bf16 is assumed
        return frozenset()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return frozenset(line.partition(":")[2].split())


def native_bf16(device: torch.device) -> bool:
    """Whether ``device`` computes in bfloat16 in hardware (not emulated)."""
    if device.type == "cuda":
        if not torch.cuda.is_available():
            return False
        with torch.cuda.device(device):  # the device named, not the current one
            return torch.cuda.is_bf16_supported(including_emulation=False)
    return device.type == "cpu" and bool(BF16_FLAGS & _cpu_flags())


def step_precision(precision: str, device: torch.device) -> str:
    """``"fp32"`` or ``"bf16"``: what a training step on ``device`` runs in, for the config's
    ``"fp32"``, ``"bf16"`` or ``"auto"``."""
    if precision == "auto":
        return "bf16" if native_bf16(device) else "fp32"
    return precision


def step_autocast(precision: str, device_type: str) -> contextlib.AbstractContextManager[object]:
    """The context one training step's forward and loss run in. Entered and left every step:
    autocast keeps its bfloat16 copies of the weights until its outermost region ends, so a
    region around several steps would train on stale copies."""
    if precision != "bf16":
        return contextlib.nullcontext()
    return torch.autocast(device_type, dtype=torch.bfloat16)
