"""The checks. Each is a function ``check(ctx, sections) -> dict`` over an
:class:`~auditor.context.AuditContext` and the sections computed before it; it returns the
JSON-ready section for ``audit.json`` with a ``status``:

- ``"ok"``: computed; the section's numbers follow;
- ``"not_run"``: disabled in config, not applicable, or not implemented, with a ``reason``.

A check that is not implemented says so; it never reports a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

CheckFn = Callable[[Any, Mapping[str, dict]], dict]

_REGISTRY: dict[str, CheckFn] = {}

# The order sections run in (a later check may read an earlier one's section).
ORDER = ("performance", "fairness", "privacy", "explanations", "transparency")


def register_check(name: str, fn: CheckFn) -> None:
    """Register ``fn`` under ``name``; unknown or duplicate names are refused."""
    if name not in ORDER:
        raise ValueError(f"unknown check {name!r}; known: {', '.join(ORDER)}")
    if name in _REGISTRY:
        raise ValueError(f"check {name!r} is already registered")
    _REGISTRY[name] = fn


def registered_checks() -> dict[str, CheckFn]:
    _load_builtin()
    return {name: _REGISTRY[name] for name in ORDER if name in _REGISTRY}


def not_run(reason: str) -> dict[str, str]:
    return {"status": "not_run", "reason": reason}


_loaded = False


def _load_builtin() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from auditor.checks import explain, fairness, performance, privacy, transparency

    register_check("performance", performance.performance_check)
    register_check("fairness", fairness.fairness_check)
    register_check("privacy", privacy.privacy_check)
    register_check("explanations", explain.explanations_check)
    register_check("transparency", transparency.transparency_check)
