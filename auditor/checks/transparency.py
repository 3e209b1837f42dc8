"""Transparency check (not implemented yet: reports `not_run`, never a pass)."""

from __future__ import annotations

from auditor.checks import not_run


def transparency_check(ctx, sections) -> dict:
    return not_run("not implemented yet in this version of auditor")
