"""``[transparency]`` table: the answers a person declares for the model card."""

from __future__ import annotations

from pydantic import Field

from auditor.config._base import StrictModel


class DeclaredAnswers(StrictModel):
    """Free-text answers. Empty or placeholder text counts as missing, never as met."""

    model_name: str | None = None
    intended_use: str | None = None
    out_of_scope_uses: str | None = None
    users: str | None = None
    limitations: str | None = None
    ethical_considerations: str | None = None
    mitigations: str | None = None
    owners: str | None = None
    contact: str | None = None
    license: str | None = None


class TransparencyConfig(StrictModel):
    enabled: bool = True
    explanations: bool = True
    examples_per_class: int = Field(2, ge=0)
    declared: DeclaredAnswers = DeclaredAnswers()
