"""``audit.json``: its JSON Schema, generated from the typed record
(:class:`auditor.record.model.AuditRecord`), never written by hand, and
:func:`validate_audit`, which checks a dict against it and names the first field that breaks it.

Generating the schema means importing every section's code and building the record's
validator (about 0.15 s of a 1 s predictions audit), so the generated schema is kept in the
user's cache folder (``$XDG_CACHE_HOME/auditor``, else ``~/.cache/auditor``), under a
fingerprint of auditor's source files (names, sizes, modification times) and the auditor
and pydantic versions: any change to the code generates it again, and only the few last used
are kept. Where the folder cannot be read or written the schema is generated every run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from functools import cache
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.audit_tree import count
from auditor.audit_tree.walk import each_estimate, estimate_nodes
from auditor.errors import AuditorInputError, cut_middle
from auditor.gates import tally
from auditor.io import atomic_write_text, prune_cache_files, user_cache_dir
from auditor.io import cache_entries as _entries
from auditor.record.bounds import TOLERANCE, number, slack
from auditor.record.counts import check_fairness_counts
from auditor.record.data_section import check_data_splits
from auditor.record.performance import check_performance_counts
from auditor.record.privacy_counts import check_attack_counts
from auditor.record.timings import check_durations
from auditor.record.transparency_counts import check_transparency_counts
from auditor.record.verdicts import check_gate_verdicts, check_gates_ran
from auditor.record.version import SCHEMA_VERSION, SECTIONS

__all__ = [
    "SCHEMA_VERSION", "SECTIONS", "audit_schema", "check_config_read_back",
    "check_counts_read_back", "check_gates_read_back", "check_intervals_read_back",
    "prepare_validator",
    "refuse_non_json_values", "section_schema", "validate_audit",
]  # fmt: skip


CACHE_KEEP = 4  # schema files kept: the last used (checkouts, or versions of the source)


def _fingerprint() -> str:
    """A hash of every source file of the auditor package (relative path, size, mtime) and
    the auditor and pydantic versions."""
    import pydantic

    digest = hashlib.sha256(f"{__version__}|{pydantic.VERSION}".encode())
    _hash_folder(digest, str(Path(__file__).resolve().parent.parent), "")
    return digest.hexdigest()[:32]


def _hash_folder(digest: Any, folder: str, prefix: str) -> None:
    """os.walk's order and choices (names sorted, files before folders, links to folders not
    followed, an unreadable folder skipped) with the stat scandir gives: Path.stat and
    relative_to per file cost ~3 ms a start, 0.9 ms this way."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            folders.append(entry)
        elif entry.name.endswith(".py"):
            stat = entry.stat()
            digest.update(f"{prefix}{entry.name}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    for entry in folders:
        if entry.name != "__pycache__" and not entry.is_symlink():
            _hash_folder(digest, entry.path, f"{prefix}{entry.name}/")


def _cache_file() -> Path | None:
    folder = user_cache_dir(f"schema-{__version__}")
    return None if folder is None else folder / f"audit-{_fingerprint()}.json"


@cache
def _schema() -> dict[str, Any]:
    path = _cache_file()
    if path is not None:
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass  # not there yet (or unreadable): generate it
        else:
            with contextlib.suppress(OSError):
                os.utime(path)  # its last use: the newest used are the ones kept
            return schema
    from auditor.record.model import generate_schema  # imports every section's code

    schema = generate_schema()
    if path is not None:
        try:
            atomic_write_text(path, json.dumps(schema))
        except OSError:
            pass  # the next run generates it again
        else:
            prune_cache(path.parent, keep=path)
    return schema


def prune_cache(folder: Path, *, keep: Path) -> None:
    """Delete all but the :data:`CACHE_KEEP` last used schema files of ``folder`` (``keep``,
    just written, among them) and writers' temporary files left for an hour: a file was
    added per change of the source and none removed (215 files, 16 MB in a day's work).
    Beside another run: a file it reads as this deletes it is generated again there."""
    prune_cache_files(_entries(folder), names="audit-*.json", keep={keep}, count=CACHE_KEEP,
                      temporary=".audit-*.tmp")  # fmt: skip


def audit_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``audit.json`` (a copy the caller may change)."""
    return json.loads(json.dumps(_schema()))


def section_schema(name: str) -> dict[str, Any]:
    """The schema of one section (``performance`` ... ``gates``), standalone (own $defs)."""
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}; known: {', '.join(SECTIONS)}")
    full = audit_schema()
    return {"$defs": full.get("$defs", {}), **full["properties"][name]}


@cache
def _fast_validator() -> Any:
    """jsonschema-rs's validator of :func:`audit_schema` (built once), or None where the
    package is missing: it answers "valid?" in about a millisecond where the pure-Python
    validator takes 0.15-0.3 s."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a dependency; the slow path still decides
        return None
    return jsonschema_rs.validator_for(_schema())


def prepare_validator() -> None:
    """Load the schema and build the validator now (once a process), so that the first
    :func:`validate_audit` does not wait for them (``auditor audit`` does it while reading)."""
    _fast_validator()


def _fast_valid(data: dict[str, Any]) -> bool:
    """True only when jsonschema-rs accepts ``data``; anything else (invalid, a value it
    cannot read, such as NaN) goes to the pure-Python validator, which decides and names
    the field."""
    validator = _fast_validator()
    if validator is None:
        return False
    try:
        return bool(validator.is_valid(data))
    except (ValueError, TypeError, OverflowError):
        return False


# The items of each list the schema's own validator walks first, where it names a broken field.
KEPT_ITEMS = 1000


def _pruned(node: Any) -> tuple[Any, bool]:
    """``node`` with each list cut to its first :data:`KEPT_ITEMS` items (its containers
    copied), and whether any was cut. The schema bounds no list's length above 2 items, so
    the cut copy breaks it only where ``node`` does, at the same paths."""
    if isinstance(node, dict):
        pairs = [(k, _pruned(v)) for k, v in node.items()]
        return {k: v for k, (v, _) in pairs}, any(cut for _, (_, cut) in pairs)
    if isinstance(node, list):
        items = [_pruned(v) for v in node[:KEPT_ITEMS]]
        return [v for v, _ in items], len(node) > KEPT_ITEMS or any(cut for _, cut in items)
    return node, False


def validate_audit(data: dict[str, Any], *, source: str = "audit.json") -> None:
    """Raise :class:`AuditorInputError` naming the first field of ``data`` (the JSON form of an
    audit, nulls for NaN) that breaks the generated schema. Where it does, the pure-Python
    validator names the field from a copy with each list cut to its first items, then (where
    that copy holds) from ``data``: a section of a million bad items was a million errors
    of its ``oneOf`` (a minute and 2.5 GB to refuse)."""
    if _fast_valid(data):
        return
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    pruned, cut = _pruned(data)
    for candidate in (pruned, data) if cut else (data,):
        errors = sorted(validator.iter_errors(candidate), key=lambda e: [str(p) for p in e.path])
        if errors:
            error = _deepest(errors[0])
            where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
            why = cut_middle(error.message.splitlines()[0], 300, 120)  # a long value: its end
            raise AuditorInputError(why, source=source, field=where)  # says what is wrong


NOT_FINITE = "{value} is not a number audit.json holds (an undefined value is written as null)"
NOT_TEXT = "holds a lone UTF-16 surrogate ({char}), which is not text"


def _not_json_value(node: Any) -> str | None:
    """Why ``node`` cannot come from auditor's own audit.json, or None."""
    if isinstance(node, float) and not math.isfinite(node):
        value = "NaN" if math.isnan(node) else ("-" if node < 0 else "") + "Infinity"
        return NOT_FINITE.format(value=value)
    if isinstance(node, str):
        lone = next((c for c in node if "\ud800" <= c <= "\udfff"), None)
        return None if lone is None else NOT_TEXT.format(char=f"\\u{ord(lone):04x}")
    return None


def refuse_non_json_values(data: Any, *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first value of ``data`` (read from
    ``source``) that auditor never writes and Python's reader still takes: NaN or Infinity
    (audit.json writes null for an undefined value; jsonschema would take it as a number, the
    gates as undefined) and a lone surrogate escape such as ``"\\ud800"`` in a string or a
    key (no file can be written with it: the card crashed)."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        why = _not_json_value(node)
        if why is None and path and isinstance(path[-1], str):
            why = _not_json_value(path[-1])  # a mapping's key
        if why is not None:
            where = "/".join(str(p) for p in path) or "(top level)"
            raise AuditorInputError(why, source=source, field=where)
        items = (
            node.items()
            if isinstance(node, dict)
            else (enumerate(node) if isinstance(node, list) else ())
        )
        stack.extend((v, (*path, k)) for k, v in reversed(list(items)))


NOT_AN_OBJECT = "is not an object"
NOT_TEXT_OR_NULL = "is not text or null"
MISSING = "is missing (every declared answer is written, null when not declared)"


def check_config_read_back(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the field where the ``config`` of an audit read
    back (a free object in the schema) breaks what the card and the gates read from it: the
    sections as objects, every declared answer as text or null."""
    from auditor.config.transparency import DeclaredAnswers  # pydantic: not at import time

    config = data["config"]
    for name in ("transparency", "privacy", "gates", "model"):
        if name in config and not isinstance(config[name], dict):
            raise AuditorInputError(NOT_AN_OBJECT, source=source, field=f"config/{name}")
    _check_fairness_config(config, source=source)
    declared = (config.get("transparency") or {}).get("declared")
    where = "config/transparency/declared"
    if not isinstance(declared, dict):
        raise AuditorInputError(NOT_AN_OBJECT, source=source, field=where)
    for key in DeclaredAnswers.model_fields:
        if key not in declared or not isinstance(declared[key], str | None):
            why = NOT_TEXT_OR_NULL if key in declared else MISSING
            raise AuditorInputError(why, source=source, field=f"{where}/{key}")


NOT_A_MIN_SIZE = "is not a count of rows (an integer of 1 or more)"
NOT_A_LEVEL = "is not a confidence level (a number between 0 and 1)"
NOT_WRITTEN = "is missing (every auditor since 2.0 writes it)"


def _check_fairness_config(config: dict[str, Any], *, source: str) -> None:
    """The card reads ``config.fairness``'s minimum group size and interval level (every
    auditor since 2.0 writes both): a section that is no object, or a size that is no count,
    was an internal error of the card's template."""
    fairness, where = config.get("fairness"), "config/fairness"
    if not isinstance(fairness, dict):
        why = NOT_AN_OBJECT if "fairness" in config else NOT_WRITTEN
        raise AuditorInputError(why, source=source, field=where)
    size, level = fairness.get("min_group_size"), fairness.get("ci_level")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        why = NOT_A_MIN_SIZE if "min_group_size" in fairness else NOT_WRITTEN
        raise AuditorInputError(why, source=source, field=f"{where}/min_group_size")
    if not number(level) or not 0 < level < 1:
        why = NOT_A_LEVEL if "ci_level" in fairness else NOT_WRITTEN
        raise AuditorInputError(why, source=source, field=f"{where}/ci_level")


OUTSIDE_INTERVAL = "{value} is outside its interval [{lo}, {hi}]"
REVERSED_INTERVAL = "the interval [{lo}, {hi}] is reversed (ci_low above ci_high)"
NEGATIVE = "{n} is not a count (below 0)"


def _outside(value: Any, lo: Any, hi: Any) -> bool:
    """True where ``value`` lies beyond a bound (null bounds and values are not checked)."""
    if not number(value):
        return False
    return (number(lo) and lo > value + slack(value)) or (number(hi) and hi < value - slack(value))


def _reversed(lo: Any, hi: Any) -> bool:
    return number(lo) and number(hi) and lo > hi + slack(hi)


def _negative(n: Any) -> bool:
    return (count(n) or 0) < 0


def _node_contradicted(node: dict[str, Any]) -> bool:
    lo, hi = node.get("ci_low"), node.get("ci_high")
    return _outside(node.get("value"), lo, hi) or _reversed(lo, hi) or _negative(node.get("n"))


def check_counts_read_back(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first count of an audit read back that
    its section's numbers contradict: the data section's rows per class
    (:mod:`auditor.record.data_section`), then each performance split's
    (:mod:`auditor.record.performance`), then the transparency checklist's and split
    disjointness's (:mod:`auditor.record.transparency_counts`), then every duration
    (:mod:`auditor.record.timings`)."""
    check_data_splits(data, source=source)
    check_performance_counts(data, source=source)
    check_transparency_counts(data, source=source)
    check_durations(data, source=source)


def check_intervals_read_back(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first estimate node of an audit read back
    whose interval is reversed (ci_low above ci_high, a null value's too), whose value lies
    outside it, or whose count ``n`` is below 0 (auditor never writes any: a hand-edited
    number); the gates, the card and the diff would show and judge it as evidence. Then the
    fairness section's counts beside its rates
    (:func:`auditor.record.counts.check_fairness_counts`) and the privacy attacks' counts
    beside theirs (:func:`auditor.record.privacy_counts.check_attack_counts`). One walk of
    the estimates: a second one for the negative counts cost 0.6 s of a 22 MiB audit's
    read-back."""
    if any(map(_node_contradicted, each_estimate(data))):  # the common case: no keys built
        _name_contradicted(data, source=source)
    check_fairness_counts(data, source=source)  # an interval broken is named as such first
    check_attack_counts(data, source=source)


def _name_contradicted(data: dict[str, Any], *, source: str) -> None:
    for keys, node in estimate_nodes(data):
        value, lo, hi = node.get("value"), node.get("ci_low"), node.get("ci_high")
        if _reversed(lo, hi):
            why = REVERSED_INTERVAL.format(lo=lo, hi=hi)
            raise AuditorInputError(why, source=source, field="/".join(map(str, (*keys, "ci_low"))))
        if _outside(value, lo, hi):
            why = OUTSIDE_INTERVAL.format(value=value, lo=lo, hi=hi)
            raise AuditorInputError(why, source=source, field="/".join(map(str, (*keys, "value"))))
        if _negative(node.get("n")):
            why = NEGATIVE.format(n=node["n"])
            raise AuditorInputError(why, source=source, field="/".join(map(str, (*keys, "n"))))


NOT_THE_TALLY = "{found!r} is not what gates/results hold ({expected!r})"


def check_gates_read_back(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` where the gates section of an audit read back says
    another verdict or other counts than its own results (a gate removed, a verdict edited),
    or a result the gate code, judging the audit again with its own gates config, does not
    give, or says the gates did not run where that config runs them
    (:mod:`auditor.record.verdicts`): the card and the diff show the verdict, and a diff
    compares it."""
    gates = data.get("gates")
    if not isinstance(gates, dict):
        return
    if gates.get("status") != "ok":
        check_gates_ran(data, source=source)
        return
    results = list(gates.get("results") or ())
    counts, verdict = tally(r.get("status") for r in results)
    for key, expected in (("counts", counts), ("verdict", verdict)):
        if gates.get(key) != expected:
            why = NOT_THE_TALLY.format(found=gates.get(key), expected=expected)
            raise AuditorInputError(why, source=source, field=f"gates/{key}")
    check_gate_verdicts(data, results, source=source, tolerance=TOLERANCE)


def _deepest(error: Any) -> Any:
    """For a failed anyOf/oneOf, the sub-error that got furthest into the data, leaving out
    the branches another ``status`` rules out (a not_run marker is not an "ok" section)."""
    while error.context:
        branches = [e for e in error.context if not _other_status(e)] or list(error.context)
        error = max(branches, key=lambda e: len(e.absolute_path))
    return error


def _other_status(error: Any) -> bool:
    return error.validator == "const" and list(error.absolute_path)[-1:] == ["status"]
