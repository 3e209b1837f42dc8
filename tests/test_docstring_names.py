"""A docstring's Sphinx name (``:func:`auditor.x.y```) names something that is there:
auditor/io.py cited ``auditor.record.read_audit``, which never existed (R4 #8); read_audit is in
auditor.record.read_back."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMED = re.compile(r":(?:func|class|data|meth|mod|attr|exc|obj):`~?(auditor(?:\.\w+)+)`")


def _there(name: str) -> bool:
    """Whether ``name`` is a module, or a name a module holds (the longest module first)."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            if not hasattr(found, part):
                return False
            found = getattr(found, part)
        return True
    return False


def test_every_dotted_name_a_docstring_cites_is_there():
    cited = {(path.relative_to(ROOT).as_posix(), m.group(1))
             for path in sorted((ROOT / "auditor").rglob("*.py"))
             for m in NAMED.finditer(path.read_text(encoding="utf-8"))}  # fmt: skip
    assert cited, "no name found: the pattern no longer matches"
    assert sorted(c for c in cited if not _there(c[1])) == []
