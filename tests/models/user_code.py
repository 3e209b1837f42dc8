"""A user's module of factories and train functions, importable for one test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def importable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str
               ) -> Iterator[str]:  # fmt: skip
    """Write ``source`` as module ``name`` on the import path; yield its name, then forget it."""
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)
