"""Where a run's numbers come from: library versions, file hashes, the environment.

One list of libraries for every mode (``run``, ``audit``, ``gate``): versions are read from
package metadata, so nothing here imports torch.

A file can be hashed ahead (:func:`hash_ahead`), on a thread of its own while the caller reads
it (hashlib and file reads release the GIL): ``auditor audit`` hashes its input that way, and
the :func:`sha256_file` of the same, unchanged file then waits for that hash. A file read
whole for another purpose (a folder's part) is hashed from those bytes (:func:`hashed_as_read`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from auditor.runtime import Background

LIBRARIES = (
    "torch", "torchvision", "numpy", "pandas", "pyarrow", "scikit-learn", "scipy",
    "fairlearn", "captum", "opacus", "joblib", "jinja2", "typer", "pydantic",
)  # fmt: skip

_CHUNK = 1 << 20


def library_versions() -> dict[str, str | None]:
    """``{"python": "3.11.7", "torch": "2.4.1", ...}``; None for a library not installed."""
    return dict(_library_versions())


@functools.cache  # read once a process: installing a package mid-run does not change it
def _library_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        out[name] = _version(name)
    return out


def _version(name: str) -> str | None:
    """The installed version of distribution ``name``: the ``Version:`` header of its
    metadata file, read directly (``metadata.version`` parses the whole file with the email
    package: 50 ms of a one-second predictions audit); the full parse where that is absent."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    for line in text.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
        if not line:  # end of the headers
            break
    return dist.version


# path -> (its stat when the hash started, the hash): hashes started by hash_ahead, or of the
# bytes read (hashed_as_read)
_AHEAD: dict[str, tuple[tuple[int, ...], Background[str]]] = {}
_AHEAD_LOCK = threading.Lock()


def file_state(path: str) -> tuple[int, ...] | None:
    """(device, inode, size, modification time) of ``path``, None where it cannot be read: two
    equal states are one file, unchanged (a file replaced by a rename has another inode)."""
    try:
        return stat_state(os.stat(path))
    except OSError:
        return None


def stat_state(st: os.stat_result) -> tuple[int, ...]:
    """:func:`file_state` of a stat already made (an open file's ``os.fstat``)."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def hash_ahead(path: str | Path) -> None:
    """Start the sha256 of ``path`` on a thread of its own; :func:`sha256_file` of the same
    path takes it while the file's stat (device, inode, size, mtime) is unchanged. A hash of
    the unchanged file already started is kept, not started again."""
    key = os.path.abspath(path)
    stat = file_state(key)
    if stat is None or not os.path.isfile(key):
        return  # sha256_file names the problem; a folder of parts is hashed part by part
    with _AHEAD_LOCK:
        if key not in _AHEAD or _AHEAD[key][0] != stat:
            _AHEAD[key] = (stat, Background(_sha256, key))


def hashed_as_read(path: str | Path, state: tuple[int, ...], data: bytes) -> None:
    """Keep the sha256 of ``data``, the bytes of ``path`` read while its :func:`file_state`
    was ``state`` (a part of a folder, read once for its rows and its hash):
    :func:`sha256_file` of the same path takes it while the file's state is unchanged (used
    once), as a hash started by :func:`hash_ahead`."""
    done = Background.inline(sha256_bytes, data)
    with _AHEAD_LOCK:
        _AHEAD[os.path.abspath(path)] = (tuple(state), done)


def forget(path: str | Path) -> None:
    """Drop the hashes kept for ``path`` and every file under it (a folder's parts)."""
    key = os.path.abspath(path)
    with _AHEAD_LOCK:
        for kept in [k for k in _AHEAD if k == key or k.startswith(key + os.sep)]:
            del _AHEAD[kept]


@contextmanager
def forgotten_on_error(path: str | Path) -> Iterator[None]:
    """Where the block fails (a refused run), :func:`forget` ``path``: the hashes its read
    kept (parts read before the refused one, a file hashed ahead) are used by no one, and a
    later run in the same process hashes what it reads itself."""
    try:
        yield
    except BaseException:
        forget(path)
        raise


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks (bounded memory for large files); the hash
    started by :func:`hash_ahead` (or kept by :func:`hashed_as_read`) when the file is
    unchanged since (used once)."""
    key = os.path.abspath(path)
    with _AHEAD_LOCK:
        ahead = _AHEAD.pop(key, None)
    if ahead is not None and ahead[0] == file_state(key):
        return ahead[1].result()
    return _sha256(path)


def _sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
