"""A PyTorch module whose forward returns its logits by name (a dict with "logits", as a
Hugging Face model with return_dict does, or an object with a .logits tensor, its
ModelOutput) is audited as the module returning that tensor; it was refused as "a dict (keys
'logits'), not a tensor"."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from torch import nn

from auditor.models.supplied import _predictor
from tests.api.test_model_outputs import linear
from tests.builders import audit_split, two_feature_frame

RIGHT = ([[-1.0, -0.25], [1.0, 0.25]], [0.0, 0.1])
ONE = ([[1.0, 0.25]], [0.1])


@dataclass
class Output:
    """A ModelOutput-like object: its logits, and what else a model returns."""

    logits: torch.Tensor
    hidden_states: torch.Tensor | None = None


class ModelOutput(OrderedDict):
    """Hugging Face's ModelOutput is an OrderedDict whose keys are also attributes."""


class Named(nn.Module):
    def __init__(self, weights, how: str) -> None:
        super().__init__()
        self.linear, self.how = linear(*weights), how

    def forward(self, x: torch.Tensor) -> object:
        z = self.linear(x)
        if self.how == "dict":
            return {"loss": None, "logits": z, "hidden_states": x}
        if self.how == "mapping":
            return ModelOutput(logits=z)
        return Output(logits=z, hidden_states=x)


def numbers(audit: dict) -> dict:
    test = audit["performance"]["finetuned"]["test"]
    return {k: test[k] for k in ("accuracy", "roc_auc", "log_loss", "brier")}


@pytest.mark.parametrize("how", ["dict", "mapping", "object"])
@pytest.mark.parametrize("weights", [RIGHT, ONE], ids=["two", "one"])
def test_logits_by_name_audit_as_the_tensor(how, weights):
    frame = two_feature_frame(5)
    want = audit_split(linear(*weights), frame)
    for module in (Named(weights, how), Named(weights, how).double()):
        got = audit_split(module, frame)
        assert numbers(got) == pytest.approx(numbers(want))
        assert got["model"]["architecture"] == want["model"]["architecture"].replace(
            "Linear", "Named")  # fmt: skip
        assert got["explanations"]["status"] == "ok"


def test_a_reference_model_may_return_its_logits_by_name():
    x = np.random.default_rng(0).normal(size=(20, 2)).astype(np.float32)
    out = _predictor(Named(RIGHT, "dict"), lambda v: v, torch.device("cpu"), 2)(x)
    assert out.shape == (20, 2)
