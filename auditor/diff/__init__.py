"""``auditor diff``: what changed between two audits, for a review.

:mod:`~auditor.diff.compare` builds the :class:`AuditDiff` (every row classified: better /
worse / within noise / ...); :mod:`~auditor.diff.render` prints it, verdict changes and
metrics beyond noise first, the rest folded away.
"""

from __future__ import annotations

from auditor.diff.compare import AuditDiff, Change, diff_audits, direction
from auditor.diff.render import render_markdown, render_text

__all__ = ["AuditDiff", "Change", "diff_audits", "direction", "render_markdown", "render_text"]
