"""DP-SGD fine-tuning through Opacus (``PrivacyEngine.make_private_with_epsilon``).

Opacus builds the private module, optimizer and Poisson-sampled loader; they go into the same
:func:`auditor.training.loop.fit` as plain training. Early stopping reads only the validation
rows (not the private training rows); the accountant's epsilon counts every step that ran,
including those after the best epoch.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from auditor.errors import AuditorInputError
from auditor.training.loop import TRAIN_THREADS, Fitted, fit

if TYPE_CHECKING:
    from auditor.config import AuditConfig
    from auditor.config.privacy import DPConfig
    from auditor.data import DatasetBundle
    from auditor.seeding import PrefixedRngs, Rngs

ACCOUNTANT = "opacus RDP"
# opacus's noise search gives up (noise multiplier past 1e6) with "The privacy budget is too
# low." (1.4 and later): told by these words, lower case, so a reworded period or case holds.
OPACUS_TOO_LOW = "too low"
DP_BUDGET_TOO_LOW = (
    "target_epsilon {epsilon:g} (target_delta {delta:g}, over {epochs}) is below what opacus "
    "reaches: its noise search stops at a noise multiplier of 1e6; raise target_epsilon (or "
    "target_delta){fewer}"
)
FEWER_EPOCHS = ", or fine-tune fewer epochs (finetune.epochs)"  # past 1 epoch only


def delta_config(config: AuditConfig, bundle: DatasetBundle) -> AuditConfig:
    """``config`` with the delta DP-SGD uses on ``bundle``'s rows, counted once they are read
    (preflight counts most sources' rows first, by the same rule: n the most rows a DP-SGD
    training of the run takes, :func:`auditor.config.privacy.dp_rows`): a delta the config
    writes is refused (privacy.dp.target_delta) where it is not below 1/n, before the
    pretraining, not on a card whose epsilon claims nothing; one it does not write is
    auditor's default for n (:func:`auditor.config.privacy.resolved_dp`), what audit.json and
    the card then state."""
    from auditor.config.privacy import check_delta, dp_rows, resolved_dp

    dp = config.privacy.dp
    if dp is None:
        return config
    drawn = {split: bundle.drawn.get(split, len(bundle[split].x))
             for split in ("finetune_train", "holdout")}  # fmt: skip
    n, what = dp_rows(config.privacy, config.data.source, drawn["finetune_train"],
                      drawn["holdout"], len(bundle["test"].x))  # fmt: skip
    check_delta(dp, n, what)
    privacy = config.privacy.model_copy(update={"dp": resolved_dp(dp, n)})
    return config.model_copy(update={"privacy": privacy})


def privacy_engine() -> type:
    """opacus's ``PrivacyEngine``, imported without the stderr handler that opacus's import
    adds to the root logger (``logging.basicConfig``): through it each line of the
    ``auditor`` logger (the run's stage lines, for run.log) reached the terminal."""
    root = logging.getLogger()
    before = list(root.handlers)
    from opacus import PrivacyEngine

    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
    return PrivacyEngine


def _make_private(
    module: nn.Module,
    *,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    lr: float,
    epochs: int,
    dp: DPConfig,
    rngs: Rngs | PrefixedRngs,
) -> tuple[Any, nn.Module, torch.optim.Optimizer, DataLoader]:
    """(engine, private module, private optimizer, Poisson loader) for ``module`` on (x, y).
    Sampling and noise draw from the streams ``dp/sampling`` and ``dp/noise`` of ``rngs``."""
    PrivacyEngine = privacy_engine()  # noqa: N806 - the class, as opacus names it

    module.train()  # Opacus validates a module in training mode
    params = [p for p in module.parameters() if p.requires_grad]
    loader = DataLoader(
        TensorDataset(x, y), batch_size=batch_size, generator=rngs.torch("dp/sampling")
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Secure RNG")  # secure_mode advisory
        warnings.filterwarnings("ignore", message="Optimal order")  # RDP order at grid edge
        engine = PrivacyEngine(accountant="rdp")
        try:
            priv, priv_opt, priv_loader = engine.make_private_with_epsilon(
                module=module,
                optimizer=torch.optim.Adam(params, lr=lr),
                data_loader=loader,
                target_epsilon=dp.target_epsilon,
                target_delta=dp.target_delta,
                epochs=epochs,
                max_grad_norm=dp.max_grad_norm,
                noise_generator=rngs.torch("dp/noise", device=str(x.device)),
            )
        except ValueError as exc:
            if OPACUS_TOO_LOW not in str(exc).lower():
                raise
            message = DP_BUDGET_TOO_LOW.format(
                epsilon=dp.target_epsilon, delta=dp.target_delta,
                epochs="1 epoch" if epochs == 1 else f"{epochs} epochs",
                fewer=FEWER_EPOCHS if epochs > 1 else "",
            )  # fmt: skip
            raise AuditorInputError(message, field="privacy.dp.target_epsilon") from None
    return engine, priv, priv_opt, priv_loader


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
    dp: DPConfig,
    rngs: Rngs | PrefixedRngs,
    progress: bool = False,
    threads: int = TRAIN_THREADS,
) -> tuple[Fitted, dict[str, Any]]:
    """Train ``module`` on (x, y) with DP-SGD (Poisson sampling, per-sample clipping, Gaussian
    noise calibrated to ``dp.target_epsilon`` at ``dp.target_delta`` over ``epochs``).

    Returns (fitted, dp_info); best weights restored. dp_info: epsilon (accountant, RDP),
    delta, target_epsilon, noise_multiplier, max_grad_norm, steps, accountant.
    """
    engine, priv, priv_opt, priv_loader = _make_private(
        module, x=x, y=y, batch_size=batch_size, lr=lr, epochs=epochs, dp=dp, rngs=rngs
    )
    with warnings.catch_warnings():
        # frozen inputs: the hook fires on outputs, which is what Opacus needs
        warnings.filterwarnings("ignore", message="Full backward hook")
        fitted = fit(
            module, optimizer=priv_opt, batches=priv_loader,
            batch_loss=lambda xb, yb: nn.functional.cross_entropy(priv(xb), yb),
            val_metrics=val_metrics, epochs=epochs, patience=patience,
            desc="fine-tune (DP-SGD)", progress=progress, threads=threads,
        )  # fmt: skip
    with warnings.catch_warnings():  # a loose target: RDP's optimal order at the grid's edge
        warnings.filterwarnings("ignore", message="Optimal order")
        epsilon = float(engine.get_epsilon(dp.target_delta))
    if hasattr(priv, "_close"):
        priv._close()  # remove the per-sample-gradient hooks from ``module``
    module.eval()
    info = {
        "epsilon": epsilon,
        "delta": dp.target_delta,
        "target_epsilon": dp.target_epsilon,
        "noise_multiplier": float(priv_opt.noise_multiplier),
        "max_grad_norm": dp.max_grad_norm,
        "steps": fitted.steps,
        "accountant": ACCOUNTANT,
    }
    return fitted, info
