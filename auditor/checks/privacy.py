"""Privacy and memorization: membership inference (LOSS, correctness, LiRA, RMIA) with TPR at
low FPR, per-group leakage, canaries with exposure and a one-run epsilon lower bound, stage
comparison and DP-SGD. The engine is :mod:`auditor.privacy.engine`; the section's type is
:class:`auditor.privacy.section.PrivacySection`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from auditor.checks.base import not_run
from auditor.config.arguments import as_arguments
from auditor.privacy.engine import audit_privacy
from auditor.privacy.section import PrivacySection
from auditor.privacy.supplied import audit_supplied_privacy
from auditor.results import NotRun, dump

if TYPE_CHECKING:
    from auditor.context import AuditContext

DISABLED = "disabled in config (privacy.enabled = false)"
NO_PROBES = "no probe selected (privacy.probes is empty)"
NO_HOLDOUT = "no held-out non-member rows (data.splits.holdout = 0)"
NO_SUPPLIED_ROWS = "a supplied model's probes need its member and non-member rows ({named})"
SUPPLIED_ROWS = ("data.members", "data.non_members")  # a config's keys, audit_model's arguments


def privacy_check(ctx: AuditContext, sections: Mapping[str, Any]) -> PrivacySection | NotRun:
    """The typed privacy section, or a not-run marker saying why the probes did not run."""
    pc = ctx.config.privacy
    if not pc.enabled:
        return not_run(DISABLED)
    if not pc.probes:
        return not_run(NO_PROBES)
    sections_json = {name: dump(s) for name, s in sections.items()}
    if ctx.supplied is not None:
        if not len(ctx.bundle["holdout"]) or not len(ctx.bundle["finetune_train"]):
            named = as_arguments(SUPPLIED_ROWS, python=ctx.config.model.kind == "python")
            return not_run(NO_SUPPLIED_ROWS.format(named=named))
        return audit_supplied_privacy(ctx, sections_json)
    if len(ctx.bundle["holdout"]) == 0:
        return not_run(NO_HOLDOUT)
    return audit_privacy(ctx, {name: dump(s) for name, s in sections.items()})
