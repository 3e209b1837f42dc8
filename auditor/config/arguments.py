"""The Python API's arguments for config keys: ``audit_model(sensitive=...)`` sets
``data.sensitive``. Light (no import), for the API's rewording of its errors
(:mod:`auditor.api._errors`) and for a check's reason that names them (a supplied model's
privacy rows)."""

from __future__ import annotations

ARGUMENTS = {
    "data.path": "data", "data.target": "target", "data.sensitive": "sensitive",
    "data.features": "features", "data.members": "members", "data.non_members": "non_members",
    "data.positive_label": "positive_label", "data.license": "data_license",
    "data.citation": "data_citation", "data.missing_group": "missing_group",
    "model.train": "train", "--out": "out_dir",
}  # fmt: skip


def as_arguments(keys: tuple[str, ...], *, python: bool) -> str:
    """``keys`` as a message lists them: the config's (``data.members, data.non_members``),
    or for a Python caller its arguments as :data:`ARGUMENTS` names them (``members=,
    non_members=``, as the API rewords its errors)."""
    return ", ".join(f"{ARGUMENTS[key]}=" if python else key for key in keys)
