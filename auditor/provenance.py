"""Where a run's numbers come from: library versions, file hashes, the environment.

One list of libraries for every mode (``run``, ``audit``, ``gate``): versions are read from
package metadata, so nothing here imports torch.
"""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path

LIBRARIES = (
    "torch", "torchvision", "numpy", "pandas", "pyarrow", "scikit-learn", "scipy",
    "fairlearn", "captum", "opacus", "joblib", "jinja2", "typer", "pydantic",
)  # fmt: skip

_CHUNK = 1 << 20


def library_versions() -> dict[str, str | None]:
    """``{"python": "3.11.7", "torch": "2.4.1", ...}``; None for a library not installed."""
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


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks (bounded memory for large files)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
