"""Numbers for people, shared by the cards, the summary and the terminal (no Jinja2 here)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

MAX_DIGITS = 17  # enough places to tell any two distinct doubles below 1 apart
NOISE = 1e-12  # an end this close to a printed number is that number (1 - 1e-16 is 1.000)
DOWN, UP = -1, 1  # an interval's lower end is rounded down, its upper end up


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


def _rounded(value: float, places: int, toward: int | None) -> str:
    """``value`` to ``places`` decimals: to the nearest (``toward`` None), else the nearest
    text on the side ``toward`` (DOWN, UP) unless within :data:`NOISE` of it."""
    text = f"{value:.{places}f}"
    near = float(text)
    if toward is None or abs(value - near) < NOISE or (near - value) * toward >= 0:
        return text
    return f"{near + toward * 10.0**-places:.{places}f}"  # one step past the value


def _fmt(value: Any, digits: int, toward: int | None, bounds: tuple[float, ...]) -> str:
    """``value`` to ``digits`` places (``toward``: None to the nearest, else outward), or to
    more places where fewer would print it on the other side of a bound, or on a bound it
    is not on: a gate's value of 0.20004 against <= 0.2 is never printed as 0.2000."""
    if not isinstance(value, float) or not math.isfinite(value):
        return fmt_num(value, digits)
    if not bounds:  # most ends: no gate beside them
        return _rounded(value, digits, toward)
    for places in range(digits, max(digits, MAX_DIGITS) + 1):
        text = _rounded(value, places, toward)
        if all(_side(float(text), b) == _side(value, b) for b in bounds):
            return text
    return repr(value)


def fmt_low(value: Any, digits: int = 3, bound: Mapping[str, Any] | None = None) -> str:
    """An interval's lower end, rounded down (a printed interval is never narrower than the
    recorded one), on the same side of ``bound``'s numbers as the end itself."""
    return _fmt(value, digits, DOWN, bounds_of(bound))


def fmt_high(value: Any, digits: int = 3, bound: Mapping[str, Any] | None = None) -> str:
    """An interval's upper end, rounded up; see :func:`fmt_low`."""
    return _fmt(value, digits, UP, bounds_of(bound))


def fmt_vs(value: Any, bound: Mapping[str, Any] | None, digits: int = 3) -> str:
    """A gate's value to the nearest ``digits`` places, with more where fewer would put it on
    (or across) a bound of ``bound`` that it is not on."""
    return _fmt(value, digits, None, bounds_of(bound))
