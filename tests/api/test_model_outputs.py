"""A PyTorch module's outputs as users write them: one logit per row (sigmoid) is audited as
the two-logit model it equals (logits [0, z]; it was refused for its width); a model ending
in a softmax as the logits model it equals (its probabilities were softmaxed again)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from auditor.models.outputs import LogOf, OneLogit, with_logits, with_two_logits
from tests.api.test_model_positive import numbers
from tests.builders import audit_split, two_feature_frame


class Squeezed(nn.Module):
    """One logit per row as a vector (n,), as ``BCEWithLogitsLoss`` users often write."""

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        self.linear = linear

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).squeeze(1)


def linear(weights: list[list[float]], bias: list[float]) -> nn.Linear:
    layer = nn.Linear(len(weights[0]), len(weights))
    with torch.no_grad():
        layer.weight[:] = torch.tensor(weights)
        layer.bias[:] = torch.tensor(bias)
    return layer


@pytest.fixture(scope="module")
def frame():
    return two_feature_frame(5)


audit = audit_split


@pytest.mark.parametrize("shape", ["column", "vector"])
def test_one_logit_audits_as_the_two_logit_model_it_equals(frame, shape):
    one = linear([[2.0, 0.5]], [-0.1])
    two = linear([[0.0, 0.0], [2.0, 0.5]], [0.0, -0.1])  # logits [0, z]
    got = audit(one if shape == "column" else Squeezed(one), frame)
    want = audit(two, frame)
    assert "(one logit: sigmoid)" in got["model"]["architecture"]
    for section in ("performance", "fairness", "explanations"):
        a, b = numbers(got[section]), numbers(want[section])
        assert a.keys() == b.keys()
        for key in (k for k in a if "seconds" not in k):
            assert a[key] == pytest.approx(b[key], abs=1e-6), (section, key)


def test_one_logit_probabilities_are_its_sigmoid():
    inner = linear([[1.5, -1.0]], [0.3])
    x = torch.randn(7, 2)
    wrapped = with_two_logits(inner, input_shape=(2,), n_classes=2)
    assert isinstance(wrapped, OneLogit)
    proba = torch.softmax(wrapped(x), dim=1)[:, 1]
    torch.testing.assert_close(proba, torch.sigmoid(inner(x)[:, 0]))
    two = linear([[0.0, 0.0], [1.5, -1.0]], [0.0, 0.3])
    assert with_two_logits(two, input_shape=(2,), n_classes=2) is two
    assert with_two_logits(inner, input_shape=(2,), n_classes=3) is inner  # not binary


def test_a_module_given_in_training_mode_is_given_back_in_it(frame):
    # the audit runs it in eval mode; the caller's module was left there (dropout off)
    torch.manual_seed(2)  # a random one-logit net may score class 0: that one is refused
    net = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.2), nn.Linear(8, 1)).train()
    audit(net, frame)
    assert net.training and all(m.training for m in net.modules())
    assert next(net.parameters()).device.type == "cpu"


def same_audit(got, want):
    for section in ("performance", "fairness", "privacy"):
        a, b = numbers(got[section]), numbers(want[section])
        assert a.keys() == b.keys()
        for key in (k for k in a if "seconds" not in k and "timings" not in k):
            assert a[key] == pytest.approx(b[key], abs=1e-5), (section, key)


@pytest.mark.parametrize("last", [nn.Softmax(dim=1), nn.LogSoftmax(dim=1)])
def test_a_softmax_at_the_end_audits_as_its_logits(frame, last):
    logits = linear([[0.3, -0.2], [2.0, 0.5]], [0.1, -0.1])
    got = audit(nn.Sequential(logits, last), frame)
    want = audit(logits, frame)
    same_audit(got, want)  # ECE, log loss and the LOSS attack read flattened probabilities
    if isinstance(last, nn.Softmax):
        assert "(outputs probabilities: their log)" in got["model"]["architecture"]


def test_logits_that_are_no_probabilities_are_kept():
    x = torch.randn(50, 2)
    net = linear([[0.3, -0.2], [2.0, 0.5]], [0.1, -0.1])
    assert with_logits(net, x, n_classes=2) is net
    wrapped = with_logits(nn.Sequential(net, nn.Softmax(dim=1)), x, n_classes=2)
    assert isinstance(wrapped, LogOf)
    torch.testing.assert_close(torch.softmax(wrapped(x), dim=1), torch.softmax(net(x), dim=1))


@pytest.mark.parametrize("given", ["array", "buffer"])
@pytest.mark.parametrize("one_logit", [False, True])
def test_a_module_with_classes_is_read_in_their_order(frame, one_logit, given):
    """A module naming its outputs (classes_ = [1, 0]: column 0 is the class 1), with
    positive_label = 1, audits as the module with the same outputs in the audit's order
    (sorted, positive last); its outputs were read as that order. Its classes_ may be a
    tensor buffer, saved with its weights (its classes were 'tensor(1)', 'tensor(0)')."""
    if one_logit:  # its one logit is the last of its classes_: class 0
        named = linear([[-2.0, -0.5]], [0.1])
        plain = linear([[0.0, 0.0], [2.0, 0.5]], [0.0, -0.1])  # [0, -z] -> [z, 0] reordered
    else:
        named = linear([[2.0, 0.5], [0.3, -0.2]], [-0.1, 0.1])
        plain = linear([[0.3, -0.2], [2.0, 0.5]], [0.1, -0.1])  # columns swapped: 0, then 1
    if given == "buffer":
        named.register_buffer("classes_", torch.tensor([1, 0]))
    else:
        named.classes_ = np.array([1, 0])
    got = audit(named, frame, positive_label=1)
    same_audit(got, audit(plain, frame))
    assert got["data"]["finetune_task"]["class_names"] == ["0", "1"]


def test_a_double_precision_module_is_fed_its_own_dtype(frame):
    # refused before: 'mat1 and mat2 must have the same dtype, but got Float and Double'
    single = linear([[0.3, -0.2], [2.0, 0.5]], [0.1, -0.1])
    double = linear([[0.3, -0.2], [2.0, 0.5]], [0.1, -0.1]).double()
    same_audit(audit(double, frame), audit(single, frame))
    assert double.weight.dtype == torch.float64  # given back as it came


class Returns(nn.Module):
    """A module whose forward returns its logits inside a tuple or a dict (as many libraries'
    models do), or as they are (``how=None``)."""

    def __init__(self, how: str | None) -> None:
        super().__init__()
        self.linear, self.how = nn.Linear(2, 2), how

    def forward(self, x: torch.Tensor) -> object:
        z = self.linear(x)
        return {"tuple": (z, x), "dict": {"scores": z}, "list": [z], None: z}[self.how]


@pytest.mark.parametrize(("how", "found", "example"), [
    ("tuple", "a tuple of 2", "out[0]"), ("list", "a list of 1", "out[0]"),
    ("dict", "a dict (keys 'scores')", "out['scores']"),
])  # fmt: skip
def test_a_forward_returning_no_tensor_is_one_line_naming_the_users_module(frame, how, found,
                                                                           example):  # fmt: skip
    # its hint was "out[0] or out['logits']" for a dict without 'logits', and the line began
    # "on the rows of data=:", rows that had nothing to do with it
    # it was AttributeError: 'tuple' object has no attribute 'float', a traceback; in float64
    # (InDtype) or with classes_ (Reordered) the wrapper's name was in the message
    import auditor
    from auditor.config import AuditConfig
    from auditor.errors import AuditorInputError
    from auditor.models.supplied import _predictor

    config = AuditConfig(privacy={"enabled": False})
    for module in (Returns(how), Returns(how).double()):
        with pytest.raises(AuditorInputError) as err:
            auditor.audit_model(module, data=frame, target="label", sensitive=["group"],
                                config=config, progress=False)  # fmt: skip
        assert err.value.field == "model" and "\n" not in str(err.value)
        assert err.value.message.startswith(f"'Returns.forward' returned {found}, not a tensor")
        assert err.value.message.endswith(f"returns that tensor (e.g. its {example})")
    x = np.array(frame[["x1", "x2"]], dtype=np.float32)  # writable, as auditor's rows are
    with pytest.raises(AuditorInputError, match="not a tensor") as err:  # a reference model
        _predictor(Returns(how), lambda v: v, torch.device("cpu"), 2)(x)
    assert err.value.field == "model.train"
    assert _predictor(Returns(None), lambda v: v, torch.device("cpu"), 2)(x).shape == (len(x), 2)


def test_the_architecture_names_the_users_module_inside_auditors_readers():
    """A float64 module of one logit is read through InDtype inside OneLogit: the card named
    the reader ('InDtype (one logit: sigmoid)'), not the user's class."""
    import torch

    from auditor.models.outputs import architecture, read_as_logits

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(3, 1)

        def forward(self, x):
            return self.layer(x)

    rows = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)
    read = read_as_logits(Net().double(), rows, n_classes=2, device=torch.device("cpu"))
    assert architecture(read) == "Net (one logit: sigmoid)"
