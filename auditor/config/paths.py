"""A file a config key names, checked before any work (no heavy import)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, ValidationInfo

from auditor.errors import AuditorInputError, regular_file

if TYPE_CHECKING:
    from auditor.config import AuditConfig

NO_FILE = "no such file"
IS_A_FOLDER = "is a folder, not a model file"
NOT_LOCAL = "a URL: auditor reads a local file; download it first"
# A URL, read or written: a scheme of 2+ letters (not a drive, C:/) at the start, then ':/',
# its '//' as typed or the one a Path keeps ("s3:/bucket/x"). The one rule of both directions.
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:/")


def no_file(path: Path | str) -> str:
    """Why ``path``, which is not there, cannot be read: a URL (``s3://``, ``https://``)
    says to download it, anything else is no such file."""
    return NOT_LOCAL if URL.match(str(path)) else NO_FILE


def as_written(text: Any, path: Path | None = None, *, field: str | None = None) -> None:
    """Refuse ``text``, a URL as the user wrote it (``s3://bucket/a.csv``), to be read where
    ``path`` (``text`` found from its folder; ``Path(text)`` by default) is not there, showing
    ``text``: a Path of it keeps one of its two slashes ("s3:/bucket/a.csv" was shown). A file
    that is there is read: it is what the user names, and reading it changes nothing."""
    if not isinstance(text, str) or not URL.match(text):
        return
    try:
        there = (Path(text) if path is None else path).exists()
    except (OSError, ValueError):  # a NUL, a name too long: no file either way
        there = False
    if not there:
        raise AuditorInputError(NOT_LOCAL, source=text, field=field)


# The way past it, from what was typed: './https://h/c.toml' names the local path https:/h/c.toml
WRITES_LOCAL = ("a URL: auditor writes local files; write them here, then upload them "
                "(./{typed} names a local {kind})")  # fmt: skip


def out_as_written(value: Any, *, field: str | None = None, kind: str = "folder") -> None:
    """Refuse an output path typed as a URL (``-o s3://bucket/run``, ``-o s3:/bucket/run``:
    :data:`URL`, the reads' rule), shown as typed: its Path made the local folder
    ``s3:/bucket/run`` and said nothing. Refused whether or not something of that name is
    there (a folder an older auditor's ``-o s3://x`` made is no reason to write there); the
    message names ``./`` and what was typed, a local ``kind`` ("folder", or "path" for a
    file). A path with a colon elsewhere (``C:/runs``, ``C:\\runs``, ``runs/10:30``, ``s3:x``,
    ``./s3://x``) is local, and so is a Path (from Python). The one check of an output's
    text: the command line's --out and PATH (commands.params) and Python's out_dir
    (preflight.out_path)."""
    if isinstance(value, str) and URL.match(value):
        said = WRITES_LOCAL.format(typed=value, kind=kind)
        raise AuditorInputError(said, source=value, field=field)


# The keys of each table that name a file ([gates] baseline: beside the config, else here).
FILE_KEYS = {"data": ("path", "root", "members", "non_members"), "model": ("path",),
             "gates": ("baseline",)}  # fmt: skip


def written_urls(raw: dict[str, Any], *, base: Path, read: tuple[str, ...], prefix: str) -> None:
    """Refuse a URL that a file key of a table in ``read`` holds in ``raw`` (the config file's
    table, in its folder ``base``), shown as written."""
    for table in read:
        values = raw.get(table)
        for key in FILE_KEYS.get(table, ()) if isinstance(values, dict) else ():
            text = values.get(key)
            if isinstance(text, str) and not (table == "gates" and Path(text).exists()):
                as_written(text, base / text, field=f"{prefix}{table}.{key}")


NOT_A_FILE = "is not a regular file (a device or a pipe): name the model file"


def model_file(path: Path) -> None:
    """Refuse a model path that is a folder, a device or a pipe, no file, or one that cannot
    be looked at (a link loop), naming ``model.path`` (a device and a loop were 'no such
    file')."""
    regular_file(path, is_a_folder=IS_A_FOLDER, not_a_file=NOT_A_FILE, missing=no_file(path),
                 field="model.path")  # fmt: skip


BLANK_PATH = "empty: name a file"
HAS_NUL = "holds a NUL character (\\u0000), which no file name can"
NAME_TOO_LONG = "names a file or folder of {n:,} bytes; a file system allows {limit}"
MAX_NAME_BYTES = 255  # one file or folder name (Linux, macOS, Windows)


def _not_blank(value: Any, info: ValidationInfo) -> Any:
    """Refuse what no file system can open (the stat inside the reader was a crash). A
    leading ``~`` of a path given from Python (``AuditConfig(model={"path": "~/m.skops"})``)
    is the home folder, as every path's is (io.as_path); one of no known user is kept, and
    not found later. A config file's (context ``config_file``) waits for resolve_paths: a
    table the command does not read keeps its text, and a refusal shows it as written."""
    if not isinstance(value, str):
        return value
    if value.startswith("~") and "config_file" not in (info.context or {}):
        try:
            value = str(Path(value).expanduser())
        except RuntimeError:  # ~name of no user: its file is not there, said where read
            pass
    if not value.strip():  # Path("") is ".", the working folder
        raise ValueError(BLANK_PATH)
    if "\0" in value:
        raise ValueError(HAS_NUL)
    longest = max(len(part.encode("utf-8", "surrogatepass")) for part in re.split(r"[/\\]", value))
    if longest > MAX_NAME_BYTES:
        raise ValueError(NAME_TOO_LONG.format(n=longest, limit=MAX_NAME_BYTES))
    return value


# A file named in a config: "" is refused, not read as the current folder, and a name that no
# file system holds (a NUL, a part past 255 bytes) is refused naming its key.
FilePath = Annotated[Path, BeforeValidator(_not_blank)]


NO_HOME = "{path} names no home folder on this machine (write the folder out)"


# The tables whose files a command reads (gate --config and audit --config: [gates] alone).
EVERY_TABLE = ("data", "model", "gates")


def typed_local(raw: dict[str, Any]) -> frozenset[str]:
    """The file keys of the config table ``raw`` (``data.path``) written as a local folder
    named ``~`` (``"./~/x"``), whose Path, ``~/x``, pydantic made a home path: io.as_path's
    rule, read from the text as written (it was the home folder, here only)."""
    found = set()
    for table, keys in FILE_KEYS.items():
        values = raw.get(table)
        for key in keys if isinstance(values, dict) else ():
            text = values.get(key)
            if isinstance(text, str) and not text.startswith("~"):
                parts = Path(text).parts
                if parts[:1] and parts[0].startswith("~"):
                    found.add(f"{table}.{key}")
    return frozenset(found)


def resolve_paths(
    config: AuditConfig, *, base: Path, source: str, read: tuple[str, ...] = EVERY_TABLE,
    raw: dict[str, Any] | None = None,
) -> AuditConfig:
    """Relative data and model paths in a config file are relative to that file; ``~`` is
    the home folder (as in a shell), and a key written ``./~/x`` in ``raw``, the table as
    read (:func:`typed_local`), a folder named ``~``. A path of a table in ``read`` that is
    not there and holds an escape's tab is refused; of another table it is left as written
    (not read, not checked, its ``~`` not expanded: ``~nosuchuser`` is no error there)."""
    data, model = config.data, config.model
    local = typed_local(raw or {})
    updates: dict[str, Any] = {}
    for key in FILE_KEYS["data"]:  # the keys the URL check reads (written_urls)
        value = getattr(data, key, None)
        if isinstance(value, Path):
            field = f"data.{key}"
            updates[key] = _resolved(value, base, source=source, field=field,
                                     check="data" in read, local=field in local)  # fmt: skip
    changes: dict[str, Any] = {}
    if updates:
        changes["data"] = data.model_copy(update=updates)
    if model.path is not None:
        path = _resolved(model.path, base, source=source, field="model.path",
                         check="model" in read, local="model.path" in local)  # fmt: skip
        changes["model"] = model.model_copy(update={"path": path})
    baseline = config.gates.baseline  # relative: beside the config, else here (api._rerun)
    if baseline is not None:
        home = expand_home(baseline, source=source, field="gates.baseline")
        if "gates.baseline" in local:  # ./~: beside the config, else here; absolute, kept local
            home = (base / baseline if os.path.lexists(base / baseline) else baseline).absolute()
        if "gates" in read and not home.exists() and not (base / home).exists():
            escaped(str(baseline), source=source, field="gates.baseline")  # ~ as written
        changes["gates"] = config.gates.model_copy(update={"baseline": home})
    return config.model_copy(update=changes) if changes else config


def _resolved(path: Path, base: Path, *, source: str, field: str, check: bool,
              local: bool) -> Path:  # fmt: skip
    if not check:  # a table the command does not read: its path as written (~ no home: fine)
        return path
    if local:  # ./~/x: the folder ~ beside the config (absolute: its Path is ~/x)
        resolved = base.absolute() / path
    else:
        home = expand_home(path, source=source, field=field)
        resolved = home if home.is_absolute() else base / home
    if not resolved.exists():
        escaped(str(path), source=source, field=field)  # ~ as written
    return resolved


# TOML's escapes that make a control character of a Windows path in double quotes
# ("C:\temp\new.csv" holds a tab and a new line): what each is called, and how it was written.
ESCAPES = {"\t": ("a tab", "\\t"), "\n": ("a new line", "\\n"), "\b": ("a backspace", "\\b"),
           "\f": ("a form feed", "\\f"), "\r": ("a carriage return", "\\r")}  # fmt: skip
ESCAPED = "holds {what}: a \\ in double quotes starts an escape ({written} is {what})"
ESCAPED_PATH = "; write the path with / (\"{slashed}\")"
ESCAPED_QUOTES = " or in single quotes ('{raw}')"
HOLDS = "holds {what}, and no such file or folder is there"  # written so: no escape's


def _held(text: str) -> tuple[str, str] | None:
    """(what it is, how TOML's escape writes it) of the first control character in ``text``
    that an escape makes (``("a tab", "\\t")``), or None."""
    return next((ESCAPES[c] for c in text if c in ESCAPES), None)


def holds(text: str) -> str | None:
    """What ``text`` holds that a TOML escape could have made (``holds a tab``), or None; no
    word of escapes: a Python caller, or a tab written as itself, wrote none."""
    held = _held(text)
    return f"holds {held[0]}" if held else None


def escape_advice(message: str, text: Any, source: str | None) -> str:
    """``message``, whose ``holds a tab`` is about ``text``, saying the escape that made it
    where the config file ``source`` holds that escape (``"run\\new"``: \\n is a new line)."""
    held = _held(text) if isinstance(text, str) else None
    if held is None or not _written_in([_as_written(text)], source):
        return message
    return message.replace(f"holds {held[0]}", ESCAPED.format(what=held[0], written=held[1]), 1)


def escaped(path: str, *, source: str, field: str) -> None:
    """Refuse a file name, not found, holding a tab or a new line that an escape wrote
    (``"C:\temp\new.csv"``), saying how to write it; it was 'no such file', shown escaped.
    One written as itself (a tab in single quotes, ``\u0009``) is said to hold it, no more."""
    held = _held(path)
    if held is None:
        return
    raw = _as_written(path)
    if not _written_in([_as_written(p) for p in Path(path).parts if p != _as_written(p)], source):
        raise AuditorInputError(HOLDS.format(what=held[0]), source=source, field=field)
    said = ESCAPED.format(what=held[0], written=held[1])
    said += ESCAPED_PATH.format(slashed=raw.replace("\\", "/"))
    said += "" if "'" in raw else ESCAPED_QUOTES.format(raw=raw)
    raise AuditorInputError(said, source=source, field=field)


def _as_written(text: str) -> str:
    """``text`` with its control characters as TOML's escapes write them (a tab as ``\t``)."""
    return "".join(ESCAPES[c][1] if c in ESCAPES else c for c in text)


def _written_in(parts: list[str], source: str | None) -> bool:
    """Whether the config file ``source`` holds each of ``parts`` (``C:\temp``: the escape
    written; a part, as ``~`` was expanded)."""
    try:
        text = Path(source or "").read_text(encoding="utf-8-sig", errors="replace")
    except OSError:  # none, or "." (a folder)
        return False
    return all(part in text for part in parts)


def home_path(path: str | os.PathLike[str], *, field: str, source: str | None = None) -> Path:
    """``path`` as a Path by io.as_path's one rule: a leading ``~`` (``~name``) is the home
    folder; a str ``./~/x`` the folder ``~`` here (absolute: its Path is ``~/x``)."""
    text = os.fspath(path)
    if text.startswith("~"):
        return expand_home(Path(text), source=source, field=field)
    typed = Path(text)
    return typed.absolute() if typed.parts[:1] and typed.parts[0].startswith("~") else typed


def expand_home(path: Path, *, source: str | None, field: str) -> Path:
    """``path`` with ``~`` or ``~name`` expanded; one line naming ``field`` where no such
    home folder is known (Path raises RuntimeError)."""
    try:
        return path.expanduser()
    except RuntimeError:
        raise AuditorInputError(NO_HOME.format(path=path.parts[0]), source=source,
                                field=field) from None  # fmt: skip
