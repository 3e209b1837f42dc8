"""Hostile checkpoints, round 2: a zip bomb (entries that expand far past the file) is
refused unread; a safetensors header that lies about its sizes, offsets or dtype, and a
torch zip whose pickle declares more elements than its record holds, are refused in one line
saying what the reader found; NaN or infinite weights are refused (the model's outputs are
not numbers: no rate of such a model means anything), never audited as a model."""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from pathlib import Path

import pytest

from tests.hostile.conftest import OUT, assert_nothing_written, assert_refused, write_files
from tests.hostile.test_files import CONFIG, FACTORY, TABLE, _Payload, _saved, _state


def _bomb(declared: int) -> bytes:
    """A torch.save zip whose first tensor's entry is ``declared`` bytes, deflated."""
    good = zipfile.ZipFile(io.BytesIO(_saved(_state(__import__("torch").float32))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info in good.infolist():
            data = good.read(info.filename)
            if info.filename.endswith("data/0"):
                out.writestr(info.filename, data + bytes(declared), zipfile.ZIP_DEFLATED)
            else:
                out.writestr(info.filename, data)
    return buffer.getvalue()


def _safetensors(header: dict, body: bytes = bytes(8)) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + body


def _declares_more_elements() -> bytes:
    """A torch.save zip whose pickle says its first storage holds 2**40 elements (32 bytes)."""
    good = zipfile.ZipFile(io.BytesIO(_saved(_state(__import__("torch").float32))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info in good.infolist():
            data = good.read(info.filename)
            if info.filename.endswith("data.pkl"):  # the first storage's numel: BININT1 8
                at = data.index(b"cpu") + len(b"cpuq\x06")
                assert data[at : at + 2] == b"K\x08"
                data = data[:at] + b"\x8a\x06" + (2**40).to_bytes(6, "little") + data[at + 2 :]
            out.writestr(info.filename, data)
    return buffer.getvalue()


F32 = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
# fmt: off
CASES = {
    # (checkpoint bytes, substrings of the error line besides model.pt and model.path)
    "zip-bomb": (lambda: _bomb(64 << 20), ["expand to 67,109,", "zip bomb"]),
    "declares-more-elements": (_declares_more_elements, ["does not match expected size"]),
    "safetensors-offset-past-the-end": (
        lambda: _safetensors({"head.bias": {**F32, "data_offsets": [0, 10**12]}}), ["offset"]),
    "safetensors-shape-overflow": (
        lambda: _safetensors({"head.bias": {**F32, "shape": [2**31, 2**31]}}), ["overflow"]),
    "safetensors-overlapping": (lambda: _safetensors({"a": F32, "b": F32}), ["offset"]),
    "safetensors-unknown-dtype": (lambda: _safetensors({"a": {**F32, "dtype": "X9"}}), ["X9"]),
    "nan-weights": (lambda: _saved({k: v * float("nan") for k, v in _state(
        __import__("torch").float32).items()}), ["not finite", "NaN weights"]),
    "inf-weights": (lambda: _saved({k: v * float("inf") for k, v in _state(
        __import__("torch").float32).items()}), ["not finite"]),
}
# fmt: on


@pytest.mark.parametrize("case", sorted(CASES))
def test_lying_checkpoint_is_refused_in_one_line(cli, tmp_path, case):
    make, names = CASES[case]
    write_files(tmp_path, {"t.csv": "x,z,sex,y\n" + TABLE, "a.toml": CONFIG,
                           "fact_h9x.py": FACTORY, "model.pt": make()})  # fmt: skip
    where = ["a.toml", "model"] if "weights" in case else ["model.pt", "model.path"]
    assert_refused(cli(["run", "a.toml", "--out", OUT]), *where, *names)
    assert_nothing_written(tmp_path)


def test_a_zip_bomb_is_refused_unread(cli, tmp_path, monkeypatch):
    """torch.load never sees it (it took 13 s and 2.5 GB of memory to refuse 2 GB)."""
    import torch

    def no_read(*args, **kwargs):
        raise AssertionError("torch.load read the zip bomb")

    monkeypatch.setattr(torch, "load", no_read)
    write_files(tmp_path, {"t.csv": "x,z,sex,y\n" + TABLE, "a.toml": CONFIG,
                           "fact_h9x.py": FACTORY, "model.pt": _bomb(64 << 20)})  # fmt: skip
    assert_refused(cli(["run", "a.toml", "--out", OUT]), "model.pt", "zip bomb")
    assert_nothing_written(tmp_path)


def test_an_own_checkpoint_reader_refuses_bombs_and_payloads(tmp_path):
    """``load_checkpoint`` (the card's snippet loads a run's weights with it) too."""
    from auditor.errors import AuditorInputError
    from auditor.training.checkpoints import load_checkpoint

    marker = tmp_path / "PWNED"
    (tmp_path / "bomb.pt").write_bytes(_bomb(64 << 20))
    (tmp_path / "payload.pt").write_bytes(_saved({"state_dict": {"w": _Payload(marker)}}))
    with pytest.raises(AuditorInputError, match="zip bomb"):
        load_checkpoint(tmp_path / "bomb.pt")
    with pytest.raises(AuditorInputError, match="refused"):
        load_checkpoint(tmp_path / "payload.pt")
    assert not marker.exists() and not os.path.exists(Path.cwd() / "PWNED")


def test_a_skops_zip_bomb_is_refused_unread(tmp_path, monkeypatch):
    """skops may deflate its entries (a few times smaller): one expanding a thousand times
    is refused before skops opens it."""
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    from auditor.errors import AuditorInputError
    from auditor.models.files import load_skops

    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    sio.dump(model, tmp_path / "good.skops")
    good = zipfile.ZipFile(tmp_path / "good.skops")
    with zipfile.ZipFile(tmp_path / "bomb.skops", "w") as out:
        for info in good.infolist():
            out.writestr(info.filename, good.read(info.filename))
        out.writestr("padding.npy", bytes(64 << 20), zipfile.ZIP_DEFLATED)
    assert load_skops(tmp_path / "good.skops").predict([[3.0]])[0] == 1

    def no_read(*args, **kwargs):
        raise AssertionError("skops read the zip bomb")

    monkeypatch.setattr(sio, "get_untrusted_types", no_read)
    with pytest.raises(AuditorInputError, match="zip bomb") as err:
        load_skops(tmp_path / "bomb.skops")
    assert "model.path" in str(err.value)


@pytest.mark.parametrize("kind", ["device", "link-loop"])
def test_a_model_path_that_is_no_file_says_what_it_is(cli, tmp_path, kind):
    """/dev/zero and a loop of links were 'no such file'."""
    if kind == "device":
        target, why = "/dev/zero", "not a regular file"
    else:
        (tmp_path / "a.pt").symlink_to("b.pt")
        (tmp_path / "b.pt").symlink_to("a.pt")
        target, why = "a.pt", "symbolic links"
    write_files(tmp_path, {"t.csv": "x,z,sex,y\n" + TABLE, "fact_h9x.py": FACTORY,
                           "a.toml": CONFIG.replace('"model.pt"', f'"{target}"')})  # fmt: skip
    assert_refused(cli(["run", "a.toml", "--out", OUT]), target, "model.path", why)
    assert_nothing_written(tmp_path)


def test_a_zip_whose_entries_zipfile_cannot_read_is_left_to_the_loader(tmp_path):
    """A checkpoint whose central directory asks for a newer zip version than zipfile reads
    (NotImplementedError): the zip-bomb check passes it on, so it loads as torch reads it
    (it was an internal error with a crash log since e2d5e00)."""
    import torch

    from auditor.models.files import load_state_dict

    path = tmp_path / "m.pt"
    torch.save({"w": torch.zeros(3)}, path)
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")  # the first central directory entry
    data[at + 6 : at + 8] = struct.pack("<H", 99)  # version needed to extract: 9.9
    path.write_bytes(bytes(data))
    assert list(load_state_dict(path)) == ["w"]
