"""Numbers for people, shared by the cards, the summary, the terminal, the API's text and the
gate messages (no Jinja2 here): to the nearest, or an interval's ends rounded outward, and
never printed on (or across) a gate's bound that the number is not on."""

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


def _missing(value: Any) -> bool:
    """What :func:`fmt_num` prints as '—' (None, NaN, an infinity); a float checked fast."""
    if isinstance(value, float):
        return not math.isfinite(value)
    return fmt_num(value) == "—"


def bounds_of(bound: Mapping[str, Any] | None) -> tuple[float, ...]:
    """The numbers a gate's ``bound`` ({min, max, ...}) compares a value with."""
    if not bound:
        return ()
    ends = (bound.get("min"), bound.get("max"))
    return tuple(float(b) for b in ends if isinstance(b, (int, float)) and not isinstance(b, bool))


def _side(x: float, b: float) -> int:
    return (x > b) - (x < b)


def keeps_sides(text: str, value: float, bounds: tuple[float, ...]) -> bool:
    """True when the number ``text`` prints lies on the same side of each bound (or on it)
    as ``value``."""
    shown = float(text)
    return all(_side(shown, b) == _side(value, b) for b in bounds)


def _step(value: float, digits: int, kind: str) -> float:
    """One unit in the last printed digit: ``digits`` places (``kind`` 'f') or significant
    digits ('g') of ``value``."""
    if kind == "f" or value == 0:
        return 10.0**-digits
    return 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)


def _rounded(value: float, digits: int, toward: int | None, kind: str = "f") -> str:
    """``value`` to ``digits`` places (``kind`` 'f') or significant digits ('g'): to the
    nearest (``toward`` None), else the nearest text on the side ``toward`` (DOWN, UP)
    unless within :data:`NOISE` of it (of its size, for significant digits)."""
    text = f"{value:.{digits}{kind}}"
    near = float(text)
    noise = NOISE if kind == "f" else NOISE * abs(value)  # significant digits: relative
    if toward is None or abs(value - near) < noise or (near - value) * toward >= 0:
        return text
    return f"{near + toward * _step(value, digits, kind):.{digits}{kind}}"  # one step past


def _fmt(
    value: Any, digits: int, toward: int | None, bounds: tuple[float, ...], kind: str = "f"
) -> str:
    """``value`` to ``digits`` places or significant digits (``kind``; ``toward``: None to
    the nearest, else outward), or to more where fewer would print it on the other side of a
    bound, or on a bound it is not on: a gate's value of 0.20004 against <= 0.2 is never
    printed as 0.2000."""
    if not isinstance(value, float) or not math.isfinite(value):
        return fmt_num(value, digits)
    if not bounds:  # most ends: no gate beside them
        return _rounded(value, digits, toward, kind)
    for more in range(digits, max(digits, MAX_DIGITS) + 1):
        text = _rounded(value, more, toward, kind)
        if keeps_sides(text, value, bounds):
            return text
    return repr(value)


def fmt_sig(value: Any, digits: int, toward: int | None, bounds: tuple[float, ...] = ()) -> str:
    """A float to ``digits`` significant digits (a gate message's style): to the nearest
    (``toward`` None) or rounded DOWN / UP (an interval's ends), with more digits where fewer
    would print it on or across a bound of ``bounds`` that it is not on."""
    return _fmt(value, digits, toward, bounds, "g")


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


def interval_ends(
    low: Any, high: Any, digits: int = 3, bound: Mapping[str, Any] | None = None
) -> str:
    """``[low, high]`` rounded outward, or '' where an end is missing (None, NaN)."""
    if _missing(low) or _missing(high):
        return ""
    bounds = bounds_of(bound) if bound else ()
    return f"[{_fmt(low, digits, DOWN, bounds)}, {_fmt(high, digits, UP, bounds)}]"


def fmt_interval(
    value: Any, low: Any, high: Any, digits: int = 3, bound: Mapping[str, Any] | None = None
) -> str:
    """``value [low, high]`` for people: the value to the nearest ``digits`` places, the
    interval's ends rounded outward (a printed interval is never narrower than the recorded
    one), the interval only where both ends are numbers; each number on its own side of
    ``bound``'s numbers."""
    text = fmt_vs(value, bound, digits)
    ends = interval_ends(low, high, digits, bound)
    return f"{text} {ends}" if ends else text


def convergence_share(explanations: Mapping[str, Any]) -> float | None:
    """Integrated Gradients' mean |convergence error| as a share of the mean |f(x) -
    f(baseline)| it adds up to, as the checklist item and both cards show it: None where
    either is absent (older files), not finite, or the gap is 0 (nothing to add up to) or
    negative (a mean of absolute values is not: a hand-edited file)."""
    delta = explanations.get("convergence_delta_mean_abs")
    gap = explanations.get("score_gap_mean_abs")
    if _missing(delta) or _missing(gap) or float(gap) <= 0:
        return None
    return float(delta) / float(gap)
