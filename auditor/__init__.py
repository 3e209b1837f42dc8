"""auditor: a responsible-evaluation audit for pretrained and fine-tuned PyTorch models."""

from __future__ import annotations

__version__ = "0.1.0"

from auditor.config import AuditConfig, default_config, load_config  # noqa: E402
from auditor.result import AuditResult  # noqa: E402


def run(config: AuditConfig | str | None = None, **kwargs) -> AuditResult:
    """Run an audit. ``config``: an AuditConfig, a scenario name ("digits", "adult",
    "mnist"), or None for digits. Keyword arguments go to :func:`auditor.pipeline.run`."""
    from auditor.pipeline import run as _run

    if config is None:
        config = default_config("digits")
    elif isinstance(config, str):
        config = default_config(config)
    return _run(config, **kwargs)


__all__ = ["AuditConfig", "AuditResult", "__version__", "default_config", "load_config", "run"]
