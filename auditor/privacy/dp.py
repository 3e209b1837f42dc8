"""DP-SGD fine-tuning through Opacus (``PrivacyEngine.make_private_with_epsilon``).

Called by :func:`auditor.training.finetune` when ``dp`` is given. Early stopping reads only
the validation rows (not the private training rows); the accountant's epsilon counts every
step that ran, including those after the best epoch.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from auditor.training import EarlyStopping


def fit_dp(
    module: nn.Module,
    *,
    x: torch.Tensor,
    y: torch.Tensor,
    val_metrics: Callable[[], dict[str, float]],
    epochs: int,
    batch_size: int,
    lr: float,
    patience: int,
    seed: int,
    dp,
) -> tuple[int, float, list[dict[str, float]], float, dict[str, Any]]:
    """Train ``module`` on (x, y) with DP-SGD (Poisson sampling, per-sample clipping, Gaussian
    noise calibrated to ``dp.target_epsilon`` at ``dp.target_delta`` over ``epochs``).

    Returns (best_epoch, best_val_loss, history, seconds, dp_info); best weights restored.
    dp_info: epsilon (accountant, RDP), delta, noise_multiplier, max_grad_norm, steps.
    """
    from opacus import PrivacyEngine

    module.train()  # Opacus validates a module in training mode
    params = [p for p in module.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    loader = DataLoader(
        TensorDataset(x, y), batch_size=batch_size, generator=torch.Generator().manual_seed(seed)
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Secure RNG")  # secure_mode advisory
        warnings.filterwarnings("ignore", message="Optimal order")  # RDP order at grid edge
        engine = PrivacyEngine(accountant="rdp")
        priv, priv_opt, priv_loader = engine.make_private_with_epsilon(
            module=module,
            optimizer=opt,
            data_loader=loader,
            target_epsilon=dp.target_epsilon,
            target_delta=dp.target_delta,
            epochs=epochs,
            max_grad_norm=dp.max_grad_norm,
            noise_generator=torch.Generator(device=x.device).manual_seed(seed + 1),
        )
    stopper, steps = EarlyStopping(module, patience), 0
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        priv.train()
        total, seen = 0.0, 0
        for xb, yb in priv_loader:
            if len(xb) == 0:
                continue
            priv_opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(priv(xb), yb)
            with warnings.catch_warnings():
                # frozen inputs: the hook fires on outputs, which is what Opacus needs
                warnings.filterwarnings("ignore", message="Full backward hook")
                loss.backward()
            priv_opt.step()
            steps += 1
            total += float(loss.detach()) * len(xb)
            seen += len(xb)
        priv.eval()
        with torch.no_grad():
            val = val_metrics()
        history.append({"epoch": epoch, "train_loss": total / max(seen, 1), **val})
        if stopper.stop_after(epoch, val["loss"]):
            break
    seconds = time.perf_counter() - start
    epsilon = float(engine.get_epsilon(dp.target_delta))
    if hasattr(priv, "_close"):
        priv._close()  # remove the per-sample-gradient hooks from ``module``
    stopper.restore_best()
    info = {
        "epsilon": epsilon,
        "delta": dp.target_delta,
        "target_epsilon": dp.target_epsilon,
        "noise_multiplier": float(priv_opt.noise_multiplier),
        "max_grad_norm": dp.max_grad_norm,
        "steps": steps,
        "accountant": "opacus RDP",
    }
    return stopper.best_epoch, stopper.best_loss, history, seconds, info
