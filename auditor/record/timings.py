"""The durations of an audit read back: each is 0 or more.

auditor times each step with a monotonic clock (``run.timings_s``, ``privacy.timings_s``),
each training stage, reference model, the canary model and the explanations, and writes each
training stage's throughput (samples a second) beside its seconds: none is below 0 (none is
infinite or NaN either: :func:`auditor.record.refuse_non_json_values` refuses those first).
A hand-edited duration of -5 s was printed by the card as the time a step took. The schema
bounds the gates' and the training stages' seconds already (``Field(ge=0)``: they are read
there, before this); the rest, written as plain floats, are read here.
:func:`auditor.record.check_counts_read_back` calls :func:`check_durations`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.record.bounds import check_range

ANY = "*"  # any key of a mapping, any item of a list
# Where auditor writes a duration in seconds (or a throughput) the schema leaves unbounded,
# as paths of keys.
DURATIONS = (
    ("run", "timings_s", ANY),
    ("training", ANY, "samples_per_second"),
    ("privacy", "timings_s", ANY),
    ("privacy", "references", "seconds_total"),
    ("privacy", "references", "seconds_per_model", ANY),
    ("privacy", "canaries", "model", "seconds"),
    ("explanations", "seconds"),
)
DURATION = "a duration in seconds (or a rate of samples a second)"


def _at(node: Any, path: tuple[str, ...], where: str) -> Iterator[tuple[str, Any]]:
    """(where, value) of every value of ``node`` at ``path``."""
    if not path:
        yield where, node
        return
    key, rest = path[0], path[1:]
    if isinstance(node, dict):
        pairs = node.items() if key == ANY else ((key, node[key]),) if key in node else ()
    elif isinstance(node, list) and key == ANY:
        pairs = enumerate(node)
    else:
        return
    for name, child in pairs:
        yield from _at(child, rest, f"{where}/{name}" if where else str(name))


def check_durations(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first duration of ``data`` (an audit read
    back from ``source``, at :data:`DURATIONS`) below 0."""
    for path in DURATIONS:
        for where, value in _at(data, path, ""):
            check_range(value, 0.0, float("inf"), what=DURATION, field=where, source=source)
