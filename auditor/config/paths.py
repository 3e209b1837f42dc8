"""A file a config key names, checked before any work (no heavy import)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator

from auditor.errors import AuditorInputError

NO_FILE = "no such file"
IS_A_FOLDER = "is a folder, not a model file"
NOT_LOCAL = "a URL: auditor reads a local file; download it first"
# a scheme of 2+ letters (not a drive, C:/), its "//" as a Path keeps it ("s3:/bucket/x")
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:/")


def no_file(path: Path | str) -> str:
    """Why ``path``, which is not there, cannot be read: a URL (``s3://``, ``https://``)
    says to download it, anything else is no such file."""
    return NOT_LOCAL if URL.match(str(path)) else NO_FILE


def model_file(path: Path) -> None:
    """Refuse a model path that is a folder or no file, naming ``model.path``."""
    if path.is_dir():
        raise AuditorInputError(IS_A_FOLDER, source=str(path), field="model.path")
    if not path.is_file():
        raise AuditorInputError(no_file(path), source=str(path), field="model.path")


BLANK_PATH = "empty: name a file"


def _not_blank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():  # Path("") is ".", the working folder
        raise ValueError(BLANK_PATH)
    return value


# A file named in a config: "" is refused, not read as the current folder.
FilePath = Annotated[Path, BeforeValidator(_not_blank)]
