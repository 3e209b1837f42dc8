"""``[transparency]`` table: the answers a person declares for the model card, and the
options of the explanations and the split-disjointness check."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from auditor.config._base import StrictModel

_PLACEHOLDER = re.compile(
    r"^(?:|tbd|tba|todo|to ?do|fixme|n/?a|na|none|null|nil|unknown|unspecified|not sure|"
    r"-+|\.+|\?+|x+|tbc|to be (?:determined|decided|confirmed|added|written)|"
    r"(?:fill|fill in|fill me|add|write|insert)(?: (?:this|me|here|in|later))*|"
    r"placeholder|coming soon|lorem ipsum.*|<[^>]*>|\[[^\]]*\]|\{[^}]*\}|"
    r"your (?:name|email|answer|text)(?: here)?|example|sample text|later)$"
)


def is_placeholder(text: str | None) -> bool:
    """True for None, empty, or filler text ('TBD', 'TODO', 'n/a', '<your name>', '...')."""
    if text is None:
        return True
    norm = re.sub(r"\s+", " ", text.strip().lower()).strip(" .:;!")
    return bool(_PLACEHOLDER.fullmatch(norm)) or len(norm) < 2


# Checklist item ids a user may mark not applicable (with a reason) in config.
CHECKLIST_IDS = (
    "data_provenance", "split_disjointness", "data_license", "seeds", "software_environment",
    "training_recipe", "parameter_count", "performance_evaluated", "fairness_coverage",
    "privacy_probes", "explanations", "intended_use", "out_of_scope_uses", "users",
    "limitations", "ethical_considerations", "mitigations", "owners", "contact", "license",
)  # fmt: skip


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
    # Integrated Gradients examples per class (image models), correct and misclassified.
    examples_per_class: int = Field(2, ge=0, le=20)
    # Integrated Gradients interpolation steps (Riemann trapezoid), and the rows attributed
    # for the global maps and per-group importances.
    ig_steps: int = Field(32, ge=4, le=512)
    max_attribution_rows: int = Field(512, ge=10)
    # Permutations per sensitive feature in the reliance check (tables).
    reliance_repeats: int = Field(5, ge=1, le=100)
    # Identical inputs in a training and an evaluation split: "fail"; or "report" (counted,
    # shown as a warning). "auto": fail for images (the same image), report for tables,
    # where distinct records often share one feature vector. A shared source row id always fails.
    content_overlap: Literal["auto", "fail", "report"] = "auto"
    declared: DeclaredAnswers = DeclaredAnswers()
    # Checklist items that do not apply to this model, each with the reason shown in the card.
    not_applicable: dict[str, str] = Field(default_factory=dict)

    @field_validator("not_applicable")
    @classmethod
    def _known_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for key, reason in value.items():
            if key not in CHECKLIST_IDS:
                raise ValueError(
                    f"unknown checklist item {key!r}; known: {', '.join(CHECKLIST_IDS)}"
                )
            if is_placeholder(reason):
                raise ValueError(
                    f"checklist item {key!r} needs a reason to be not applicable, "
                    f"not {reason.strip()!r}"
                )
        return value
