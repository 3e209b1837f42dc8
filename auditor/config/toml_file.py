"""Reading a TOML config file: one line naming the file for each way it can be wrong (a
folder, a device, missing, too large to be a config, UTF-16, not UTF-8, not TOML)."""

from __future__ import annotations

import ast
import codecs
import re
import tomllib
from functools import partial
from pathlib import Path
from typing import Any

from auditor.config.run_table import RUN_KEYS
from auditor.config.toml_lines import first_line, key_at, parts, walk
from auditor.errors import AuditorInputError, read_capped, regular_file

# An audit config is a few KB; a file past this is some other file (a 50 MB one took 42 s
# and 470 MB to parse before its first error).
MAX_CONFIG_BYTES = 1 << 20
IS_A_FOLDER = "is a folder, not a file (name the TOML config)"
CANNOT_READ = "cannot read ({error})"
NOT_A_FILE = "is not a regular file (name the TOML config)"
TOO_LARGE = "is {size:,} bytes, more than an audit config's {limit:,} (is this the config?)"
UTF16 = "{name} text: save it as UTF-8 (TOML files are UTF-8)"
NOT_UTF8 = "not UTF-8 text"
# UTF-32 LE's mark starts with UTF-16 LE's: UTF-32's are looked for first.
WIDE_MARKS = (
    ((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE), "UTF-32"),
    ((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE), "UTF-16"),
)
HAS_NUL = "holds NUL bytes: not a text file (is this the config?)"
TOO_DEEP = "not valid TOML: values nested too deeply for an audit config"
NOT_TOML = "not valid TOML ({error})"
NOT_TOML_AT = "not valid TOML at line {n} ({error}): {line}"
# tomllib's words for a key or table written twice (an example's commented block uncommented
# under the lines it replaces), said as what to do.
TWICE = {
    "Cannot overwrite a value": "a key written twice in its table: keep one",
    "Cannot declare": "a table written twice: merge the two",
    # `rules = []` under [gates], then [[gates.rules]]
    "Cannot mutate immutable namespace": "{name} is written as a value and as a table: keep one",
}
# After a key or table written twice: the line that wrote it first (a dotted key at the top,
# `data.source = "table"`, writes the table [data] below it too).
FIRST = " (line {n} writes it first: {line})"
_NAMES = re.compile(r"\(('.*'),?\)")  # tomllib's ('gates', 'rules')
# After tomllib's words for a common slip: how to write the line.
BACKSLASH = "; a \\ in double quotes starts an escape: write the path with / (\"{slashed}\")"
SINGLE_QUOTES = " or in single quotes ('{raw}')"
# TOML has no null, and says yes and no as true and false.
NULLS = ("none", "null", "nil")
NO_NULL = "; TOML has no null: leave {key} out for its default"
# A word written for a boolean -> TOML's boolean (not _base.BOOLEANS, the words TOML takes)
BOOLEAN_WORDS = {"true": "true", "false": "false", "yes": "true", "no": "false",
                 "on": "true", "off": "false"}  # fmt: skip
QUOTED = "; text is written in quotes: {key} = {value}"
LOWER_CASE = "; TOML writes true and false in lower case: {key} = {value}"
LEADING_DIGIT = "; a number starts with a digit: {key} = {value}"
YES_NO = "; TOML says yes and no as true and false: {key} = {value}"
_AT = re.compile(r"\s*\(at line (\d+), column \d+\)$")
_SHOWN = 80  # characters of the offending line in the message
# A hint is tried on the file (parsed and validated again) up to this size: 0.7 s of a 1 MB
# file's 2 s refusal; a config, even a pyproject.toml holding one, is a few KB.
MAX_TRIAL_CHARS = 1 << 18


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML table of ``path``, or :class:`AuditorInputError` naming it."""
    source = str(path)
    _regular_file(path)
    too_large = partial(TOO_LARGE.format, limit=MAX_CONFIG_BYTES)
    data = read_capped(path, MAX_CONFIG_BYTES, too_large=too_large, cannot_read=CANNOT_READ)
    _text_bytes(data, source=source)
    try:
        # utf-8-sig: a byte-order mark (Windows editors write one) is dropped, not a TOML error
        text = data.decode("utf-8-sig")
        # as read_text; a last line without its newline (Notepad's) read as one that has it:
        # a key written twice there was tomllib's "(at end of document)", no line named
        return tomllib.loads(text.replace("\r\n", "\n").replace("\r", "\n") + "\n")
    except UnicodeDecodeError:
        raise AuditorInputError(NOT_UTF8, source=source) from None
    except tomllib.TOMLDecodeError as exc:
        raise _not_toml(str(exc), text, source=source) from None
    except RecursionError:  # a = [[[[...]]]]: tomllib parses nesting by recursion
        raise AuditorInputError(TOO_DEEP, source=source) from None


def _regular_file(path: Path) -> None:
    """Refuse a folder, a device or a FIFO (``/dev/zero`` is endless), a missing file, and
    one that cannot be looked at (a link loop, a name too long, no permission) saying why."""
    regular_file(path, is_a_folder=IS_A_FOLDER, not_a_file=NOT_A_FILE)


def _text_bytes(data: bytes, *, source: str) -> None:
    """Refuse UTF-16 and UTF-32 (with a byte-order mark, or a UTF-16 text without one: every
    other byte NUL) saying to save as UTF-8, and other bytes with NULs (no TOML holds one)."""
    for marks, name in WIDE_MARKS:
        if data.startswith(marks):
            raise AuditorInputError(UTF16.format(name=name), source=source)
    if b"\0" not in data:
        return
    half = len(data) // 2
    if half and max(data[0::2].count(0), data[1::2].count(0)) >= half * 0.9:
        raise AuditorInputError(UTF16.format(name="UTF-16"), source=source)
    raise AuditorInputError(HAS_NUL, source=source)


def _not_toml(error: str, text: str, *, source: str) -> AuditorInputError:
    """tomllib's error as one line naming the key (``data.source``), the line number and the
    line itself; its own words where it names no line (``at end of document``)."""
    at = _AT.search(error)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if at is None or not 1 <= int(at.group(1)) <= len(lines):
        return AuditorInputError(NOT_TOML.format(error=error), source=source)
    n = int(at.group(1))
    what, field = error[: at.start()], key_at(lines[:n])
    names = _NAMES.search(what)
    name = ast.literal_eval(f"({names.group(1)},)") if names else parts(field or "")
    twice = next((why for start, why in TWICE.items() if what.startswith(start)), None)
    first = first_line(lines[: n - 1], name) if twice and name else None
    what = twice.format(name=".".join(name)) if twice else what
    message = NOT_TOML_AT.format(n=n, error=what, line=_shown(lines[n - 1]))
    if first:
        message += FIRST.format(n=first[0], line=_shown(first[1]))
    message += _slip(what, lines, n, field, source)
    return AuditorInputError(message, source=source, field=field)


def _slip(error: str, lines: list[str], n: int, field: str | None, source: str) -> str:
    """How to write line ``n``, which a common slip made invalid (a Windows path in double
    quotes, text without quotes, ``True``, ``.1``, ``None``), said only where the key takes
    what the line written so holds and the config then takes it; "" where it is none of
    these or the key is not known."""
    takes, line = _takes(field, source, lines), lines[n - 1]
    if takes is None or field is None:
        return ""
    path = re.search(r'=\s*"([^"]*\\[^"]*)"', line)
    if path and error.startswith(("Unescaped", "Invalid hex value", "Invalid escape")):
        return _backslash(path.group(1)) if Path in takes.kinds else ""
    key, _, value = line.partition("=")
    key, value = key.strip(), value.partition("#")[0].strip()
    if error != "Invalid value" or not key or not value:
        return ""
    if value.lower() in NULLS and _named(value, takes) is None:  # "none": objective's own
        left_out = takes.optional and not _refused(lines, n, None, field, source)
        return NO_NULL.format(key=key) if left_out else ""
    written = _written(value, takes)
    if written is None or _refused(lines, n, f"{key} = {written}", field, source):
        return ""
    if value.lower() in BOOLEAN_WORDS and written in BOOLEAN_WORDS.values():
        hint = LOWER_CASE if value.lower() in ("true", "false") else YES_NO
    else:
        hint = LEADING_DIGIT if re.fullmatch(r"-?\.\d+", value) else QUOTED
    return hint.format(key=key, value=written)


def _refused(lines: list[str], n: int, fixed: str | None, field: str, source: str) -> bool:
    """Whether the config refuses the file with line ``n`` written as ``fixed`` for that
    value (``lr = -0.001``: "must be more than 0"; not `path` for `kind = "auto"`'s sake),
    or, left out (None), at its key or its table (a rule without min), by any of its
    problems; False where the file is still no TOML (a slip on another line)."""
    from auditor.config import config_table  # here only: a config's words
    from auditor.config.refusals import refusals

    text = "\n".join([*lines[: n - 1], *([fixed] if fixed is not None else []), *lines[n:]])
    if len(text) > MAX_TRIAL_CHARS:  # no trial, so no hint: dropped rather than unchecked
        return True
    try:
        raw = tomllib.loads(text + "\n")
    except (tomllib.TOMLDecodeError, RecursionError):
        return False
    try:
        table, top = config_table(raw, source=source)
    except AuditorInputError:  # left out, the file holds no setting (`seed = None` alone)
        return fixed is None
    said = refusals(table, source=source, prefix=top)
    if fixed is None:  # left out: refused at its key, or at its table (a rule without min)
        return any(key == field or field.startswith((f"{key}.", f"{key}[")) for key, _ in said)
    return any(key == field and own for key, own in said)  # not for another key's sake


def _written(value: str, takes: Any) -> str | None:
    """``value`` as TOML writes it for a key that ``takes`` it, or None (``ten`` for a
    number, ``True`` for a text, ``[sex]`` for one value)."""
    if takes.is_list:
        items = re.fullmatch(r"\[([\w .\-,]*)\]|([\w.\-]+)", value)  # [sex, race], or sex
        words = [w.strip() for w in (items[1] or items[2]).split(",") if w.strip()] if items else []
        if not words or not all(_text(w, takes) for w in words):
            return None
        return "[" + ", ".join(_text(w, takes) or "" for w in words) + "]"
    if value.lower() in BOOLEAN_WORDS and bool in takes.kinds:
        # a key of text and booleans (positive_label): yes, no, on, off are its text
        spelt = value.lower() not in ("true", "false") and str in takes.kinds
        return f'"{value}"' if spelt else BOOLEAN_WORDS[value.lower()]
    if re.fullmatch(r"-?\.\d+", value) and float in takes.kinds:
        return value.replace(".", "0.", 1)
    return _text(value, takes) if re.fullmatch(r"[\w.\-]+( [\w.\-]+)*", value) else None


def _text(word: str, takes: Any) -> str | None:
    """``word`` in quotes, where the key takes text, or that value (``"cpu"`` for ``CPU``)."""
    if takes.kinds & {str, Path}:
        return f'"{word}"'
    return _named(word, takes)


def _named(word: str, takes: Any) -> str | None:
    """The key's own value that ``word`` is but for case, in quotes (``"none"``), else None."""
    near = [v for v in takes.values if isinstance(v, str) and v.lower() == word.lower()]
    return f'"{near[0]}"' if near else None


def _backslash(raw: str) -> str:
    """The two ways to write a Windows path: with / and, where it holds no ', single quotes."""
    hint = BACKSLASH.format(slashed=raw.replace("\\", "/"))
    return hint + ("" if "'" in raw else SINGLE_QUOTES.format(raw=raw))


def _takes(field: str | None, source: str, lines: list[str]) -> Any:
    """What the config key ``field`` takes (keys.Takes), None where it is not known; a data
    key's by the source the file names (``lines``: the file's lines)."""
    from auditor.config import AuditConfig  # here only: a config error's words
    from auditor.config.keys import takes_at

    top = TOOL_TABLE if Path(source).name == PYPROJECT else ""
    if not field or not field.startswith(top):
        return None
    field = field.removeprefix(top)
    run, _, key = field.partition(".")
    if run == "run" and key in RUN_KEYS:  # [run] threads: the top-level threads
        field = key
    data = _data_source(lines, top) if field.startswith("data.") else None
    return takes_at(AuditConfig, field, source=data)


# A data source written as one word in quotes: source = "table"
_SOURCE = re.compile(r"""=\s*(?:"(\w+)"|'(\w+)')\s*(#.*)?$""")


def _data_source(lines: list[str], top: str) -> str | None:
    """The data source ``lines`` name (``source = "mnist"`` in [data], or ``data.source``);
    where they name none, the one validate_config reads (a table where a table-only key is
    written); None where a line-by-line reading cannot tell (``data = {...}``, a source not
    in quotes)."""
    from auditor.config import source_not_written  # here only: the config's own rule

    keys = set()
    data = (*parts(top), "data")
    for line in walk(lines):
        if line.header or line.inside or line.key is None:
            continue
        written = parts(line.table) + parts(line.key)
        if written == data:
            return None
        if written == (*data, "source"):
            value = _SOURCE.search(line.text)
            return (value[1] or value[2]) if value else None
        if written[: len(data)] == data:
            keys.add(written[len(data)])
    return source_not_written(keys)


def _shown(line: str) -> str:
    """A line of the file as a message quotes it: stripped, its comment left out, cut short."""
    line = re.sub(r"\s+#[^\"']*$", "", line.strip())
    return line if len(line) <= _SHOWN else line[: _SHOWN - 1] + "…"


PYPROJECT = "pyproject.toml"
TOOL_TABLE = "tool.auditor."


def named_in_pyproject(exc: AuditorInputError) -> AuditorInputError:
    """``exc`` with its config key named where a pyproject.toml has it (``tool.auditor.
    gates.rules[0].metric``): a check after the config was read (a gate's path, a sensitive
    feature) names the key from the config's top. Any other error as it is."""
    source, field = exc.source or "", exc.field or ""
    if Path(source).name != PYPROJECT or exc.message.startswith("not valid TOML"):
        return exc  # a TOML error names its key from the file's top ([project] too)
    from auditor.config import AuditConfig  # here only: no pydantic for other errors

    if re.split(r"[.\[]", field, maxsplit=1)[0] not in AuditConfig.model_fields:
        return exc
    return AuditorInputError(exc.message, source=exc.source, field=TOOL_TABLE + field)

