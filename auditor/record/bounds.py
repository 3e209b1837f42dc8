"""What the read-back checks of an audit's numbers share: what a number is, the rounding they
allow, and the one wording each of "outside its bounds" and "not a count of n" has.

auditor writes an estimate, its interval and the counts beside it from one computation, so a
number read back may stray from what they give by rounding only (:data:`TOLERANCE`, relative
to the number where it is above 1).
"""

from __future__ import annotations

import math
from typing import Any

from auditor.audit_tree import count
from auditor.errors import AuditorInputError

TOLERANCE = 1e-9  # rounding only

# what: "a rate"; lie: "lies", or "and its interval lie" where an interval end is read.
OUT_OF_RANGE = "{value!r} is outside [{lo:g}, {hi:g}], where {what} {lie}"
RATE = "a rate"  # in [0, 1]: a share of rows, a TPR, an accuracy
COUNT = "a count"  # 0 or more, with nothing beside it to bound it above
NOT_A_COUNT_OF = "{k!r} is not a count between 0 and {name} ({n!r})"
# The interval keys of an estimate node: each lies where its value does.
ESTIMATE_KEYS = ("value", "ci_low", "ci_high")


def number(x: Any) -> bool:
    """A JSON number (a boolean is not one)."""
    return isinstance(x, int | float) and not isinstance(x, bool)


def slack(value: float) -> float:
    """The rounding allowed around ``value``."""
    return TOLERANCE * max(1.0, abs(value))


def check_range(value: Any, lo: float, hi: float, *, what: str, field: str, source: str,
                lie: str = "lies") -> None:  # fmt: skip
    """Raise naming ``field`` where ``value`` is a number outside [``lo``, ``hi``] (``what``:
    what lies there, :data:`RATE`); anything else passes (the schema holds its type)."""
    if number(value) and not lo - slack(value) <= value <= hi + slack(value):
        why = OUT_OF_RANGE.format(value=value, lo=lo, hi=hi, what=what, lie=lie)
        raise AuditorInputError(why, source=source, field=field)


def check_estimate(node: dict[str, Any], lo: float, hi: float, *, what: str, where: str,
                   source: str) -> None:  # fmt: skip
    """An estimate node's value and interval ends within [``lo``, ``hi``]."""
    for key in ESTIMATE_KEYS:
        check_range(node.get(key), lo, hi, what=what, field=f"{where}/{key}", source=source,
                    lie="and its interval lie")


def check_count(k: Any, n: int, *, name: str, field: str, source: str) -> None:
    """Raise naming ``field`` where ``k`` is a count outside [0, ``n``] (``name``: what ``n``
    is, "n" or "n_members")."""
    if count(k) is not None and not 0 <= k <= n:
        why = NOT_A_COUNT_OF.format(k=k, name=name, n=n)
        raise AuditorInputError(why, source=source, field=field)


def check_a_count(value: Any, *, field: str, source: str) -> None:
    """Raise naming ``field`` where ``value`` is a number below 0 (a count of rows, canaries
    or candidates that nothing beside it bounds above: "-1 is outside [0, inf], where a
    count lies")."""
    check_range(value, 0, math.inf, what=COUNT, field=field, source=source)
