"""The audit as the cards show it: group labels cut to :data:`auditor.gates.names.LABEL_MAX`
characters (and a gate's metric path and id to ``PATH_MAX``) with an ellipsis, so that a
label of 50,000 characters over 990 groups does not make a card of hundreds of MB. A label
is data: ``audit.json`` keeps it whole; only what a reader is shown is cut."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.gates.names import PATH_MAX, shorten

# The fields that hold a group label (or a list / mapping of them) in the sections below.
LABEL_KEYS = frozenset({"group", "worst_group", "pair", "attained_by", "excluded_groups",
                        "left_out"})  # fmt: skip
SECTIONS = ("fairness", "explanations", "privacy")


def _holds_labels(key: str, value: Any) -> bool:
    """Whether ``value`` under a key of :data:`LABEL_KEYS` is labels: a text, a list of texts,
    or (``left_out``) a mapping of feature -> list of texts. A feature named like such a key
    (a sensitive column called ``group`` or ``left_out``) keys a mapping of its sections or a
    list of records: its texts are not labels. The shape decides, not the key alone."""
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    if key != "left_out" or not isinstance(value, dict):
        return False
    return all(isinstance(v, list) and _holds_labels(key, v) for v in value.values())


def _labels_cut(node: Any, is_label: bool = False) -> Any:
    """``node`` with its labels cut; a node with nothing to cut is returned itself (shared,
    not copied: an audit of 5,000 groups holds a million numbers no label rule touches)."""
    if isinstance(node, str):
        return shorten(node) if is_label else node
    if isinstance(node, dict):
        out = None
        for k, v in node.items():
            label = is_label or (k in LABEL_KEYS and _holds_labels(k, v))
            if not label and not isinstance(v, (dict, list)):
                continue  # a number or a text that is not a label: as it is
            cut = _labels_cut(v, label)
            if cut is not v:
                out = dict(node) if out is None else out
                out[k] = cut
        return node if out is None else out
    if isinstance(node, list):
        items = [_labels_cut(v, is_label) for v in node]
        return node if all(a is b for a, b in zip(items, node, strict=True)) else items
    return node


def gate_cut(r: Mapping[str, Any]) -> dict[str, Any]:
    """A gate's result as the cards and junit.xml show it: its id and metric path cut to
    ``PATH_MAX``, its group label to ``LABEL_MAX``."""
    group = r.get("group")
    return {
        **r, "id": shorten(str(r["id"]), PATH_MAX), "metric": shorten(str(r["metric"]), PATH_MAX),
        "group": shorten(group) if isinstance(group, str) else group,
    }  # fmt: skip


def for_display(audit: Mapping[str, Any]) -> dict[str, Any]:
    """``audit`` with every group label longer than ``LABEL_MAX`` cut: a copy of the nodes
    that hold such a label, the rest shared (never changed: the audit is only read)."""
    out = dict(audit)
    for name in SECTIONS:
        if isinstance(audit.get(name), dict):
            out[name] = _labels_cut(audit[name])
    gates = audit.get("gates")
    if isinstance(gates, dict) and isinstance(gates.get("results"), list):
        out["gates"] = {**gates, "results": [gate_cut(r) for r in gates["results"]]}
    return out
