"""Numbers for people, shared by the cards, the summary and the terminal (no Jinja2 here)."""

from __future__ import annotations

import math
from typing import Any


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
