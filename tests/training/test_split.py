"""The frozen prefix: where models split, and fine-tuning on prefix outputs equals training
the whole model with the prefix frozen."""

import numpy as np
import pytest
import torch
from torch import nn

from auditor.config import FinetuneConfig
from auditor.models import SeedCNN, TabularMLP
from auditor.seeding import Rngs
from auditor.training import finetune, predict_logits
from auditor.training.split import Split, multiply_adds, split_for

CPU = torch.device("cpu")


def test_split_points_of_the_built_in_models():
    # MLP: Linear ReLU Dropout | Linear ReLU Dropout: the dropout feeding the trained layer trains
    assert split_for(TabularMLP(61, 2), 1) == Split(2)
    assert split_for(TabularMLP(61, 2, hidden=(8, 8, 8)), 1) == Split(5)
    # CNN: conv ReLU conv ReLU maxpool | Dropout2d Flatten Linear ReLU Dropout
    assert split_for(SeedCNN((1, 28, 28), 10), 1) == Split(5)
    assert split_for(SeedCNN((1, 28, 28), 10), 2) == Split(2)
    assert split_for(SeedCNN((1, 8, 8), 10), 0) == Split(None)  # the whole backbone frozen
    assert split_for(SeedCNN((1, 8, 8), 10), 3) is None  # everything trains
    assert split_for(TabularMLP(61, 2), 2) is None


class _Normed(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 8))
        self.head = nn.Linear(8, 2)


class _NotSequential(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.ModuleDict({"a": nn.Linear(4, 8), "b": nn.Linear(8, 8)})
        self.head = nn.Linear(8, 2)


def test_models_that_cannot_split_train_whole():
    assert split_for(_Normed(), 1) is None  # batch norm in the frozen part changes in train mode
    assert split_for(_NotSequential(), 1) is None


def test_multiply_adds_count_linear_and_convolution_layers():
    mlp = TabularMLP(61, 2)
    assert multiply_adds(mlp, torch.zeros(1, 61)) == 61 * 128 + 128 * 64 + 64 * 2
    cnn = SeedCNN((1, 8, 8), 10)
    conv = 6 * 6 * 32 * 9 + 4 * 4 * 64 * 32 * 9
    assert multiply_adds(cnn, torch.zeros(1, 1, 8, 8)) == conv + 256 * 128 + 128 * 10


def _whole_model_finetune(pretrained, x, y, xv, yv, config, rngs):
    """The recipe before the split: the whole model in train mode, prefix frozen."""
    import copy

    from auditor.models import replace_head
    from auditor.training.loop import IndexBatches, adam, classifier_val, fit
    from auditor.training.stages import _unfreeze_last

    model = replace_head(copy.deepcopy(pretrained), 2, rngs=rngs)
    _unfreeze_last(model, config.unfreeze_last)
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    shuffle = rngs.torch("train/finetune/shuffle")
    with rngs.torch_scope("train/finetune/dropout"):
        fit(model, optimizer=adam([p for p in model.parameters() if p.requires_grad], lr=config.lr),
            batches=IndexBatches(len(x), config.batch_size, shuffle, CPU),
            batch_loss=lambda idx: nn.functional.cross_entropy(model(xt[idx]), yt[idx]),
            val_metrics=classifier_val(model, torch.as_tensor(xv), torch.as_tensor(yv)),
            epochs=config.epochs, patience=config.patience, progress=False)  # fmt: skip
    return model.eval()


@pytest.mark.parametrize("dropout", [0.0, 0.2])
def test_training_the_tail_on_prefix_outputs_equals_training_the_whole_model(dropout):
    # the dropout before the trained layer draws the same masks in the same order either way
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 10)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    with Rngs(3).torch_scope("init"):
        pretrained = TabularMLP(10, 4, hidden=(16, 8), dropout=dropout).eval()
    config = FinetuneConfig(epochs=5, batch_size=32, lr=3e-3, patience=5, unfreeze_last=1)
    split_model, _ = finetune(pretrained, x=x[:200], y=y[:200], x_val=x[200:], y_val=y[200:],
                              n_classes=2, config=config, rngs=Rngs(1), device=CPU,
                              progress=False)  # fmt: skip
    whole = _whole_model_finetune(pretrained, x[:200], y[:200], x[200:], y[200:], config, Rngs(1))
    np.testing.assert_allclose(predict_logits(split_model, x, device=CPU),
                               predict_logits(whole, x, device=CPU), atol=1e-5)  # fmt: skip
    assert torch.equal(split_model.backbone[0].weight, pretrained.backbone[0].weight)


def test_dp_finetune_trains_the_tail_through_opacus(digits_context):
    from auditor.config.privacy import DPConfig

    b = digits_context.bundle
    ft, val = b["finetune_train"], b["val"]
    model, record = finetune(
        digits_context.pretrained, x=ft.x, y=ft.y, x_val=val.x, y_val=val.y, n_classes=2,
        config=FinetuneConfig(epochs=2, patience=2, unfreeze_last=1), rngs=Rngs(0), device=CPU,
        progress=False, dp=DPConfig(target_epsilon=8.0),
    )  # fmt: skip
    assert record.dp is not None and record.dp["epsilon"] > 0
    pre = digits_context.pretrained.backbone
    assert torch.equal(model.backbone[0].weight, pre[0].weight)  # frozen prefix unchanged
    assert not torch.equal(model.backbone[7].weight, pre[7].weight)  # the unfrozen Linear trained
