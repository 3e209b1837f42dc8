"""The data section of an audit read back: each split's rows per class against its rows.

auditor counts a split's classes (``class_balance``, and ``pretrain_class_balance`` where the
split holds pretraining rows) over the split's ``n_rows``; a class of -1 or 10^15 rows was
shown by the card. :func:`auditor.record.check_counts_read_back` calls it.
"""

from __future__ import annotations

from typing import Any

from auditor.audit_tree import count
from auditor.errors import AuditorInputError
from auditor.record.bounds import check_count

NOT_THE_CLASSES = "the classes hold {found:,} rows, not the split's n_rows ({n:,})"
CLASS_COUNTS = ("class_balance", "pretrain_class_balance")


def check_data_splits(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first split of ``data`` (an audit read
    back from ``source``) whose rows per class are not counts that add up to its
    ``n_rows``."""
    section = data.get("data")
    splits = section.get("splits") if isinstance(section, dict) else None
    for split, entry in (splits.items() if isinstance(splits, dict) else ()):
        n = entry.get("n_rows") if isinstance(entry, dict) else None
        if count(n) is None:
            continue
        for key in CLASS_COUNTS:
            classes = entry.get(key)
            if not isinstance(classes, dict) or not classes:
                continue
            where = f"data/splits/{split}/{key}"
            for name, k in classes.items():
                check_count(k, n, name="n", field=f"{where}/{name}", source=source)
            found = sum(k for k in classes.values() if count(k) is not None)
            if found != n:
                why = NOT_THE_CLASSES.format(found=found, n=n)
                raise AuditorInputError(why, source=source, field=where)
