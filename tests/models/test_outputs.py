"""A binary module ending in a sigmoid (one output per row, a probability, trained with
``BCELoss``) is read as P(positive), as a module ending in a softmax is read through its
log: its probability went through a second sigmoid (every score >= 0.5, every row predicted
positive)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from auditor.models.outputs import (
    OneLogit,
    OneProbability,
    Reordered,
    module_device,
    with_logits,
    with_two_logits,
)
from auditor.models.supplied import _predictor
from tests.builders import audit_split, two_feature_frame


def linear(weights: list[float], bias: float) -> nn.Linear:
    layer = nn.Linear(len(weights), 1)
    with torch.no_grad():
        layer.weight[:] = torch.tensor([weights])
        layer.bias[:] = torch.tensor([bias])
    return layer


@pytest.fixture(scope="module")
def frame():
    return two_feature_frame(11, cut=0.4)


audit = audit_split


def test_one_sigmoid_output_is_read_as_the_positive_probability():
    inner = nn.Sequential(linear([1.5, -1.0], 0.3), nn.Sigmoid())
    x = torch.randn(40, 2)
    one = with_two_logits(inner, input_shape=(2,), n_classes=2)
    assert type(one) is OneLogit  # two rows of zeros cannot tell
    wrapped = with_logits(one, x, n_classes=2)
    assert isinstance(wrapped, OneProbability)
    torch.testing.assert_close(torch.softmax(wrapped(x), dim=1)[:, 1], inner(x)[:, 0])
    swapped = with_logits(Reordered(one, (1, 0)), x, n_classes=2)
    assert isinstance(swapped, Reordered) and isinstance(swapped.inner, OneProbability)
    logit = with_two_logits(linear([1.5, -1.0], 0.3), input_shape=(2,), n_classes=2)
    assert with_logits(logit, x, n_classes=2) is logit  # logits outside [0, 1]: kept


def test_probabilities_of_0_and_1_give_finite_logits():
    inner = nn.Sequential(linear([200.0, 0.0], 0.0), nn.Sigmoid())
    x = torch.tensor([[-5.0, 0.0], [5.0, 0.0], [0.01, 0.0]])
    wrapped = with_logits(with_two_logits(inner, input_shape=(2,), n_classes=2), x, n_classes=2)
    out = wrapped(x)
    assert torch.isfinite(out).all()
    assert out.argmax(dim=1).tolist() == [0, 1, 1]


def test_a_sigmoid_model_audits_at_its_own_accuracy(frame):
    logit = linear([2.0, 0.5], -0.8)
    model = nn.Sequential(logit, nn.Sigmoid())
    got = audit(model, frame)
    test = frame[600:]
    with torch.no_grad():
        p = model(torch.tensor(test[["x1", "x2"]].to_numpy(), dtype=torch.float32))[:, 0]
    own = float(((p >= 0.5).numpy().astype(int) == test.label.to_numpy()).mean())
    perf = got["performance"]["finetuned"]["test"]
    assert 0.6 < own < 0.95 and perf["accuracy"] == pytest.approx(own)  # it read 1 - base rate
    assert "(one output, a probability: P(positive))" in got["model"]["architecture"]
    want = audit(logit, frame)["performance"]["finetuned"]["test"]  # the logit it came from
    for key in ("accuracy", "roc_auc", "log_loss", "brier", "ece"):
        assert perf[key] == pytest.approx(want[key], abs=1e-5), key


def test_a_reference_trainer_returning_a_sigmoid_model_predicts_its_probabilities():
    model = nn.Sequential(linear([1.0, 2.0], -0.2), nn.Sigmoid())
    x = np.random.default_rng(0).normal(size=(30, 2)).astype(np.float32)
    out = _predictor(model, lambda v: v, torch.device("cpu"), 2)(x)
    with torch.no_grad():
        p = model(torch.from_numpy(x))[:, 0].numpy()
    np.testing.assert_allclose(np.exp(out)[:, 1] / np.exp(out).sum(axis=1), p, rtol=1e-5)


class Counted(nn.Module):
    """``inner`` with its forward passes counted (and the mode each ran in)."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.modes: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.modes.append(self.training)
        return self.inner(x)


@pytest.mark.parametrize(
    ("make", "want"),
    [(lambda: nn.Sequential(linear([1.5, -1.0], 0.3), nn.Sigmoid()), "OneProbability"),
     (lambda: linear([1.5, -1.0], 0.3), "OneLogit"),
     (lambda: nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=1)), "LogOf"),
     (lambda: nn.Linear(2, 2), "Counted")],
)  # fmt: skip
def test_the_probe_reads_the_rows_in_one_eval_forward_and_restores_the_mode(make, want):
    # with_logits ran a one-logit model's 512 rows twice (once to test for a probability)
    counted = Counted(make())
    module = with_two_logits(counted, input_shape=(2,), n_classes=2)
    x = torch.randn(600, 2)
    for swap in (False, True):
        counted.modes.clear()
        wrapped = with_logits(Reordered(module, (1, 0)) if swap else module, x, n_classes=2)
        assert counted.modes == [False] and counted.training  # eval for the probe, then back
        if isinstance(wrapped, Reordered):  # LogOf wraps the reordered module; the rest sit in it
            wrapped = wrapped.inner
        assert type(wrapped).__name__ == want


def test_a_one_logit_module_is_read_on_the_device_of_its_weights():
    # two rows of zeros made on the CPU for a module on a GPU raised (two devices), so a
    # binary model's one logit was kept as one column and refused as the wrong width; the
    # meta device stands in for a GPU here (shapes without numbers)
    one = with_two_logits(linear([1.5, -1.0], 0.3).to("meta"), input_shape=(2,), n_classes=2)
    assert type(one) is OneLogit


def test_the_audited_module_and_a_reference_module_are_read_by_one_chain():
    from auditor.models.outputs import LogOf, read_as_logits

    x = np.random.default_rng(0).normal(size=(60, 2)).astype(np.float32)
    soft = nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=1)).double()  # float64 weights
    read = read_as_logits(soft, x, n_classes=3, device=torch.device("cpu"), columns=(2, 0, 1))
    assert isinstance(read, LogOf) and isinstance(read.inner, Reordered)
    want = soft(torch.as_tensor(x, dtype=torch.float64)).float()[:, [2, 0, 1]]
    torch.testing.assert_close(torch.softmax(read(torch.as_tensor(x)), dim=1), want)
    predict = _predictor(soft, lambda v: v, torch.device("cpu"), 3)
    got = torch.softmax(torch.as_tensor(predict(x)), dim=1)
    torch.testing.assert_close(got, soft(torch.as_tensor(x, dtype=torch.float64)).float())


class _BufferOnly(nn.Module):
    """A fixed rule with no parameters: one logit a row, from a buffer on ``device``."""

    def __init__(self, device: str) -> None:
        super().__init__()
        self.register_buffer("w", torch.ones(3, 1, device=device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.device != self.w.device:  # as a CUDA module fails on rows on the CPU
            raise RuntimeError("Expected all tensors to be on the same device")
        return x @ self.w


def test_a_buffer_only_module_is_probed_on_its_buffers_device():
    """A module holding buffers only (no parameters) on a device was probed with rows on the
    CPU ('parameters only'): its one logit a row failed there, so it was not read as one.
    The 'meta' device stands in for a GPU here."""
    module = _BufferOnly("meta")
    assert module_device(module) == torch.device("meta")
    assert module_device(nn.ReLU()) == torch.device("cpu")  # holds nothing: the CPU
    assert isinstance(with_two_logits(module, input_shape=(3,), n_classes=2), OneLogit)
