"""Walking a whole audit (or one section): every number, read the one way.

``nodes(tree, prefix)`` yields ``(path, Evidence)`` for every estimate node and every plain
number, paths written in the metric-path language (so ``resolve(audit, path)`` finds the
node again); ``unreadable(tree, prefix)`` names every interval no reader can see."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any

from auditor.audit_tree.paths import Match, fmt_key, item_label, item_step
from auditor.audit_tree.read import ESTIMATE_KEYS, Evidence, is_estimate, read

_FLAT_SUFFIXES = ("_ci_low", "_ci_high", "_ci")

MSG_FLAT_INTERVAL = (
    "{path}: an interval in a flat key; write the estimate node "
    "{{value, ci_low, ci_high, n}} instead"
)
MSG_INTERVAL_WITHOUT_VALUE = "{path}: ci_low / ci_high without 'value' (not an estimate node)"


def evidence_of(match: Match) -> Evidence:
    """Read the node a path reached (see :mod:`auditor.audit_tree.read`)."""
    label = match.picked[-1] if match.picked else None
    return read(match.node, parent=match.parent, leaf=match.leaf, label=label, path=match.path)


def _join(path: str, key: str) -> str:
    return f"{path}.{fmt_key(key)}" if path else fmt_key(key)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _children(node: Any, path: str) -> Iterator[tuple[str, Any, Any, str]]:
    """(path, child, parent, key) of a mapping's values or a list's items."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield _join(path, str(k)), v, node, str(k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield path + item_step(v, i), v, node, item_label(v, i)


def nodes(tree: Any, prefix: str = "") -> Iterator[tuple[str, Evidence]]:
    """Every estimate node and every plain number under ``tree``, depth first, in document
    order. ``prefix``: the path of ``tree`` itself (e.g. ``"privacy"`` for that section).
    The other numbers inside an estimate node (e.g. ``fpr``, ``tp``) come after it."""
    if is_estimate(tree):
        yield prefix, read(tree, path=prefix)
        for path, child, _, key in _children(tree, prefix):
            if key not in ESTIMATE_KEYS:
                yield from _numbers_in(child, tree, key, path)
        return
    for path, child, parent, key in _children(tree, prefix):
        yield from _numbers_in(child, parent, key, path)


def _numbers_in(child: Any, parent: Any, key: str, path: str) -> Iterator[tuple[str, Evidence]]:
    if _is_number(child):
        yield path, read(child, parent=parent, leaf=key, path=path)
    elif isinstance(child, (dict, list)):
        yield from nodes(child, path)


Down = Callable[[Any, Any, Any, bool], Any]


def _estimate_walk(tree: Any, at: Any, down: Down | None) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The one walk to every estimate node under ``tree`` as written, in document order:
    ``(at, node)``, ``at`` carried down by ``down(at, key, child, in_list)`` (unchanged where
    ``down`` is None: nothing is built on the way, not even the keys)."""
    if isinstance(tree, dict):
        if is_estimate(tree):
            yield at, tree
            return
        steps: Any = tree.items() if down else tree.values()
    elif isinstance(tree, list):
        steps = enumerate(tree) if down else tree
    else:
        return  # a number or text: no estimate under it
    if down is None:
        for child in steps:
            if isinstance(child, (dict, list)):
                yield from _estimate_walk(child, at, None)
        return
    in_list = isinstance(tree, list)
    for key, child in steps:
        if isinstance(child, (dict, list)):
            yield from _estimate_walk(child, down(at, key, child, in_list), down)


def each_estimate(tree: Any) -> Iterator[dict[str, Any]]:
    """Every estimate node under ``tree`` as written, in document order (no paths built)."""
    return map(itemgetter(1), _estimate_walk(tree, None, None))


def _key_step(keys: tuple[str | int, ...], key: str | int, _: Any, __: bool) -> tuple:
    return (*keys, key)


def estimate_nodes(
    tree: Any, keys: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every estimate node under ``tree`` as written, in document order, with the keys and
    list positions that reach it (a JSON pointer's steps, as a schema error names them)."""
    return _estimate_walk(tree, keys, _key_step)


def _path_step(path: str, key: Any, child: Any, in_list: bool) -> str:
    return path + item_step(child, key) if in_list else _join(path, key)


def estimate_paths(tree: Any, prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every estimate node under ``tree`` as written, in document order, with its metric path
    (list items by their label), each step of the path written once on the way down."""
    return _estimate_walk(tree, prefix, _path_step)


def estimates(tree: Any, prefix: str = "") -> Iterator[tuple[str, Evidence]]:
    """Only the estimate nodes of :func:`nodes` (numbers that carry an interval or count)."""
    for path, node in estimate_paths(tree, prefix):
        yield path, read(node, path=path)


def unreadable(tree: Any, prefix: str = "") -> list[str]:
    """Every interval under ``tree`` that is not an estimate node: flat ``x_ci_low`` keys and
    mappings with ``ci_low`` / ``ci_high`` but no ``value``. Empty when every number reads."""
    problems: list[str] = []
    if isinstance(tree, dict):
        if ("ci_low" in tree or "ci_high" in tree) and "value" not in tree:
            problems.append(MSG_INTERVAL_WITHOUT_VALUE.format(path=prefix or "(root)"))
        for key in tree:
            if str(key).endswith(_FLAT_SUFFIXES):
                problems.append(MSG_FLAT_INTERVAL.format(path=_join(prefix, str(key))))
    for path, child, _, _ in _children(tree, prefix):
        if isinstance(child, (dict, list)):
            problems += unreadable(child, path)
    return problems
