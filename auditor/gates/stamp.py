"""Which gate code judged an audit: :func:`judged_by`, a short sha256 of the source of the
modules whose rules give a verdict (this package, the paths and evidence it reads, the
gates config with its defaults, the interval and disparity code a gap is judged with).

An audit's gates section records it (``gates.judged_by``). Reading the file back, the gates
are judged again in full only by the code that judged them (:mod:`auditor.record.verdicts`):
a file another version's code judged (a default bound since changed, an interval method
since improved) is read with each verdict checked against its own numbers, not refused.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

STAMP_CHARS = 16  # hex digits kept of the sha256: 64 bits, a name rather than a proof
# The source files (relative to the auditor package) whose code gives a gate its verdict.
JUDGING = ("gates/*.py", "audit_tree/*.py", "config/gates.py", "config/labels.py",
           "fairness/disparities.py", "fairness/intervals.py", "fairness/metrics.py",
           "numbers.py", "results/classification.py")  # fmt: skip


@cache
def judged_by() -> str:
    """The stamp of this auditor's gate code (computed once a process: about 20 files)."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    files = sorted({p for pattern in JUDGING for p in root.glob(pattern)})
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:STAMP_CHARS]
