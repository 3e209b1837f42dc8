"""audit.json as a tree: the metric-path language and the ONE reader of its numbers.

Gates, diff and summary read numbers only through here: :func:`resolve` a path to
:class:`Match` es, :func:`evidence_of` a match (or :func:`read` a node) to an
:class:`Evidence` (value, interval, count), and :func:`nodes` / :func:`estimates` to walk
every number of an audit or a section.
"""

from __future__ import annotations

from auditor.audit_tree.paths import (
    AREAS,
    ID_KEYS,
    Match,
    Step,
    check_path,
    fmt_key,
    item_label,
    parse_path,
    resolve,
    spellings,
    step_text,
)
from auditor.audit_tree.read import (
    Evidence,
    count,
    has_interval,
    is_estimate,
    num,
    read,
    wilson_bounds,
    wilson_interval,
)
from auditor.audit_tree.walk import (
    each_estimate,
    estimate_nodes,
    estimate_paths,
    estimates,
    evidence_of,
    nodes,
    unreadable,
)

__all__ = [
    "AREAS",
    "ID_KEYS",
    "Evidence",
    "Match",
    "Step",
    "check_path",
    "count",
    "each_estimate",
    "estimate_nodes",
    "estimate_paths",
    "estimates",
    "evidence_of",
    "fmt_key",
    "has_interval",
    "is_estimate",
    "item_label",
    "nodes",
    "num",
    "parse_path",
    "read",
    "resolve",
    "spellings",
    "step_text",
    "unreadable",
    "wilson_bounds",
    "wilson_interval",
]
