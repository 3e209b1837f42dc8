"""A run's audit.json read back (:func:`read_audit`): the file, its JSON, its schema version,
then every check of what a hand edit or another tool could break (the schema, the config,
the counts, the intervals, the gates' tallies and verdicts). gate, card, diff, regate,
rerender and ``AuditResult.load`` read a run through it; :mod:`auditor.run_folder` (the
write) re-exports it, as it was defined there."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.audit_tree.jsonfile import read_json_file
from auditor.audit_tree.later import fill_known_when_absent
from auditor.errors import AuditorInputError, regular_file
from auditor.record import (
    SCHEMA_VERSION,
    check_config_read_back,
    check_counts_read_back,
    check_gates_read_back,
    check_intervals_read_back,
    refuse_non_json_values,
    validate_audit,
)

# A surrogate escape: "\ud83d\ude00" is one emoji (a pair), "\ud800" alone is not text.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
NOT_AN_OBJECT = "not a JSON object"
NOT_A_FILE = "is not a regular file (a run folder or its audit.json)"
WRONG_SCHEMA = (
    "schema_version {found!r} is not {expected!r}, the one this auditor ({version}) reads: "
    "an audit.json of another auditor version (audit again, or use that version)"
)


def audit_file(path: str | Path) -> Path:
    """``RUN_DIR/audit.json`` for a run folder, else ``path`` itself."""
    path = Path(path)
    return path / "audit.json" if path.is_dir() else path


def load_audit(path: str | Path) -> dict[str, Any]:
    """:func:`read_audit`'s audit."""
    return read_audit(path)[0]


def read_audit(path: str | Path, *, field: str | None = None) -> tuple[dict[str, Any], str]:
    """Read ``RUN_DIR`` or ``RUN_DIR/audit.json`` and validate it against the schema; the
    audit and the file's text.

    Raises :class:`AuditorInputError` (exit 2) for a missing file, bad JSON (see
    :func:`auditor.audit_tree.jsonfile.read_json_file`: too large, too deep, a huge number,
    a duplicate key, bad UTF-8 included), another schema version or a field that breaks the
    schema; a refusal of the whole file (none, a folder, not JSON) names ``field`` if given."""
    path = audit_file(path)
    try:
        regular_file(path, is_a_folder=NOT_A_FILE, not_a_file=NOT_A_FILE)  # /dev/null, loops
        data, text = read_json_file(path)  # size, UTF-8, duplicate keys, depth, numbers
        if not isinstance(data, dict):
            raise AuditorInputError(NOT_AN_OBJECT, source=str(path))
    except AuditorInputError as exc:
        raise (exc.with_field(field) if field else exc) from None
    if data.get("schema_version") != SCHEMA_VERSION:
        message = WRONG_SCHEMA.format(
            found=data.get("schema_version"), expected=SCHEMA_VERSION, version=__version__
        )
        raise AuditorInputError(message, source=str(path), field="schema_version")
    if "NaN" in text or "Infinity" in text or _SURROGATE.search(text):  # json takes them
        refuse_non_json_values(data, source=str(path))  # auditor never writes them
    validate_audit(data, source=str(path))
    check_config_read_back(data, source=str(path))
    check_counts_read_back(data, source=str(path))
    check_intervals_read_back(data, source=str(path))
    check_gates_read_back(data, source=str(path))  # a tally or a verdict edited by hand
    fill_known_when_absent(data)  # a field 2.0 gained later whose absence says its value
    return data, text
