"""Checkpoint files as users save them: on a GPU, or as a training loop's dict around the
state dict; loaded with weights_only=True on a CPU-only machine."""

from __future__ import annotations

import io
import zipfile

import pytest
import torch
from torch import nn

from auditor.errors import AuditorInputError
from auditor.models.supplied import load_state_dict


def save_as_on_cuda(obj, path) -> None:
    """``torch.save`` as on a CUDA device: each storage's location is 'cuda:0' (loading it
    without map_location fails where CUDA is absent)."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("data.pkl"):
                assert b"X\x03\x00\x00\x00cpu" in data
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            out.writestr(info, data)


def test_a_state_dict_saved_on_cuda_loads_on_the_cpu(tmp_path):
    model = nn.Linear(3, 2)
    path = tmp_path / "model.pt"
    save_as_on_cuda(model.state_dict(), path)
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):
            torch.load(path, weights_only=True)  # the file really names a CUDA device
    state = load_state_dict(path)
    assert all(v.device.type == "cpu" for v in state.values())
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


def test_a_training_loops_checkpoint_gives_its_model_state(tmp_path):
    model = nn.Linear(3, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.ones(4, 3)).sum().backward()
    optimizer.step()
    path = tmp_path / "checkpoint.pt"
    torch.save({"epoch": 7, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(), "loss": 0.25}, path)  # fmt: skip
    state = load_state_dict(path)  # refused before: 'not a state dict'
    assert state.keys() == model.state_dict().keys()


def test_two_state_dicts_in_one_file_are_refused_naming_the_keys(tmp_path):
    path = tmp_path / "checkpoint.pt"
    torch.save({"model": nn.Linear(3, 2).state_dict(), "ema": nn.Linear(3, 2).state_dict()}, path)
    with pytest.raises(AuditorInputError, match="holds the keys 'model', 'ema'") as err:
        load_state_dict(path)
    assert err.value.field == "model.path" and "\n" not in str(err.value)
