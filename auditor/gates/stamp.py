"""Which gate code judged an audit: :func:`judged_by`, a short sha256 of the source of the
modules whose rules give a verdict (this package, the paths and evidence it reads, the
gates config with its defaults, the interval and disparity code a gap is judged with).

An audit records it (``gates.judged_by``). Reading the file back, the gates are judged again
in full only by the code that judged them (:mod:`auditor.record.verdicts`): a file another
version's code judged (a default bound since changed, an interval method since improved)
is read with each verdict checked against its own numbers, not refused. The modules are
named one by one (a stray ``.py`` beside them is not gate code), and their source is read
with ``\\r\\n`` as ``\\n`` (a Windows checkout of the same commit is the same code). Where a
module's file cannot be read (a zip import, a ``.pyc``-only install), its loader's source
is read, else its code object is hashed, else auditor's version with a marker: never the
hash of nothing, which every such version shared (and so judged each other's files again).
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
from functools import cache
from pathlib import Path

STAMP_CHARS = 16  # hex digits kept of the sha256: 64 bits, a name rather than a proof
# The source files (relative to the auditor package) whose code gives a gate its verdict;
# a module added to gates/ or audit_tree/ is named here (tests/gates/test_stamp.py).
JUDGING = (
    "gates/__init__.py", "gates/baseline.py", "gates/comparable.py", "gates/evaluate.py",
    "gates/gap_groups.py", "gates/judge.py", "gates/names.py", "gates/rules.py",
    "gates/section.py",
    "audit_tree/__init__.py", "audit_tree/jsonfile.py", "audit_tree/later.py",
    "audit_tree/paths.py", "audit_tree/read.py", "audit_tree/shape.py", "audit_tree/walk.py",
    "config/gates.py", "config/labels.py", "fairness/disparities.py", "fairness/intervals.py",
    "fairness/metrics.py", "numbers.py", "results/classification.py",
)  # fmt: skip


def _read_file(path: Path) -> bytes | None:
    """The bytes of ``path``; None where it cannot be read."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _from_loader(name: str) -> bytes | None:
    """The source of the auditor module at ``name`` (a path under the package) from its
    loader, else its code object marshalled; None where neither can be had."""
    module = "auditor." + name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    try:
        loader = getattr(importlib.util.find_spec(module), "loader", None)
        source = loader.get_source(module) if loader is not None else None
        if source is not None:
            return source.encode()
        code = loader.get_code(module) if loader is not None else None
        return b"code\0" + marshal.dumps(code) if code is not None else None
    except (ImportError, OSError, ValueError, AttributeError):
        return None


def _unknown() -> bytes:
    """What stands for a module none of whose source or code can be read."""
    import auditor

    return f"no source or code: auditor {auditor.__version__}".encode()


def stamp_of(root: Path, *, loaders: bool = False) -> str:
    """The stamp of the judging modules under ``root`` (an auditor package folder);
    ``loaders``: a module whose file is not there is read through its loader (this
    process's own auditor)."""
    digest = hashlib.sha256()
    for name in JUDGING:
        text = _read_file(root / name)
        if text is None and loaders:
            text = _from_loader(name)
        digest.update(name.encode() + b"\0")
        digest.update((text if text is not None else _unknown()).replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()[:STAMP_CHARS]


@cache
def judged_by() -> str:
    """The stamp of this auditor's gate code (computed once a process: about 20 files)."""
    return stamp_of(Path(__file__).resolve().parent.parent, loaders=True)
