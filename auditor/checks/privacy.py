"""Privacy and memorization: membership inference (LOSS, correctness, LiRA, RMIA) with TPR at
low FPR, per-group leakage, canaries with exposure and a one-run epsilon lower bound, stage
comparison and DP-SGD. The engine is :mod:`auditor.privacy.engine`."""

from __future__ import annotations

from auditor.checks import not_run


def privacy_check(ctx, sections) -> dict:
    pc = ctx.config.privacy
    if not pc.enabled:
        return not_run("disabled in config (privacy.enabled = false)")
    if not pc.probes:
        return not_run("no probe selected (privacy.probes is empty)")
    if len(ctx.bundle["holdout"]) == 0:
        return not_run("no held-out non-member rows (data.splits.holdout = 0)")
    from auditor.privacy.engine import audit_privacy

    return audit_privacy(ctx, dict(sections))
