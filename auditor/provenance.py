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
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks (bounded memory for large files)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
