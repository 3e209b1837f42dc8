"""The Python API's arguments for config keys: ``audit_model(sensitive=...)`` sets
``data.sensitive``. Light (the standard library only), for the API's rewording of its errors
(:mod:`auditor.api._errors`) and for a check's reason that names them (a supplied model's
privacy rows)."""

from __future__ import annotations

from collections.abc import Mapping

ARGUMENTS = {
    "data.path": "data", "data.target": "target", "data.sensitive": "sensitive",
    "data.features": "features", "data.members": "members", "data.non_members": "non_members",
    "data.positive_label": "positive_label", "data.license": "data_license",
    "data.citation": "data_citation", "data.missing_group": "missing_group",
    "model.train": "train", "--out": "out_dir",
}  # fmt: skip


def worded(fields: Mapping[str, str]) -> dict[str, str]:
    """Each key's argument (``fields``: key to argument) as a message writes it:
    ``members=``. The one place of that wording."""
    return {key: f"{argument}=" for key, argument in fields.items()}


ARGUMENT_WORDS = worded(ARGUMENTS)


def as_arguments(keys: tuple[str, ...], *, python: bool) -> str:
    """``keys`` as a message lists them: the config's (``data.members, data.non_members``),
    or for a Python caller its arguments (``members=, non_members=``, the words the API
    rewords its errors with: :data:`ARGUMENT_WORDS`)."""
    return ", ".join(ARGUMENT_WORDS[key] if python else key for key in keys)
