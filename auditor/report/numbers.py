"""Numbers for people, shared by the cards, the summary and the terminal (no Jinja2 here)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, InvalidOperation
from typing import Any

MAX_DIGITS = 17  # enough places to tell any two distinct doubles below 1 apart
NOISE = 1e-12  # an end this close to a printed number is that number (1 - 1e-16 is 1.000)
_EXACT = Context(prec=400)  # every double's decimal expansion, cut at MAX_DIGITS places


def fmt_num(value: Any, digits: int = 3) -> str:
    """A number for people: '—' for missing/NaN, ints as ints, floats to ``digits`` places."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def bounds_of(bound: Mapping[str, Any] | None) -> tuple[float, ...]:
    """The numbers a gate's ``bound`` ({min, max, ...}) compares a value with."""
    if not bound:
        return ()
    ends = (bound.get("min"), bound.get("max"))
    return tuple(float(b) for b in ends if isinstance(b, (int, float)) and not isinstance(b, bool))


def _side(x: float, b: float) -> int:
    return (x > b) - (x < b)


def _rounded(value: float, places: int, rounding: str | None) -> str:
    if rounding is None or abs(value - round(value, places)) < NOISE:
        return f"{value:.{places}f}"
    step = Decimal(1).scaleb(-places)
    return str(Decimal(value).quantize(step, rounding=rounding, context=_EXACT))


def _fmt(value: Any, digits: int, rounding: str | None, bounds: Iterable[float]) -> str:
    """``value`` to ``digits`` places (``rounding``: None to the nearest, else outward), or to
    more places where fewer would print it on the other side of a bound, or on a bound it
    is not on: a gate's value of 0.20004 against <= 0.2 is never printed as 0.2000."""
    if not isinstance(value, float) or not math.isfinite(value):
        return fmt_num(value, digits)
    bounds = tuple(bounds)
    try:
        for places in range(digits, max(digits, MAX_DIGITS) + 1):
            text = _rounded(value, places, rounding)
            if all(_side(float(text), b) == _side(value, b) for b in bounds):
                return text
    except InvalidOperation:  # past _EXACT's 400 digits: no double is that long
        return fmt_num(value, digits)
    return repr(value)


def fmt_low(value: Any, digits: int = 3, bound: Mapping[str, Any] | None = None) -> str:
    """An interval's lower end, rounded down (a printed interval is never narrower than the
    recorded one), on the same side of ``bound``'s numbers as the end itself."""
    return _fmt(value, digits, ROUND_FLOOR, bounds_of(bound))


def fmt_high(value: Any, digits: int = 3, bound: Mapping[str, Any] | None = None) -> str:
    """An interval's upper end, rounded up; see :func:`fmt_low`."""
    return _fmt(value, digits, ROUND_CEILING, bounds_of(bound))


def fmt_vs(value: Any, bound: Mapping[str, Any] | None, digits: int = 3) -> str:
    """A gate's value to the nearest ``digits`` places, with more where fewer would put it on
    (or across) a bound of ``bound`` that it is not on."""
    return _fmt(value, digits, None, bounds_of(bound))
