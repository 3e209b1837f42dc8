"""A state dict whose tensors hold no data (meta tensors: a model built under
``torch.device("meta")`` or accelerate's ``init_empty_weights`` and saved before its weights
were loaded) or are sparse was refused as "the state dict does not fit the factory's module",
its shapes equal to the module's; it is named for what it is."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from auditor.errors import AuditorInputError
from auditor.models.files import load_state_dict


@pytest.mark.parametrize(("how", "words"), [
    (lambda v: v.to("meta"), "'weight' is a meta tensor (no data"),
    (lambda v: v.to_sparse(), "'weight' is sparse (torch.sparse_coo)"),
])  # fmt: skip
def test_a_tensor_without_its_data_in_a_state_dict_is_named(tmp_path, how, words):
    path = tmp_path / "model.pt"
    torch.save({k: how(v) for k, v in nn.Linear(3, 2).state_dict().items()}, path)
    with pytest.raises(AuditorInputError) as err:
        load_state_dict(path)
    assert words in str(err.value) and err.value.field == "model.path"
    assert "does not fit" not in str(err.value)


def test_a_dense_state_dict_still_loads(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(nn.Linear(3, 2).state_dict(), path)
    assert set(load_state_dict(path)) == {"weight", "bias"}


FACTORY = """
from torch import nn


def build(input_shape, n_classes):
    return nn.Linear(input_shape[0], n_classes)
"""


@pytest.mark.parametrize("dtype", [torch.complex64, torch.bool, torch.int8])
def test_weights_of_another_kind_are_named_by_their_kind(tmp_path, monkeypatch, dtype):
    # complex weights were called "a quantized or integer state dict"
    from auditor.models.supplied import load_checkpoint_model
    from tests.models.user_code import importable

    name = next(importable(tmp_path, monkeypatch, "fact_e_kinds", FACTORY))
    path = tmp_path / "model.pt"
    torch.save({k: v.to(dtype) for k, v in nn.Linear(3, 2).state_dict().items()}, path)
    with pytest.raises(AuditorInputError) as err:
        load_checkpoint_model(path, factory=f"{name}:build", input_shape=(3,), n_classes=2)
    kind = {torch.complex64: "complex", torch.bool: "boolean", torch.int8: "integer"}[dtype]
    assert f"is {dtype}" in str(err.value) and f"{kind} weights" in str(err.value)
