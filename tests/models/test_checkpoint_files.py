"""Checkpoint files as users save them: on a GPU, or as a training loop's dict around the
state dict; loaded with weights_only=True on a CPU-only machine."""

from __future__ import annotations

import io
import json
import sys
import warnings
import zipfile

import pytest
import torch
from torch import nn

from auditor.errors import AuditorInputError
from auditor.models.files import SAFETENSORS, TORCHSCRIPT, _is_safetensors, _is_torchscript
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
    with pytest.raises(AuditorInputError) as err:
        load_state_dict(path)
    assert err.value.field == "model.path" and "\n" not in str(err.value)
    # it said 'save model.state_dict() itself, or beside others': which one was not said
    assert str(err.value).endswith(
        "it holds 2 state dicts ('model', 'ema'), and which one is the model's is not written:"
        " save that one alone (torch.save(checkpoint['model'], 'model.pt'))")


def _safetensors_bytes(state: dict) -> bytes:
    """The safetensors layout, written by hand (the package is optional): an 8-byte header
    length, the JSON header (name -> dtype, shape, byte offsets), the raw little-endian bytes."""
    header, blobs, offset = {}, [], 0
    for name, tensor in state.items():
        raw = tensor.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(raw)]}  # fmt: skip
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + b"".join(blobs)


@pytest.mark.parametrize("name", ["model.safetensors", "model.pt"])
def test_a_safetensors_file_is_named_with_the_way_on(tmp_path, monkeypatch, name):
    """It was 'not a readable PyTorch state dict (RuntimeError)' (or a refused pickle under a
    .pt name); without the safetensors package it says what the file is and how to read it."""
    monkeypatch.setitem(sys.modules, "safetensors", None)  # not installed
    monkeypatch.setitem(sys.modules, "safetensors.torch", None)  # nor imported by a test before
    path = tmp_path / name
    path.write_bytes(_safetensors_bytes(nn.Linear(3, 2).state_dict()))
    with pytest.raises(AuditorInputError) as err:
        load_state_dict(path)
    assert err.value.message == SAFETENSORS and "pip install 'auditor[safetensors]'" in SAFETENSORS


def test_a_safetensors_file_loads_where_the_package_is_installed(tmp_path):
    safetensors_torch = pytest.importorskip("safetensors.torch")
    state = nn.Linear(3, 2).state_dict()
    path = tmp_path / "model.bin"
    safetensors_torch.save_file(state, str(path))
    loaded = load_state_dict(path)
    assert loaded.keys() == state.keys() and all(torch.equal(loaded[k], state[k]) for k in state)


def test_a_torchscript_archive_is_named_with_the_way_on(tmp_path):
    path = tmp_path / "model.pt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit is deprecated in favour of torch.export
        torch.jit.save(torch.jit.script(nn.Linear(3, 2)), str(path))
    with pytest.raises(AuditorInputError) as err:
        load_state_dict(path)
    # the ways on: audit_model of the loaded module (its code runs only where the user says
    # so), or its weights saved for the config's factory; auditor run never runs its code
    assert err.value.message == TORCHSCRIPT and err.value.field == "model.path"
    assert "auditor.audit_model(torch.jit.load(" in TORCHSCRIPT
    assert "torch.save(torch.jit.load(" in TORCHSCRIPT and ".state_dict()" in TORCHSCRIPT
    scripted_weights = torch.jit.load(str(path)).state_dict()
    assert scripted_weights.keys() == nn.Linear(3, 2).state_dict().keys()  # the factory's


def test_a_state_dict_or_text_is_not_taken_for_another_format(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(nn.Linear(3, 2).state_dict(), path)
    assert not _is_torchscript(path) and not _is_safetensors(path)
    path.write_bytes((12).to_bytes(8, "little") + b"{not json at all, longer}")
    assert _is_safetensors(path)
    path.write_bytes((10**6).to_bytes(8, "little") + b"{short")  # header past the file's end
    assert not _is_safetensors(path)


WRAPPED_FACTORY = """
from torch import nn

def make(input_shape, n_classes):
    return nn.Sequential(nn.Linear(input_shape[0], 4), nn.ReLU(), nn.Linear(4, n_classes))

class Holder(nn.Module):  # a module whose own keys start with 'module.'
    def __init__(self, input_shape, n_classes):
        super().__init__()
        self.module = make(input_shape, n_classes)

    def forward(self, x):
        return self.module(x)
"""


@pytest.mark.parametrize("prefix", ["module.", "_orig_mod.", "_orig_mod.module.", "model."])
def test_a_state_dict_saved_from_a_wrapper_loads_as_the_modules(tmp_path, monkeypatch, prefix):
    # DataParallel / DistributedDataParallel ('module.'), torch.compile ('_orig_mod.') and a
    # LightningModule holding the module as self.model (its checkpoint's state_dict) save the
    # module's weights under a prefix; they were refused as a mismatch ("Missing key(s)")
    from auditor.models.supplied import STATE_MISMATCH, load_checkpoint_model
    from tests.models.user_code import importable

    name = next(importable(tmp_path, monkeypatch, "a_wrapped_factory", WRAPPED_FACTORY))
    torch.manual_seed(0)
    net = __import__(name).make((3,), 2)
    path = tmp_path / "model.pt"
    state = {prefix + k: v for k, v in net.state_dict().items()}
    torch.save({"state_dict": state, "epoch": 3, "hyper_parameters": {"lr": 0.1}}
               if prefix == "model." else state, path)  # fmt: skip
    module = load_checkpoint_model(path, factory=f"{name}:make", input_shape=(3,), n_classes=2)
    x = torch.randn(5, 3)
    torch.testing.assert_close(module(x), net(x))
    if prefix == "module.":  # the module's own keys have the prefix: taken as they are
        holder = load_checkpoint_model(path, factory=f"{name}:Holder", input_shape=(3,),
                                       n_classes=2)  # fmt: skip
        torch.testing.assert_close(holder(x), net(x))
    torch.save({("module." + k if k.startswith("0.") else k): v
                for k, v in net.state_dict().items()}, path)  # fmt: skip
    with pytest.raises(AuditorInputError, match="Unexpected key") as err:  # not every key
        load_checkpoint_model(path, factory=f"{name}:make", input_shape=(3,), n_classes=2)
    assert err.value.message.startswith(STATE_MISMATCH.split("{")[0])


class _Versioned(nn.Module):
    """A module with its own loading rule by saved version (as torch.ao's modules have): a
    state without its version is converted as an old one."""

    _version = 2

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.arange(6.0).reshape(2, 3))

    def _load_from_state_dict(self, state, prefix, meta, *args):
        if meta.get("version") is None and prefix + "w" in state:
            state[prefix + "w"] = state[prefix + "w"].flip(0)  # an old layout, converted
        super()._load_from_state_dict(state, prefix, meta, *args)


def test_a_wrappers_prefix_comes_off_with_each_modules_saved_version():
    """The prefix was taken off by a dict of the keys, which dropped the state's _metadata:
    a module with a versioned loading rule converted current weights as old ones."""
    from auditor.models.supplied import unwrapped_state

    source, target = nn.Sequential(_Versioned()), nn.Sequential(_Versioned())
    with torch.no_grad():
        target[0].w.zero_()
    state = nn.Sequential(source).state_dict()  # keys '0.0.w': a wrapper's prefix '0.'
    target.load_state_dict(unwrapped_state(state, target.state_dict()), strict=True)
    torch.testing.assert_close(target[0].w, source[0].w)


def test_a_mapping_with_keys_other_than_names_is_no_state_dict(tmp_path):
    path = tmp_path / "model.pt"
    torch.save({0: torch.zeros(2), 1: torch.ones(2)}, path)
    with pytest.raises(AuditorInputError, match="not a state dict"):
        load_state_dict(path)


def _pickled(obj, path, *, joblib: bool = False) -> None:
    import pickle

    if joblib:
        import joblib as jl

        jl.dump(obj, path)
    else:
        path.write_bytes(pickle.dumps(obj))


@pytest.mark.parametrize("joblib", [False, True])
def test_a_plain_pickle_of_weights_is_named_with_the_way_on(tmp_path, joblib):
    # pickle.dump of a state dict said "refused: ... (Unsupported operand 149)"
    from auditor.models.files import PICKLE_NOT_STATE

    path = tmp_path / "model.pkl"
    _pickled(nn.Linear(3, 2).state_dict(), path, joblib=joblib)
    with pytest.raises(AuditorInputError) as err:
        load_state_dict(path)
    assert err.value.message == PICKLE_NOT_STATE and err.value.field == "model.path"


def test_torch_saves_legacy_format_is_no_plain_pickle(tmp_path):
    from sklearn.linear_model import LogisticRegression

    from auditor.models.files import PICKLE_NOT_STATE

    path = tmp_path / "model.pkl"
    _pickled(LogisticRegression(), path)  # an estimator's pickle given as a checkpoint
    with pytest.raises(AuditorInputError, match="not torch.save's format"):
        load_state_dict(path)
    state = nn.Linear(3, 2).state_dict()
    torch.save(state, path, _use_new_zipfile_serialization=False)  # a pickle, and torch's
    assert load_state_dict(path).keys() == state.keys()
    torch.save(nn.Linear(3, 2), path, _use_new_zipfile_serialization=False)  # a whole module
    with pytest.raises(AuditorInputError, match="it names torch.nn") as err:
        load_state_dict(path)
    assert err.value.message != PICKLE_NOT_STATE


def test_a_skops_file_given_as_a_checkpoint_says_which_kind_reads_it(tmp_path):
    # it said "not a readable PyTorch state dict (RuntimeError: [enforce fail at
    # inline_container.cc:180] . file in archive is not in a subdirectory: 1401...npy)"
    sio = pytest.importorskip("skops.io")
    from sklearn.linear_model import LogisticRegression

    from auditor.models.files import SKOPS_NOT_STATE

    path = tmp_path / "model.skops"
    sio.dump(LogisticRegression().fit([[0.0], [1.0]], [0, 1]), path)
    with pytest.raises(AuditorInputError) as err:
        load_state_dict(path)
    assert err.value.message == SKOPS_NOT_STATE
