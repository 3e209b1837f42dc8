"""``model.train``'s y are class indices into the audited model's classes, in the order of
its outputs (its ``classes_``, else the classes sorted), and the reference models it returns
are read in that order. Since f1fc611 a module without ``classes_`` has its columns in the
classes' sorted order, but y came in the audit's order (the positive class last): with
``positive_label=0`` the trainer got y == 1 on class 0, so one that fine-tunes a copy of the
audited module, or maps y back through the sorted classes, trained on swapped labels."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

from auditor.models.supplied import user_trainer
from tests.api.test_model_outputs import linear
from tests.builders import audit_split, two_feature_frame
from tests.models.user_code import importable

SOURCE = """
import numpy as np
import torch
from torch import nn

SEEN = []


def fit(x, y, *, seed):
    SEEN.append((np.asarray(x)[:, 0].copy(), np.asarray(y).copy()))
    net = nn.Linear(2, 2)
    with torch.no_grad():  # class 1 of its outputs when x1 is high
        net.weight.copy_(torch.tensor([[-1.0, -0.25], [1.0, 0.25]]))
        net.bias.zero_()
    return net
"""
RIGHT = ([[-1.0, -0.25], [1.0, 0.25]], [0.0, 0.0])  # output 1: label 1 (x1 + noise > 0)


@pytest.fixture
def trainer(tmp_path, monkeypatch):
    yield from importable(tmp_path, monkeypatch, "m3_train_order", SOURCE)


@pytest.mark.parametrize("named", [False, True])
def test_y_follows_the_audited_modules_outputs_whatever_the_positive_class(trainer, named):
    model = linear(*RIGHT)  # its outputs: label 0, label 1 (sorted, or named so)
    if named:
        model.classes_ = [0, 1]
    audit_split(model, two_feature_frame(5), positive_label=0, train=f"{trainer}:fit")
    seen = importlib.import_module(trainer).SEEN
    assert seen
    for x1, y in seen:  # label 1 where x1 is high: y == 1 there, as its output 1
        assert x1[y == 1].mean() > x1[y == 0].mean()


def test_a_reference_model_is_read_in_the_order_its_y_was_given(trainer):
    x = np.random.default_rng(0).normal(size=(40, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)  # the audit's order
    train = user_trainer(f"{trainer}:fit", lambda v: v, torch.device("cpu"), n_classes=2,
                         columns=(1, 0))  # fmt: skip
    out = train(x, y, 0)(x)
    assert np.array_equal(importlib.import_module(trainer).SEEN[-1][1], 1 - y)
    with torch.no_grad():
        own = linear(*RIGHT)(torch.from_numpy(x)).numpy()
    assert np.allclose(out, own[:, [1, 0]], atol=1e-6)  # the audit's class i: its column
