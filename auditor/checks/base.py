"""What every check shares: its signature, the sections it may read, and the not-run marker.

A check is ``check(ctx, sections) -> SectionResult``: a pure function of the
:class:`~auditor.context.AuditContext` and of the sections computed before it (in
:data:`auditor.checks.ORDER`), returning its frozen, typed section. Every section, computed
or not, has a ``status``: ``"ok"`` or ``"not_run"`` (:class:`~auditor.results.NotRun`, with a
reason). A check that is not implemented says so; it never reports a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol, TypeAlias, runtime_checkable

from auditor.results import NotRun

if TYPE_CHECKING:
    from auditor.context import AuditContext


@runtime_checkable
class SectionResult(Protocol):
    """A section of ``audit.json``: a frozen pydantic model or dataclass with a status."""

    @property
    def status(self) -> str: ...


Sections: TypeAlias = Mapping[str, SectionResult]
CheckFn: TypeAlias = Callable[["AuditContext", Sections], SectionResult]


def not_run(reason: str) -> NotRun:
    """The section (or part of one) that did not run, and why."""
    return NotRun(reason=reason)
