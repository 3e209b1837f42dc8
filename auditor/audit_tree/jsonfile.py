"""Reading an ``audit.json`` (a run's, a baseline's) as JSON, refusing before any reader
walks it what auditor never writes and a reader should not take on trust. A leading UTF-8
byte-order mark (an editor's) is skipped; a compressed copy is named as such.

:func:`read_json_file` refuses (exit 2, one line naming the file): a file over
:data:`MAX_JSON_BYTES` (checked before it is read; the read itself stops there), bytes that
are not UTF-8, a key written twice in one object (JSON readers disagree on which one
counts), a number beyond a float (``1e400`` reads as infinity), an integer beyond 64 bits,
and nesting deeper than :data:`MAX_DEPTH` (auditor writes 10 levels; the renderers and the
walkers of the tree recurse, so 500 nested lists crashed them)."""

from __future__ import annotations

import json
import math
from functools import partial
from pathlib import Path
from typing import Any

from auditor.errors import COMPRESSED_FILES, AuditorInputError, read_capped

# The largest audit.json auditor writes is a few tens of MB (12 MB for 990 groups).
MAX_JSON_BYTES = 256 * 2**20
# auditor's own audit.json nests 10 levels (config included); this leaves room to spare.
MAX_DEPTH = 64

NOT_JSON = "not valid JSON ({error})"
CANNOT_READ = "cannot be read ({error})"
TOO_LARGE = "{size:,} bytes, more than the {limit} MiB an audit.json can be (not read)"
INT_TOO_LARGE = "an integer with {digits} digits (every count and seed fits in 64 bits)"
FLOAT_TOO_LARGE = "the number {text} is beyond a 64-bit float"
DUPLICATE_KEY = "the key {key!r} twice in one object"
TOO_DEEP = "nested deeper than {limit} levels (auditor writes 10)"
# A compressed copy of an audit.json: said so, with the way on, rather than "not UTF-8".
COMPRESSED = {
    magic: f"{kind}, not JSON: " + ("extract its audit.json first" if tool == "unzip" else
                                    f"decompress it first ({tool})")
    for magic, kind, tool in COMPRESSED_FILES
}
BOM = "\ufeff"


def _int64(text: str) -> int:
    """An integer of audit.json: counts and seeds, all within 64 bits (JSON readers in other
    languages lose precision beyond 2**53 and fail beyond 64 bits)."""
    digits = len(text.lstrip("-"))
    if digits > 20:  # past 64 bits: int() of 4,300 digits says Python's own advice instead
        raise ValueError(INT_TOO_LARGE.format(digits=f"{digits:,}"))
    value = int(text)
    if not -(2**63) <= value < 2**64:
        raise ValueError(INT_TOO_LARGE.format(digits=digits))
    return value


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: Python's reader makes it infinity
        raise ValueError(FLOAT_TOO_LARGE.format(text=text if len(text) <= 24 else text[:20] + "…"))
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        keys = [k for k, _ in pairs]
        key = next(k for i, k in enumerate(keys) if k in keys[:i])
        raise ValueError(DUPLICATE_KEY.format(key=key if len(key) <= 60 else key[:59] + "…"))
    return out


def too_deep(data: Any, limit: int = MAX_DEPTH) -> bool:
    """True where ``data`` nests lists / objects more than ``limit`` levels (no recursion:
    one level at a time, the containers only)."""
    level = [data]
    for _ in range(limit):
        below = []
        for node in level:
            below += [v for v in (node.values() if isinstance(node, dict) else node)
                      if isinstance(v, (dict, list))]  # fmt: skip
        if not below:
            return False
        level = below
    return True


def parse_json_text(text: str, *, source: str) -> Any:
    """``text`` as JSON, refusing what the module docstring lists (AuditorInputError)."""
    try:
        data = json.loads(text, parse_int=_int64, parse_float=_finite, object_pairs_hook=_unique)
    except RecursionError:  # Python's reader recurses: "maximum recursion depth exceeded"
        too_deep_data = True
    except ValueError as exc:
        error = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise AuditorInputError(NOT_JSON.format(error=error), source=source) from None
    else:
        too_deep_data = isinstance(data, dict | list) and too_deep(data)
    if too_deep_data:
        raise AuditorInputError(NOT_JSON.format(error=TOO_DEEP.format(limit=MAX_DEPTH)),
                                source=source)  # fmt: skip
    return data


def read_json_file(path: Path, *, max_bytes: int = MAX_JSON_BYTES) -> tuple[Any, str]:
    """(data, text) of the JSON file ``path`` (a regular file: the caller checks), refusing
    what the module docstring lists with :class:`AuditorInputError` naming ``path``."""
    too_large = partial(TOO_LARGE.format, limit=f"{max_bytes / 2**20:g}")
    raw = read_capped(path, max_bytes, too_large=too_large, cannot_read=CANNOT_READ)
    source = str(path)
    packed = next((why for magic, why in COMPRESSED.items() if raw.startswith(magic)), None)
    if packed is not None:
        raise AuditorInputError(packed, source=source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AuditorInputError(NOT_JSON.format(error=str(exc)[:200]), source=source) from None
    text = text.removeprefix(BOM)  # an editor's byte-order mark (RFC 8259 lets a reader skip it)
    return parse_json_text(text, source=source), text
