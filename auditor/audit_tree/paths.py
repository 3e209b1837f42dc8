"""The metric-path language: dotted keys into ``audit.json`` with wildcards and selectors.

- ``performance.finetuned.test.accuracy``: dotted keys;
- ``*`` matches every key of a mapping (or every item of a list): one match each, e.g.
  ``fairness.features.*.disparities.equalized_odds_difference``;
- ``[...]`` picks items: ``[3]`` by position in a list, ``[*]`` every item, ``[key=value]``
  the items whose field ``key`` is ``value`` (lists and mappings:
  ``fairness.features[kind=feature]``), ``[value]`` the item whose id / name / group / label
  is ``value``, or the mapping's key ``value`` (``fairness.features.sex.groups[Female]``);
- a key with dots or spaces is quoted: ``fairness.features."sex & race".disparities.x``.

``parse_path(text) -> list[Step]``; ``resolve(audit, text) -> list[Match]``, one per node
reached, each with its concrete path (no wildcards), so a match names the same node in any
audit of the same shape.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

from auditor.audit_tree.later import not_recorded

# Top-level keys of audit.json a path may address.
AREAS = (
    "performance",
    "fairness",
    "privacy",
    "explanations",
    "transparency",
    "data",
    "model",
    "training",
    "run",
)
# The fields that label a list item (in a concrete path and for ``[value]`` selectors).
ID_KEYS = ("id", "name", "group", "label", "feature", "attack", "split")

MSG_EMPTY_PATH = "empty metric path"
MSG_UNPARSABLE = "cannot parse metric path {path!r} at {rest!r}"
MSG_UNKNOWN_AREA = "unknown metric path {path!r}: it must start with one of {areas}"
MSG_UNKNOWN_KEY = "unknown metric path {path!r}: {at!r} has no {key!r} (it has: {have})"
MSG_NO_ITEM = "unknown metric path {path!r}: no item {value!r} in {at!r} (it has: {have})"
MSG_BOTH = (
    "metric path {path!r}: both {typed!r} as typed and {coded!r} (its \\u read as a character)"
    " are in {at!r}: write the first as {first}, the second with the character itself"
)
MSG_NOT_A_CONTAINER = "metric path {path!r}: {at!r} is not a mapping or a list"
MSG_NO_INDEX = "metric path {path!r}: {at!r} has no item [{index}]"
MSG_EMPTY = "{at} is empty in this audit (nothing was computed there)"


@dataclass(frozen=True)
class Step:
    """One step of a path: a key, ``*`` / ``[*]`` (any), ``[i]`` (index) or ``[k=v]`` (match)."""

    kind: Literal["key", "any", "index", "match"]
    key: str | None = None
    value: str | None = None
    index: int | None = None
    # key or value with its \\uXXXX read as the character, where that differs from the text as
    # typed: tried only where the text as typed names nothing (a rule that selected a label
    # holding a backslash before copied paths were read selects it still)
    coded: str | None = None


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_\-]+")  # written bare; any other key is quoted
# a quoted key, a bare key, a quoted label in brackets (["(25, 35]"]: it may hold ] and an
# escaped quote), a bracket, a dot
_TOKEN = re.compile(
    r'"((?:[^"\\]|\\.)*)"|([^.\[\]"]+)|\["((?:[^"\\]|\\.)*)"\]|\[([^\]]*)\]|(\.)'
)


def parse_path(path: str) -> list[Step]:
    """``a.b[*].c`` -> steps. Raises ``ValueError`` on a malformed path."""
    return list(_steps(path))


@functools.lru_cache(maxsize=8192)
def _steps(path: str) -> tuple[Step, ...]:
    """:func:`parse_path`'s steps, kept (they are frozen): the gates parse each rule's path
    once per group it matches (4,000 parses took 0.36 s of a 6,005-group gate run)."""
    steps: list[Step] = []
    pos, expect_key = 0, True
    text = path.strip()
    if not text:
        raise ValueError(MSG_EMPTY_PATH)
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(MSG_UNPARSABLE.format(path=path, rest=text[pos:]))
        quoted, bare, label, bracket, dot = m.groups()
        if dot is not None:
            if expect_key:
                raise ValueError(f"empty key in metric path {path!r}")
            expect_key = True
        elif bracket is not None or label is not None:
            if expect_key and steps:
                raise ValueError(f"'[' after '.' in metric path {path!r}")
            if label is not None:  # ["a]b"]: a label as written, read whole
                steps.append(Step("match", **_spellings("value", label, _ESCAPED)))
            else:
                steps.append(_bracket(bracket.strip(), path))
            expect_key = False
        else:
            if not expect_key:
                raise ValueError(f"missing '.' in metric path {path!r}")
            if quoted is not None:
                steps.append(Step("key", **_spellings("key", quoted, _ESCAPED)))
            else:
                key = bare.strip()
                steps.append(Step("any") if key == "*" else Step("key", key=key))
            expect_key = False
        pos = m.end()
    if expect_key:
        raise ValueError(f"metric path {path!r} ends with '.'")
    return tuple(steps)


def check_path(path: str) -> None:
    """Raise ``ValueError`` unless ``path`` parses and starts with one of :data:`AREAS`."""
    first = parse_path(path)[0]
    if first.kind != "key" or first.key not in AREAS:
        raise ValueError(MSG_UNKNOWN_AREA.format(path=path, areas=", ".join(AREAS)))


def _bracket(inner: str, path: str) -> Step:
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return Step("match", value=inner[1:-1])  # ["10"], ["a=b"]: a label, as written
    if inner == "*":
        return Step("any")
    if re.fullmatch(r"-?\d+", inner):
        return Step("index", index=int(inner))
    if "=" in inner:
        key, value = (s.strip().strip("'\"") for s in inner.split("=", 1))
        return Step("match", key=key, **_spellings("value", value, _CODED))
    if not inner:
        raise ValueError(f"empty [] in metric path {path!r}")
    # a bare label a writer gives holds no backslash of its own (one is quoted,
    # :func:`_label_text`): a \\u00ad in it is a copied path's invisible character
    return Step("match", **_spellings("value", inner.strip("'\""), _CODED))


def step_text(step: Step) -> str:
    """The text of one step as it appears after a path (``.key``, ``.*``, ``[3]``, ``[k=v]``)."""
    if step.kind == "key":
        return "." + fmt_key(str(step.key))
    if step.kind == "any":
        return ".*"
    if step.kind == "index":
        return f"[{step.index}]"
    return f"[{step.key}={step.value}]" if step.key else f"[{_label_text(str(step.value))}]"


def fmt_key(key: str) -> str:
    """A key as a path writes it: bare when it is a plain word, else double-quoted, a
    backslash and a quote escaped with a backslash (so that every key parses back)."""
    if _PLAIN_KEY.fullmatch(key):
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _spellings(field: str, text: str, escapes: re.Pattern[str]) -> dict[str, str | None]:
    """A step's ``key`` or ``value`` as typed and its ``coded`` spelling (:class:`Step`).
    As typed, a quoted text's backslash before a backslash or a quote escapes it and any
    other backslash is itself (a path written before keys were escaped reads as it did);
    coded, ``\\uXXXX`` or ``\\UXXXXXXXX`` is also the character a copied path shows so
    (``\\u00ad``, errors.escapes_shown ``copied``). Both are read in one pass."""
    typed = escapes.sub(lambda m: m.group(1) or m.group(0), text)
    coded = escapes.sub(_unescaped, text)
    return {field: typed, "coded": coded if coded != typed else None}


_CODES = r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})"
_ESCAPED = re.compile(rf'\\([\\"])|{_CODES}')  # a quoted key's or label's
_CODED = re.compile(rf"(){_CODES}")  # a bare label's: its empty group 1 keeps the numbering


def _unescaped(m: re.Match[str]) -> str:
    if m.group(1):
        return m.group(1)
    code = int(m.group(2) or m.group(3), 16)
    return chr(code) if code <= 0x10FFFF else m.group(0)


def spellings(step: Step) -> tuple[str, ...]:
    """What a key or match ``step`` may name: its text as typed, then its coded form."""
    typed = step.key if step.kind == "key" else step.value
    return (str(typed),) if step.coded is None else (str(typed), step.coded)


def _id_label(item: Any) -> str | None:
    if isinstance(item, dict):
        for k in ID_KEYS:
            v = item.get(k)
            if isinstance(v, (str, int)) and not isinstance(v, bool):
                return str(v)
    return None


def item_label(item: Any, index: int) -> str:
    """How a concrete path names a list item: its id / name / group / ... field, else its index."""
    label = _id_label(item)
    return str(index) if label is None else label


_NOT_BARE = re.compile(r"-?\d+|\*|.*=.*|\s.*|.*\s|['\"].*|.*['\"]|.*[\[\]\\].*|", re.DOTALL)


def item_step(item: Any, index: int) -> str:
    """The step of a concrete path to a list item: ``[<label>]`` (:func:`item_label`), the
    label quoted where bare it would read back as something else (``[10]``: the item at
    position 10, not the group named "10"; ``[a=b]``: a field's match; ``[*]``: any)."""
    label = _id_label(item)
    if label is None:
        return f"[{index}]"
    return f"[{_label_text(label)}]"


def _label_text(label: str) -> str:
    """A label as a path's brackets hold it: bare, or quoted (a backslash and a quote escaped)
    where bare it would read back as something else or not at all (``(25, 35]``)."""
    if not _NOT_BARE.fullmatch(label):
        return label
    return '"' + label.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Match:
    """One node a path reached. ``path``: concrete (no wildcards); ``picked``: the keys or
    item labels the wildcards and selectors chose; ``not_run``: why it could not be reached;
    ``insufficient``: an enclosing node (e.g. the group) says it lacks data."""

    path: str
    node: Any = None
    parent: Any = None
    leaf: str | None = None
    picked: tuple[str, ...] = ()
    not_run: str | None = None
    insufficient: str | None = None


def _not_run_reason(node: Any) -> str | None:
    if isinstance(node, dict) and node.get("status") == "not_run":
        return str(node.get("reason") or "not run")
    return None


@dataclass(frozen=True)
class _At:
    """Where the walk stands: the node, how it was reached, and what it has picked so far."""

    node: Any
    parent: Any
    leaf: str | None
    done: str
    picked: tuple[str, ...]
    short: str | None  # an enclosing node that lacks data


class _Resolver:
    def __init__(self, path: str, version: object = None) -> None:
        self.path = path
        self.version = version  # the audit's schema_version (a field it gained later)
        self.steps = parse_path(path)
        self.out: list[Match] = []

    def walk(self, at: _At, i: int) -> None:
        reason = _not_run_reason(at.node)
        if reason is not None:
            rest = "".join(step_text(s) for s in self.steps[i:])
            self.out.append(
                Match(at.done + rest, at.node, at.parent, at.leaf, at.picked, not_run=reason)
            )
            return
        if i == len(self.steps):
            m = Match(at.done, at.node, at.parent, at.leaf, at.picked, insufficient=at.short)
            self.out.append(m)
            return
        if at.node == {} and at.done:  # nothing computed there (a predictions audit's
            rest = "".join(step_text(s) for s in self.steps[i:])  # pretrained model): not run
            why = MSG_EMPTY.format(at=at.done)
            self.out.append(Match(at.done + rest, None, at.parent, at.leaf, at.picked, not_run=why))
            return
        short = at.short
        if isinstance(at.node, dict) and at.node.get("status") == "insufficient_data" and not short:
            n = at.node.get("n")
            short = f"{at.done} has insufficient data" + (f" (n={n})" if isinstance(n, int) else "")
        for child in self._children(at, i, short):
            self.walk(child, i + 1)

    def _children(self, at: _At, i: int, short: str | None) -> list[_At]:
        node, done, step = at.node, at.done, self.steps[i]
        if step.kind == "key":
            if isinstance(node, dict) and step.coded is not None:
                named = [k for k in spellings(step) if k in node]
                step = Step("key", key=self._one(step, named, done) if named else step.key)
            if not isinstance(node, dict) or step.key not in node:
                if self._not_recorded(at, i, str(step.key)):
                    return []
                have = ", ".join(list(node)[:12]) if isinstance(node, dict) else type(node).__name__
                raise ValueError(
                    MSG_UNKNOWN_KEY.format(path=self.path, at=done, key=step.key, have=have)
                )
            where = (done + "." if done else "") + fmt_key(str(step.key))
            return [_At(node[step.key], node, step.key, where, at.picked, short)]
        if step.kind == "index":
            if not isinstance(node, list) or not -len(node) <= int(step.index) < len(node):
                raise ValueError(MSG_NO_INDEX.format(path=self.path, at=done, index=step.index))
            v = node[int(step.index)]
            label = item_label(v, int(step.index) % len(node))
            where = done + item_step(v, int(step.index) % len(node))
            return [_At(v, node, label, where, (*at.picked, label), short)]
        items = self._items(node, done, step if step.kind == "match" else None)
        return [_At(v, node, label, where, (*at.picked, label), short)
                for label, v, where in items]  # fmt: skip

    def _not_recorded(self, at: _At, i: int, key: str) -> bool:
        """Add a match not run where ``key`` (step ``i``), absent from ``at``'s mapping, is a
        field the audit's schema version gained after the audit was written (see
        :mod:`.later`). The keys before it: each step's own key, else the label it picked."""
        if not isinstance(at.node, dict):
            return False
        picked = iter(at.picked)
        keys = tuple(str(s.key) if s.kind == "key" else next(picked) for s in self.steps[:i])
        why = not_recorded(self.version, (*keys, key))
        if why is None:
            return False
        rest = "".join(step_text(s) for s in self.steps[i:])
        self.out.append(Match(at.done + rest, None, at.node, key, at.picked, not_run=why))
        return True

    def _items(self, node: Any, done: str, select: Step | None) -> list[tuple[str, Any, str]]:
        """A list's items or a mapping's values (those a ``[k=v]`` / ``[v]`` selector picks),
        each with its label and concrete path: the paths of the items picked alone are made
        (a gate on one of 1,000 groups made all 1,000)."""
        if isinstance(node, list):
            pairs: list[tuple[Any, Any]] = list(enumerate(node))
        elif isinstance(node, dict):
            pairs = list(node.items())
        else:
            raise ValueError(MSG_NOT_A_CONTAINER.format(path=self.path, at=done))
        if select is not None:
            pairs = self._select(pairs, node, select, done)
        if isinstance(node, list):
            return [(item_label(v, j), v, done + item_step(v, j)) for j, v in pairs]
        return [(str(k), v, f"{done}.{fmt_key(str(k))}") for k, v in pairs]

    def _select(
        self, pairs: list[tuple[Any, Any]], node: Any, step: Step, done: str
    ) -> list[tuple[Any, Any]]:
        """The (position or key, item) pairs a ``[k=v]`` / ``[v]`` selector picks (a
        mapping's own key counts as v)."""
        keys = (step.key,) if step.key else ID_KEYS
        own_key = not step.key and isinstance(node, dict)

        def picks(at: Any, v: Any, value: str) -> bool:
            if own_key and str(at) == value:
                return True
            return isinstance(v, dict) and any(str(v.get(k)) == value for k in keys if k in v)

        def hits_of(value: str) -> list[tuple[Any, Any]]:
            return [(at, v) for at, v in pairs if picks(at, v, value)]

        hits = self._one(step, [h for h in map(hits_of, spellings(step)) if h], done)
        if not hits:  # each label as a path's brackets hold it, to paste back
            have = ", ".join(_label_text(str(at) if isinstance(node, dict) else item_label(v, at))
                             for at, v in pairs[:12])  # fmt: skip
            raise ValueError(
                MSG_NO_ITEM.format(path=self.path, value=step.value, at=done, have=have)
            )
        return hits

    def _one(self, step: Step, found: list[Any], done: str) -> Any:
        """What the first spelling of ``step`` that names something found (:func:`spellings`);
        refused where the text as typed and its coded form both do."""
        if len(found) > 1:
            typed, coded = spellings(step)
            first = f"[{_label_text(typed)}]" if step.kind == "match" else fmt_key(typed)
            raise ValueError(MSG_BOTH.format(
                path=self.path, typed=typed, coded=coded, at=done, first=first))  # fmt: skip
        return found[0] if found else []


def resolve(audit: dict[str, Any], path: str) -> list[Match]:
    """Every node ``path`` reaches in ``audit``. Raises :class:`ValueError` for a path that
    cannot exist (malformed, unknown area, or a key missing where its section ran)."""
    check_path(path)
    resolver = _Resolver(path, audit.get("schema_version") if isinstance(audit, dict) else None)
    resolver.walk(_At(audit, None, None, "", (), None), 0)
    return resolver.out
