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
