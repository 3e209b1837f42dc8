"""What a metric path reaches in audit.json's JSON Schema, before any audit exists: a number
(a number, or an estimate node ``{value, ...}``), a text (a string, a boolean, or a status
node ``{status, ...}`` without ``value``: what :func:`auditor.audit_tree.read.read` makes of
each), a mapping or a list. The gates refuse a bound that cannot fit any of them (``max`` on
a text, ``allowed`` on a number) before the work, from the node's type, not its key's name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from auditor.audit_tree.paths import MSG_UNKNOWN_KEY, Step, fmt_key, parse_path

Kind = str  # "number", "text", "mapping", "list" or "any" (a free value)
_BRANCHES = ("anyOf", "oneOf", "allOf")
MSG_A_VALUE = "unknown metric path {path!r}: {at!r} is a value, with no key {key!r}"
MSG_A_LIST = (
    "unknown metric path {path!r}: {at!r} is a list, with no key {key!r}"
    " (an item is [i], [name], [key=value] or [*])"
)
MSG_A_MAPPING = "unknown metric path {path!r}: {at!r} is a mapping with no key {key!r}"
_TYPED = ("type", "properties", "additionalProperties", "items", "prefixItems", "const", "enum")


def _flat(schema: Mapping[str, Any], node: Any) -> Iterator[Mapping[str, Any]]:
    """``node`` with its ``$ref`` followed and its anyOf / oneOf / allOf branches spread."""
    stack, defs = [node], schema.get("$defs", {})
    while stack:
        here = stack.pop()
        if not isinstance(here, Mapping):
            if here is True:
                yield {}
            continue
        if "$ref" in here:
            stack.append(defs.get(str(here["$ref"]).rsplit("/", 1)[-1]))
            continue
        branches = [b for k in _BRANCHES for b in here.get(k, ())]
        if branches:
            stack += branches
        else:
            yield here


def _values(node: Mapping[str, Any]) -> list[Any]:
    """What a mapping's ``*`` or a list's ``[*]`` reaches: its properties and other values,
    or its items."""
    out = list(node.get("properties", {}).values())
    for key in ("additionalProperties", "items"):
        if node.get(key) not in (None, False):
            out.append(node[key])
    return out


def _free(node: Mapping[str, Any]) -> bool:
    """A node that says nothing of its value (``{}``, ``additionalProperties: true``): any
    value, a mapping or a list among them, so any step below it reaches such a node again."""
    return not any(key in node for key in _TYPED)


def _step(node: Mapping[str, Any], step: Step) -> list[Any]:
    if _free(node):
        return [node]
    if step.kind != "key":  # *, [*], [i], [k=v], [v]: a list's items or a mapping's values
        return _values(node)
    props = node.get("properties", {})
    if step.key in props:
        return [props[step.key]]
    extra = node.get("additionalProperties")
    return [extra] if extra not in (None, False) and node.get("type") == "object" else []


def _kind(node: Mapping[str, Any]) -> Kind | None:
    kind = node.get("type")
    props = node.get("properties", {})
    if kind in ("number", "integer"):
        return "number"
    if kind in ("string", "boolean") or "status" in props or "const" in node or "enum" in node:
        return "text"
    if kind == "null":
        return None  # an undefined value: the other branches say what it is
    return {"object": "mapping", "array": "list"}.get(str(kind), "any")


def path_kinds(schema: Mapping[str, Any], path: str) -> frozenset[Kind] | None:
    """The kinds of node ``path`` can reach in an audit of ``schema``; None where no audit of
    it has the path (a key it never writes: see :func:`unknown_key`)."""
    level = list(_flat(schema, schema))
    for step in parse_path(path):
        level = [n for node in level for below in _step(node, step) for n in _flat(schema, below)]
        if not level:
            return None
    kinds: set[Kind | None] = set()
    for node in level:  # a node with a value reads as its value (an estimate: a number)
        value = node.get("properties", {}).get("value")
        kinds |= {_kind(n) for n in _flat(schema, value)} if value is not None else {_kind(node)}
    return frozenset(k for k in kinds if k is not None)


def unknown_key(schema: Mapping[str, Any], path: str) -> str | None:
    """Why no audit of ``schema`` has ``path`` (where :func:`path_kinds` is None): the first
    key no node there has, and the keys those nodes have, as the gates say it of an audit;
    None where some audit can have the path."""
    level, done = list(_flat(schema, schema)), ""
    for step in parse_path(path):
        below = [n for node in level for b in _step(node, step) for n in _flat(schema, b)]
        if not below:
            if step.kind != "key":
                return None
            have = dict.fromkeys(k for node in level for k in node.get("properties", {}))
            if not have:
                return _no_key(level).format(path=path, at=done, key=step.key)
            return MSG_UNKNOWN_KEY.format(path=path, at=done, key=step.key,
                                          have=", ".join(list(have)[:12]))  # fmt: skip
        level = below
        done += (("." if done else "") + fmt_key(str(step.key))) if step.kind == "key" else "[*]"
    return None


def _no_key(level: list[Mapping[str, Any]]) -> str:
    """What nodes without named keys are, where a path asks one of them for a key."""
    kinds = {_kind(node) for node in level}
    return MSG_A_LIST if "list" in kinds else MSG_A_MAPPING if "mapping" in kinds else MSG_A_VALUE


def objects_at(schema: Mapping[str, Any], keys: tuple[str, ...]) -> list[Mapping[str, Any]]:
    """Every object schema (the schema's own nodes: ``$defs`` entries included) that the keys
    but the last reach from the root ("*": any property, any list item) and whose
    ``properties`` hold the last key."""
    level = list(_flat(schema, schema))
    for key in keys[:-1]:
        step = Step("any") if key == "*" else Step("key", key=key)
        level = [n for node in level for below in _step(node, step) for n in _flat(schema, below)]
    found = {id(node): node for node in level if keys[-1] in node.get("properties", {})}
    return list(found.values())  # each once, where two branches lead to one definition
