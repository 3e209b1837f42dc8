"""The two training stages and the whole training part of a run.

Every random draw comes from a named stream of ``rngs`` (:class:`auditor.seeding.Rngs`, or a
child of it for the privacy probes' retrainings): ``model/init/<stage>`` for parameter
initialisation, ``train/<stage>/shuffle`` for minibatch order, ``train/<stage>/dropout`` for
dropout masks, ``train/pretrain/mask`` for the masked-reconstruction masks. Nothing reseeds
torch's or numpy's global generators.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from auditor.data import DatasetBundle, load_bundle
from auditor.errors import AuditorInputError
from auditor.models import backbone_layers, build_model, replace_head
from auditor.runtime import apply_threads, choose_threads, timed
from auditor.seeding import Rngs
from auditor.training.dp import delta_config, fit_dp
from auditor.training.loop import (
    TRAIN_THREADS,
    Fitted,
    IndexBatches,
    TrainRecord,
    adam,
    classifier_val,
    fit,
    train_record,
)
from auditor.training.precision import step_precision
from auditor.training.predict import (
    as_tensor,
    masked_squared_error,
    random_mask,
    resolve_device,
)
from auditor.training.split import split_for

if TYPE_CHECKING:
    from auditor.config import AuditConfig, FinetuneConfig, PretrainConfig
    from auditor.config.privacy import DPConfig
    from auditor.seeding import PrefixedRngs

NEEDS_LABELS = "supervised pretraining needs labels"


def pretrain(
    model: nn.Module,
    *,
    x: np.ndarray,
    y: np.ndarray | None,
    x_val: np.ndarray,
    y_val: np.ndarray | None,
    config: PretrainConfig,
    rngs: Rngs | PrefixedRngs,
    device: torch.device,
    progress: bool = True,
    threads: int = TRAIN_THREADS,
    precision: str = "fp32",
) -> tuple[nn.Module, TrainRecord, nn.Module | None]:
    """Pretrain ``model`` in place. Returns (model, record, decoder).

    objective "supervised": cross-entropy on ``y`` (the seed's recipe).
    objective "masked_reconstruction": ``y`` is never read; a linear decoder reconstructs the
    input from the backbone's features of a randomly masked copy (MSE on masked entries).
    objective "none": no training (random initialisation), record with 0 epochs.
    ``threads``: torch threads while training (fixed, so the weights depend on the seed only).
    ``precision``: ``"fp32"``, ``"bf16"`` or ``"auto"`` (:mod:`auditor.training.precision`).
    """
    model.to(device)
    step = step_precision(precision, device) if config.objective != "none" else "fp32"
    record = dict(
        stage="pretrain", objective=config.objective, n_train=len(x), n_val=len(x_val),
        lr=config.lr, batch_size=config.batch_size, frozen="none", precision=step,
    )  # fmt: skip
    if config.objective == "none":
        fitted = Fitted(best_epoch=0, best_val_loss=float("nan"), history=[], seconds=0.0, steps=0)
        return model.eval(), train_record(fitted, model=model, **record), None
    xt, xv = as_tensor(x, device), as_tensor(x_val, device)
    batches = IndexBatches(len(x), config.batch_size, rngs.torch("train/pretrain/shuffle"), device)
    common = dict(epochs=config.epochs, patience=config.patience, progress=progress,
                  threads=threads, precision=step)  # fmt: skip
    decoder = None
    if config.objective == "supervised":
        if y is None:
            raise AuditorInputError(NEEDS_LABELS, field="pretrain.objective")
        yt, yv = as_tensor(y, device, torch.long), as_tensor(y_val, device, torch.long)
        with rngs.torch_scope("train/pretrain/dropout"):
            fitted = fit(
                model, optimizer=adam(list(model.parameters()), lr=config.lr), batches=batches,
                batch_loss=lambda idx: nn.functional.cross_entropy(model(xt[idx]), yt[idx]),
                val_metrics=classifier_val(model, xv, yv), desc="pretrain", **common,
            )  # fmt: skip
    else:
        decoder, fitted = _pretrain_masked(model, xt, xv, config, rngs, batches, common)
    return model.eval(), train_record(fitted, model=model, **record), decoder


def _pretrain_masked(
    model: nn.Module,
    xt: torch.Tensor,
    xv: torch.Tensor,
    config: PretrainConfig,
    rngs: Rngs | PrefixedRngs,
    batches: IndexBatches,
    common: dict,
) -> tuple[nn.Module, Fitted]:
    """Masked-reconstruction pretraining of ``model``'s backbone with a new linear decoder."""
    device = xt.device
    with rngs.torch_scope("model/init/decoder"):
        decoder = nn.Linear(model.head.in_features, int(np.prod(xt.shape[1:]))).to(device)
    ratio, masks = config.mask_ratio, rngs.torch("train/pretrain/mask")
    val_mask = random_mask(
        xv.shape, ratio=ratio, generator=rngs.torch("train/pretrain/val_mask"), device=device
    )

    def mean_error(inp: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        err, count = masked_squared_error(model, decoder, inp, mask)
        return err.sum() / count.sum().clamp(min=1)

    def batch_loss(idx: torch.Tensor) -> torch.Tensor:
        inp = xt[idx]
        return mean_error(inp, random_mask(inp.shape, ratio=ratio, generator=masks, device=device))

    both = nn.ModuleDict({"model": model, "decoder": decoder})
    params = list(model.backbone.parameters()) + list(decoder.parameters())
    with rngs.torch_scope("train/pretrain/dropout"):
        fitted = fit(
            both, optimizer=adam(params, lr=config.lr), batches=batches, batch_loss=batch_loss,
            val_metrics=lambda: {"loss": mean_error(xv, val_mask).item()},
            desc="pretrain (masked reconstruction)", **common,
        )  # fmt: skip
    return decoder.eval(), fitted


def _unfreeze_last(model: nn.Module, n_layers: int) -> list[nn.Module]:
    """Freeze the backbone except its last ``n_layers`` parameterised layers; return those."""
    for p in model.backbone.parameters():
        p.requires_grad_(False)
    layers = backbone_layers(model)
    unfrozen = layers[len(layers) - n_layers :] if n_layers else []
    for layer in unfrozen:
        for p in layer.parameters():
            p.requires_grad_(True)
    return unfrozen


def fresh_model(
    pretrained: nn.Module,
    *,
    n_classes: int,
    unfreeze_last: int,
    rngs: Rngs | PrefixedRngs,
    device: torch.device,
) -> tuple[nn.Module, list[nn.Module]]:
    """A copy of ``pretrained`` ready to fine-tune: a new head for ``n_classes`` (stream
    ``model/init/head``), the backbone frozen but its last ``unfreeze_last`` parameterised
    layers. Returns (model, the unfrozen layers)."""
    model = replace_head(copy.deepcopy(pretrained).to(device), n_classes, rngs=rngs)
    return model, _unfreeze_last(model, unfreeze_last)


def finetune(
    pretrained: nn.Module,
    *,
    x: np.ndarray,
    y: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    n_classes: int,
    config: FinetuneConfig,
    rngs: Rngs | PrefixedRngs,
    device: torch.device,
    progress: bool = True,
    dp: DPConfig | None = None,
    features: tuple[torch.Tensor, torch.Tensor] | None = None,
    threads: int = TRAIN_THREADS,
    precision: str = "fp32",
) -> tuple[nn.Module, TrainRecord]:
    """Copy ``pretrained``, put a new head for ``n_classes`` on it, freeze the backbone (all of
    it, or all but its last ``config.unfreeze_last`` parameterised layers) and train.

    The frozen part (the whole backbone, or the modules before the first unfrozen one; see
    :mod:`auditor.training.split`) is computed once (eval mode) and only the tail (unfrozen
    layers and head) trains on its outputs: the same recipe, a fraction of the cost. A model
    that cannot split trains whole. ``features``: those prefix outputs of (x, x_val),
    precomputed with the same :func:`~auditor.training.split.split_for` (reference models
    share them); ignored where the model cannot split. ``dp``: DP-SGD through Opacus
    (config.privacy.dp). ``threads``: torch threads while training. ``precision``: as
    :func:`pretrain`'s; DP-SGD trains in float32 (Opacus' per-sample gradients).
    """
    model, unfrozen = fresh_model(
        pretrained, n_classes=n_classes, unfreeze_last=config.unfreeze_last, rngs=rngs,
        device=device,
    )  # fmt: skip
    frozen = f"backbone except its last {len(unfrozen)} layer(s)" if unfrozen else "backbone"
    if unfrozen and len(unfrozen) == len(backbone_layers(model)):
        frozen = "nothing (every layer trains)"  # the plain recipe, or unfreeze_last >= depth
    # the module that trains, and its inputs: the tail on prefix outputs, or the whole model
    split = split_for(model, config.unfreeze_last)
    if split is not None and features is None and not split.fits(model, x, device=device):
        split = None
    if split is None:
        module, tx, tv = model, as_tensor(x, device), as_tensor(x_val, device)
    else:
        module = split.tail(model)
        tx, tv = features or tuple(split.outputs(model, a, device=device) for a in (x, x_val))
    yt, yv = as_tensor(y, device, torch.long), as_tensor(y_val, device, torch.long)
    val = classifier_val(module, tv, yv)
    info, step = None, "fp32" if dp is not None else step_precision(precision, device)
    with rngs.torch_scope("train/finetune/dropout"):
        if dp is not None:
            fitted, info = fit_dp(
                module, x=tx, y=yt, val_metrics=val, epochs=config.epochs,
                batch_size=config.batch_size, lr=config.lr, patience=config.patience, dp=dp,
                rngs=rngs.child("train/finetune"), progress=progress, threads=threads,
            )  # fmt: skip
        else:
            params = [p for p in module.parameters() if p.requires_grad]
            fitted = fit(
                module, optimizer=adam(params, lr=config.lr),
                batches=IndexBatches(
                    len(x), config.batch_size, rngs.torch("train/finetune/shuffle"), device
                ),
                batch_loss=lambda idx: nn.functional.cross_entropy(module(tx[idx]), yt[idx]),
                val_metrics=val, epochs=config.epochs, patience=config.patience,
                desc="fine-tune" if unfrozen else "fine-tune (head)", progress=progress,
                threads=threads, precision=step,
            )  # fmt: skip
    record = train_record(
        fitted, stage="finetune", objective="supervised", n_train=len(x), n_val=len(x_val),
        lr=config.lr, batch_size=config.batch_size, model=model, frozen=frozen, dp=info,
        precision=step,
    )  # fmt: skip
    return model.eval(), record


@dataclass(frozen=True)
class TrainedStages:
    """What :func:`train_stages` leaves: the data, both trained stages and their records
    (what :class:`auditor.context.AuditContext` is built from)."""

    config: AuditConfig
    bundle: DatasetBundle
    device: torch.device
    pretrained: nn.Module
    finetuned: nn.Module
    pretrain_record: TrainRecord
    finetune_record: TrainRecord
    pretrain_decoder: nn.Module | None
    seed: int


def train_stages(
    config: AuditConfig,
    *,
    progress: bool = True,
    timings: dict[str, float] | None = None,
    threads: int | None = None,
) -> TrainedStages:
    """Load the data, pretrain and fine-tune. ``timings`` (if given) gets the seconds of
    "data", "pretrain" and "finetune".

    Sets torch's thread count for the rest of the process (inference, the checks) to
    ``threads``, or where None to the cores free right now (:mod:`auditor.runtime`): torch's
    default of every core ran 2-5x slower with another process on one of two cores. The
    training loops themselves run on ``TRAIN_THREADS`` whatever this is."""
    apply_threads(choose_threads(threads))
    timings = {} if timings is None else timings
    device, rngs = resolve_device(config.device), Rngs(config.seed)
    with timed(timings, "data"):
        bundle = load_bundle(config.data, seed=config.seed)
    config = delta_config(config, bundle)  # a written delta checked, an unwritten one chosen
    supervised = config.pretrain.objective == "supervised" and bundle.pretrain_task is not None
    task = bundle.pretrain_task if supervised else bundle.finetune_task
    with rngs.torch_scope("model/init/pretrain"):
        model = build_model(config.model, modality=bundle.modality,
                            input_shape=bundle.input_shape, n_classes=task.n_classes)  # fmt: skip
    pre, val, ft = bundle["pretrain"], bundle["val"], bundle["finetune_train"]
    with timed(timings, "pretrain"):
        model, pre_record, decoder = pretrain(
            model, x=pre.x, y=pre.y_pretrain, x_val=val.x, y_val=val.y_pretrain,
            config=config.pretrain, rngs=rngs, device=device, progress=progress,
            precision=config.training.precision,
        )  # fmt: skip
    with timed(timings, "finetune"):
        tuned, ft_record = finetune(
            model, x=ft.x, y=ft.y, x_val=val.x, y_val=val.y,
            n_classes=bundle.finetune_task.n_classes, config=config.finetune,
            rngs=rngs, device=device, progress=progress, dp=config.privacy.dp,
            precision=config.training.precision,
        )  # fmt: skip
    return TrainedStages(
        config=config, bundle=bundle, device=device, pretrained=model, finetuned=tuned,
        pretrain_record=pre_record, finetune_record=ft_record, pretrain_decoder=decoder,
        seed=config.seed,
    )  # fmt: skip
