"""``[training] precision``: bf16 autocast around each training step only, recorded per stage."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from auditor.config import AuditConfig, FinetuneConfig, PretrainConfig
from auditor.config.privacy import DPConfig
from auditor.seeding import Rngs
from auditor.training import finetune, precision, pretrain
from auditor.training.loop import IndexBatches, adam, classifier_val, fit

CPU = torch.device("cpu")


def _problem(n: int = 512, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, generator=gen)
    return x, (x[:, 0] + 0.5 * x[:, 1] > 0).long()


def _fit(prec: str) -> tuple[nn.Module, list[dict[str, float]]]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
    x, y = _problem()
    xv, yv = _problem(256, seed=1)
    fitted = fit(
        model, optimizer=adam(list(model.parameters()), lr=1e-2),
        batches=IndexBatches(len(x), 32, torch.Generator().manual_seed(0), CPU),
        batch_loss=lambda idx: nn.functional.cross_entropy(model(x[idx]), y[idx]),
        val_metrics=classifier_val(model, xv, yv), epochs=4, patience=5, progress=False,
        precision=prec,
    )  # fmt: skip
    return model, fitted.history


def test_bf16_steps_learn_as_fp32_steps_do():
    """Each step under its own autocast region: one region around the whole loop trains on
    the first step's stale bfloat16 copies of the weights (the validation loss never moved)."""
    fp32, h32 = _fit("fp32")
    bf16, h16 = _fit("bf16")
    assert h16[-1]["accuracy"] >= 0.95 and h32[-1]["accuracy"] >= 0.95
    assert len({round(h["loss"], 6) for h in h16}) == len(h16)  # the weights moved every epoch
    w32, w16 = (torch.cat([p.flatten() for p in m.parameters()]) for m in (fp32, bf16))
    assert all(p.dtype == torch.float32 for p in bf16.parameters())
    assert not torch.equal(w32, w16)  # the steps did run in bfloat16
    assert torch.allclose(w32, w16, atol=0.1)


def test_auto_takes_bf16_only_where_the_cpu_has_it(monkeypatch):
    monkeypatch.setattr(precision, "_cpu_flags", lambda: frozenset({"avx2", "avx512f"}))
    assert precision.step_precision("auto", CPU) == "fp32"
    assert precision.step_precision("bf16", CPU) == "bf16"  # asked for: emulated, but asked
    monkeypatch.setattr(precision, "_cpu_flags", lambda: frozenset({"avx512f", "avx512_bf16"}))
    assert precision.step_precision("auto", CPU) == "bf16"
    assert precision.step_precision("fp32", CPU) == "fp32"
    assert precision.step_precision("auto", torch.device("meta")) == "fp32"


def test_cpu_flags_are_the_flags_line():
    flags = precision._cpu_flags()
    assert isinstance(flags, frozenset)
    assert not any(":" in f for f in flags)


def test_stages_record_what_they_trained_in():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(200, 6)).astype(np.float32), rng.integers(0, 2, 200)
    from auditor.config import ModelConfig
    from auditor.models import build_model

    model = build_model(ModelConfig(), modality="tabular", input_shape=(6,), n_classes=2)
    cfg = PretrainConfig(epochs=2, patience=3, batch_size=32)
    model, rec, _ = pretrain(
        model, x=x, y=y, x_val=x[:50], y_val=y[:50], config=cfg, rngs=Rngs(0), device=CPU,
        progress=False, precision="bf16",
    )  # fmt: skip
    assert rec.precision == "bf16"
    ft = FinetuneConfig(epochs=2, patience=3, batch_size=32)
    common = dict(x=x, y=y, x_val=x[:50], y_val=y[:50], n_classes=2, config=ft, rngs=Rngs(0),
                  device=CPU, progress=False, precision="bf16")  # fmt: skip
    assert finetune(model, **common)[1].precision == "bf16"
    dp = DPConfig(target_epsilon=8.0)
    assert finetune(model, dp=dp, **common)[1].precision == "fp32"  # Opacus: float32


def test_the_config_takes_three_precisions_and_refuses_others():
    """(An older audit.json's stages, written before precision, read as fp32:
    tests/record/test_later_fields.py.)"""
    for name in ("fp32", "bf16", "auto"):
        config = AuditConfig.model_validate({"training": {"precision": name}})
        assert config.training.precision == name
    assert AuditConfig().training.precision == "fp32"
    with pytest.raises(ValueError, match="precision"):
        AuditConfig.model_validate({"training": {"precision": "fp16"}})
