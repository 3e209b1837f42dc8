"""Fields a schema version gained after its first ``audit.json`` files were written.

Schema 2.0 was first written at commit 6f38956; a field added to it since is absent from an
older 2.0 file. Such a file is still read (a run's evidence is never rewritten, and last
month's audit must still diff against today's): the generated schema does not require the
field (:mod:`auditor.record.model`), the typed record still does (every new audit writes
it), and a reader shows it as "not recorded", never a value made up for it
(:func:`not_recorded`; a gate on it is not evaluated).

An optional field (one a new audit may leave out, as ``fairness.source.merged_labels``
where no labels merged) is not listed: its absence says something in any file. A required
field added to 2.0 goes here, with the commit that added it; tests/record/test_later.py
fails on a required field of the schema that 2.0's first files lack and this table does not
list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# (schema version, the field's keys: "*" stands for any mapping key or list item) -> the
# commit whose audit.json files are the first to write it.
ADDED_LATER: dict[tuple[str, tuple[str, ...]], str] = {
    ("2.0", ("explanations", "kind")): "e2edd00",
    ("2.0", ("privacy", "references", "strategy")): "857cf6e",
    ("2.0", ("training", "pretrain", "precision")): "0f340fa",
    ("2.0", ("training", "finetune", "precision")): "0f340fa",
}
# The fields above whose absence says what they hold, and that value: the only one files
# written before them could have (no permutation importance before e2edd00). Every other one
# stays absent: not recorded.
KNOWN_WHEN_ABSENT: dict[tuple[str, tuple[str, ...]], object] = {
    ("2.0", ("explanations", "kind")): "attributions",
    ("2.0", ("training", "pretrain", "precision")): "fp32",  # no bf16 before 0f340fa
    ("2.0", ("training", "finetune", "precision")): "fp32",
}
NOT_RECORDED = (
    "not recorded: this audit.json (schema {version}) was written before {field} was added "
    "to it (commit {commit})"
)


def _fits(pattern: Sequence[str], keys: Sequence[str]) -> bool:
    if len(pattern) != len(keys):
        return False
    return all(p in ("*", k) for p, k in zip(pattern, keys, strict=True))


def added_commit(version: object, keys: Sequence[str]) -> str | None:
    """The commit that added the field at ``keys`` (concrete keys, item labels in place of
    list positions) to schema ``version``, or None where it belongs to the version's first
    shape."""
    for (v, pattern), commit in ADDED_LATER.items():
        if v == version and _fits(pattern, keys):
            return commit
    return None


def not_recorded(version: object, keys: Sequence[str]) -> str | None:
    """Why the field at ``keys`` is absent from an audit of schema ``version``, when it is a
    field the version gained later (see the module); None where its absence is a defect."""
    commit = added_commit(version, keys)
    if commit is None:
        return None
    return NOT_RECORDED.format(version=version, field=".".join(keys), commit=commit)


def _parents(data: Any, keys: Sequence[str]) -> list[dict[str, Any]]:
    """The mappings ``keys[:-1]`` reach in ``data`` ("*": every value or item)."""
    level = [data]
    for key in keys[:-1]:
        below: list[Any] = []
        for node in level:
            if key == "*":
                below += list(node.values()) if isinstance(node, dict) else (
                    node if isinstance(node, list) else [])
            elif isinstance(node, dict) and key in node:
                below.append(node[key])
        level = below
    return [n for n in level if isinstance(n, dict)]


def fill_known_when_absent(data: dict[str, Any]) -> None:
    """Set, in ``data`` (an audit read back; its file is not touched), each field of
    :data:`KNOWN_WHEN_ABSENT` that the audit lacks to the value its absence means, where
    the enclosing section ran. Every other field added later stays absent."""
    version = data.get("schema_version")
    for (v, keys), value in KNOWN_WHEN_ABSENT.items():
        if v != version:
            continue
        for parent in _parents(data, keys):
            if parent.get("status", "ok") == "ok" and keys[-1] not in parent:
                parent[keys[-1]] = value
