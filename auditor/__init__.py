"""auditor: a responsible-evaluation audit for PyTorch and scikit-learn models.

``import auditor`` stays light (no torch, no pydantic): the config models of
:mod:`auditor.config` (``AuditConfig``, ``default_config``, ``load_config``) and the Python API
of :mod:`auditor.api` (``run``, ``audit_model``, ``audit_predictions``, ``regate``,
``rerender``, ``AuditResult``) and ``AuditorInputError`` are loaded on first use through the
module's ``__getattr__``.
Low modules read ``__version__`` from here; that loads neither (only a missing attribute of
this module does), so ``auditor audit`` can start reading its file before pydantic loads.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Names served lazily, by the module that defines them (a static import of auditor.api would
# load torch and break the layers; of auditor.config, pydantic for every command).
LAZY = {
    "AuditConfig": "auditor.config", "default_config": "auditor.config",
    "load_config": "auditor.config",
    "AuditResult": "auditor.api", "audit_model": "auditor.api",
    "audit_predictions": "auditor.api", "regate": "auditor.api", "rerender": "auditor.api",
    "run": "auditor.api",
    "AuditorInputError": "auditor.errors",  # what every refusal of the API raises
}  # fmt: skip
API_NAMES = tuple(name for name, module in LAZY.items() if module == "auditor.api")

__all__ = ["__version__", *LAZY]


def __getattr__(name: str) -> Any:
    if name in LAZY:
        return getattr(importlib.import_module(LAZY[name]), name)
    raise AttributeError(f"module 'auditor' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(LAZY))
