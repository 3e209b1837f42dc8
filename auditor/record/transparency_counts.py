"""The transparency section's counts read back: the checklist's summary and the split
disjointness.

auditor counts the checklist's items (``summary.n_items``) and its items of each status
(``summary.met``, ``missing``, ...) from the items it writes beside them; each pair of splits
checked for shared rows counts its evaluation split's rows (``n_eval_rows``) and, of them, the
rows sharing content or a source row id with the training split (each no more than
``n_eval_rows``), listing no more shared ids than it counts. A summary of 20 met items beside
9 missing ones, or an overlap of -1 or 10^15 rows, was shown by the card.
:func:`auditor.record.check_counts_read_back` calls :func:`check_transparency_counts`.
"""

from __future__ import annotations

from typing import Any

from auditor.audit_tree import count
from auditor.errors import AuditorInputError
from auditor.record.bounds import check_a_count, check_count

NOT_THE_ITEMS = "{found!r} is not the number of items{which} in transparency/items ({n})"
LISTS_MORE = "lists {found} shared ids, more than n_id_overlap ({n})"


def check_transparency_counts(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first count of the transparency section
    (an audit read back from ``source``) that breaks what the module lists."""
    section = data.get("transparency")
    if not isinstance(section, dict) or section.get("status") != "ok":
        return
    items = section.get("items")
    summary = section.get("summary")
    if isinstance(items, list) and isinstance(summary, dict):
        _summary(summary, items, source)
    disjointness = section.get("disjointness")
    pairs = disjointness.get("pairs") if isinstance(disjointness, dict) else None
    for i, pair in enumerate(pairs if isinstance(pairs, list) else ()):
        if isinstance(pair, dict):
            _pair(pair, f"transparency/disjointness/pairs/{i}", source)


def _summary(summary: dict[str, Any], items: list[Any], source: str) -> None:
    statuses = [item.get("status") for item in items if isinstance(item, dict)]
    for key, found in summary.items():
        if count(found) is None:
            continue  # the schema holds its type
        n = len(items) if key == "n_items" else statuses.count(key)
        if found != n:
            which = "" if key == "n_items" else f" of status {key!r}"
            why = NOT_THE_ITEMS.format(found=found, which=which, n=n)
            raise AuditorInputError(why, source=source, field=f"transparency/summary/{key}")


def _pair(pair: dict[str, Any], where: str, source: str) -> None:
    rows = pair.get("n_eval_rows")
    check_a_count(rows, field=f"{where}/n_eval_rows", source=source)
    if count(rows) is None:
        return
    for key in ("n_content_overlap", "n_id_overlap"):
        check_count(pair.get(key), rows, name="n_eval_rows", field=f"{where}/{key}",
                    source=source)  # fmt: skip
    shared, overlap = pair.get("shared_ids"), pair.get("n_id_overlap")
    if isinstance(shared, list) and count(overlap) is not None and len(shared) > overlap:
        why = LISTS_MORE.format(found=len(shared), n=overlap)
        raise AuditorInputError(why, source=source, field=f"{where}/shared_ids")
