"""A checkpoint's factory may build a module that returns its logits by name (a dict with
"logits", a Hugging Face ModelOutput), as a module given from Python may: the state dict
loads into the factory's own module and the audit reads the tensor (it was refused: 'builds
a module that returns dict')."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from auditor.models.outputs import LogitsOf, OneLogit, user_module
from auditor.models.supplied import build_module, load_checkpoint_model
from tests.models.user_code import importable

SOURCE = """
from torch import nn

class Named(nn.Module):
    def __init__(self, n_out):
        super().__init__()
        self.linear = nn.Linear(2, n_out)

    def forward(self, x):
        return {"loss": None, "logits": self.linear(x)}

def two(input_shape, n_classes):
    return Named(n_classes)

def one(input_shape, n_classes):
    return Named(1)
"""


@pytest.fixture
def factories(tmp_path, monkeypatch):
    yield from importable(tmp_path, monkeypatch, "d14_named_logits", SOURCE)


@pytest.mark.parametrize(("name", "width"), [("two", 2), ("one", 1)])
def test_a_factory_module_returning_logits_by_name_loads_and_reads(factories, tmp_path, name,
                                                                   width):  # fmt: skip
    layer = nn.Linear(2, width)
    path = tmp_path / "model.pt"
    torch.save({f"linear.{k}": v for k, v in layer.state_dict().items()}, path)
    module = load_checkpoint_model(path, factory=f"{factories}:{name}", input_shape=(2,),
                                   n_classes=2)  # fmt: skip
    assert type(user_module(module)).__name__ == "Named"
    assert isinstance(module, OneLogit if width == 1 else LogitsOf)
    x = torch.randn(5, 2)
    with torch.no_grad():
        want = layer(x) if width == 2 else torch.cat([torch.zeros(5, 1), layer(x)], dim=1)
        torch.testing.assert_close(module(x), want)
    assert build_module(f"{factories}:{name}", input_shape=(2,), n_classes=2) is not None
