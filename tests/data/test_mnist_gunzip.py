"""auditor.data.mnist's own gunzip (``_gunzip``), which preflight and the run both read a .gz
through, CHUNK bytes at a time: every test file was under 1 MB, one CHUNK, so no test reached
zlib's unconsumed input, a member or zero padding ending on a read's boundary, or the join of
several chunks. Here CHUNK is a few bytes, against gzip.decompress."""

from __future__ import annotations

import gzip
import io
import struct
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest

from auditor.data import mnist
from auditor.errors import AuditorInputError


def _body(n: int = 40) -> bytes:
    rng = np.random.default_rng(0)
    pixels = (rng.random((n, 28, 28)) > 0.8).astype(np.uint8) * 255  # partly compressible
    return struct.pack(">IIII", 0x0803, n, 28, 28) + pixels.tobytes()


def _streams(body: bytes) -> dict[str, bytes]:
    cut = len(body) // 3
    one, two = gzip.compress(body[:cut]), gzip.compress(body[cut:])
    return {
        "one member": gzip.compress(body),
        "two members": one + two,
        "stored (level 0)": gzip.compress(body, compresslevel=0),
        **{f"padded {k}": one + bytes(k) + two + bytes(k + 3) for k in (1, 2, 5, 6, 7, 13)},
    }


@pytest.mark.parametrize("chunk", [1, 7, 64, 4096])
def test_gunzip_in_small_chunks_gives_what_gzip_decompress_gives(monkeypatch, chunk):
    monkeypatch.setattr(mnist, "CHUNK", chunk)
    body = _body()
    for name, stream in _streams(body).items():
        parts = list(mnist._gunzip(io.BytesIO(stream), path=Path("x.gz"), field=None))
        assert b"".join(parts) == gzip.decompress(stream) == body, (chunk, name)
        assert max(map(len, parts)) <= chunk, (chunk, name)  # never more than CHUNK at once


def test_preflights_shape_read_keeps_no_pixel(tmp_path, monkeypatch):
    """_idx_shape counts a .gz's length part by part: one that joined the parts (a
    b"".join(_gunzip(...))) held every pixel, 9.4 MB here, where the run reads them anyway.
    tracemalloc counts every thread's allocations, and in the whole suite another's reached
    1.1 MB in that window: the bound leaves room for them, far below the pixels."""
    monkeypatch.setattr(mnist, "CHUNK", 4096)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    pixels = bytes(12_000 * 28 * 28)
    path.write_bytes(gzip.compress(struct.pack(">IIII", 0x0803, 12_000, 28, 28) + pixels))
    del pixels
    tracemalloc.start()
    try:
        shape = mnist._idx_shape(path, field="data.root")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert shape == (12_000, 28, 28)
    assert peak < 3_000_000, peak


def _with_header_crc(stream: bytes, *, right: bool) -> bytes:
    """``stream``'s first member with FHCRC set and its header's CRC-16 (wrong unless
    ``right``): gzip.decompress takes a wrong one, zlib does not."""
    header = bytes([*stream[:3], stream[3] | 0x02, *stream[4:10]])
    crc = zlib.crc32(header) & 0xFFFF
    return header + struct.pack("<H", crc if right else crc ^ 0xFFFF) + stream[10:]


CUT = "downloaded or copied only in part? fetch it again"
CORRUPT = "its compressed bytes were changed (in a download or a copy?); fetch it again"
NOT_ONE_GZIP = (
    "not the gzip of one IDX file as gzip writes it (bytes after its end, or a header gzip "
    "does not write); fetch it again, or put the IDX file there uncompressed"
)
FAULTS = {  # the fault, what zlib says, the advice's words
    "cut short": (lambda s: s[: len(s) // 2], "it ends mid-stream", CUT),
    "a wrong CRC": (
        lambda s: s[:-8] + bytes([s[-8] ^ 0xFF]) + s[-7:],
        "incorrect data check",
        CORRUPT,
    ),
    "junk after it": (lambda s: s + b"JUNK", "incorrect header check", NOT_ONE_GZIP),
    "a reserved flag": (
        lambda s: s[:3] + bytes([s[3] | 0x20]) + s[4:],
        "unknown header flags set",
        NOT_ONE_GZIP,
    ),
    "a wrong header CRC": (
        lambda s: _with_header_crc(s, right=False),
        "header crc mismatch",
        NOT_ONE_GZIP,
    ),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_damaged_gzip_is_advised_by_its_fault(tmp_path, fault):
    """Every damaged .gz ended 'downloaded or copied only in part? fetch it again', which
    fits only a cut file: junk after the stream or a header flag gzip does not write is not
    the gzip of one IDX file, a wrong CRC its bytes changed. The run and preflight alike."""
    damage, why, advice = FAULTS[fault]
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(damage(gzip.compress(_body())))
    expected = f"{path}: data.root: a damaged gzip file ({why}): {advice}"
    for read in (mnist._uncompressed, mnist._idx_shape):
        with pytest.raises(AuditorInputError) as err:
            read(path, field="data.root")
        assert str(err.value) == expected, read
    if advice != CUT:
        assert "only in part" not in expected


def test_a_right_header_crc_is_read():
    stream = _with_header_crc(gzip.compress(_body()), right=True)
    parts = mnist._gunzip(io.BytesIO(stream), path=Path("x.gz"), field=None)
    assert b"".join(parts) == gzip.decompress(stream)
