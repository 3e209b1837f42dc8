"""The generated schema is kept in the user's cache folder under a fingerprint of auditor's
source files: read back equal to a fresh generation, generated again when the fingerprint
changes, and generated every time (silently) when the folder cannot be written."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import auditor.record as record
from auditor.record.model import generate_schema


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """The record module with an empty in-process cache and the user cache in tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    record._schema.cache_clear()
    record._fast_validator.cache_clear()
    yield tmp_path / "cache"
    record._schema.cache_clear()
    record._fast_validator.cache_clear()


def test_the_cached_schema_is_the_generated_one(fresh):
    schema = record.audit_schema()
    [cached] = list(fresh.glob("auditor/schema-*/audit-*.json"))
    assert json.loads(cached.read_text()) == schema == generate_schema()
    # a second process reads it without importing the sections' code
    code = ("import sys, auditor.record as r; r.audit_schema(); print("
            "'auditor.record.model' in sys.modules, 'auditor.privacy.section' in sys.modules)")
    env = {**os.environ, "XDG_CACHE_HOME": str(fresh)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)  # fmt: skip
    assert out.stdout.split() == ["False", "False"]


def test_a_changed_fingerprint_generates_again(fresh, monkeypatch):
    record.audit_schema()
    [first] = list(fresh.glob("auditor/schema-*/audit-*.json"))
    first.write_text(json.dumps({"type": "object", "stale": True}))
    record._schema.cache_clear()
    monkeypatch.setattr(record, "_fingerprint", lambda: "changed")
    assert "stale" not in record.audit_schema()
    assert (first.parent / "audit-changed.json").is_file()


def test_a_stale_or_broken_cache_file_is_not_trusted_blindly(fresh):
    record.audit_schema()
    [path] = list(fresh.glob("auditor/schema-*/audit-*.json"))
    path.write_text("{not json")
    record._schema.cache_clear()
    assert record.audit_schema() == generate_schema()


def test_an_unwritable_cache_folder_still_validates(fresh, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "/proc/no-such-place")
    record._schema.cache_clear()
    assert record.audit_schema() == generate_schema()


def test_the_fingerprint_follows_the_source_files():
    before = record._fingerprint()
    assert before == record._fingerprint()  # a pure function of the files
    target = os.path.join(os.path.dirname(record.__file__), "version.py")
    stat = os.stat(target)
    try:
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        assert record._fingerprint() != before
    finally:
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert record._fingerprint() == before


def _generate(monkeypatch, fingerprint: str) -> None:
    record._schema.cache_clear()
    monkeypatch.setattr(record, "_fingerprint", lambda: fingerprint)
    record.audit_schema()


def test_only_the_last_used_schema_files_are_kept(fresh, monkeypatch):
    """A file was added per change of the source and none removed (215 files, 16 MB here
    after a day); now the CACHE_KEEP last used stay, the one in use among them."""
    _generate(monkeypatch, "in-use")
    folder = fresh / "auditor" / f"schema-{record.__version__}"
    in_use = folder / "audit-in-use.json"
    in_use.write_text(json.dumps({**json.loads(in_use.read_text()), "marker": 1}))
    for i in range(8):
        _generate(monkeypatch, f"v{i}")
        _generate(monkeypatch, "in-use")  # read back, never generated again: its use counts
        assert "marker" in record.audit_schema()
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == record.CACHE_KEEP and "audit-in-use.json" in names
    assert "audit-v7.json" in names and "audit-v0.json" not in names
    assert "marker" in json.loads(in_use.read_text())


def test_a_killed_writers_file_goes_after_an_hour_and_a_vanished_one_is_skipped(
    fresh, monkeypatch
):
    _generate(monkeypatch, "a")
    folder = fresh / "auditor" / f"schema-{record.__version__}"
    old, young = folder / ".audit-a.json.x1.tmp", folder / ".audit-a.json.x2.tmp"
    old.write_text("{")
    young.write_text("{")
    os.utime(old, (1000, 1000))
    gone = folder / "audit-deleted-by-another-run.json"
    listed = record._entries(folder) + [gone]
    monkeypatch.setattr(record, "_entries", lambda _: listed)
    record.prune_cache(folder, keep=folder / "audit-a.json")
    assert not old.exists() and young.exists() and (folder / "audit-a.json").exists()


def _walked(root) -> str:
    """The fingerprint's file part as os.walk wrote it (before scandir), for any tree."""
    import hashlib
    from pathlib import Path

    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(f for f in files if f.endswith(".py")):
            path = Path(folder, name)
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def test_the_fingerprint_hashes_what_os_walk_found(tmp_path):
    for rel in ("a.py", "b.txt", "z/__init__.py", "z/y.py", "a_b/c.py", "__pycache__/x.py",
                "z/__pycache__/w.py", "m/n/o.py", "data.py/inner.py"):  # fmt: skip
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel * 3)
    (tmp_path / "linked").symlink_to(tmp_path / "m")  # os.walk does not follow it
    (tmp_path / "l.py").symlink_to(tmp_path / "a.py")  # a link to a file is hashed
    import hashlib

    digest = hashlib.sha256()
    record._hash_folder(digest, str(tmp_path), "")
    assert digest.hexdigest() == _walked(tmp_path)
    package = os.path.dirname(os.path.dirname(os.path.realpath(record.__file__)))
    digest = hashlib.sha256()
    record._hash_folder(digest, package, "")
    assert digest.hexdigest() == _walked(package)
