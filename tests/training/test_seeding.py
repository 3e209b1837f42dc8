"""Same seed, same model: training draws only from named streams, never from (or into) the
global generators, and does not depend on torch's thread count."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from auditor.config import DPConfig, FinetuneConfig, PretrainConfig
from auditor.models import SeedCNN
from auditor.seeding import Rngs
from auditor.training import finetune, predict_logits, pretrain

CPU = torch.device("cpu")


def _pretrain(bundle, seed: int, objective: str = "supervised"):
    pre, val = bundle["pretrain"], bundle["val"]
    rngs = Rngs(seed)
    with rngs.torch_scope("model/init/pretrain"):
        model = SeedCNN((1, 8, 8), 10)
    supervised = objective == "supervised"
    return pretrain(
        model, x=pre.x[:300], y=pre.y_pretrain[:300] if supervised else None, x_val=val.x,
        y_val=val.y_pretrain if supervised else None,
        config=PretrainConfig(objective=objective, epochs=2, patience=2),
        rngs=rngs, device=CPU, progress=False,
    )  # fmt: skip


def _params(model: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.state_dict().values()]


def _same(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(_params(a), _params(b), strict=True))


@pytest.mark.parametrize("objective", ["supervised", "masked_reconstruction"])
def test_same_seed_same_weights_whatever_the_global_generators(digits_context, objective):
    bundle = digits_context.bundle
    torch.manual_seed(1), np.random.seed(1), random.seed(1)
    first, _, _ = _pretrain(bundle, 3, objective)
    torch.manual_seed(2), np.random.seed(2), random.seed(2)  # the globals must not matter
    second, _, _ = _pretrain(bundle, 3, objective)
    assert _same(first, second)
    other, _, _ = _pretrain(bundle, 4, objective)
    assert not _same(first, other)


def test_training_leaves_the_global_generators_untouched(digits_context):
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    _pretrain(digits_context.bundle, 0)
    assert torch.equal(torch.rand(3), expected)


def _finetune(ctx, rngs, *, unfreeze_last: int = 1, dp: DPConfig | None = None):
    b = ctx.bundle
    return finetune(
        ctx.pretrained, x=b["finetune_train"].x, y=b["finetune_train"].y, x_val=b["val"].x,
        y_val=b["val"].y, n_classes=2,
        config=FinetuneConfig(epochs=3, patience=3, unfreeze_last=unfreeze_last),
        rngs=rngs, device=CPU, progress=False, dp=dp,
    )  # fmt: skip


def test_finetune_same_with_one_and_two_threads(digits_context):
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one, _ = _finetune(digits_context, Rngs(7))
        torch.set_num_threads(2)
        two, _ = _finetune(digits_context, Rngs(7))
    finally:
        torch.set_num_threads(before)
    assert _same(one, two)
    x = digits_context.bundle["test"].x
    assert np.array_equal(predict_logits(one, x, device=CPU), predict_logits(two, x, device=CPU))


def test_named_children_give_independent_models(digits_context):
    a, _ = _finetune(digits_context, Rngs(0).child("privacy/reference/0"), unfreeze_last=0)
    b, _ = _finetune(digits_context, Rngs(0).child("privacy/reference/1"), unfreeze_last=0)
    again, _ = _finetune(digits_context, Rngs(0).child("privacy/reference/0"), unfreeze_last=0)
    assert _same(a, again) and not _same(a, b)


@pytest.mark.slow
def test_dp_sgd_same_seed_same_model(digits_context):
    dp = DPConfig(target_epsilon=2.0)
    a, rec_a = _finetune(digits_context, Rngs(0), unfreeze_last=0, dp=dp)
    b, rec_b = _finetune(digits_context, Rngs(0), unfreeze_last=0, dp=dp)
    assert _same(a, b) and rec_a.dp == rec_b.dp
    assert rec_a.dp["steps"] > 0 and 0 < rec_a.dp["epsilon"] <= 2.0 + 1e-6
