"""The one reader of numbers in ``audit.json``: what a node says (value, interval, count).

Shapes it reads:

- an *estimate node* ``{value, ci_low?, ci_high?, n?, reason?}`` (the shape every number with
  an interval takes; see :class:`auditor.results._base.Estimate`), with optional context
  (``status``, ``worst_group``, ``resolvable``: false when the counts cannot resolve the
  rate);
- a *status node* ``{status: "...", ...}`` without ``value`` (e.g. a checklist item): its text;
- a plain number: its count is the enclosing mapping's ``n``; an ``accuracy`` beside
  ``n_correct`` and ``n`` gets its Wilson score interval; a null explains itself through the
  enclosing mapping's ``undefined.<key>``;
- a string, or a boolean (read as the text ``"true"`` / ``"false"``).

A number spelt another way (``auc_ci_low`` beside ``auc``, ``{tpr, ci_low}`` without
``value``) is not read: :func:`auditor.audit_tree.walk.unreadable` names such places.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

ESTIMATE_KEYS = ("value", "ci_low", "ci_high", "n")
_CONFIDENCE = 0.95

MSG_NOT_READABLE = (
    "metric path {path!r} reaches a mapping without 'value' or 'status' (it has: {have})"
)
MSG_NOT_A_NUMBER = (
    "metric path {path!r} reaches a {kind}, not a number, a status or a "
    "{{value, ci_low, ci_high, n}} node"
)
MSG_BAD_COUNTS = "metric path {path!r}: n_correct {k} is not a count between 0 and n {n}"


def num(v: Any) -> float | None:
    """A finite real number as float; None for anything else (bools, text, NaN, inf)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def count(v: Any) -> int | None:
    """A count (an int that is not a bool), else None."""
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def is_estimate(node: Any) -> bool:
    """True for ``{value, ...}`` whose value is a number or null (an estimate node)."""
    if not isinstance(node, dict) or "value" not in node:
        return False
    value = node["value"]
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _own_interval(node: dict[str, Any]) -> tuple[float | None, float | None]:
    """A mapping's bounds as read; they are its interval ("reported") where both are finite
    numbers."""
    return num(node.get("ci_low")), num(node.get("ci_high"))


def has_interval(node: dict[str, Any]) -> bool:
    """True where a mapping's own interval is read ("reported"): see :func:`_own_interval`."""
    return None not in _own_interval(node)


def wilson_bounds(k: Any, n: Any, *, level: float = _CONFIDENCE) -> tuple[Any, Any]:
    """Wilson score interval of k / n for n > 0, for numbers or numpy arrays alike: centre
    (k + z^2/2) / (n + z^2), half-width z sqrt(k (n - k) / n + z^2 / 4) / (n + z^2), z the
    normal quantile (statsmodels' "wilson", in closed form: no scipy import)."""
    z = NormalDist().inv_cdf(0.5 + level / 2)
    denom = n + z * z
    centre = (k + z * z / 2) / denom
    half = z * (k * (n - k) / n + z * z / 4) ** 0.5 / denom
    return centre - half, centre + half


def wilson_interval(k: int, n: int) -> tuple[float, float]:
    """Wilson score interval (95%) of the proportion k/n; (nan, nan) when n is 0."""
    if n <= 0:
        return (math.nan, math.nan)
    lo, hi = wilson_bounds(float(k), float(n))
    return (max(0.0, float(lo)), min(1.0, float(hi)))


@dataclass(frozen=True)
class Evidence:
    """What a node says: a number with its interval and count, or a status text.

    ``interval``: "reported" (the node's own), "wilson" (derived from counts) or "none";
    ``group``: the worst-off group a disparity names (else the label that picked the node);
    ``undefined``: why the value is null (or why the node lacks data)."""

    value: float | str | None
    ci_low: float | None = None
    ci_high: float | None = None
    interval: Literal["reported", "wilson", "none"] = "none"
    n: int | None = None
    group: str | None = None
    status: str | None = None
    undefined: str | None = None
    resolvable: bool | None = None


def _text(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _read_mapping(node: dict[str, Any], label: str | None, path: str) -> Evidence:
    if "value" in node:
        value: Any = node["value"]
    elif isinstance(node.get("status"), str):
        value = node["status"]  # a status node, e.g. a checklist item
    else:
        raise ValueError(MSG_NOT_READABLE.format(path=path, have=", ".join(list(node)[:12])))
    lo, hi = _own_interval(node)
    status = _text(node.get("status"))
    undefined = node.get("reason") if value is None or status == "insufficient_data" else None
    worst = node.get("worst_group", node.get("group"))
    value_num = num(value)
    return Evidence(
        value=value_num if value_num is not None else _text(value),
        ci_low=lo,
        ci_high=hi,
        interval="none" if None in (lo, hi) else "reported",
        n=count(node.get("n", node.get("count"))),
        group=str(worst) if worst is not None else label,
        status=status,
        undefined=str(undefined) if undefined else None,
        resolvable=node.get("resolvable") if isinstance(node.get("resolvable"), bool) else None,
    )


def _read_number(
    value: float | None, parent: Any, leaf: str | None, label: str | None, path: str
) -> Evidence:
    p = parent if isinstance(parent, dict) else {}
    n = count(p.get("n", p.get("count")))
    k = count(p.get("n_correct"))
    lo = hi = None
    kind: Literal["reported", "wilson", "none"] = "none"
    if leaf == "accuracy" and k is not None and n:
        if not 0 <= k <= n:  # a hand-edited audit.json: no interval is derived from it
            raise ValueError(MSG_BAD_COUNTS.format(path=path, k=k, n=n))
        lo, hi = wilson_interval(k, n)
        kind = "wilson"
    undefined = None
    if value is None:
        why = p["undefined"].get(leaf) if isinstance(p.get("undefined"), dict) else None
        undefined = str(why) if why else "the value is undefined (null) in audit.json"
    return Evidence(
        value=value, ci_low=lo, ci_high=hi, interval=kind, n=n, group=label, undefined=undefined
    )


def read(
    node: Any,
    *,
    parent: Any = None,
    leaf: str | None = None,
    label: str | None = None,
    path: str = "",
) -> Evidence:
    """Read ``node`` (reached from ``parent`` under key ``leaf``; ``label``: the group or key a
    wildcard picked). Raises ``ValueError`` for a node that holds no number or status."""
    if isinstance(node, dict):
        return _read_mapping(node, label, path)
    if isinstance(node, bool):
        return Evidence(value="true" if node else "false", group=label)
    if isinstance(node, str):
        return Evidence(value=node, group=label)
    if node is None or isinstance(node, (int, float)):
        return _read_number(num(node), parent, leaf, label, path)
    raise ValueError(MSG_NOT_A_NUMBER.format(path=path, kind=type(node).__name__))
