"""The one reader of numbers in ``audit.json``: what a node says (value, interval, count).

Shapes it reads:

- an *estimate node* ``{value, ci_low?, ci_high?, n?, reason?}`` (the shape every number with
  an interval takes; see :class:`auditor.results._base.Estimate`), with optional context
  (``status``, ``worst_group``, ``resolvable``: false when the counts cannot resolve the
  rate);
- a *status node* ``{status: "...", ...}`` without ``value`` (e.g. a checklist item): its text;
- a plain number: its count is the enclosing mapping's ``n``; an ``accuracy`` beside
  ``n_correct`` and ``n`` gets the per-group rates' score interval (:func:`wilson_interval`);
  a null explains itself through the enclosing mapping's ``undefined.<key>``; an epsilon lower
  bound's ceiling (the most its audit could show) is its sibling in :data:`CEILINGS`;
- a string, or a boolean (read as the text ``"true"`` / ``"false"``).

A number spelt another way (``auc_ci_low`` beside ``auc``, ``{tpr, ci_low}`` without
``value``) is not read: :func:`auditor.audit_tree.walk.unreadable` names such places.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist
from typing import Any, Literal

import numpy as np

ESTIMATE_KEYS = ("value", "ci_low", "ci_high", "n")
# An epsilon lower bound -> the sibling holding its ceiling: the bound with every canary guess
# right, so no outcome of the audit's guesses can show more (absent in older records).
CEILINGS = {
    "epsilon_lower_bound": "epsilon_ceiling",
    "empirical_epsilon_lower_bound": "empirical_epsilon_ceiling",
}
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


POISSON_ENDS = 10  # k = 1..10 (and n - 10..n - 1): where Wilson's coverage dips near 0 and 1


def poisson_ends(
    k: np.ndarray, n: np.ndarray, lo: np.ndarray, hi: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Brown, Cai & DasGupta's (2001) modified Wilson interval: at k = 1..10 successes (k <= n
    / 2) the lower end is at most the one-sided Poisson bound lambda_k / n, P(Poisson(lambda_k)
    >= k) = alpha / 2, and at k = n at most Clopper-Pearson's (alpha / 2)^(1 / n); likewise the
    upper end at n - k and 0. Plain Wilson covers a rate near 0 or 1 (n p about 0.18, at any
    n) 84% of the time at 95% and 89% at 99% (a Bonferroni gap gives each group 99.9% or more);
    this one, for any true rate (exact binomial sums, tests/fairness/test_intervals_coverage.py
    and tests/audit_tree/test_read_coverage.py):
    at least 93.1% at 95% for n >= 50 (91.4% for n of 4 to 30, 88.9% at n = 3), and misses
    at most 0.1% at 99.99% for n >= 10 (0.6% at n = 4). It is wider only near 0 and 1 (at
    most 5% at n >= 1,000, 15% at n = 10 to 20). Jeffreys' interval gets the same ends: its
    least coverage at 95% rises from 0.87-0.90 to 0.90-0.93 (n = 10 to 1,000)."""
    shape = np.shape(k)  # any shape, a scalar's too: worked on flat
    k, n = np.ravel(k), np.ravel(n)
    lo, hi = np.array(lo, dtype=float).ravel(), np.array(hi, dtype=float).ravel()
    near = np.flatnonzero(np.minimum(k, n - k) <= POISSON_ENDS)  # the rest keep Wilson's ends
    if len(near) == 0:
        return lo.reshape(shape), hi.reshape(shape)
    k, n, tail = k[near], n[near], (1.0 - level) / 2
    # lambda_j for j = 0..POISSON_ENDS; at j = 0 the end is Clopper-Pearson's (exact) instead
    lam = np.array([0.0] + [_poisson_lower(j, tail) for j in range(1, POISSON_ENDS + 1)])
    none = tail ** (1 / n)  # Clopper-Pearson's lower end at k = n (1 - it: upper at k = 0)

    def poisson(j: np.ndarray) -> np.ndarray:  # lambda_j / n where it applies, else NaN
        use = (j >= 1) & (j <= POISSON_ENDS) & (2 * j <= n)
        return np.where(use, lam[np.clip(j, 0, POISSON_ENDS).astype(int)] / n, np.nan)

    low = np.where(k == n, none, poisson(k))  # NaN: Wilson's end stays
    high = np.where(k == 0, none, poisson(n - k))
    lo[near] = np.fmin(lo[near], low)
    hi[near] = np.fmax(hi[near], 1.0 - high)
    return lo.reshape(shape), hi.reshape(shape)


# Relative error of below()'s float value, k terms: exp and pow within 1 ulp (2^-52), each
# division, addition and the product within half; (k + 8) ulps bounds it twice over.
def _sum_error(k: int) -> float:
    return (k + 8) * 2.0**-52


@cache
def _poisson_lower(k: int, tail: float) -> float:
    """The lambda with P(Poisson(lambda) >= k) = ``tail`` (k >= 1), by bisection: lo keeps
    below(lo) > 1 - tail, hi not, until they are adjacent floats. A step whose side
    :func:`_settled` already knows skips the sum, so the float found is the plain bisection's."""
    factorials = [math.factorial(i) for i in range(k)]
    top = 1.0 - tail

    def below(lam: float) -> float:  # P(Poisson(lam) <= k - 1), as floats compute it
        return math.exp(-lam) * sum([lam**i / f for i, f in enumerate(factorials)])

    lo, hi = 0.0, float(k)
    while below(hi) > top:
        lo, hi = hi, 2 * hi
    left, right = _settled(below, factorials, top, lo, hi)
    for _ in range(100):
        mid = (lo + hi) / 2
        if mid == lo or mid == hi:  # adjacent: each later step would keep lo as it is
            break
        above = mid <= left or (mid < right and below(mid) > top)
        lo, hi = (mid, hi) if above else (lo, mid)
    return lo


def _settled(
    below: Callable[[float], float], factorials: list[int], top: float, lo: float, hi: float
) -> tuple[float, float]:
    """(left, right): every float x <= left has below(x) > top and every x >= right has
    below(x) <= top, as computed, (-inf, inf) where not shown. The true sum falls as lambda
    rises and the float is within :func:`_sum_error` of it, so a point whose float clears
    top by 5 such errors settles every point beyond it. The points: a Newton root +- a
    step that moves the sum by 8 errors."""
    k, err = len(factorials), _sum_error(len(factorials))
    root, low, high = (lo + hi) / 2, lo, hi
    slope = 0.0  # -d below / d lambda = the Poisson pmf at k - 1
    for _ in range(50):  # Newton inside the bracket [low, high], else bisection
        gap = below(root) - top
        low, high = (root, high) if gap > 0 else (low, root)
        slope = math.exp(-root) * root ** (k - 1) / factorials[k - 1]
        step = gap / slope if slope > 0 else math.inf
        if abs(step) <= err * root:
            break
        root = root + step if low < root + step < high else (low + high) / 2
    left, right = -math.inf, math.inf
    width = 8 * err * top / slope if slope > 0 else math.inf
    for _ in range(4):  # wider where the first did not clear (the root a little off)
        if left == -math.inf and 0 < root - width and below(root - width) > top * (1 + 5 * err):
            left = root - width
        if right == math.inf and below(root + width) < top * (1 - 5 * err):
            right = root + width
        width *= 16
    return left, right


def wilson_interval(k: int, n: int) -> tuple[float, float]:
    """The 95% interval of the proportion k/n the per-group rates get (Wilson, with Brown,
    Cai & DasGupta's ends at 0 to 10 successes or failures: :func:`poisson_ends`); it holds
    k/n and lies in [0, 1]; (nan, nan) when n is 0."""
    if n <= 0:
        return (math.nan, math.nan)
    k_, n_ = np.array([float(k)]), np.array([float(n)])
    lo, hi = bounded_ends(k_, n_, *wilson_bounds(k_, n_), _CONFIDENCE)
    return (float(lo[0]), float(hi[0]))


def bounded_ends(k: np.ndarray, n: np.ndarray, lo: Any, hi: Any, level: float, *,
                 exact: bool = False) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """An interval ``lo``, ``hi`` of the share k / n (n > 0) with :func:`poisson_ends` (unless
    ``exact``: Clopper-Pearson's are), holding k / n, 0 at k = 0 and 1 at k = n (Jeffreys'
    boundary fix), in [0, 1]: what every rate interval ends with."""
    if not exact:
        lo, hi = poisson_ends(k, n, lo, hi, level)
    p = k / n
    lo = np.where(k == 0, 0.0, np.minimum(np.asarray(lo, dtype=float), p))
    hi = np.where(k == n, 1.0, np.maximum(np.asarray(hi, dtype=float), p))
    return np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)


@dataclass(frozen=True)
class Evidence:
    """What a node says: a number with its interval and count, or a status text.

    ``interval``: "reported" (the node's own), "wilson" (derived from counts) or "none";
    ``group``: the worst-off group a disparity names (else the label that picked the node);
    ``undefined``: why the value is null (or why the node lacks data); ``ceiling``: the most
    the value could be in this audit, where the record says (an epsilon lower bound's);
    ``bound_only``: "lower" / "upper" where the value is only that bound of its metric (a
    disparity one of whose two rates is undefined)."""

    value: float | str | None
    ci_low: float | None = None
    ci_high: float | None = None
    interval: Literal["reported", "wilson", "none"] = "none"
    n: int | None = None
    group: str | None = None
    status: str | None = None
    undefined: str | None = None
    resolvable: bool | None = None
    ceiling: float | None = None
    bound_only: Literal["lower", "upper"] | None = None


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
    value_num = num(value)
    # NaN (an audit in memory) is the null its audit.json writes: its reason says why
    no_value = value_num is None and not isinstance(value, str)
    undefined = node.get("reason") if no_value or status == "insufficient_data" else None
    worst = node.get("worst_group", node.get("group"))
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
        bound_only=_bound_only(node),
    )


# A bound node's leaves that are bounds too: its value and interval ends move together
BOUND_LEAVES = frozenset({"value", "ci_low", "ci_high"})


def _bound_only(node: dict[str, Any]) -> Literal["lower", "upper"] | None:
    side = node.get("bound_only")
    return side if side in ("lower", "upper") else None


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
    ceiling = num(p.get(CEILINGS[leaf])) if leaf in CEILINGS else None
    return Evidence(value=value, ci_low=lo, ci_high=hi, interval=kind, n=n, group=label,
                    undefined=undefined, ceiling=ceiling,
                    bound_only=_bound_only(p) if leaf in BOUND_LEAVES else None)  # fmt: skip


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
