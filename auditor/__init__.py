"""auditor: a responsible-evaluation audit for pretrained and fine-tuned PyTorch models.

The Python API is :mod:`auditor.api` (``run``, ``audit_predictions``, ``regate``,
``rerender``, ``AuditResult``). This package module stays light (no torch) and imports no
room above the config: every module reads ``__version__`` from here.
"""

from __future__ import annotations

__version__ = "0.1.0"

from auditor.config import AuditConfig, default_config, load_config  # noqa: E402

__all__ = ["AuditConfig", "__version__", "default_config", "load_config"]
