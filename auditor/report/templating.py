"""The Jinja2 environment shared by every renderer: autoescape on, StrictUndefined, so a
field that a template names but the audit lacks is an error, never a blank."""

from __future__ import annotations

import math
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2


def templates_dir() -> Path:
    """``auditor/templates`` in an installed wheel, else the repository's ``templates/``."""
    packaged = Path(str(resources.files("auditor"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


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


def fmt_pct(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{100 * float(value):.{digits}f}%"


@cache
def environment(markdown: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        # HTML: every value is escaped unless a renderer marked it safe (our own SVG).
        # Markdown: escaping is done by the md_escape filter, not by HTML autoescape.
        autoescape=not markdown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    from auditor.report import markdown as md
    from auditor.report import plots

    env.filters.update(num=fmt_num, pct=fmt_pct, md=md.md_escape)
    env.globals.update(plots=plots, isnan=lambda v: v is None)
    return env
