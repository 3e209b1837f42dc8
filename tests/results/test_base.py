"""results._base: dump's and plain's fast paths give what the slow ones gave."""

from __future__ import annotations

import dataclasses
import json
import math
from collections import namedtuple
from enum import StrEnum

import numpy as np
import pandas as pd

from auditor.fairness import audit_counts, counts_from_arrays
from auditor.io import to_json_text
from auditor.results import NotRun, dump, plain

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
