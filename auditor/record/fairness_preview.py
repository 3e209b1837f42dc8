"""The fairness section's previews read back: the threshold sweep and the mitigation preview.

The sweep (:func:`auditor.fairness.threshold.threshold_sweep`) writes, for each group of at
least ``min_group_size`` rows (the config's), its ``n = n_positive + n_negative`` and, at every
threshold of its grid (ascending, in [0, 1]), a selection rate, TPR and FPR, each a count over
``n``, ``n_positive`` or ``n_negative`` (null where that is 0). The mitigation preview
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
NOT_ASCENDING = "{value!r} is not above the threshold before it ({before!r})"
NOT_THE_CONFIG = "{value!r} is not config/fairness/min_group_size ({config!r})"
TOO_SMALL = "{n!r} rows, fewer than min_group_size ({fewest!r}): the sweep leaves such a group out"
THRESHOLD = "a threshold on P(positive)"
# Each rate of a sweep's curve and the rows it is over.
CURVES = {"selection_rate": "n", "tpr": "n_positive", "fpr": "n_negative"}
PREVIEW = "a rate or a gap between groups"


def check_fairness_previews(fairness: dict[str, Any], *, source: str,
                            min_group_size: Any = None) -> None:  # fmt: skip
    """Raise :class:`AuditorInputError` naming the first number of ``fairness`` (an audit's
    fairness section read back from ``source``) that breaks what the module lists;
    ``min_group_size``: the config's (``config.fairness.min_group_size``)."""
    sweep = fairness.get("threshold_sweep")
    if isinstance(sweep, dict) and sweep.get("status") == "ok":
        grid = sweep.get("grid")
        _grid(grid, source)
        fewest = _fewest(sweep.get("min_group_size"), min_group_size, source)
        features = sweep.get("features")
        for name, curves in features.items() if isinstance(features, dict) else ():
            for i, curve in enumerate(curves if isinstance(curves, list) else ()):
                if isinstance(curve, dict):
                    where = f"fairness/threshold_sweep/features/{name}/{i}"
                    _curve(curve, grid, where, source)
                    _big_enough(curve.get("n"), fewest, f"{where}/n", source)
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
    """True where every rate is a share of the ``n`` rows (:func:`_is_share`)."""
    return all(_is_share(rate, n) for rate in rates)


def _is_share(rate: Any, n: int) -> bool:
    """The one rule of a sweep's rate: null over no rows, else a number that is a whole count
    of the ``n`` rows (in [0, 1] with it); a value of another type is the schema's to refuse.
    :func:`_all_shares` (every rate) and :func:`_rate` (naming the first that breaks) both
    ask it, so the fast path passes exactly what the named one does."""
    if rate is None or not number(rate):
        return rate is not None or not n
    if not n:
        return False
    k, slack = rate * n, TOLERANCE * n
    return -slack <= k <= n + slack and abs(k - round(k)) <= slack


def _rate(rate: Any, name: str, n: int, where: str, source: str) -> None:
    """``rate`` a count over ``n`` rows (``name``), null where ``n`` is 0."""
    if _is_share(rate, n):
        return
    if rate is None:
        raise AuditorInputError(NO_RATE.format(name=name, n=n), source=source, field=where)
    if not n:
        why = OVER_NO_ROWS.format(value=rate, name=name)
        raise AuditorInputError(why, source=source, field=where)
    check_range(rate, 0.0, 1.0, what=RATE, field=where, source=source)
    why = NOT_A_SHARE.format(value=rate, name=name, n=n)
    raise AuditorInputError(why, source=source, field=where)


def _grid(grid: Any, source: str) -> None:
    """The sweep's thresholds: each in [0, 1], each above the one before."""
    before = None
    for i, t in enumerate(grid if isinstance(grid, list) else ()):
        where = f"fairness/threshold_sweep/grid/{i}"
        check_range(t, 0.0, 1.0, what=THRESHOLD, field=where, source=source)
        if number(t) and before is not None and t <= before:
            why = NOT_ASCENDING.format(value=t, before=before)
            raise AuditorInputError(why, source=source, field=where)
        before = t if number(t) else before


def _fewest(size: Any, config: Any, source: str) -> int | None:
    """The sweep's ``min_group_size``: the config's, as the sweep is given it."""
    where = "fairness/threshold_sweep/min_group_size"
    if count(size) is not None and count(config) is not None and size != config:
        why = NOT_THE_CONFIG.format(value=size, config=config)
        raise AuditorInputError(why, source=source, field=where)
    return count(size)


def _big_enough(n: Any, fewest: int | None, where: str, source: str) -> None:
    if count(n) is not None and fewest is not None and n < fewest:
        why = TOO_SMALL.format(n=n, fewest=fewest)
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
