"""Every rendering of an audit: ``render_all`` is what :mod:`auditor.run_folder` calls for
every command; a renderer reads only the audit dict, so every format can be rebuilt from
``audit.json`` without retraining.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor.io import atomic_write_text
from auditor.report.html import render_html
from auditor.report.junit import render_junit
from auditor.report.markdown import render_markdown
from auditor.report.summary import render_summary
from auditor.report.templating import environment

Renderer = Callable[[dict[str, Any]], str | None]

# (file name, render(audit) -> text, or None when that file does not apply)
RENDERERS: tuple[tuple[str, Renderer], ...] = (
    ("model_card.html", render_html), ("model_card.md", render_markdown),
    ("junit.xml", render_junit), ("summary.md", render_summary),
)  # fmt: skip


def prepare_templates() -> None:
    """Load every card template now (compiled, from the bytecode cache where it holds them),
    so that rendering does not wait for them (``auditor audit`` does it while reading)."""
    for markdown in (False, True):
        env = environment(markdown=markdown)
        suffix = ".md.j2" if markdown else ".html.j2"
        for name in env.list_templates(filter_func=lambda n, s=suffix: n.endswith(s)):
            env.get_template(name)


def render_all(audit: dict[str, Any], folder: Path) -> list[Path]:
    """Render every format into ``folder``; return the paths written."""
    folder = Path(folder)
    written = []
    for name, render in RENDERERS:
        text = render(audit)
        if text is None:
            continue
        path = folder / name
        atomic_write_text(path, text)
        written.append(path)
    return written
