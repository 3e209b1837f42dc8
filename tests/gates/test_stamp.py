"""The stamp of the gate code (:mod:`auditor.gates.stamp`): the sha256 of the named judging
modules' source, read with ``\\r\\n`` as ``\\n``. It hashed the raw bytes of a folder glob,
so a Windows (CRLF) checkout of the same commit, or a stray ``.py`` beside the modules, gave
another stamp and sent every file to the weaker check against its own numbers."""

from __future__ import annotations

from pathlib import Path

import auditor
from auditor.gates import stamp

ROOT = Path(auditor.__file__).resolve().parent


def _copy(tmp_path: Path, crlf: bool = False) -> Path:
    root = tmp_path / "auditor"
    for name in stamp.JUDGING:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        text = (ROOT / name).read_bytes()
        (root / name).write_bytes(text.replace(b"\n", b"\r\n") if crlf else text)
    return root


def test_a_crlf_checkout_of_the_same_code_has_the_same_stamp(tmp_path):
    assert stamp.stamp_of(_copy(tmp_path, crlf=True)) == stamp.judged_by()


def test_a_stray_module_beside_the_gate_code_does_not_change_the_stamp(tmp_path):
    root = _copy(tmp_path)
    (root / "gates" / "scratch.py").write_text("MAX = 0.5\n")
    (root / "audit_tree" / "old_copy.py").write_text("x = 1\n")
    assert stamp.stamp_of(root) == stamp.judged_by()


def test_an_edit_to_a_judging_module_changes_the_stamp(tmp_path):
    root = _copy(tmp_path)
    path = root / "gates" / "rules.py"
    path.write_text(path.read_text() + "\n# a later auditor\n")
    assert stamp.stamp_of(root) != stamp.judged_by()


def test_every_module_of_the_gates_and_the_paths_is_named():
    """A module added to gates/ or audit_tree/ is named in JUDGING (the list is not a glob)."""
    tracked = {p.relative_to(ROOT).as_posix() for d in ("gates", "audit_tree")
               for p in (ROOT / d).glob("*.py")} - {"gates/stamp.py"}  # fmt: skip
    assert tracked <= set(stamp.JUDGING)
    assert all((ROOT / name).is_file() for name in stamp.JUDGING)


NOTHING = "e3b0c44298fc1c14"  # sha256 of no bytes: the stamp every version shared


def test_without_the_files_the_loaders_source_gives_the_same_stamp(monkeypatch):
    """A zip import has no files to read: the stamp was the sha256 of nothing, the same for
    every version, so any version judged another's files again in full."""
    monkeypatch.setattr(stamp, "_read_file", lambda path: None)
    assert stamp.judged_by.__wrapped__() == stamp.judged_by() != NOTHING


def test_without_any_source_the_stamp_still_differs_by_code_and_version(monkeypatch):
    """A .pyc-only install: the code objects are hashed; with none, auditor's version."""
    monkeypatch.setattr(stamp, "_read_file", lambda path: None)
    monkeypatch.setattr(stamp, "_from_loader", lambda name: b"code\0" + name.encode())
    by_code = stamp.judged_by.__wrapped__()
    monkeypatch.setattr(stamp, "_from_loader", lambda name: b"code\0" + name.encode() + b"2")
    assert len({by_code, stamp.judged_by.__wrapped__(), NOTHING}) == 3
    monkeypatch.setattr(stamp, "_from_loader", lambda name: None)
    monkeypatch.setattr(auditor, "__version__", "0.1.0")
    first = stamp.judged_by.__wrapped__()
    monkeypatch.setattr(auditor, "__version__", "0.2.0")
    assert len({first, stamp.judged_by.__wrapped__(), NOTHING}) == 3


def test_a_modules_source_is_read_through_its_loader():
    text = stamp._from_loader("gates/judge.py")
    assert text is not None and text == (ROOT / "gates/judge.py").read_bytes()
    assert stamp._from_loader("gates/__init__.py") == (ROOT / "gates/__init__.py").read_bytes()
