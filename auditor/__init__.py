"""auditor: a responsible-evaluation audit for PyTorch and scikit-learn models.

``import auditor`` stays light (no torch): the Python API of :mod:`auditor.api` (``run``,
``audit_model``, ``audit_predictions``, ``regate``, ``rerender``, ``AuditResult``) is loaded on
first use through the module's ``__getattr__``. Low modules read ``__version__`` from here;
that never loads the API (only a missing attribute of this module does).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

from auditor.config import AuditConfig, default_config, load_config  # noqa: E402

# Names served lazily by auditor.api (a static import would load torch and break the layers).
API_NAMES = (
    "AuditResult", "audit_model", "audit_predictions", "regate", "rerender", "run",
)  # fmt: skip

__all__ = ["AuditConfig", "__version__", "default_config", "load_config", *API_NAMES]


def __getattr__(name: str) -> Any:
    if name in API_NAMES:
        return getattr(importlib.import_module("auditor.api"), name)
    raise AttributeError(f"module 'auditor' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(API_NAMES))
