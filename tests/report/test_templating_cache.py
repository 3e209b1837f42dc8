"""Compiled card templates are kept in the user's cache folder (issue 15 item 4: compiling
them was most of a small audit's time): the same output from the cache, a fresh compile
when a template or a cache file changes, and silently none when the folder is unwritable."""

from __future__ import annotations

from pathlib import Path

import jinja2

from auditor.report import templating


def _render(cache: jinja2.BytecodeCache | None, folder: Path) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), bytecode_cache=cache)
    return env.get_template("t.j2").render(name="x")


def test_the_cache_lives_in_the_user_cache_folder_and_gives_the_same_output(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "t.j2").write_text("hello {{ name }}")
    cache = templating.bytecode_cache("test")
    assert cache is not None
    assert _render(cache, tmp_path) == "hello x"
    files = list((tmp_path / "cache" / "auditor").rglob("*.cache"))
    assert len(files) == 1
    assert _render(cache, tmp_path) == "hello x"  # loaded, not compiled
    (tmp_path / "t.j2").write_text("bye {{ name }}")
    assert _render(cache, tmp_path) == "bye x"  # the source checksum changed
    files[0].write_bytes(b"garbage")
    assert _render(templating.bytecode_cache("test"), tmp_path) == "bye x"
    package = Path(templating.__file__).resolve().parents[1]
    assert not list(package.rglob("*.cache"))


def test_an_unwritable_cache_folder_turns_the_cache_off(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert templating.bytecode_cache("test") is None
    (tmp_path / "t.j2").write_text("hello {{ name }}")
    assert _render(None, tmp_path) == "hello x"


def test_a_failing_write_is_silent(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache = templating.bytecode_cache("test")
    (tmp_path / "t.j2").write_text("hello {{ name }}")
    folder = Path(cache.directory)
    folder.rmdir()  # gone between the check and the write
    assert _render(cache, tmp_path) == "hello x"


def test_prepare_templates_loads_every_card_template():
    """``auditor audit`` loads the templates while it reads its file: every ``.html.j2`` and
    ``.md.j2`` is then in its environment's cache."""
    from auditor.report.render import prepare_templates

    names = {p.name for p in templating.templates_dir().rglob("*.j2")}
    prepare_templates()
    for markdown, suffix in ((False, ".html.j2"), (True, ".md.j2")):
        env = templating.environment(markdown=markdown)
        loaded = {Path(t.filename).name for t in env.cache.values()}
        assert {n for n in names if n.endswith(suffix)} <= loaded
