"""K tails trained as one stacked model against the same K fine-tunes one by one."""

import numpy as np
import pytest
import torch
from torch import nn

from auditor.config import FinetuneConfig
from auditor.models import SeedCNN, TabularMLP
from auditor.seeding import Rngs
from auditor.training import finetune, predict_logits
from auditor.training.split import split_for
from auditor.training.stacked import _dropout_keeps, fit_stacked, stackable
from auditor.training.stages import fresh_model

CPU = torch.device("cpu")


def _data(n=401, f=12, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, f)).astype(np.float32)
    y = (x[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(np.int64)
    return x, y


def _both_ways(pretrained, x, y, xv, yv, members, config):
    """(one by one, stacked): logits on x and epochs run, each model j on x[members[j]]."""
    rngs = [Rngs(0).child(f"privacy/reference/{j}") for j in range(len(members))]
    one_by_one, epochs = [], []
    for m, r in zip(members, rngs, strict=True):
        model, record = finetune(pretrained, x=x[m], y=y[m], x_val=xv, y_val=yv, n_classes=2,
                                 config=config, rngs=r, device=CPU, progress=False)  # fmt: skip
        one_by_one.append(predict_logits(model, x, device=CPU))
        epochs.append(record.epochs_run)
    split = split_for(pretrained, config.unfreeze_last)
    tails = [split.tail(fresh_model(pretrained, n_classes=2, unfreeze_last=config.unfreeze_last,
                                    rngs=r, device=CPU)[0]) for r in rngs]  # fmt: skip
    z, zv = (split.outputs(pretrained, a, device=CPU) for a in (x, xv))
    fitted = fit_stacked(tails, z=z, y=torch.as_tensor(y), members=members, z_val=zv,
                         y_val=torch.as_tensor(yv), z_eval=z, config=config, rngs=rngs)  # fmt: skip
    return np.stack(one_by_one), epochs, fitted


def _pretrained_mlp(dropout):
    with Rngs(1).torch_scope("init"):
        return TabularMLP(12, 4, hidden=(16, 8), dropout=dropout).eval()


def test_stacked_equals_one_by_one_without_dropout_on_halves_that_differ_by_one_row():
    x, y = _data()
    xv, yv = _data(100, seed=1)
    # 200 and 201 rows, batches of 50: the second model has a fifth step the first has not
    members = [np.arange(0, 401, 2), np.arange(1, 401, 2), np.arange(0, 200), np.arange(200, 401)]
    for lr, patience in ((3e-3, 3), (3e-2, 2)):  # the second stops models at different epochs
        config = FinetuneConfig(epochs=40, batch_size=50, lr=lr, patience=patience,
                                unfreeze_last=1)  # fmt: skip
        one_by_one, epochs, fitted = _both_ways(_pretrained_mlp(0.0), x, y, xv, yv, members,
                                                config)  # fmt: skip
        np.testing.assert_allclose(fitted.logits, one_by_one, atol=1e-5)
        assert fitted.epochs_run == epochs  # each model's own early stopping
        assert not np.allclose(fitted.logits[0], fitted.logits[1])
    assert len(set(epochs)) > 1  # a stopped model left the stack, the others went on


def test_stacked_heads_on_frozen_features_equal_one_by_one():
    x, y = _data()
    xv, yv = _data(100, seed=1)
    members = [np.arange(0, 300), np.arange(100, 401)]
    config = FinetuneConfig(epochs=6, batch_size=64, lr=1e-2, patience=2, unfreeze_last=0)
    one_by_one, epochs, fitted = _both_ways(_pretrained_mlp(0.3), x, y, xv, yv, members, config)
    np.testing.assert_allclose(fitted.logits, one_by_one, atol=1e-5)
    assert fitted.epochs_run == epochs


def test_stacked_with_dropout_agrees_with_one_by_one():
    # other masks (each model's own numpy stream instead of torch's global one): close, not equal
    x, y = _data(801)
    xv, yv = _data(200, seed=1)
    members = [np.arange(0, 801, 2), np.arange(1, 801, 2)]
    config = FinetuneConfig(epochs=10, batch_size=50, lr=3e-3, patience=10, unfreeze_last=1)
    one_by_one, _, fitted = _both_ways(_pretrained_mlp(0.3), x, y, xv, yv, members, config)
    for a, b in zip(fitted.logits, one_by_one, strict=True):
        margin_a, margin_b = a[:, 1] - a[:, 0], b[:, 1] - b[:, 0]
        assert np.corrcoef(margin_a, margin_b)[0, 1] > 0.9
        assert abs((a.argmax(1) == y).mean() - (b.argmax(1) == y).mean()) < 0.05
    assert not np.allclose(fitted.logits, one_by_one, atol=1e-5)


def test_stacked_cnn_tail_with_flatten_equals_one_by_one():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 1, 8, 8)).astype(np.float32)
    y = (x[:, 0, :4].mean((1, 2)) > 0).astype(np.int64)
    with Rngs(2).torch_scope("init"):
        cnn = SeedCNN((1, 8, 8), 4).eval()
    for m in cnn.modules():
        if isinstance(m, (nn.Dropout, nn.Dropout2d)):
            m.p = 0.0
    config = FinetuneConfig(epochs=3, batch_size=32, lr=3e-3, patience=3, unfreeze_last=1)
    members = [np.arange(0, 80), np.arange(40, 120)]
    one_by_one, _, fitted = _both_ways(cnn, x, y, x[:30], y[:30], members, config)
    np.testing.assert_allclose(fitted.logits, one_by_one, atol=1e-5)


def test_what_can_stack():
    cnn = SeedCNN((1, 8, 8), 2)
    split = split_for(cnn, 1)
    row = split.outputs(cnn, np.zeros((1, 1, 8, 8), np.float32), device=CPU)
    assert stackable(split.tail(cnn), row)  # Dropout2d, Flatten, Linear, ReLU, Dropout, head
    assert stackable(nn.Linear(4, 2), torch.zeros(1, 4))
    assert not stackable(nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4)), torch.zeros(1, 4))
    assert not stackable(nn.Linear(4, 2, bias=False), torch.zeros(1, 4))
    assert not stackable(nn.Sequential(nn.Conv1d(1, 2, 3), nn.Flatten()), torch.zeros(1, 1, 8))


def test_dropout_masks_drop_at_rate_p_and_scale_the_kept_units():
    gens = [np.random.SFC64(1), np.random.SFC64(2)]
    keep = _dropout_keeps(gens, [5000, 4999], 5000, 0.1, (64,)).numpy()
    assert keep.shape == (2, 5000, 64)
    assert set(np.unique(keep)) == {0.0, np.float32(1 / 0.9)}
    assert (keep[1, 4999] == 0).all()  # padding
    assert (keep[:, :4999] == 0).mean() == pytest.approx(0.1, abs=0.003)
    assert not np.array_equal(keep[0], keep[1])  # each model its own stream
    assert _dropout_keeps(gens, [3, 3], 3, 0.0, (4,)) is None
