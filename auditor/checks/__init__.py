"""The checks, one module each. A check is ``check(ctx, sections) -> SectionResult``
(:mod:`auditor.checks.base`): a pure function of the
:class:`~auditor.context.AuditContext` and the sections computed before it, returning its
frozen, typed section (or :class:`~auditor.results.NotRun` with the reason).

Registry in the opacus style: :func:`register_check` refuses unknown and duplicate names;
:func:`registered_checks` lists them in :data:`ORDER`; :func:`run_checks` runs them all.
The built-in checks register on the first :func:`registered_checks`, not at import: importing
a section type (``auditor.checks.performance``) must not load torch through the privacy check
(the predictions-only audit never trains, issue 15 item 4).
"""

from __future__ import annotations

import functools
import time
from collections.abc import MutableMapping
from typing import TYPE_CHECKING

from auditor.checks.base import CheckFn, SectionResult, Sections, not_run

if TYPE_CHECKING:
    from auditor.context import AuditContext

__all__ = [
    "ORDER",
    "CheckFn",
    "SectionResult",
    "Sections",
    "not_run",
    "register_check",
    "registered_checks",
    "run_checks",
]

# The order sections run in (a later check may read an earlier one's section).
ORDER = ("performance", "fairness", "privacy", "explanations", "transparency")

UNKNOWN_CHECK = "unknown check {name!r}; known: {known}"
DUPLICATE_CHECK = "check {name!r} is already registered"

_REGISTRY: dict[str, CheckFn] = {}


def register_check(name: str, fn: CheckFn) -> None:
    """Register ``fn`` under ``name``; unknown or duplicate names are refused."""
    if name not in ORDER:
        raise ValueError(UNKNOWN_CHECK.format(name=name, known=", ".join(ORDER)))
    if name in _REGISTRY:
        raise ValueError(DUPLICATE_CHECK.format(name=name))
    _REGISTRY[name] = fn


def registered_checks() -> dict[str, CheckFn]:
    """Every registered check, in :data:`ORDER` (the built-in ones registered on first use)."""
    _register_builtin()
    return {name: _REGISTRY[name] for name in ORDER if name in _REGISTRY}


def run_checks(
    ctx: AuditContext, *, timings: MutableMapping[str, float] | None = None
) -> dict[str, SectionResult]:
    """Run every registered check on ``ctx`` (an AuditContext) in order; each sees the
    sections before it. ``timings`` (optional) receives ``check.<name>`` seconds."""
    sections: dict[str, SectionResult] = {}
    for name, check in registered_checks().items():
        started = time.perf_counter()
        sections[name] = check(ctx, sections)
        if timings is not None:
            timings[f"check.{name}"] = round(time.perf_counter() - started, 4)
    return sections


@functools.cache
def _register_builtin() -> None:
    # Deferred so that importing one section type stays light: the privacy check loads torch.
    from auditor.checks import explain, fairness, performance, privacy, transparency

    register_check("performance", performance.performance_check)
    register_check("fairness", fairness.fairness_check)
    register_check("privacy", privacy.privacy_check)
    register_check("explanations", explain.explanations_check)
    register_check("transparency", transparency.transparency_check)
