"""The fairness section's previews read back: the threshold sweep and the mitigation preview.

The sweep (:func:`auditor.fairness.threshold.threshold_sweep`) writes, for each group of at
least ``min_group_size`` rows, its ``n = n_positive + n_negative`` and, at every threshold of
its grid, a selection rate, TPR and FPR, each a count over ``n``, ``n_positive`` or
``n_negative`` (null where that is 0). The mitigation preview
(:func:`auditor.fairness.mitigation.threshold_optimizer_preview`) writes, before and after
each constraint, an accuracy, a selection rate and two gaps between groups, each an estimate
in [0, 1]. A hand-edited rate (a TPR of 7, one over no positive rows) or count was drawn by
the card's trade-off table and shown by the diff.
:func:`auditor.record.counts.check_fairness_counts` calls :func:`check_fairness_previews`.
"""

from __future__ import annotations

from typing import Any

from auditor.audit_tree import count
from auditor.errors import AuditorInputError
from auditor.record.bounds import (
    RATE,
    TOLERANCE,
    check_a_count,
    check_estimate,
    check_range,
    number,
)

NOT_THE_SUM = "{n!r} is not n_positive + n_negative ({total!r})"
NOT_EVERY_THRESHOLD = "holds {found} rates, not one at each of the grid's {n} thresholds"
OVER_NO_ROWS = "{value!r} is a rate over no rows ({name} is 0)"
NO_RATE = "null, but {name} is {n:,}: a rate over them was written"
NOT_A_SHARE = "{value!r} is not a whole count over {name} ({n:,})"
# Each rate of a sweep's curve and the rows it is over.
CURVES = {"selection_rate": "n", "tpr": "n_positive", "fpr": "n_negative"}
PREVIEW = "a rate or a gap between groups"


def check_fairness_previews(fairness: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first number of ``fairness`` (an audit's
    fairness section read back from ``source``) that breaks what the module lists."""
    sweep = fairness.get("threshold_sweep")
    if isinstance(sweep, dict) and sweep.get("status") == "ok":
        grid = sweep.get("grid")
        features = sweep.get("features")
        for name, curves in features.items() if isinstance(features, dict) else ():
            for i, curve in enumerate(curves if isinstance(curves, list) else ()):
                if isinstance(curve, dict):
                    where = f"fairness/threshold_sweep/features/{name}/{i}"
                    _curve(curve, grid, where, source)
    mitigation = fairness.get("mitigation")
    features = mitigation.get("features") if isinstance(mitigation, dict) else None
    for name, preview in features.items() if isinstance(features, dict) else ():
        if isinstance(preview, dict):
            _preview(preview, f"fairness/mitigation/features/{name}", source)


def _curve(curve: dict[str, Any], grid: Any, where: str, source: str) -> None:
    sizes = {key: curve.get(key) for key in ("n", "n_positive", "n_negative")}
    for key, size in sizes.items():
        check_a_count(size, field=f"{where}/{key}", source=source)
    if any(count(size) is None for size in sizes.values()):
        return
    if sizes["n"] != sizes["n_positive"] + sizes["n_negative"]:
        why = NOT_THE_SUM.format(n=sizes["n"], total=sizes["n_positive"] + sizes["n_negative"])
        raise AuditorInputError(why, source=source, field=f"{where}/n")
    for key, over in CURVES.items():
        rates = curve.get(key)
        if not isinstance(rates, list):
            continue
        if isinstance(grid, list) and len(rates) != len(grid):
            why = NOT_EVERY_THRESHOLD.format(found=len(rates), n=len(grid))
            raise AuditorInputError(why, source=source, field=f"{where}/{key}")
        if not _all_shares(rates, sizes[over]):  # the common case: no field names built
            for j, rate in enumerate(rates):
                _rate(rate, over, sizes[over], f"{where}/{key}/{j}", source)


def _all_shares(rates: list[Any], n: int) -> bool:
    """True where every rate is what :func:`_rate` takes: null over no rows, else a number
    that is a whole count of the ``n`` rows (in [0, 1] with it)."""
    if not n:
        return all(rate is None for rate in rates)
    slack = TOLERANCE * n
    for rate in rates:
        if not number(rate):
            return False
        k = rate * n
        if not -slack <= k <= n + slack or abs(k - round(k)) > slack:
            return False
    return True


def _rate(rate: Any, name: str, n: int, where: str, source: str) -> None:
    """``rate`` a count over ``n`` rows (``name``), null where ``n`` is 0."""
    if rate is None:
        if n:
            raise AuditorInputError(NO_RATE.format(name=name, n=n), source=source, field=where)
        return
    if not number(rate):
        return  # the schema holds its type
    if not n:
        why = OVER_NO_ROWS.format(value=rate, name=name)
        raise AuditorInputError(why, source=source, field=where)
    check_range(rate, 0.0, 1.0, what=RATE, field=where, source=source)
    if abs(rate * n - round(rate * n)) > TOLERANCE * max(1, n):
        why = NOT_A_SHARE.format(value=rate, name=name, n=n)
        raise AuditorInputError(why, source=source, field=where)


def _preview(preview: dict[str, Any], where: str, source: str) -> None:
    """The estimates before and after each constraint: each in [0, 1] with its interval."""
    parts = [(f"{where}/before", preview.get("before"))]
    constraints = preview.get("constraints")
    for name, result in constraints.items() if isinstance(constraints, dict) else ():
        if isinstance(result, dict):
            parts.append((f"{where}/constraints/{name}/after", result.get("after")))
    for at, estimates in parts:
        for key, node in estimates.items() if isinstance(estimates, dict) else ():
            if isinstance(node, dict):
                check_estimate(node, 0.0, 1.0, what=PREVIEW, where=f"{at}/{key}", source=source)
