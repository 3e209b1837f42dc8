"""A TorchScript module (``torch.jit.script``, or a deployed file read back with
``torch.jit.load``) audited as the module it compiles: the explanations check's pass-size
probe hooked every leaf module, and TorchScript takes no hooks ('register_forward_hook is not
supported on ScriptModules', an internal error). The card names the class as written."""

from __future__ import annotations

import io

import pytest
import torch
from torch import nn

from tests.api.test_model_outputs import linear, same_audit
from tests.builders import audit_split, two_feature_frame


@pytest.fixture(scope="module")
def frame():
    return two_feature_frame(5)


def net() -> nn.Module:
    model = nn.Sequential(linear([[1.0, 0.2]] * 4, [0.0] * 4), nn.ReLU(),
                          linear([[0.5, 0.5, 0.5, 0.5]], [-0.4]))  # fmt: skip
    return model.eval()


def loaded(module: nn.Module) -> nn.Module:
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(module), buffer)
    buffer.seek(0)
    return torch.jit.load(buffer)


@pytest.mark.parametrize("compiled", [torch.jit.script, loaded])
def test_a_torchscript_module_audits_as_the_module_it_compiles(frame, compiled):
    got = audit_split(compiled(net()), frame)
    same_audit(got, audit_split(net(), frame))
    assert got["explanations"]["status"] == "ok"
    assert got["model"]["architecture"].startswith("Sequential (TorchScript) (one logit")
