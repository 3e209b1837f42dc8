"""A field schema 2.0 gained after its first files: an older 2.0 audit.json lacks it, and it
is read as not recorded (a gate on it is not evaluated), never as a value made up for it;
a field whose absence says its value (explanations.kind) is read as that value."""

from __future__ import annotations

import pytest

from auditor.audit_tree import resolve
from auditor.audit_tree.later import ADDED_LATER, fill_known_when_absent, not_recorded


def _older(version: str = "2.0") -> dict:
    refs = {"k": 2, "design": "offline", "backend": "sequential", "n_jobs": 1}
    return {"schema_version": version, "privacy": {"status": "ok", "references": refs},
            "explanations": {"status": "ok", "method": "integrated_gradients"}}  # fmt: skip


def test_a_field_added_later_resolves_to_not_recorded():
    [match] = resolve(_older(), "privacy.references.strategy")
    assert match.path == "privacy.references.strategy" and match.node is None
    assert match.not_run is not None and match.not_run.startswith("not recorded: ")
    assert "857cf6e" in match.not_run


@pytest.mark.parametrize(
    ("version", "path"),
    [("2.0", "privacy.references.strateg"),  # a typo: no such field in any 2.0 file
     ("1.0", "privacy.references.strategy"),  # another version: not this table's
     ("2.0", "privacy.references.k.strategy")],  # fmt: skip
)
def test_any_other_missing_key_is_still_an_unknown_path(version, path):
    with pytest.raises(ValueError, match="unknown metric path|not a mapping"):
        resolve(_older(version), path)


def test_every_entry_names_its_version_and_commit():
    for (version, keys), commit in ADDED_LATER.items():
        assert version == "2.0" and keys and len(commit) >= 7
        assert not_recorded(version, keys) is not None
    assert not_recorded("2.0", ("privacy", "references", "k")) is None


def test_explanations_of_an_older_file_are_attributions_the_only_kind_it_could_hold():
    audit = _older()
    fill_known_when_absent(audit)
    assert audit["explanations"]["kind"] == "attributions"
    assert "strategy" not in audit["privacy"]["references"]  # not recorded stays absent
    permutation = {"schema_version": "2.0", "explanations": {"status": "ok", "kind": "permutation"}}
    fill_known_when_absent(permutation)
    assert permutation["explanations"]["kind"] == "permutation"
    not_run = {"schema_version": "2.0", "explanations": {"status": "not_run", "reason": "x"}}
    fill_known_when_absent(not_run)
    assert "kind" not in not_run["explanations"]
