"""Reading a TOML config file: one line naming the file for each way it can be wrong (a
folder, a device, missing, too large to be a config, UTF-16, not UTF-8, not TOML)."""

from __future__ import annotations

import codecs
import re
import tomllib
from functools import partial
from pathlib import Path
from typing import Any

from auditor.errors import AuditorInputError, read_capped

# An audit config is a few KB; a file past this is some other file (a 50 MB one took 42 s
# and 470 MB to parse before its first error).
MAX_CONFIG_BYTES = 1 << 20
IS_A_FOLDER = "is a folder, not a file (name the TOML config)"
NO_SUCH_FILE = "no such file"
CANNOT_READ = "cannot read ({error})"
NOT_A_FILE = "is not a regular file (name the TOML config)"
TOO_LARGE = "is {size:,} bytes, more than an audit config's {limit:,} (is this the config?)"
UTF16 = "UTF-16 text: save it as UTF-8 (TOML files are UTF-8)"
NOT_UTF8 = "not UTF-8 text"
UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
NOT_TOML = "not valid TOML ({error})"
NOT_TOML_AT = "not valid TOML at line {n} ({error}): {line}"
# tomllib's words for a key or table written twice (an example's commented block uncommented
# under the lines it replaces), said as what to do.
TWICE = {
    "Cannot overwrite a value": "a key written twice in its table: keep one",
    "Cannot declare": "a table written twice: merge the two",
}
_AT = re.compile(r"\s*\(at line (\d+), column \d+\)$")
_HEADER = re.compile(r"^\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')  # a line's quoted text
_SHOWN = 80  # characters of the offending line in the message


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML table of ``path``, or :class:`AuditorInputError` naming it."""
    source = str(path)
    if path.is_dir():
        raise AuditorInputError(IS_A_FOLDER, source=source)
    if not path.is_file():  # /dev/null and a FIFO exist: not files to read
        raise AuditorInputError(NOT_A_FILE if path.exists() else NO_SUCH_FILE, source=source)
    too_large = partial(TOO_LARGE.format, limit=MAX_CONFIG_BYTES)
    data = read_capped(path, MAX_CONFIG_BYTES, too_large=too_large, cannot_read=CANNOT_READ)
    if data.startswith(UTF16_MARKS):
        raise AuditorInputError(UTF16, source=source)
    try:
        # utf-8-sig: a byte-order mark (Windows editors write one) is dropped, not a TOML error
        text = data.decode("utf-8-sig")
        return tomllib.loads(text.replace("\r\n", "\n").replace("\r", "\n"))  # as read_text
    except UnicodeDecodeError:
        raise AuditorInputError(NOT_UTF8, source=source) from None
    except tomllib.TOMLDecodeError as exc:
        raise _not_toml(str(exc), text, source=source) from None


def _not_toml(error: str, text: str, *, source: str) -> AuditorInputError:
    """tomllib's error as one line naming the key (``data.source``), the line number and the
    line itself; its own words where it names no line (``at end of document``)."""
    at = _AT.search(error)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if at is None or not 1 <= int(at.group(1)) <= len(lines):
        return AuditorInputError(NOT_TOML.format(error=error), source=source)
    n = int(at.group(1))
    what = error[: at.start()]
    what = next((why for start, why in TWICE.items() if what.startswith(start)), what)
    line = lines[n - 1].strip()
    shown = line if len(line) <= _SHOWN else line[: _SHOWN - 1] + "…"
    return AuditorInputError(NOT_TOML_AT.format(n=n, error=what, line=shown), source=source,
                             field=_key_at(lines[:n]))  # fmt: skip


def _key_at(lines: list[str]) -> str | None:
    """The dotted key the last of ``lines`` writes (``data.source``), or the table it
    declares, as far as a line-by-line reading can tell; None where it cannot."""
    table, arrays = "", {}  # arrays: how many [[name]] items so far, for gates.rules[1]
    depth = 0  # brackets a value left open: its lines (["sex", "race"]) are no headers
    for line in lines:
        in_value, header = depth > 0, None if depth else _HEADER.match(line.strip())
        if header and line.strip().startswith("[["):
            arrays[header.group(1)] = arrays.get(header.group(1), -1) + 1
            table = f"{header.group(1)}[{arrays[header.group(1)]}]"
        elif header:
            table = header.group(1)
        else:
            bare = _STRINGS.sub("", line).partition("#")[0]
            depth = max(0, depth + bare.count("[") - bare.count("]"))
    last = lines[-1].strip()
    if in_value or _HEADER.match(last):  # a header, or a line inside an array value: its table
        return table or None
    key = last.partition("=")[0].strip() if "=" in last else ""
    if not key or not re.fullmatch(r"[\w.\-\"' ]+", key):
        return table or None
    return f"{table}.{key}" if table else key
