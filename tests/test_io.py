"""auditor.io.to_json_text: the bytes Python's json writes (indent 2, ASCII) of the tree made
JSON-safe (NaN and infinities as null, numpy numbers and arrays, tuples, paths, keys as text)."""

from __future__ import annotations

import json
import math
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.io import to_json_text


def _jsonable(obj: Any) -> Any:
    """The walk auditor made before json.dumps (the reference the writer must equal)."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def reference(obj: Any) -> str:
    return json.dumps(_jsonable(obj), indent=2, sort_keys=False, allow_nan=False) + "\n"


class Kind(StrEnum):
    a = "kind-a"


class Level(IntEnum):
    high = 3


ODD = {
    "nan": math.nan, "inf": math.inf, "-inf": -math.inf, "tiny": 1e-300, "e": 1e-05,
    "big": 1e22, "neg0": -0.0, "int": 2**63, "true": True, "false": False, "none": None,
    "text": "é ☃ \u2028 \x00 \x1f \"q\" \\ 😀", "": "", "empty_list": [], "empty_map": {},
    "nested_empty": [[], {}, [[]]], "tuple": (1, "two", (3.5,)), "path": Path("/tmp/x y"),
    "np": [np.float64(0.1), np.float32(0.1), np.int64(-7), np.bool_(True), np.str_("s"),
           np.float64("nan"), np.array([[1.5, np.nan], [2, 3]]), np.array([], dtype=float)],
    1: "int key", 2.5: "float key", False: "bool key", None: "none key", Kind.a: Kind.a,
    "intenum": Level.high,
    "deep": {"groups": [{"group": "a & b", "metrics": {"x": {"value": 0.5, "ci_low": None}}}]},
}  # fmt: skip


def test_odd_values_are_written_as_json_dumps_writes_them():
    assert to_json_text(ODD) == reference(ODD)
    assert json.loads(to_json_text(ODD))["nan"] is None


def test_a_lone_surrogate_is_written_as_its_escape_text():
    """A byte of a path that is not UTF-8 (Python's 'c\\udcff.csv'): json.dumps writes a lone
    surrogate, which read_audit refuses as no text, so such a run could not be read back."""
    text = to_json_text({"file": "c\udcff.csv", "pair": "😀", "text": "a\\udcff"})
    assert json.loads(text) == {"file": "c\\udcff.csv", "pair": "😀", "text": "a\\udcff"}


@pytest.mark.parametrize("top", [1.5, "x", None, [], {}, [1, [2, {}]], math.nan, np.int64(3)])
def test_any_top_level_value(top):
    assert to_json_text(top) == reference(top)


def test_what_json_cannot_hold_is_a_type_error():
    with pytest.raises(TypeError, match="not JSON serializable"):
        to_json_text({"a": [object()]})


_scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
            | st.sampled_from([np.float64(1.25), np.int32(4), np.nan]))  # fmt: skip
_trees = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=6) | st.integers(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_trees)
def test_every_tree_is_written_as_json_dumps_writes_it(tree):
    assert to_json_text(tree) == reference(tree)


def test_folders_are_made_whole_or_not_at_all(tmp_path):
    """A part no file system takes (past 255 bytes) after parents that were missing: the
    parents made before it are removed again (mkdir(parents=True) left them behind a refused
    --out); an existing parent stays, and a path that can be made is made whole."""
    from auditor.io import make_folders

    with pytest.raises(OSError):
        make_folders(tmp_path / "x" / "y" / ("a" * 300) / "z")
    assert list(tmp_path.iterdir()) == []
    make_folders(tmp_path / "x" / "y")
    assert (tmp_path / "x" / "y").is_dir()
    with pytest.raises(OSError):
        make_folders(tmp_path / "x" / "y" / "n" / ("a" * 300))
    assert [p.name for p in (tmp_path / "x" / "y").iterdir()] == []
