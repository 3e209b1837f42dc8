"""The compiled-template caches (~/.cache/auditor/templates-<version>-jinja<version>-{html,
markdown}) gained a set of files per checkout, copy or install of auditor (Jinja2 names a file
after the template's path) and lost none: 966 files in the HTML one here. Rendering now keeps
the files of the last used checkouts, its own marked used, and drops a killed writer's
temporary file after an hour; renderers running at once beside the pruning all succeed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.report import render, templating
from tests.builders import predictions_audit

OLD = 1_000_000  # a modification time long ago: a checkout not used since


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """A fresh user cache folder; the environments (and their caches) made again in it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    templating.environment.cache_clear()
    yield tmp_path / "cache" / "auditor"
    templating.environment.cache_clear()


def _folders(home: Path) -> list[Path]:
    return [templating.bytecode_cache(kind).directory for kind in ("html", "markdown")]


def _plant(folder: Path, n: int) -> list[Path]:
    """``n`` compiled templates of other checkouts, long unused, and two writers' files."""
    planted = [Path(folder) / f"__jinja2_{i:040x}.cache" for i in range(n)]
    for path in planted:
        path.write_bytes(b"old")
        os.utime(path, (OLD, OLD))
    return planted


def test_rendering_keeps_the_last_used_checkouts_only(cache_home, tmp_path):
    folders = [Path(f) for f in _folders(cache_home)]
    planted = {f: _plant(f, 600) for f in folders}
    html = folders[0]
    killed, writing = html / "__jinja2_aa.cache1x2y.tmp", html / "__jinja2_bb.cachez9.tmp"
    for path in (killed, writing):
        path.write_bytes(b"half")
    os.utime(killed, (OLD, OLD))
    predictions_audit(tmp_path / "a")  # renders every card: compiles and prunes
    for folder in folders:
        env = templating.environment(markdown=folder != html)
        limit = render.CACHE_KEEP * len(env.list_templates())
        files = sorted(folder.glob("__jinja2_*.cache"))
        assert 0 < len(files) <= limit  # 600 old files of other checkouts were there
        survivors = [p for p in planted[folder] if p.exists()]
        assert len(survivors) == limit - len(env.cache)  # the newest of them: none newer
        ours = [p for p in files if p not in planted[folder]]
        assert len(ours) == len(env.cache)  # each template this run loaded is kept
    assert not killed.exists() and writing.exists()


def test_the_files_in_use_are_marked_used_and_kept(cache_home, tmp_path):
    predictions_audit(tmp_path / "a")
    html = Path(_folders(cache_home)[0])
    ours = sorted(html.glob("__jinja2_*.cache"))
    for path in ours:
        os.utime(path, (OLD - 1, OLD - 1))  # older than every planted file
    _plant(html, 600)
    predictions_audit(tmp_path / "b")  # loads from the cache, marks them used
    assert all(p.exists() and p.stat().st_mtime > OLD for p in ours)


RENDER = """
import sys
from pathlib import Path
from auditor.report.render import render_all
from auditor.run_folder import load_audit
audit = load_audit(sys.argv[1])
for i in range(3):
    out = Path(sys.argv[2]) / str(i)
    out.mkdir(parents=True)
    render_all(audit, out)
print("ok")
"""


def test_renderers_at_once_beside_the_pruning_all_succeed(cache_home, tmp_path):
    run = predictions_audit(tmp_path / "a").run_dir
    for folder in _folders(cache_home):
        _plant(Path(folder), 400)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home.parent)}
    children = [subprocess.Popen([sys.executable, "-c", RENDER, str(run), str(tmp_path / f"o{k}")],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, cwd=Path(__file__).resolve().parents[2])
                for k in range(4)]  # fmt: skip
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0 and out.strip() == "ok", err
    cards = {(tmp_path / f"o{k}" / str(i) / "model_card.md").read_text()
             for k in range(4) for i in range(3)}  # fmt: skip
    assert len(cards) == 1 and "auditor card RUN_DIR" in cards.pop()
