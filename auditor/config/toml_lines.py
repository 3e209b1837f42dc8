"""Reading a TOML file line by line, as far as that can tell (tomllib names no key of its
error, only a line): the table and the dotted key each line writes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

_HEADER = re.compile(r"^\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')  # a line's quoted text
# The end of a multi-line string begun on a line above, by its opening quotes
_CLOSE = {'"""': re.compile(r'(?:\\.|[^\\])*?"""'), "'''": re.compile(r".*?'''")}


# A dotted key's parts: a bare name, or one in quotes (which may hold a dot: "a.b")
_PART = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^."'\s]+)\s*(?:\.|$)""")
_INDEX = re.compile(r"\[\d+\]$")  # walk's number of a [[x]] item: tomllib names none


def parts(dotted: str) -> tuple[str, ...]:
    """The names of a dotted key or table as a line writes it, unquoted, as tomllib names
    them: ``data."a.b"`` is ("data", "a.b") and ``data.a.b`` ("data", "a", "b");
    ``gates.rules[1]`` (:func:`walk`'s numbering) is ("gates", "rules")."""
    found, at = [], 0
    while at < len(dotted):
        part = _PART.match(dotted, at)
        if part is None or part.end() == at:
            break
        name = part.group(1)
        found.append(name[1:-1] if name[0] in "\"'" else _INDEX.sub("", name))
        at = part.end()
    return tuple(found)


def first_line(lines: list[str], name: tuple[str, ...]) -> tuple[int, str] | None:
    """The first of ``lines`` (number, text) that writes the key or table ``name`` (its
    parts, as tomllib names them), as far as a line-by-line reading can tell: its header, or
    a key line whose dotted key makes it (``data.source = 1`` at the top makes [data];
    [data.splits] leaves [data] to write)."""
    for line in walk(lines):
        table = parts(line.table)
        if line.header and table == name:
            return line.n, line.text
        if line.header or line.key is None or name[: len(table)] != table:
            continue
        written = table + parts(line.key)
        if written[: len(name)] == name:
            return line.n, line.text
    return None


def key_at(lines: list[str]) -> str | None:
    """The dotted key the last of ``lines`` writes (``data.source``), or the table it
    declares (``gates.rules[1]``), as far as a line-by-line reading can tell; None where it
    cannot."""
    walked = list(walk(lines))
    last = walked[-1] if walked else None
    if last is None or last.header or last.inside or last.key is None:
        return (last.table or None) if last else None
    key = _bare(last.key)
    return f"{last.table}.{key}" if last.table else key


class _Line(NamedTuple):
    """A line of a TOML file as a line-by-line reading sees it."""

    n: int
    text: str
    table: str  # the table it is in (its own on a header line), [[x]]'s items numbered: x[1]
    key: str | None  # the dotted key it writes in ``table`` (quotes kept), else None
    header: bool
    inside: bool  # it continues a value begun above (an array's items, a multi-line string)


def walk(lines: list[str]) -> Iterator[_Line]:
    """Each of ``lines`` with its table and key, as far as a line-by-line reading can tell:
    an array's lines (["sex", "race"]) and a multi-line string's are no headers nor keys."""
    table, arrays = "", {}  # arrays: how many [[name]] items so far, for gates.rules[1]
    depth, open_ = 0, None  # brackets a value left open; the """ or ''' a string left open
    for n, line in enumerate(lines, 1):
        inside = depth > 0 or open_ is not None
        header = None if inside else _HEADER.match(line.strip())
        if header:
            name = _bare(_dotted(header.group(1)))
            if line.strip().startswith("[["):
                arrays[name] = arrays.get(name, -1) + 1
                name = f"{name}[{arrays[name]}]"
            table = name
            yield _Line(n, line, table, None, True, False)
            continue
        code, open_ = _code(line, open_)
        key = line.partition("=")[0].strip() if "=" in code and not inside else ""
        depth = max(0, depth + code.count("[") - code.count("]"))
        written = _dotted(key) if _KEY.fullmatch(key) else None
        yield _Line(n, line, table, written, False, inside)


# One-line strings, or a quote no string closes, or a comment's #: _code's stops
_ONE_LINE = re.compile(_STRINGS.pattern + r"""|["'#]""")


def _code(line: str, open_: str | None) -> tuple[str, str | None]:
    """``line`` without its comment and with each string's text left out (``""``), and the
    multi-line string's quotes it leaves open (``open_``: those it began inside)."""
    if open_ is None and '"""' not in line and "'''" not in line:  # most lines: by regex
        code, i = [], 0
        for stop in _ONE_LINE.finditer(line):
            code.append(line[i : stop.start()])
            if len(stop.group()) == 1:  # a comment, or a quote not closed: not TOML past it
                return "".join(code), None
            code.append('""')
            i = stop.end()
        return "".join(code) + line[i:], None
    return _code_by_char(line, open_)


def _code_by_char(line: str, open_: str | None) -> tuple[str, str | None]:
    """:func:`_code` one character at a time: where a multi-line string opens or closes."""
    code, i = [], 0
    while i < len(line):
        if open_:
            end = _CLOSE[open_].match(line, i)
            if end is None:
                return "".join(code), open_
            code.append('""')
            i, open_ = end.end(), None
        elif line.startswith(('"""', "'''"), i):
            open_, i = line[i : i + 3], i + 3
        elif line[i] in "\"'":
            string = _STRINGS.match(line, i)
            if string is None:  # not closed: not TOML, whatever follows
                break
            code.append('""')
            i = string.end()
        elif line[i] == "#":
            break
        else:
            code.append(line[i])
            i += 1
    return "".join(code), open_


_DOT = re.compile(r"\s*\.\s*")
_QUOTED_NAME = re.compile(r"([\"'])([\w-]+)\1")
_KEY = re.compile(r"[\w.\-\"' ]+")  # what walk reads as a line's key


def _dotted(key: str) -> str:
    return _DOT.sub(".", key) if "." in key else key


def _bare(key: str) -> str:
    """``key`` with its quoted bare names unquoted (``"source"`` is ``source``)."""
    return _QUOTED_NAME.sub(r"\2", key) if "'" in key or '"' in key else key
