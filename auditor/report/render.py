"""Every rendering of an audit: ``render_all`` is what :mod:`auditor.run_folder` calls for
every command; a renderer reads only the audit dict, so every format can be rebuilt from
``audit.json`` without retraining.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from auditor.io import atomic_write_text, cache_entries, prune_cache_files
from auditor.report.html import render_html
from auditor.report.junit import render_junit
from auditor.report.markdown import render_markdown
from auditor.report.summary import render_summary
from auditor.report.templating import environment

CACHE_KEEP = 4  # compiled templates kept per kind: those of the 4 last used checkouts

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
    prune_template_caches()
    return written


def prune_template_caches() -> None:
    """Keep the compiled templates of the :data:`CACHE_KEEP` last used checkouts (or installs)
    in each template cache folder: Jinja2 names a file after the template's path, so every
    checkout, copy or install of auditor added its own set and none went (966 files in
    ``templates-0.1.0-jinja3.1.6-html`` here). The files of the templates this process
    loaded are marked used (their time set to now) and kept; writers' temporary files go
    after an hour. Another run that finds its file gone compiles the template again."""
    for markdown in (False, True):
        env = environment(markdown=markdown)
        cache = env.bytecode_cache
        if not isinstance(cache, jinja2.FileSystemBytecodeCache) or env.cache is None:
            continue
        folder, used = Path(cache.directory), set()
        for template in list(env.cache.values()):
            key = cache.get_cache_key(template.name, template.filename)
            path = folder / (cache.pattern % key)
            with contextlib.suppress(OSError):  # not written (an unwritable cache), or gone
                os.utime(path)
                used.add(path)
        count = CACHE_KEEP * max(len(env.list_templates()), len(used))
        names = cache.pattern % "*"  # Jinja2's temporary file: the name, random, ".tmp"
        prune_cache_files(cache_entries(folder), names=names, keep=used, count=count,
                          temporary=f"{names}*.tmp")  # fmt: skip
