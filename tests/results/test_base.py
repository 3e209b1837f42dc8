"""results._base: dump's and plain's fast paths give what the slow ones gave."""

from __future__ import annotations

import dataclasses
import json
import math
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from typing import Literal

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter

from auditor.fairness import audit_counts, counts_from_arrays
from auditor.io import to_json_text
from auditor.results import NotRun, _base, dump, plain

Pair = namedtuple("Pair", "a b")


class Kind(StrEnum):
    a = "a"


@dataclasses.dataclass(frozen=True)
class Inner:
    x: float
    names: list[str]
    pair: tuple[int, float]
    named: Pair


@dataclasses.dataclass(frozen=True)
class Outer:
    inner: dict[str, Inner]
    items: list[Inner]
    value: np.float64
    kind: Kind
    missing: float | None = None


def _same(a, b) -> bool:
    """Equal, NaN equal to NaN, and of the same types all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def test_plain_is_asdict():
    inner = Inner(math.nan, ["g1", "g2"], (1, 2.5), Pair(1, [2.0]))
    obj = Outer({"k": inner}, [inner, inner], np.float64(0.25), Kind.a)
    assert _same(plain(obj), dataclasses.asdict(obj))


def test_plain_is_asdict_for_a_fairness_result():
    rng = np.random.default_rng(0)
    n = 3000
    groups = pd.DataFrame({"g": rng.choice(list("abcdefgh"), n, p=[.5, .2, .1, .1, .05, .03,
                                                                    .015, .005]),
                           "h": rng.choice(["x", "y"], n)})  # fmt: skip
    y, yp = rng.integers(0, 2, n), rng.integers(0, 2, n)
    table = counts_from_arrays(y, yp, groups)
    res = audit_counts(table, specs=[("g",), ("h",), ("g", "h")], positive=1)
    assert _same(plain(res), dataclasses.asdict(res))
    assert to_json_text(plain(res)) == to_json_text(res.to_dict())


def test_dump_of_plain_data_and_models():
    tree = {"a": [1, 2.5, None, True, "t", Kind.a, (3, 4)], 5: {"n": NotRun(reason="why")}}
    out = dump(tree)
    assert out == {"a": [1, 2.5, None, True, "t", "a", [3, 4]], "5": {"n": {
        "status": "not_run", "reason": "why"}}}  # fmt: skip
    assert json.loads(to_json_text(out)) == out


def test_result_schemas_are_built_when_first_used_not_at_import():
    # an audit uses a few of the ~60 result and config models: importing builds none of them
    import subprocess
    import sys

    code = (
        "from auditor.config import AuditConfig\n"
        "from auditor.results.info import RunInfo, ToolInfo\n"
        "assert not RunInfo.__pydantic_complete__ and not AuditConfig.__pydantic_complete__\n"
        "assert ToolInfo(version='1').model_dump() == {'name': 'auditor', 'version': '1'}\n"
        "assert ToolInfo.__pydantic_complete__ and not RunInfo.__pydantic_complete__\n"
        "assert AuditConfig().seed == AuditConfig.model_validate({}).seed\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@dataclasses.dataclass(frozen=True)
class Leaf:
    value: float | None
    n: int
    status: Literal["ok", "insufficient_data"]
    flag: bool = False


@dataclasses.dataclass(frozen=True)
class Tree:
    name: str
    groups: dict[str, list[Leaf]]
    grid: list[float]
    cells: list[list[int]]
    note: str | None = None


def _by_pydantic(obj):
    return TypeAdapter(type(obj)).dump_python(obj, mode="json")


def test_dump_of_a_dataclass_writes_what_pydantic_writes():
    # the walk must give pydantic's output, types and all: the same bytes in audit.json
    leaves = [Leaf(0.5, 3, "ok"), Leaf(None, 0, "insufficient_data", True),
              Leaf(math.nan, 2, "ok"), Leaf(math.inf, 1, "ok")]  # fmt: skip
    tree = Tree("t", {"a": leaves, "b": []}, [0.0, 0.25, -math.inf], [[1, 2], [3, 4]])
    assert _same(dump(tree), _by_pydantic(tree))
    assert to_json_text(dump(tree)) == to_json_text(_by_pydantic(tree))


@pytest.mark.parametrize("odd", [
    Leaf(1, 3, "ok"),  # an int in a float field: pydantic writes 1.0
    Leaf(0.5, True, "ok"),  # a bool in an int field: pydantic writes 1
    Leaf(np.float64(0.5), 3, "ok"),  # a float's subclass
    Leaf(0.5, 3, "other"),  # not one of the Literal's: pydantic warns, writes it
    Leaf(0.5, 3, Kind.a),  # a str's subclass in a Literal
])  # fmt: skip
def test_dump_leaves_to_pydantic_what_the_walk_cannot_vouch_for(odd):
    tree = Tree("t", {"a": [odd]}, [1], [[1]])  # 1 in list[float] too
    assert _same(dump(odd), _by_pydantic(odd))
    assert _same(dump(tree), _by_pydantic(tree))


def test_dump_of_a_large_dataclass_is_pydantic_s(monkeypatch):
    # past the walk's budget pydantic's serializer writes it (faster there), the same
    leaves = [Leaf(i / 7, i, "ok") for i in range(30)]
    tree = Tree("t", {"a": leaves}, [0.5], [[1]])
    monkeypatch.setattr(_base, "_WALK_BUDGET", 10)
    assert _same(dump(tree), _by_pydantic(tree))


def test_dump_builds_pydantic_s_serializer_once_across_threads(monkeypatch):
    built = []
    monkeypatch.setattr(_base, "_ADAPTERS", {})
    monkeypatch.setattr(_base, "TypeAdapter", lambda kind: built.append(kind) or TypeAdapter(kind))
    with ThreadPoolExecutor(8) as pool:
        out = list(pool.map(dump, [Leaf(1, 3, "ok")] * 32))
    assert built == [Leaf] and all(o == {"value": 1.0, "n": 3, "status": "ok", "flag": False}
                                   for o in out)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Other:
    value: float
    n: int


@dataclasses.dataclass(frozen=True)
class Mixed:
    picks: dict[str, Leaf | Other]
    tags: tuple[str, ...]


@pytest.mark.parametrize("mixed", [
    Mixed({"a": Leaf(0.5, 3, "ok"), "b": Other(0.5, 3)}, ("x", "y")),
    Mixed({"b": Other(math.nan, 0), "a": Leaf(None, 1, "ok")}, ()),
    Mixed({"a": Other(1, 3)}, ("x",)),  # an int in Other's float: pydantic's
    Mixed({}, ["x"]),  # a list for the tuple: pydantic's
])  # fmt: skip
def test_dump_of_a_union_of_dataclasses_and_a_tuple_is_pydantic_s(mixed):
    assert _same(dump(mixed), _by_pydantic(mixed))
